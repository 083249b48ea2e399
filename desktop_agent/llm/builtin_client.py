"""The openai client pointed at the built-in model: the same `ProviderClient` code path
(streaming, Stop, errors), plus starting the model on first use and restarting it after
a crash, a hang or a kill."""

from __future__ import annotations

from typing import TYPE_CHECKING

from desktop_agent.llm.builtin import BuiltinModel, BuiltinModelError
from desktop_agent.llm.client import ProviderClient, ProviderConfig
from desktop_agent.llm.errors import ProviderError
from desktop_agent.llm.sdk import load_sdk

if TYPE_CHECKING:
    import openai

RESTART_HINT = "Send again to restart it."
# A killed process closes its sockets a moment before the system reports it gone.
_CRASH_WAIT_SECONDS = 1.0


class BuiltinClient(ProviderClient):
    """A ProviderClient whose endpoint is the app's own model process."""

    def __init__(self, model: BuiltinModel, *, timeout_seconds: float = 60.0) -> None:
        # No retries: a retry would hide a crash that the next Send should handle.
        super().__init__(ProviderConfig("", None, timeout_seconds, max_retries=0))
        self.model = model

    def _clients(self) -> tuple[openai.OpenAI, openai.OpenAI]:
        try:
            base_url, api_key = self.model.endpoint()
        except BuiltinModelError as exc:
            raise ProviderError(str(exc), kind="unreachable") from None
        if (base_url, api_key) != (self.config.base_url, self.config.api_key):
            # First use, or the model was restarted on a new port with a new key.
            self.close()
            self.config = ProviderConfig(
                base_url, api_key, self.config.timeout_seconds, self.config.max_retries
            )
        return super()._clients()

    def _map(
        self, exc: BaseException, *, in_stream: bool = False, partial: bool = False
    ) -> ProviderError:
        load_sdk()
        import openai

        kept = " The partial reply was kept." if partial else ""
        if isinstance(exc, openai.APITimeoutError):
            # Alive but silent for the whole read timeout: hung. End it so that the
            # next request starts a fresh process instead of waiting again.
            self.model.kill()
            seconds = f"{self.config.timeout_seconds:g}"
            return ProviderError(
                f"The built-in model stopped answering (nothing for {seconds} s) and was "
                f"stopped.{kept} {RESTART_HINT}",
                kind="stream_cut" if in_stream else "timeout",
                partial=partial,
            )
        if isinstance(exc, openai.APIConnectionError | openai.APIError):
            crashed = self._crash_error(partial)
            if crashed is not None:
                return crashed
        return super()._map(exc, in_stream=in_stream, partial=partial)

    def _cut_error(self, partial: bool) -> ProviderError:
        return self._crash_error(partial) or super()._cut_error(partial)

    def _crash_error(self, partial: bool) -> ProviderError | None:
        """The error to show when the model process has died, else None."""
        reason = self.model.exit_reason(wait=_CRASH_WAIT_SECONDS)
        if reason is None:
            return None
        kept = " The partial reply was kept." if partial else ""
        return ProviderError(
            f"The built-in model stopped unexpectedly ({reason}).{kept} {RESTART_HINT}",
            kind="server",
            partial=partial,
        )
