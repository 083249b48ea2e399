"""Read a file only if it is a regular file, and never more than a limit.

A size check on `stat()` is not enough: a symlink to /dev/zero or /dev/urandom reports
0 bytes and reads forever, and opening a FIFO blocks until a writer comes (forever).
So the file is opened without blocking and without becoming our terminal, checked with
`fstat` on the descriptor actually opened (no race with a swapped path), and read in
pieces up to the limit whatever size it claimed.
"""

from __future__ import annotations

import os
import stat
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathlib import Path

_PIECE = 1 << 16


class NotARegularFile(OSError):
    """The path names a folder, device, FIFO or socket; `kind` says which."""

    def __init__(self, path: str | Path, kind: str) -> None:
        super().__init__(f"{path}: is {kind}, not a regular file")
        self.kind = kind


class FileTooLarge(OSError):
    """More than `limit` bytes could be read (whatever the size reported)."""

    def __init__(self, path: str | Path, limit: int, size: int | None) -> None:
        shown = f"is {size:,} bytes" if size is not None else "is larger than that"
        super().__init__(f"{path}: the file {shown}; the limit is {limit:,} bytes")
        self.limit = limit
        self.size = size


def describe_mode(mode: int) -> str | None:
    """What a non-regular file is ("a folder", "a device", ...); None for a regular one."""
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def read_regular_file(path: str | Path, *, limit: int) -> bytes:
    """The bytes of a regular file of at most `limit` bytes.

    Raises FileNotFoundError, PermissionError, NotARegularFile, FileTooLarge or another
    OSError; symlinks are followed, and judged by what they point at.
    """
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
    flags |= getattr(os, "O_BINARY", 0)
    fd = os.open(path, flags)
    try:
        info = os.fstat(fd)
        kind = describe_mode(info.st_mode)
        if kind is not None:
            raise NotARegularFile(path, kind)
        if info.st_size > limit:
            raise FileTooLarge(path, limit, info.st_size)
        pieces: list[bytes] = []
        total = 0
        while True:
            piece = os.read(fd, min(_PIECE, limit + 1 - total))
            if not piece:
                break
            pieces.append(piece)
            total += len(piece)
            if total > limit:  # grew while we read, or misreported its size
                raise FileTooLarge(path, limit, None)
        return b"".join(pieces)
    finally:
        os.close(fd)
