"""Check a GGUF model file before the built-in model loads it: format, completeness, memory.

llama.cpp reports a bad file with a log line and a generic failure; reading the header
here lets the app name the file and the problem instead. Only the header and tensor
table are read (a few MB even for large vocabularies), never the weights themselves.
"""

from __future__ import annotations

import mmap
import os
import struct
from dataclasses import dataclass
from pathlib import Path

from desktop_agent.domain.errors import InvalidInputError

GGUF_MAGIC = b"GGUF"
DEFAULT_ALIGNMENT = 32
# Compute buffers and the runtime itself, beyond the weights and the KV cache (measured
# ~60 MB for SmolLM2-135M with a 4096-token context; larger models need a little more).
RUNTIME_OVERHEAD_BYTES = 128 * 1024 * 1024

# ggml tensor types: (elements per block, bytes per block), from ggml's type traits.
_GGML_TYPE_SIZES: dict[int, tuple[int, int]] = {
    0: (1, 4),  # F32
    1: (1, 2),  # F16
    2: (32, 18),  # Q4_0
    3: (32, 20),  # Q4_1
    6: (32, 22),  # Q5_0
    7: (32, 24),  # Q5_1
    8: (32, 34),  # Q8_0
    9: (32, 36),  # Q8_1
    10: (256, 84),  # Q2_K
    11: (256, 110),  # Q3_K
    12: (256, 144),  # Q4_K
    13: (256, 176),  # Q5_K
    14: (256, 210),  # Q6_K
    15: (256, 292),  # Q8_K
    16: (256, 66),  # IQ2_XXS
    17: (256, 74),  # IQ2_XS
    18: (256, 98),  # IQ3_XXS
    19: (256, 50),  # IQ1_S
    20: (32, 18),  # IQ4_NL
    21: (256, 110),  # IQ3_S
    22: (256, 82),  # IQ2_S
    23: (256, 136),  # IQ4_XS
    24: (1, 1),  # I8
    25: (1, 2),  # I16
    26: (1, 4),  # I32
    27: (1, 8),  # I64
    28: (1, 8),  # F64
    29: (256, 56),  # IQ1_M
    30: (1, 2),  # BF16
    34: (256, 54),  # TQ1_0
    35: (256, 66),  # TQ2_0
    39: (32, 17),  # MXFP4
}
# Metadata value types: fixed-size scalars as struct formats; 8 = string, 9 = array.
_SCALARS: dict[int, str] = {
    0: "B",
    1: "b",
    2: "H",
    3: "h",
    4: "I",
    5: "i",
    6: "f",
    7: "?",
    10: "Q",
    11: "q",
    12: "d",
}
_STRING, _ARRAY = 8, 9


@dataclass(frozen=True)
class GgufInfo:
    """What the app needs to know about a model file."""

    path: Path
    size_bytes: int
    architecture: str
    name: str
    context_length: int  # the context the model was trained with; 0 if not stated
    layers: int
    kv_width: int  # key + value elements per token per layer

    def kv_cache_bytes(self, context_size: int) -> int:
        """The f16 KV cache for `context_size` tokens."""
        return 2 * context_size * self.layers * self.kv_width

    def memory_needed(self, context_size: int) -> int:
        return self.size_bytes + self.kv_cache_bytes(context_size) + RUNTIME_OVERHEAD_BYTES


class _Truncated(Exception):
    pass


class _Reader:
    def __init__(self, data: mmap.mmap) -> None:
        self.data = data
        self.pos = 0

    def take(self, fmt: str) -> object:
        size = struct.calcsize("<" + fmt)
        if self.pos + size > len(self.data):
            raise _Truncated
        (value,) = struct.unpack_from("<" + fmt, self.data, self.pos)
        self.pos += size
        return value

    def uint(self, fmt: str) -> int:
        value = self.take(fmt)
        assert isinstance(value, int)
        return value

    def string(self) -> str:
        length = self.uint("Q")
        if self.pos + length > len(self.data):
            raise _Truncated
        raw = self.data[self.pos : self.pos + length]
        self.pos += length
        return raw.decode("utf-8", errors="replace")

    def skip_string(self) -> None:
        length = self.uint("Q")
        self.pos += length
        if self.pos > len(self.data):
            raise _Truncated

    def value(self, kind: int, keep: bool) -> object:
        if kind in _SCALARS:
            return self.take(_SCALARS[kind])
        if kind == _STRING:
            if keep:
                return self.string()
            self.skip_string()
            return None
        if kind == _ARRAY:
            item_kind = self.uint("I")
            count = self.uint("Q")
            if item_kind in _SCALARS:
                self.pos += count * struct.calcsize("<" + _SCALARS[item_kind])
                if self.pos > len(self.data):
                    raise _Truncated
                return None
            for _ in range(count):
                self.value(item_kind, keep=False)
            return None
        raise ValueError(f"unknown metadata type {kind}")


def read_gguf(path: str | Path) -> GgufInfo:
    """Read and check the header of a GGUF file; raise InvalidInputError naming the file
    and the problem (missing, unreadable, not GGUF, truncated)."""
    file = Path(path).expanduser()
    try:
        size = file.stat().st_size
        if not file.is_file():
            raise InvalidInputError(f"The model file {file} is not a file.")
        with open(file, "rb") as fh:
            if size < 24:
                raise InvalidInputError(
                    f"The model file {file} is not a GGUF model (it is only {size} bytes)."
                )
            with mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as data:
                return _parse(file, size, data)
    except FileNotFoundError:
        raise InvalidInputError(f"The model file {file} does not exist.") from None
    except PermissionError:
        message = f"The model file {file} cannot be read (permission denied)."
        raise InvalidInputError(message) from None
    except OSError as exc:
        raise InvalidInputError(f"The model file {file} cannot be read: {exc.strerror}.") from exc


def _parse(file: Path, size: int, data: mmap.mmap) -> GgufInfo:
    if data[:4] != GGUF_MAGIC:
        raise InvalidInputError(
            f"The model file {file} is not a GGUF model (llama.cpp needs a .gguf file; "
            f"this one starts with {bytes(data[:4])!r})."
        )
    reader = _Reader(data)
    reader.pos = 4
    try:
        version = reader.uint("I")
        if version not in (2, 3):
            raise InvalidInputError(
                f"The model file {file} uses GGUF version {version}, which is not supported "
                "(versions 2 and 3 are)."
            )
        tensor_count = reader.uint("Q")
        metadata_count = reader.uint("Q")
        metadata: dict[str, object] = {}
        for _ in range(metadata_count):
            key = reader.string()
            kind = reader.uint("I")
            metadata[key] = reader.value(kind, keep=True)
        data_end = 0
        for _ in range(tensor_count):
            reader.skip_string()
            dims = [reader.uint("Q") for _ in range(reader.uint("I"))]
            tensor_type = reader.uint("I")
            offset = reader.uint("Q")
            data_end = max(data_end, offset + _tensor_bytes(dims, tensor_type))
    except _Truncated:
        raise InvalidInputError(
            f"The model file {file} is truncated (its header ends early; "
            "the download may be incomplete)."
        ) from None
    except ValueError as exc:
        raise InvalidInputError(f"The model file {file} is damaged: {exc}.") from None
    alignment = metadata.get("general.alignment", DEFAULT_ALIGNMENT)
    alignment = alignment if isinstance(alignment, int) and alignment > 0 else DEFAULT_ALIGNMENT
    data_start = -(-reader.pos // alignment) * alignment
    if data_start + data_end > size:
        missing = data_start + data_end - size
        raise InvalidInputError(
            f"The model file {file} is truncated: {missing:,} bytes of its weights are "
            "missing (the download may be incomplete)."
        )
    return _info(file, size, metadata)


def _tensor_bytes(dims: list[int], tensor_type: int) -> int:
    elements = 1
    for dim in dims:
        elements *= dim
    block, block_bytes = _GGML_TYPE_SIZES.get(tensor_type, (1, 0))  # unknown: not checked
    return elements // block * block_bytes


def _info(file: Path, size: int, metadata: dict[str, object]) -> GgufInfo:
    architecture = str(metadata.get("general.architecture") or "")

    def number(key: str) -> int:
        value = metadata.get(f"{architecture}.{key}")
        return value if isinstance(value, int) and not isinstance(value, bool) else 0

    embedding = number("embedding_length")
    heads = number("attention.head_count") or 1
    kv_heads = number("attention.head_count_kv") or heads
    head_dim = embedding // heads if heads else 0
    key_dim = number("attention.key_length") or head_dim
    value_dim = number("attention.value_length") or head_dim
    return GgufInfo(
        path=file,
        size_bytes=size,
        architecture=architecture,
        name=str(metadata.get("general.name") or file.stem),
        context_length=number("context_length"),
        layers=number("block_count"),
        kv_width=kv_heads * (key_dim + value_dim),
    )


def available_memory() -> int | None:
    """Bytes of memory free for a new process (Linux MemAvailable), or None if unknown."""
    try:
        with open("/proc/meminfo", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    if hasattr(os, "sysconf"):
        try:
            return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
        except (ValueError, OSError):
            return None
    return None


def check_fits_in_memory(info: GgufInfo, context_size: int, free: int | None) -> None:
    """Raise InvalidInputError when the model would not fit in `free` bytes of memory."""
    needed = info.memory_needed(context_size)
    if free is not None and needed > free:
        mib = 1024 * 1024
        raise InvalidInputError(
            f"The model file {info.path} needs about {needed // mib:,} MB of memory "
            f"(context {context_size} tokens), but only {free // mib:,} MB are free. Close "
            "other programs, lower the context size, or choose a smaller model "
            "(Settings → Provider)."
        )
