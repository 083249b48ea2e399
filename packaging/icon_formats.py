"""Writers for the Windows .ico and macOS .icns containers, from PNG bytes (no extra deps)."""

from __future__ import annotations

import struct
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Mapping

# Vista and later read PNG-compressed ICO entries; 256 is the largest size ICO allows.
ICO_SIZES = (16, 32, 48, 64, 128, 256)

# Apple's PNG-capable icon types: (OSType, pixel size). The @2x types reuse larger renders.
ICNS_TYPES = (
    (b"icp4", 16),
    (b"icp5", 32),
    (b"icp6", 64),
    (b"ic07", 128),
    (b"ic08", 256),
    (b"ic09", 512),
    (b"ic10", 1024),
    (b"ic11", 32),
    (b"ic12", 64),
    (b"ic13", 256),
    (b"ic14", 512),
)

_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _check_png(size: int, data: bytes) -> None:
    if not data.startswith(_PNG_SIGNATURE):
        raise ValueError(f"the {size} px image is not PNG data")


def ico_bytes(pngs: Mapping[int, bytes]) -> bytes:
    """An ICO file holding one PNG entry per size in `pngs` (square sizes up to 256)."""
    sizes = sorted(pngs)
    if not sizes:
        raise ValueError("an ICO needs at least one image")
    header = struct.pack("<HHH", 0, 1, len(sizes))  # reserved, type 1 = icon, count
    offset = len(header) + 16 * len(sizes)
    directory, images = b"", b""
    for size in sizes:
        if not 1 <= size <= 256:
            raise ValueError(f"ICO sizes must be 1..256 px, got {size}")
        data = pngs[size]
        _check_png(size, data)
        edge = size % 256  # 0 means 256 in the directory entry
        directory += struct.pack("<BBBBHHII", edge, edge, 0, 0, 1, 32, len(data), offset)
        images += data
        offset += len(data)
    return header + directory + images


def icns_bytes(pngs: Mapping[int, bytes]) -> bytes:
    """An ICNS file with every Apple PNG icon type whose pixel size is in `pngs`."""
    body = b""
    for ostype, size in ICNS_TYPES:
        if size in pngs:
            _check_png(size, pngs[size])
            body += ostype + struct.pack(">I", 8 + len(pngs[size])) + pngs[size]
    if not body:
        raise ValueError("an ICNS needs at least one image of a size Apple defines")
    return b"icns" + struct.pack(">I", 8 + len(body)) + body
