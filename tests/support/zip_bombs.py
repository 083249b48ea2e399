"""Hostile zips built on the fly (never committed): a bomb of spaces after '[' deflates
about 1000 to 1, and a header can be edited to claim any size."""

from __future__ import annotations

import struct
import zipfile
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathlib import Path

MIB = 1024 * 1024


def zip_bomb(path: Path, mib: int, *, claimed_size: int | None = None, head: bytes = b"[") -> Path:
    """A zip whose conversations.json is `head` then `mib` MiB of spaces, written in pieces
    (the whole never sits in memory); `claimed_size` overwrites the size its headers give."""
    with (
        zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive,
        archive.open("conversations.json", "w") as member,
    ):
        member.write(head)
        chunk = b" " * MIB
        for _ in range(mib):
            member.write(chunk)
    if claimed_size is not None:
        data = bytearray(path.read_bytes())
        # The uncompressed size: offset 24 in the central directory entry, 22 in the local one.
        for signature, offset in ((b"PK\x01\x02", 24), (b"PK\x03\x04", 22)):
            at = data.find(signature) + offset
            data[at : at + 4] = struct.pack("<I", claimed_size)
        path.write_bytes(bytes(data))
    return path


def many_members(path: Path, count: int, conversations: bytes) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("conversations.json", conversations)
        for index in range(count):
            archive.writestr(f"images/{index}.png", b"")
    return path
