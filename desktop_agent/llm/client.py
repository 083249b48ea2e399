"""The OpenAI-compatible provider behind one small interface: stream, complete, list models.

`import openai` costs ~0.4 s, so it happens inside the methods that need it, never when
this module is imported (the CLI's fast paths and the window's first paint stay quick).
"""

from __future__ import annotations

import queue
import socket
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Self, cast

from desktop_agent.llm.errors import (
    STREAM_CUT_MESSAGE,
    ProviderError,
    map_sdk_error,
)
from desktop_agent.llm.sdk import load_sdk
from desktop_agent.llm.stream_reader import (
    AnswerNotUnderstood,
    AnswerReader,
    AnswerTooLarge,
    ChunkFacts,
    ProviderReportedError,
    SurrogateJoiner,
    describe_body,
    error_message,
    looks_like_sse,
    parse_completion,
)

if TYPE_CHECKING:
    import openai
    from openai.types.chat import ChatCompletionChunk

# How often a waiting reader looks at the cancel flag (the GUI's Stop latency).
_CANCEL_POLL_SECONDS = 0.05
# A local server (Ollama, LM Studio, llama.cpp, vLLM) needs no key, but the SDK refuses none.
PLACEHOLDER_API_KEY = "not-needed"

Messages = Sequence[Mapping[str, Any]]


@dataclass(frozen=True)
class ProviderConfig:
    """How to reach an OpenAI-compatible server (never stored with the key)."""

    base_url: str
    api_key: str | None
    timeout_seconds: float = 60.0  # connect and per-read timeout; a stream may last longer
    max_retries: int = 2  # non-streaming calls only: a stream is never retried


class ChatStream:
    """One streamed reply. Iterate once for text deltas; afterwards read `text` and
    `finish_reason`. No request is sent until iteration starts, so every
    `ProviderError` comes from the iteration. `cancel()` may be called from any thread.
    """

    def __init__(
        self,
        open_stream: Callable[[], openai.Stream[ChatCompletionChunk]],
        map_error: Callable[[BaseException, bool, bool], ProviderError],
        cut_error: Callable[[bool], ProviderError] | None = None,
    ) -> None:
        self._open_stream = open_stream
        self._map_error = map_error
        self._cut_error = cut_error or _stream_cut_error
        self._cancel_requested = threading.Event()
        self._lock = threading.Lock()
        self._live_socket: socket.socket | None = None  # set only while the reply is read
        self._started = False
        self._parts: list[str] = []
        self.finish_reason: str | None = None
        self.model: str | None = None
        self.usage: dict[str, int] | None = None

    @property
    def text(self) -> str:
        """All text received so far."""
        return "".join(self._parts)

    @property
    def cancelled(self) -> bool:
        return self._cancel_requested.is_set()

    def cancel(self) -> None:
        """Stop the reply now: the iteration ends without an error, keeping `text`.

        Closing the response from another thread would not wake a read blocked on a
        silent server (a model still thinking), so the socket is shut down instead.
        """
        self._cancel_requested.set()
        with self._lock:
            live_socket, self._live_socket = self._live_socket, None
        if live_socket is not None:
            try:
                # The plain-socket method: SSLSocket.shutdown would also drop its SSL
                # object under the reading thread's feet.
                socket.socket.shutdown(live_socket, socket.SHUT_RDWR)
            except OSError:
                pass  # already closed by the server or by the end of the reply

    def __iter__(self) -> Iterator[str]:
        """Yield deltas. The network is read on a helper thread so that a cancel is
        honoured at once even before the provider sends its first byte, when there is
        no socket yet to shut down and a blocked read would hold the caller until the
        timeout. The helper ends by itself: on the next chunk, the shutdown socket, or
        the read timeout; it never touches anything but this object and its queue."""
        if self._started:
            raise RuntimeError("a ChatStream can be iterated only once")
        self._started = True
        if self.cancelled:
            return
        items: queue.SimpleQueue[tuple[str, Any]] = queue.SimpleQueue()
        reader = threading.Thread(target=self._read, args=(items,), name="chat-stream", daemon=True)
        reader.start()
        while True:
            try:
                kind, value = items.get(timeout=_CANCEL_POLL_SECONDS)
            except queue.Empty:
                if self.cancelled:
                    return
                continue
            if self.cancelled:
                return
            if kind == "delta":
                self._parts.append(value)
                yield value
            elif kind == "error":
                raise value
            else:  # "end"
                break
        if self.finish_reason is None:
            # The body ended cleanly but the answer did not: a proxy or server dropped it.
            raise self._cut_error(bool(self._parts))

    def _read(self, items: queue.SimpleQueue[tuple[str, Any]]) -> None:
        load_sdk()
        import httpx2
        import openai

        try:
            sdk_stream = self._open_stream()
        except (openai.OpenAIError, ValueError) as exc:
            items.put(("error", self._map_error(exc, False, False)))
            return
        except (AnswerNotUnderstood, AnswerTooLarge) as exc:
            items.put(("error", self._map_error(exc, False, False)))
            return
        except BaseException as exc:  # noqa: BLE001 - hand anything else to the caller
            items.put(("error", exc))
            return
        with self._lock:
            self._live_socket = None if self.cancelled else _socket_of(sdk_stream)
        received = False
        response = sdk_stream.response
        # The SDK's own parser is bypassed: it trusts chunk shapes and line lengths.
        answer = AnswerReader(response.iter_bytes(), response.headers.get("content-type", ""))
        try:
            for facts in answer:
                if self.cancelled:
                    return
                self._absorb(facts)
                if answer.done or self.finish_reason is not None:
                    # The connection goes back to the pool at the end of the answer;
                    # from then on a cancel must not shut it down under another request.
                    self._forget_socket()
                if facts.text:
                    received = True
                    items.put(("delta", facts.text))
        except (AnswerNotUnderstood, AnswerTooLarge, ProviderReportedError) as exc:
            if not self.cancelled:
                items.put(("error", self._map_error(exc, True, received)))
        except httpx2.TimeoutException as exc:
            if not self.cancelled:
                wrapped = openai.APITimeoutError(request=response.request)
                wrapped.__cause__ = exc
                items.put(("error", self._map_error(wrapped, True, received)))
        except httpx2.DecodingError:
            if not self.cancelled:
                failure = AnswerNotUnderstood("its compressed body is corrupt")
                items.put(("error", self._map_error(failure, True, received)))
        except httpx2.RequestError as exc:
            if not self.cancelled:
                lost = openai.APIConnectionError(request=response.request)
                lost.__cause__ = exc
                items.put(("error", self._map_error(lost, True, received)))
        except BaseException as exc:  # noqa: BLE001 - hand anything else to the caller
            items.put(("error", exc))
        finally:
            self._forget_socket()
            sdk_stream.close()
            items.put(("end", None))

    def _forget_socket(self) -> None:
        with self._lock:
            self._live_socket = None

    def _absorb(self, facts: ChunkFacts) -> None:
        """Record a chunk's metadata (its text is the caller's)."""
        if facts.model:
            self.model = facts.model
        if facts.usage is not None:
            self.usage = facts.usage
        if facts.finish_reason:
            self.finish_reason = facts.finish_reason


def _stream_cut_error(partial: bool) -> ProviderError:
    return ProviderError(STREAM_CUT_MESSAGE, kind="stream_cut", partial=partial)


def _socket_of(sdk_stream: openai.Stream[ChatCompletionChunk]) -> socket.socket | None:
    """The socket under a streamed response (httpcore exposes it), if there is one."""
    network_stream = sdk_stream.response.extensions.get("network_stream")
    get_extra_info = getattr(network_stream, "get_extra_info", None)
    found = get_extra_info("socket") if get_extra_info is not None else None
    return found if isinstance(found, socket.socket) else None


class ProviderClient:
    """A thread-safe client for one OpenAI-compatible endpoint. Call `close()` when done."""

    def __init__(self, config: ProviderConfig) -> None:
        self.config = config
        self._lock = threading.Lock()
        self._sdk: openai.OpenAI | None = None
        self._sdk_no_retry: openai.OpenAI | None = None
        # Newer OpenAI models reject `max_tokens`; learnt from the first 400 that says so.
        self._use_max_completion_tokens = False

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """Release the connection pool. Safe to call twice."""
        with self._lock:
            sdk, self._sdk, self._sdk_no_retry = self._sdk, None, None
        if sdk is not None:
            sdk.close()

    # -- the three calls

    def stream_chat(
        self,
        messages: Messages,
        *,
        model: str,
        max_tokens: int | None = None,
        temperature: float | None = None,
        seed: int | None = None,
    ) -> ChatStream:
        """A reply streamed as text deltas (see `ChatStream`); never retried."""

        def open_stream() -> openai.Stream[ChatCompletionChunk]:
            stream: openai.Stream[ChatCompletionChunk] = self._create(
                self._clients()[1], messages, model, max_tokens, temperature, seed, stream=True
            )
            return stream

        def map_error(exc: BaseException, in_stream: bool, partial: bool) -> ProviderError:
            return self._map(exc, in_stream=in_stream, partial=partial)

        return ChatStream(open_stream, map_error, self._cut_error)

    def complete(
        self,
        messages: Messages,
        *,
        model: str,
        max_tokens: int | None = None,
        temperature: float | None = None,
        seed: int | None = None,
    ) -> str:
        """A whole reply at once (summaries, goal judging); retried up to `max_retries`."""
        import json

        load_sdk()
        import openai

        try:
            raw = self._create(
                self._clients()[0], messages, model, max_tokens, temperature, seed, stream=False
            )
            body: bytes = raw.http_response.content
        except (openai.OpenAIError, ValueError) as exc:
            raise self._map(exc) from exc
        except (AnswerNotUnderstood, AnswerTooLarge) as exc:
            raise self._map(exc) from exc
        try:
            what = describe_body(body, raw.http_response.headers.get("content-type", ""))
            if what is not None and looks_like_sse(body.lstrip().split(b"\n", 1)[0]):
                what = "a stream"
            if what is not None:
                raise AnswerNotUnderstood(f"it sent {what} instead of a completion")
            parsed = json.loads(body)
            if parsed.get("error") is not None:
                raise ProviderReportedError(error_message(parsed["error"]))
            facts = parse_completion(parsed)
        except (AnswerNotUnderstood, ProviderReportedError) as exc:
            raise self._map(exc) from exc
        text = SurrogateJoiner()
        return text.feed(facts.text) + text.finish()

    def list_models(self) -> list[str]:
        """The model ids the endpoint offers, in its order."""
        load_sdk()
        import openai

        try:
            return [model.id for model in self._clients()[0].models.list()]
        except (openai.OpenAIError, ValueError) as exc:
            raise self._map(exc) from exc

    # -- internals

    def _clients(self) -> tuple[openai.OpenAI, openai.OpenAI]:
        """The SDK client and its no-retry twin (sharing one connection pool)."""
        with self._lock:
            if self._sdk is None or self._sdk_no_retry is None:
                load_sdk()
                import httpx2
                import openai
                from openai._constants import DEFAULT_CONNECTION_LIMITS

                from desktop_agent.llm.transport import BoundedTransport

                transport = BoundedTransport(httpx2.HTTPTransport(limits=DEFAULT_CONNECTION_LIMITS))
                self._sdk = openai.OpenAI(
                    api_key=self.config.api_key or PLACEHOLDER_API_KEY,
                    base_url=self.config.base_url,
                    timeout=self.config.timeout_seconds,
                    max_retries=self.config.max_retries,
                    http_client=openai.DefaultHttpx2Client(transport=transport),
                )
                self._sdk_no_retry = self._sdk.with_options(max_retries=0)
            return self._sdk, self._sdk_no_retry

    def _create(
        self,
        sdk: openai.OpenAI,
        messages: Messages,
        model: str,
        max_tokens: int | None,
        temperature: float | None,
        seed: int | None,
        *,
        stream: bool,
    ) -> Any:
        load_sdk()
        import openai

        def send() -> Any:
            params: dict[str, Any] = {}
            if max_tokens is not None:
                key = "max_completion_tokens" if self._use_max_completion_tokens else "max_tokens"
                params[key] = max_tokens
            if temperature is not None:
                params["temperature"] = temperature
            if seed is not None:  # reproducible replies, where the server supports it
                params["seed"] = seed
            # A plain answer is read raw and checked here: the SDK builds its objects
            # without validating them (an integer `content` would reach the caller).
            completions = sdk.chat.completions
            create = completions.create if stream else completions.with_raw_response.create
            return create(model=model, messages=cast(Any, list(messages)), stream=stream, **params)

        try:
            return send()
        except openai.BadRequestError as exc:
            # A 400 is refused before any answer starts, so resending is not a stream retry.
            if max_tokens is None or self._use_max_completion_tokens:
                raise
            if "max_completion_tokens" not in str(exc):
                raise
            self._use_max_completion_tokens = True
            return send()

    def _cut_error(self, partial: bool) -> ProviderError:
        """The error for a stream whose body ended before the answer did."""
        return _stream_cut_error(partial)

    def _map(
        self, exc: BaseException, *, in_stream: bool = False, partial: bool = False
    ) -> ProviderError:
        return map_sdk_error(
            exc,
            base_url=self.config.base_url,
            timeout_seconds=self.config.timeout_seconds,
            api_key=self.config.api_key,
            in_stream=in_stream,
            partial=partial,
        )
