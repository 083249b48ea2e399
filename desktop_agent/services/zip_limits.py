"""Limits on what an export's zip may make us decompress: a zip bomb is refused, not read.

A zip's headers are written by whoever made it, so they are checked up front (a refusal
then changes nothing) and never trusted afterwards: every member is read through
`BoundedMember`, which counts the bytes actually decompressed against the same limits.
"""

from __future__ import annotations

import zipfile
import zlib
from typing import IO, TYPE_CHECKING

from desktop_agent.domain.errors import InvalidInputError
from desktop_agent.domain.importers.formats import ExportReadError

if TYPE_CHECKING:
    from pathlib import Path

# All the conversations parts of one zip together, decompressed. Real exports reach a few
# GB (the largest conversations.json reported to us is ~1 GB); this leaves ample room.
MAX_DECOMPRESSED_BYTES = 16 * 1024**3
# Exports carry one file per image and attachment: tens of thousands at most.
MAX_MEMBERS = 200_000
# Conversation JSON deflates about 5-20 to 1; deflate itself cannot exceed ~1030 to 1,
# which only long runs of one byte reach. Small members may be anything.
MAX_RATIO = 200
RATIO_FREE_BYTES = 16 * 1024 * 1024
_READ_ERRORS = (zipfile.BadZipFile, zlib.error, EOFError, OSError)


def _size(count: int) -> str:
    for unit, scale in (("GB", 1024**3), ("MB", 1024**2), ("KB", 1024)):
        if count >= scale:
            return f"{count / scale:.1f} {unit}"
    return f"{count} bytes"


def _absurd(decompressed: int, compressed: int) -> bool:
    return decompressed > RATIO_FREE_BYTES and decompressed > MAX_RATIO * max(compressed, 1)


def check_archive(path: Path, infos: list[zipfile.ZipInfo], parts: list[zipfile.ZipInfo]) -> None:
    """InvalidInputError when the headers already show a bomb: too many members, a part
    that claims an absurd compression ratio, or parts larger than the limit together."""
    if len(infos) > MAX_MEMBERS:
        raise InvalidInputError(
            f"{path}: the zip holds {len(infos):,} files, more than the {MAX_MEMBERS:,} an "
            "export can have; it was not imported"
        )
    for info in parts:
        if _absurd(info.file_size, info.compress_size):
            raise InvalidInputError(
                f"{path}:{info.filename}: claims to expand {_size(info.compress_size)} to "
                f"{_size(info.file_size)}, more than {MAX_RATIO} to 1 (a zip bomb?); "
                "it was not imported"
            )
    declared = sum(info.file_size for info in parts)
    if declared > MAX_DECOMPRESSED_BYTES:
        raise InvalidInputError(
            f"{path}: the conversations in the zip expand to {_size(declared)}, more than the "
            f"{_size(MAX_DECOMPRESSED_BYTES)} limit; it was not imported"
        )


class DecompressedBudget:
    """The bytes one zip's members may still decompress to, shared by all of them."""

    def __init__(self, archive_size: int) -> None:
        self.left = MAX_DECOMPRESSED_BYTES
        self.archive_size = archive_size


class BoundedMember:
    """A zip member's byte stream that stops with ExportReadError (naming the member and
    the limit) once it has decompressed more than the budget or an absurd ratio allows,
    whatever its header said, or when it is damaged. The reader prefixes the member's name."""

    def __init__(
        self, stream: IO[bytes], info: zipfile.ZipInfo, budget: DecompressedBudget
    ) -> None:
        self._stream = stream
        self._budget = budget
        # The compressed bytes cannot exceed the file itself, whatever the header says.
        self._compressed = min(info.compress_size, budget.archive_size)
        self._done = 0

    def read(self, size: int = -1) -> bytes:
        if size is None or size < 0:  # a whole read is still bounded: one byte past the limit
            size = self._budget.left + 1
        try:
            data = self._stream.read(size)
        except _READ_ERRORS as exc:
            raise ExportReadError(f"the zip member is damaged ({exc})") from None
        self._done += len(data)
        self._budget.left -= len(data)
        if self._budget.left < 0:
            raise ExportReadError(
                "the zip's conversations decompress to more than the "
                f"{_size(MAX_DECOMPRESSED_BYTES)} limit; reading stopped there"
            )
        if _absurd(self._done, self._compressed):
            raise ExportReadError(
                f"expands more than {MAX_RATIO} to 1 (a zip bomb?); reading stopped there"
            )
        return data

    def peek(self, size: int = 0) -> bytes:
        peek = getattr(self._stream, "peek", None)
        try:
            return peek(size) if peek is not None else b""
        except _READ_ERRORS as exc:
            raise ExportReadError(f"the zip member is damaged ({exc})") from None

    def close(self) -> None:
        self._stream.close()

    def __enter__(self) -> BoundedMember:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()
