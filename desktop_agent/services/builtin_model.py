"""The built-in model as the front ends see it: its name, a check of a chosen model
file, and stopping it on quit (the model process itself lives in llm/builtin.py)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from desktop_agent.domain.errors import InvalidInputError

if TYPE_CHECKING:
    from desktop_agent.config.settings import EffectiveProvider
    from desktop_agent.llm.builtin_client import BuiltinClient


@dataclass(frozen=True)
class ModelFileReport:
    """A model file that passed the checks, described for the settings dialog."""

    name: str
    size_bytes: int
    architecture: str
    trained_context: int

    def describe(self) -> str:
        size = f"{self.size_bytes / 1_000_000:,.0f} MB"
        context = f", trained on {self.trained_context:,} tokens" if self.trained_context else ""
        return f"{self.name}: {size}, {self.architecture or 'unknown'} architecture{context}."


def builtin_client(provider: EffectiveProvider) -> BuiltinClient:
    """A client for the app's model process as `provider` configures it (started on
    its first request)."""
    from desktop_agent.llm.builtin import BuiltinConfig, builtin_model
    from desktop_agent.llm.builtin_client import BuiltinClient

    config = BuiltinConfig(provider.model_file, provider.context_size, provider.threads)
    return BuiltinClient(builtin_model(config), timeout_seconds=provider.timeout_seconds)


def builtin_model_name(provider: EffectiveProvider) -> str:
    from desktop_agent.llm.builtin import model_name

    return model_name(provider.model_file or None)


def automatic_threads() -> int:
    from desktop_agent.llm.builtin import default_threads

    return default_threads()


def check_model_file(model_file: str, context_size: int) -> ModelFileReport:
    """Check a GGUF file (empty: the bundled one) before it is saved as the built-in
    model: missing, not GGUF, truncated or too large for the free memory raise
    InvalidInputError with a sentence naming the file."""
    from desktop_agent.llm.builtin import BuiltinConfig, BuiltinModelError
    from desktop_agent.llm.builtin import check_model_file as check
    from desktop_agent.llm.gguf import read_gguf

    config = BuiltinConfig(model_file, context_size)
    try:
        check(config)
        info = read_gguf(config.resolved_file())
    except BuiltinModelError as exc:
        raise InvalidInputError(str(exc)) from None
    return ModelFileReport(config.name, info.size_bytes, info.architecture, info.context_length)


def stop_builtin_model() -> None:
    """Stop the model process now (on quit; it would also end with the app)."""
    from desktop_agent.llm.builtin import stop_builtin_models

    stop_builtin_models()
