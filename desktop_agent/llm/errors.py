"""Provider failures as one exception whose message a person understands.

`map_sdk_error` turns the openai SDK's exceptions into `ProviderError`. It never imports
openai at module import time: it is only called once the SDK has raised.
"""

from __future__ import annotations

import math
import re
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import urlsplit, urlunsplit

from desktop_agent.domain.redaction import redact as redact  # re-exported for callers
from desktop_agent.llm.sdk import load_sdk

if TYPE_CHECKING:
    from collections.abc import Mapping

ErrorKind = Literal[
    "auth",
    "rate_limit",
    "server",
    "timeout",
    "unreachable",
    "stream_cut",
    "bad_request",
    "not_found",
    "bad_response",
    "too_large",
]

STREAM_CUT_MESSAGE = (
    "The reply was cut off mid-way (connection closed); the partial reply was kept."
)
_SHORT_MESSAGE_CHARS = 200


class ProviderError(Exception):
    """A request to the provider failed; `str(error)` is a sentence for the user.

    `partial` is True when some reply text had already arrived (and was kept).
    """

    def __init__(
        self,
        message: str,
        *,
        kind: ErrorKind,
        status: int | None = None,
        retry_after: float | None = None,
        partial: bool = False,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.kind: ErrorKind = kind
        self.status = status
        self.retry_after = retry_after
        self.partial = partial

    def __repr__(self) -> str:
        return f"ProviderError(kind={self.kind!r}, status={self.status!r}, {self.message!r})"


def display_url(base_url: str) -> str:
    """The base URL without credentials or query, safe to show and log."""
    parts = urlsplit(base_url)
    host = parts.hostname or ""
    netloc = f"{host}:{parts.port}" if parts.port else host
    return urlunsplit((parts.scheme, netloc, parts.path, "", "")) or base_url


def parse_retry_after(headers: Mapping[str, str]) -> float | None:
    """Seconds to wait from `retry-after-ms` or `retry-after` (seconds or an HTTP date)."""
    from email.utils import parsedate_to_datetime  # rare path; email is slow to import

    for name, divisor in (("retry-after-ms", 1000.0), ("retry-after", 1.0)):
        value = headers.get(name)
        if value is None:
            continue
        try:
            seconds = float(value) / divisor
        except ValueError:
            continue
        if math.isfinite(seconds) and seconds >= 0:
            return seconds
    value = headers.get("retry-after")
    if value:
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        return max(0.0, (when - datetime.now(UTC)).total_seconds())
    return None


def _server_message(exc: Any) -> str:
    """The server's own short explanation from an SDK status error, on one line."""
    body = getattr(exc, "body", None)
    text = ""
    if isinstance(body, dict):
        for key in ("message", "error", "detail"):
            if isinstance(body.get(key), str):
                text = body[key]
                break
    elif isinstance(body, str):
        text = body
    text = _plain_detail(text, exc)
    if not text:
        text = str(getattr(exc, "message", "") or exc)
        if re.fullmatch(r"Error code: \d+", text):
            return ""  # the SDK's placeholder says no more than the status we name
    text = re.sub(r"\s+", " ", text).strip()
    if len(text) > _SHORT_MESSAGE_CHARS:
        text = text[: _SHORT_MESSAGE_CHARS - 1] + "…"
    return text


def _plain_detail(text: str, exc: Any) -> str:
    """A server's detail as plain text: an HTML error page becomes its title, never markup."""
    from desktop_agent.llm.stream_reader import html_title

    response = getattr(exc, "response", None)
    content_type = ""
    if response is not None:
        content_type = str(response.headers.get("content-type", "")).lower()
    head = text.lstrip()[:512].lower()
    if "html" in content_type or head.startswith(("<!doctype", "<html", "<head", "<body")):
        title = html_title(text)
        return f"an HTML page titled {title!r}" if title else "an HTML page"
    if "<" in text and re.search(r"<(script|style|iframe|img|a|div|p|br)\b", text, re.I):
        text = re.sub(r"<[^>]*>", " ", text)
    return re.sub(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]", " ", text)


def _with_detail(sentence: str, detail: str) -> str:
    """`sentence: detail.`, ending with exactly one full stop (or the detail's own mark)."""
    text = f"{sentence}: {detail}" if detail else sentence
    return text if text.endswith((".", "!", "?", "…")) else text + "."


def map_sdk_error(
    exc: BaseException,
    *,
    base_url: str,
    timeout_seconds: float,
    api_key: str | None,
    in_stream: bool = False,
    partial: bool = False,
) -> ProviderError:
    """The `ProviderError` for an exception raised by the openai SDK (or its parsing).

    `in_stream`: the answer had started (HTTP 200 and a stream) when it broke.
    `partial`: some reply text had arrived before the failure.
    """
    error = _map(exc, base_url, timeout_seconds, in_stream, partial)
    error.message = redact(error.message, api_key)
    error.args = (error.message,)
    if partial:
        error.partial = True
    return error


def _map(
    exc: BaseException, base_url: str, timeout_seconds: float, in_stream: bool, partial: bool
) -> ProviderError:
    load_sdk()
    import openai

    from desktop_agent.llm.stream_reader import (
        AnswerNotUnderstood,
        AnswerTooLarge,
        ProviderReportedError,
    )

    kept = "; the text before it was kept." if partial else "."
    if isinstance(exc, AnswerNotUnderstood):
        return ProviderError(
            f"The server's answer was not understood: {exc}{kept}", kind="bad_response"
        )
    if isinstance(exc, AnswerTooLarge):
        return ProviderError(f"The reply was too large: {exc}{kept}", kind="too_large")
    if isinstance(exc, ProviderReportedError):
        return ProviderError(
            f"The provider reported an error in its answer: {exc}{kept}", kind="server"
        )
    seconds = f"{timeout_seconds:g}"
    # APITimeoutError subclasses APIConnectionError, so it must be tested first.
    if isinstance(exc, openai.APITimeoutError):
        if in_stream:
            return ProviderError(
                f"The reply stopped mid-way (no data for {seconds} s); "
                + ("the partial reply was kept." if partial else "no text had arrived."),
                kind="stream_cut",
            )
        return ProviderError(f"The provider did not answer within {seconds} s.", kind="timeout")
    if isinstance(exc, openai.APIConnectionError):
        if in_stream:
            if partial:
                return ProviderError(STREAM_CUT_MESSAGE, kind="stream_cut")
            return ProviderError(
                "The reply was cut off before any text arrived (connection closed).",
                kind="stream_cut",
            )
        reason = str(exc.__cause__ or "") or exc.message
        return ProviderError(
            f"Cannot reach the provider at {display_url(base_url)}: {reason}", kind="unreachable"
        )
    if isinstance(exc, openai.APIStatusError):
        return _map_status(exc)
    if isinstance(exc, openai.APIResponseValidationError):
        return ProviderError(
            _with_detail("The provider's answer was not understood", _server_message(exc)),
            kind="bad_response",
            status=exc.status_code,
        )
    if isinstance(exc, openai.APIError):  # an error event inside a stream
        return ProviderError(
            _with_detail("The provider reported an error", _server_message(exc)), kind="server"
        )
    return ProviderError(
        _with_detail("The provider's answer was not understood", str(exc)), kind="bad_response"
    )


def _map_status(exc: Any) -> ProviderError:
    load_sdk()
    import openai

    status: int = exc.status_code
    detail = _server_message(exc)
    if isinstance(exc, openai.AuthenticationError):
        return ProviderError(
            "The provider rejected the API key (HTTP 401). "
            "Check the key in Settings or OPENAI_API_KEY.",
            kind="auth",
            status=status,
        )
    if isinstance(exc, openai.PermissionDeniedError):
        return ProviderError(
            _with_detail(f"The provider refused access (HTTP {status})", detail),
            kind="auth",
            status=status,
        )
    if isinstance(exc, openai.RateLimitError):
        retry_after = parse_retry_after(exc.response.headers)
        if retry_after is None:
            sentence = "Rate limited by the provider (HTTP 429); try again shortly."
        else:
            sentence = f"Rate limited by the provider; retry in {math.ceil(retry_after)} s."
        if detail:
            sentence += f" The provider said: {detail}"
        return ProviderError(sentence, kind="rate_limit", status=status, retry_after=retry_after)
    if isinstance(exc, openai.NotFoundError):
        return ProviderError(
            _with_detail(f"The provider has no such model or endpoint (HTTP {status})", detail)
            + " Check the model name and the base URL.",
            kind="not_found",
            status=status,
        )
    if status >= 500:
        return ProviderError(
            _with_detail(f"The provider had a server error (HTTP {status})", detail),
            kind="server",
            status=status,
        )
    return ProviderError(
        _with_detail(f"The provider rejected the request (HTTP {status})", detail),
        kind="bad_request",
        status=status,
    )
