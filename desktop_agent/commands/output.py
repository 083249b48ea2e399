"""Terminal output that stored text cannot take over: control characters are shown, not obeyed.

A session title, a message or a server's error can hold ESC sequences (set the terminal's
title, clear it, write the clipboard with OSC 52), BEL, C1 controls or bidi overrides
that reorder what is shown. `cli.run` wraps stdout and stderr for the whole command, so
every print is covered, present and future: human-readable text shows each control as a
visible stand-in (ESC as ␛, U+202E as \\u202e); JSON output gets the same characters as
JSON escapes, which leaves the document's meaning unchanged.
"""

from __future__ import annotations

import contextlib
import io
import re
import sys
from typing import TYPE_CHECKING, Any, TextIO

if TYPE_CHECKING:
    from collections.abc import Iterator

# C0 except tab and newline, DEL, C1, and the bidi / invisible-direction controls.
_UNSAFE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]"
)


def _shown(match: re.Match[str]) -> str:
    char = match.group()
    code = ord(char)
    if code < 0x20:
        return chr(0x2400 + code)  # the Unicode control pictures: ␛ ␇ ␍ ...
    if code == 0x7F:
        return "\u2421"  # ␡
    return f"\\u{code:04x}" if code > 0xFF else f"\\x{code:02x}"


def _escaped(match: re.Match[str]) -> str:
    return f"\\u{ord(match.group()):04x}"


def neutralise(text: str) -> str:
    """`text` safe to print on a terminal (CRLF becomes LF; tabs and newlines stay)."""
    if not _UNSAFE.search(text):
        return text
    return _UNSAFE.sub(_shown, text.replace("\r\n", "\n"))


def neutralise_json(text: str) -> str:
    """JSON text with the controls `json.dumps(ensure_ascii=False)` leaves raw escaped.

    Such characters can only occur inside JSON strings, where `\\uXXXX` means the same."""
    return _UNSAFE.sub(_escaped, text) if _UNSAFE.search(text) else text


class _NeutralisingWriter(io.TextIOBase):
    """A text stream that filters what it writes and passes everything else through."""

    def __init__(self, inner: TextIO, *, json_mode: bool) -> None:
        self._inner = inner
        self._filter = neutralise_json if json_mode else neutralise

    def write(self, text: str) -> int:
        self._inner.write(self._filter(text))
        return len(text)

    def flush(self) -> None:
        self._inner.flush()

    def fileno(self) -> int:
        return self._inner.fileno()

    def isatty(self) -> bool:
        return self._inner.isatty()

    def writable(self) -> bool:
        return True

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return self._inner.encoding

    @property
    def errors(self) -> str | None:  # type: ignore[override]
        return self._inner.errors

    @property
    def buffer(self) -> Any:
        """Bytes written by commands (exports to stdout) stay exact unless shown on a tty."""
        inner_buffer = getattr(self._inner, "buffer", None)
        if inner_buffer is None or not self.isatty():
            return inner_buffer
        return _NeutralisingBytes(inner_buffer, self._filter)


class _NeutralisingBytes:
    def __init__(self, inner: Any, text_filter: Any) -> None:
        self._inner = inner
        self._filter = text_filter

    def write(self, data: bytes) -> int:
        shown = self._filter(bytes(data).decode("utf-8", "replace"))
        self._inner.write(shown.encode("utf-8"))
        return len(data)

    def flush(self) -> None:
        self._inner.flush()


@contextlib.contextmanager
def neutralised_output(*, json_mode: bool = False) -> Iterator[None]:
    """stdout (JSON-escaped in `json_mode`) and stderr neutralised for the duration."""
    out, err = sys.stdout, sys.stderr
    sys.stdout = _NeutralisingWriter(out, json_mode=json_mode)
    sys.stderr = _NeutralisingWriter(err, json_mode=False)
    try:
        yield
    finally:
        sys.stdout, sys.stderr = out, err
