"""Read a streamed chat answer from its decoded bytes, trusting nothing the server sends.

The openai SDK's own stream parser keeps an unterminated line in memory however long it
grows, and hands chunks of any shape to the caller (`choices: null`, an integer
`content`), so the reply is read here instead: lines and the whole answer are bounded,
every chunk's shape is checked, UTF-16 surrogate halves sent as JSON escapes in separate
chunks are joined (a lone half becomes U+FFFD), and a body that is not a stream at all
is named for what it is. Nothing here touches the network: it reads an iterator of bytes.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from desktop_agent.domain.canonical import type_name

if TYPE_CHECKING:
    from collections.abc import Iterator

# One SSE line carries one chunk (a few hundred bytes); 1 MiB leaves room for servers
# that send a whole answer in one chunk and still stops an endless line early.
MAX_LINE_BYTES = 1 << 20
# Decoded bytes of one streamed answer: SSE framing costs ~50x the text per token, so
# this is far above any real reply yet stops an endless stream (or a gzip bomb of blank
# lines). Reading is incremental, so memory stays at one line whatever this is.
MAX_STREAM_BYTES = 256 << 20
# The reply text kept: a long real reply is ~100k tokens (~400k characters).
MAX_REPLY_CHARS = 2_000_000
# A body that is not a stream (an error page, a plain completion) is read whole.
MAX_PLAIN_BODY_BYTES = 8 << 20

_SURROGATE = re.compile("[\ud800-\udfff]")
_BLANK_RUN = re.compile(b"\n{3,}")
_SSE_FIELDS = (b"data", b"event", b"id", b"retry")


class AnswerNotUnderstood(Exception):
    """The server's answer broke the protocol; `str()` names how, for the user."""


class AnswerTooLarge(Exception):
    """The answer exceeded a size bound; `str()` names which one."""


class ProviderReportedError(Exception):
    """The server sent an error object inside a 200 answer; `str()` is its message."""


@dataclass(frozen=True)
class ChunkFacts:
    """What one chunk says about the first choice (and the answer as a whole)."""

    text: str = ""
    finish_reason: str | None = None
    model: str | None = None
    usage: dict[str, int] | None = None


# -- bytes to lines to events ------------------------------------------------------------


def iter_lines(byte_chunks: Iterator[bytes], *, max_line: int = MAX_LINE_BYTES) -> Iterator[bytes]:
    """Lines without their ending (LF, CRLF or CR), each at most `max_line` bytes.

    Only the unfinished line is kept between blocks, so memory stays at `max_line`."""
    pending: list[bytes] = []
    size = 0
    cr_held = False  # a block ended in CR: its LF may open the next block
    for block in byte_chunks:
        if cr_held:
            block = b"\r" + block
        cr_held = block.endswith(b"\r")
        if cr_held:
            block = block[:-1]
        block = block.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
        # Runs of blank lines mean what one does (end of event); collapsing them in C
        # keeps a flood of newlines (a gzip bomb of them) from costing a loop per byte.
        block = _BLANK_RUN.sub(b"\n\n", block)
        if b"\n" not in block:
            pending.append(block)
            size += len(block)
            if size > max_line:
                raise _line_too_long(max_line)
            continue
        first, *middle, last = block.split(b"\n")
        if size + len(first) > max_line:
            raise _line_too_long(max_line)
        yield b"".join([*pending, first])
        for line in middle:
            if len(line) > max_line:
                raise _line_too_long(max_line)
            yield line
        pending, size = [last], len(last)
        if size > max_line:
            raise _line_too_long(max_line)
    if cr_held or size:
        yield b"".join(pending)


def _line_too_long(max_line: int) -> AnswerNotUnderstood:
    return AnswerNotUnderstood(
        f"it sent a line longer than {_size(max_line)} without an end, which no chat "
        "answer needs; reading stopped there"
    )


@dataclass(frozen=True)
class Event:
    """One server-sent event: its name and data."""

    name: str
    data: str


def iter_events(lines: Iterator[bytes]) -> Iterator[Event]:
    """Server-sent events (the `data` lines of each event joined by newlines)."""
    data: list[bytes] = []
    name = ""
    for line in lines:
        if not line:
            if data:
                yield Event(name, _text(b"\n".join(data)))
            data, name = [], ""
            continue
        if line.startswith(b":"):
            continue  # a comment (keep-alive)
        field, _, value = line.partition(b":")
        value = value[1:] if value.startswith(b" ") else value
        if field == b"data":
            data.append(value)
        elif field == b"event":
            name = _text(value)
    if data:
        yield Event(name, _text(b"\n".join(data)))


def _text(raw: bytes) -> str:
    # Invalid UTF-8 from a server is shown replaced rather than failing the reply.
    return raw.decode("utf-8", errors="replace")


def looks_like_sse(first_line: bytes) -> bool:
    """Whether a body's first non-blank line is an SSE field or comment."""
    if first_line.startswith(b":"):
        return True
    field = first_line.partition(b":")[0].strip()
    return field in _SSE_FIELDS


# -- chunks ------------------------------------------------------------------------------


def parse_chunk(data: str) -> ChunkFacts:
    """Check one chunk's JSON and shape; what it says about the first choice."""
    try:
        chunk = json.loads(data)
    except (ValueError, RecursionError):
        raise AnswerNotUnderstood(f"a stream chunk is not JSON ({_preview(data)})") from None
    if not isinstance(chunk, dict):
        raise AnswerNotUnderstood(f"a stream chunk is a JSON {_kind(chunk)}, not an object")
    if "error" in chunk and chunk["error"] is not None:
        raise ProviderReportedError(error_message(chunk["error"]))
    choices = chunk.get("choices", [])
    if not isinstance(choices, list):
        raise AnswerNotUnderstood(f"a stream chunk's 'choices' is {_kind(choices)}, not a list")
    text, finish = "", None
    for choice in choices:
        if not isinstance(choice, dict):
            raise AnswerNotUnderstood(f"a stream chunk's choice is {_kind(choice)}")
        index = choice.get("index", 0)
        if not isinstance(index, int) or isinstance(index, bool):
            raise AnswerNotUnderstood(f"a choice's 'index' is {_kind(index)}")
        delta = choice.get("delta")
        if delta is None:
            delta = {}
        if not isinstance(delta, dict):
            raise AnswerNotUnderstood(f"a choice's 'delta' is {_kind(delta)}, not an object")
        content = delta.get("content")
        if content is not None and not isinstance(content, str):
            raise AnswerNotUnderstood(f"a delta's 'content' is {_kind(content)}, not text")
        reason = choice.get("finish_reason")
        if reason is not None and not isinstance(reason, str):
            raise AnswerNotUnderstood(f"a choice's 'finish_reason' is {_kind(reason)}")
        if index != 0:
            continue
        text += content or ""
        finish = reason or finish
    return ChunkFacts(text, finish, _model(chunk), _usage(chunk))


def parse_completion(body: dict[str, Any]) -> ChunkFacts:
    """A plain (non-streamed) completion, checked like a chunk."""
    choices = body.get("choices")
    if not isinstance(choices, list) or not choices:
        raise AnswerNotUnderstood("it sent a JSON object with no reply in it instead of a stream")
    first = choices[0]
    message = first.get("message") if isinstance(first, dict) else None
    if not isinstance(message, dict):
        raise AnswerNotUnderstood("its answer has a choice without a message")
    content = message.get("content")
    if content is not None and not isinstance(content, str):
        raise AnswerNotUnderstood(f"its message 'content' is {_kind(content)}, not text")
    reason = first.get("finish_reason") if isinstance(first, dict) else None
    finish = reason if isinstance(reason, str) and reason else "stop"
    return ChunkFacts(content or "", finish, _model(body), _usage(body))


def _model(chunk: dict[str, Any]) -> str | None:
    model = chunk.get("model")
    return model if isinstance(model, str) and model else None


def _usage(chunk: dict[str, Any]) -> dict[str, int] | None:
    usage = chunk.get("usage")
    if not isinstance(usage, dict):
        return None  # usage is informative only: an odd one is ignored, not fatal
    figures = {
        key: usage[key]
        for key in ("prompt_tokens", "completion_tokens", "total_tokens")
        if isinstance(usage.get(key), int) and not isinstance(usage.get(key), bool)
    }
    return figures if len(figures) == 3 else None


def error_message(error: Any) -> str:
    """The message of an error object (`{"message": ...}` or a bare string), one line."""
    message = error.get("message") if isinstance(error, dict) else error
    if not isinstance(message, str) or not message.strip():
        return "no details given"
    return re.sub(r"\s+", " ", message).strip()[:200]


def _kind(value: Any) -> str:
    # A model's answer is read as text, so a string is "text" here, not "a string".
    return "text" if isinstance(value, str) else type_name(value)


def _preview(data: str, limit: int = 60) -> str:
    shown = re.sub(r"[\x00-\x1f\x7f-\x9f]", " ", data.strip())
    return repr(shown[:limit] + ("…" if len(shown) > limit else ""))


def _size(count: int) -> str:
    return f"{count >> 20} MiB" if count >= 1 << 20 else f"{count >> 10} KiB"


# -- text --------------------------------------------------------------------------------


class SurrogateJoiner:
    """Joins UTF-16 surrogate halves that arrive in separate chunks.

    JSON may escape an emoji as two `\\uXXXX` halves, and a server may cut between
    them; Python then holds lone surrogates that cannot be encoded to UTF-8 (a
    `UnicodeEncodeError` on the terminal or in SQLite). A trailing high half waits for
    the next piece; any half left alone becomes U+FFFD.
    """

    def __init__(self) -> None:
        self._held = ""

    def feed(self, text: str) -> str:
        text = self._held + text
        self._held = ""
        if not _SURROGATE.search(text):
            return text
        if "\ud800" <= text[-1] <= "\udbff":
            text, self._held = text[:-1], text[-1]
        return _pair_surrogates(text)

    def finish(self) -> str:
        held, self._held = self._held, ""
        return "\ufffd" if held else ""


def _pair_surrogates(text: str) -> str:
    return text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")


# -- a whole answer ----------------------------------------------------------------------


class AnswerReader:
    """Turns the decoded bytes of a 200 answer into `ChunkFacts`, ending at [DONE].

    `content_type` is the response's; a body that is not a stream is read whole (up to
    MAX_PLAIN_BODY_BYTES) and either accepted as a plain completion or named.
    """

    def __init__(
        self,
        byte_chunks: Iterator[bytes],
        content_type: str = "",
        *,
        max_line: int = MAX_LINE_BYTES,
        max_bytes: int = MAX_STREAM_BYTES,
        max_chars: int = MAX_REPLY_CHARS,
    ) -> None:
        self._bytes = self._counted(byte_chunks, max_bytes)
        self._content_type = content_type.split(";")[0].strip().lower()
        self._max_line = max_line
        self._max_chars = max_chars
        self._chars = 0
        self._joiner = SurrogateJoiner()
        self.done = False  # [DONE] seen

    def _counted(self, chunks: Iterator[bytes], limit: int) -> Iterator[bytes]:
        total = 0
        for block in chunks:
            total += len(block)
            if total > limit:
                raise AnswerTooLarge(f"the answer passed {_size(limit)} and reading stopped there")
            yield block

    def __iter__(self) -> Iterator[ChunkFacts]:
        head, rest = _peek(self._bytes)
        if not head.strip() and len(head) < _PEEK_LIMIT:
            raise AnswerNotUnderstood("it answered with an empty body instead of a reply")
        first_line = head.lstrip().split(b"\n", 1)[0]
        if first_line and not looks_like_sse(first_line):
            yield self._plain(head, rest)
            return
        lines = iter_lines(_prepend(head, rest), max_line=self._max_line)
        for event in iter_events(lines):
            if event.data.strip() == "[DONE]":
                self.done = True
                break
            if event.name == "error":
                raise ProviderReportedError(_event_error(event.data))
            facts = parse_chunk(event.data)
            yield self._bounded(facts)
        held = self._joiner.finish()
        if held:
            yield ChunkFacts(held)

    def _bounded(self, facts: ChunkFacts) -> ChunkFacts:
        text = self._joiner.feed(facts.text) if facts.text else ""
        if self._chars + len(text) > self._max_chars:
            raise AnswerTooLarge(f"it passed {self._max_chars:,} characters and was cut there")
        self._chars += len(text)
        return ChunkFacts(text, facts.finish_reason, facts.model, facts.usage)

    def _plain(self, head: bytes, rest: Iterator[bytes]) -> ChunkFacts:
        """A body that is not SSE: a plain completion is accepted, anything else named."""
        parts, size = [head], len(head)
        for block in rest:
            size += len(block)
            if size > MAX_PLAIN_BODY_BYTES:
                raise AnswerTooLarge(
                    f"it sent a body larger than {_size(MAX_PLAIN_BODY_BYTES)} that is not a stream"
                )
            parts.append(block)
        body = b"".join(parts)
        what = describe_body(body, self._content_type)
        if what is not None:
            raise AnswerNotUnderstood(f"it sent {what} instead of a stream")
        parsed = json.loads(body)  # describe_body has checked it parses to an object
        if parsed.get("error") is not None:
            raise ProviderReportedError(error_message(parsed["error"]))
        facts = parse_completion(parsed)
        self.done = True
        return self._bounded(facts)


_PEEK_BYTES = 64
_PEEK_LIMIT = 64 << 10


def _peek(blocks: Iterator[bytes]) -> tuple[bytes, Iterator[bytes]]:
    """The body's first blocks (enough for 64 bytes of text or one line) and the rest.

    Stops at 64 KiB even if all of it is blank, so a flood of newlines is not held."""
    parts: list[bytes] = []
    size = 0
    text = b""
    for block in blocks:
        parts.append(block)
        size += len(block)
        if len(text) < _PEEK_BYTES:
            text = (text + block.lstrip()) if text else block.lstrip()
        if len(text) >= _PEEK_BYTES or b"\n" in text or size >= _PEEK_LIMIT:
            break
    return b"".join(parts), blocks


def _prepend(first: bytes, rest: Iterator[bytes]) -> Iterator[bytes]:
    yield first
    yield from rest


def _event_error(data: str) -> str:
    try:
        parsed = json.loads(data)
    except (ValueError, RecursionError):
        return error_message(data)
    if isinstance(parsed, dict) and "error" in parsed:
        return error_message(parsed["error"])
    return error_message(parsed)


def describe_body(body: bytes, content_type: str = "") -> str | None:
    """What a non-stream body is, as a phrase ("an HTML page"); None for a JSON object."""
    stripped = body.strip()
    if not stripped:
        return "an empty body"
    head = stripped[:512].lower()
    if "html" in content_type or head.startswith((b"<!doctype html", b"<html", b"<head", b"<body")):
        title = html_title(stripped)
        return f"an HTML page ({title!r})" if title else "an HTML page"
    try:
        parsed = json.loads(stripped)
    except (ValueError, RecursionError):
        return f"{_size_phrase(len(body))} of text that is not JSON"
    if not isinstance(parsed, dict):
        return f"a JSON {_kind(parsed).removeprefix('a ').removeprefix('an ')}"
    return None


def _size_phrase(count: int) -> str:
    if count < 1024:
        return f"{count} bytes"
    return f"{count / 1024:.0f} KiB" if count < 1 << 20 else f"{count / (1 << 20):.1f} MiB"


def html_title(body: bytes | str, limit: int = 80) -> str:
    """The plain text of an HTML page's <title> (or first heading), tags and entities gone."""
    import html

    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else body
    text = text[:65536]
    match = re.search(r"<title[^>]*>(.*?)</title>", text, re.I | re.S) or re.search(
        r"<h1[^>]*>(.*?)</h1>", text, re.I | re.S
    )
    if not match:
        return ""
    plain = html.unescape(re.sub(r"<[^>]*>", " ", match.group(1)))
    plain = re.sub(r"[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]", " ", plain)
    plain = re.sub(r"\s+", " ", plain).strip()
    return plain[: limit - 1] + "…" if len(plain) > limit else plain
