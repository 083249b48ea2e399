"""A JSON list's items one at a time, decoded by the standard library's C decoder.

Exports can be a gigabyte, so the file is read in chunks and only the item being decoded
(one conversation) and one chunk are in memory. The standard decoder builds an item about
three times faster than a streaming event parser (measured here: 3.4 vs 9.6 µs per
exported message), which is most of an import's reading time. An item cut by the end of
a chunk fails to decode at the buffer's end: then more is read (at least as much again,
so a huge item costs at most about twice its decoding) and the item is decoded again.
"""

from __future__ import annotations

import codecs
import json
import re
from typing import IO, TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterator

CHUNK_BYTES = 1 << 20
_BLANK = re.compile(r"[ \t\n\r]*")
# An error this close to the end of what has been read may only mean the item goes on
# (a cut `true`, number or `\u` escape); "Unterminated string" reports where the string
# starts, however long it is.
_CUT_SLACK = 16


class JsonStreamError(ValueError):
    """The text stops being valid JSON here; items before it were yielded."""


class NotUtf8Error(JsonStreamError):
    """The bytes stop being UTF-8 here."""


def _no_constant(name: str) -> object:
    raise JsonStreamError(f"{name} is not a JSON value")


_DECODER = json.JSONDecoder(parse_constant=_no_constant)


class _Text:
    """The decoded text read so far, from `pos` on."""

    def __init__(self, stream: IO[bytes], chunk_bytes: int) -> None:
        self._stream = stream
        self._chunk = chunk_bytes
        self._utf8 = codecs.getincrementaldecoder("utf-8")()
        self.buf = ""
        self.pos = 0
        self.consumed = 0  # characters dropped from the front of buf, for messages
        self.eof = False

    def more(self, at_least: int = 0) -> bool:
        """Read on; False at the end of the file."""
        if self.eof:
            return False
        data = self._stream.read(max(at_least, self._chunk))
        try:
            text = self._utf8.decode(data, final=not data)
        except UnicodeDecodeError:
            raise NotUtf8Error("the file is not UTF-8 text") from None
        if not data:  # the end: nothing moves (callers hold offsets into buf)
            self.eof = True
            return False
        self.consumed += self.pos
        self.buf = self.buf[self.pos :] + text
        self.pos = 0
        return True

    def peek(self) -> str:
        """The next character that is not blank ('' at the end), not consumed."""
        while True:
            self.pos = _BLANK.match(self.buf, self.pos).end()  # type: ignore[union-attr]
            if self.pos < len(self.buf):
                return self.buf[self.pos]
            if not self.more():
                return ""

    def value(self) -> object:
        self.peek()  # the decoder takes no leading blanks
        while True:
            try:
                value, end = _DECODER.raw_decode(self.buf, self.pos)
            except RecursionError:  # a hostile file: thousands of brackets deep
                at = self.consumed + self.pos
                raise JsonStreamError(f"an item nested too deeply at character {at:,}") from None
            except json.JSONDecodeError as exc:
                cut = exc.msg.startswith("Unterminated string") or (
                    exc.pos >= len(self.buf) - _CUT_SLACK
                )
                if cut and self.more(len(self.buf)):
                    continue
                at = self.consumed + exc.pos
                raise JsonStreamError(f"{exc.msg} at character {at:,}") from None
            if end > len(self.buf) - _CUT_SLACK and self.more():
                continue  # "0." may be "0.5" cut by the chunk: decode it whole
            self.pos = end
            return value

    def end(self) -> None:
        if self.peek() != "":
            raise JsonStreamError(f"unexpected text after the end at character {self.at:,}")

    @property
    def at(self) -> int:
        return self.consumed + self.pos


def json_items(stream: IO[bytes], chunk_bytes: int = CHUNK_BYTES) -> Iterator[object]:
    """Items of the top-level list; a single object counts as a list of one. Raises
    JsonStreamError where the text breaks (after yielding the items before it)."""
    text = _Text(stream, chunk_bytes)
    first = text.peek()
    if first == "\ufeff":  # a byte order mark
        text.pos += 1
        first = text.peek()
    if first == "{":
        yield text.value()
        text.end()
        return
    if first != "[":
        raise JsonStreamError("the file does not start with '[' or '{'")
    text.pos += 1
    if text.peek() == "]":
        text.pos += 1
        text.end()
        return
    while True:
        item = text.value()
        after = text.peek()
        if after not in (",", "]"):  # a number cut by the end of the file is no item
            raise JsonStreamError(f"expected ',' or ']' at character {text.at:,}")
        text.pos += 1
        yield item
        if after == "]":
            text.end()
            return
