"""`json.dumps(value, indent=2, ensure_ascii=False)`, byte for byte, at C-encoder speed.

With `indent` the standard library falls back to its pure-Python encoder, which spends
~0.5 s on a 10,000-message session (`sessions show --json`, `sessions export`). Here
every string goes through the C escaper and the layout is joined once; anything the
fast path does not know (non-string keys, custom types) takes the standard route.
"""

from __future__ import annotations

import functools
import json
import math
from json.encoder import encode_basestring  # the C escaper when _json is available
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable
    from types import ModuleType

_KEYS: dict[str, str] = {}  # key → its escaped form and ": " (keys seen so far)


class _Unusual(Exception):
    """A value the fast path leaves to the standard encoder."""


def dumps_indented(value: object, *, allow_nan: bool = True) -> str:
    """What `json.dumps(value, indent=2, ensure_ascii=False, allow_nan=...)` returns."""
    parts: list[str] = []
    try:
        _emit(value, "\n", parts, allow_nan)
    except _Unusual:
        return json.dumps(value, indent=2, ensure_ascii=False, allow_nan=allow_nan)
    return "".join(parts)


def dumps_readable(value: object) -> str:
    """`value` indented by two spaces, for people and scripts to read (the CLI's --json).

    orjson writes it ~15x faster than dumps_indented, the same text except for two
    things JSON readers take alike: a float under 1e-4 is written without an exponent
    (0.00001 where json writes 1e-05), and NaN or infinity, which JSON has no word for,
    as null. What orjson cannot take (an int past 64 bits, a lone surrogate, a key that
    is not a string) goes through dumps_indented, which writes it or fails as json does."""
    orjson = orjson_module()
    if orjson is None:
        return dumps_indented(value)
    try:
        # Dataclasses and datetimes are refused, as json refuses them, not written.
        options = orjson.OPT_INDENT_2 | orjson.OPT_PASSTHROUGH_DATACLASS
        return orjson.dumps(value, option=options | orjson.OPT_PASSTHROUGH_DATETIME).decode()
    except TypeError:  # orjson.JSONEncodeError is one
        return dumps_indented(value)


@functools.cache
def orjson_module() -> ModuleType | None:
    """orjson, which every build ships; None in one without it, where each caller takes
    the standard library's route instead (looked up once, not at every call)."""
    try:
        import orjson
    except ImportError:
        return None
    return orjson


def _emit(value: object, newline: str, parts: list[str], allow_nan: bool) -> None:
    if isinstance(value, str):
        parts.append(encode_basestring(value))
    elif value is None:
        parts.append("null")
    elif value is True:
        parts.append("true")
    elif value is False:
        parts.append("false")
    elif isinstance(value, int):
        parts.append(int.__repr__(value))
    elif isinstance(value, float):
        parts.append(_float(value, allow_nan))
    elif isinstance(value, dict):
        if not value:
            parts.append("{}")
            return
        inner = newline + "  "
        if _flat(value):
            # All on one level: the C encoder writes it, the separator carrying the
            # line break and indent (json.dumps(indent=2) lays out exactly so).
            encoded = _flat_encoder(inner, allow_nan)(value)
            parts.append("{" + inner + encoded[1:-1] + newline + "}")
            return
        opening = "{" + inner
        for key, item in value.items():
            if not isinstance(key, str):
                raise _Unusual
            # Strings, None, booleans and ints (most of a session file's values) are
            # written here rather than through a call per value; a file repeats a few
            # keys thousands of times, so each is escaped once.
            label = _KEYS.get(key)
            if label is None:
                label = encode_basestring(key) + ": "
                if len(_KEYS) < 512:  # bounded: keys of arbitrary documents pass here too
                    _KEYS[key] = label
            kind = type(item)
            if kind is str:
                parts.append(opening + label + encode_basestring(item))
            elif item is None:
                parts.append(opening + label + "null")
            elif kind is bool:
                parts.append(opening + label + ("true" if item else "false"))
            elif kind is int:
                parts.append(opening + label + int.__repr__(item))
            else:
                parts.append(opening + label)
                _emit(item, inner, parts, allow_nan)
            opening = "," + inner
        parts.append(newline + "}")
    elif isinstance(value, list | tuple):
        if not value:
            parts.append("[]")
            return
        inner = newline + "  "
        opening = "[" + inner
        for item in value:
            parts.append(opening)
            _emit(item, inner, parts, allow_nan)
            opening = "," + inner
        parts.append(newline + "]")
    else:
        raise _Unusual


_FLAT_TYPES = frozenset({str, int, bool, type(None)})
_FLAT_ENCODERS: dict[tuple[str, bool], Callable[[object], str]] = {}


def _flat(value: dict[object, object]) -> bool:
    """String keys and only strings, ints, booleans and None as values (not their
    subclasses, which the standard encoder may write differently)."""
    for key, item in value.items():
        if type(key) is not str or type(item) not in _FLAT_TYPES:
            return False
    return True


def _flat_encoder(inner: str, allow_nan: bool) -> Callable[[object], str]:
    encoder = _FLAT_ENCODERS.get((inner, allow_nan))
    if encoder is None:
        encoder = _make_flat_encoder("," + inner, allow_nan)
        if len(_FLAT_ENCODERS) < 64:  # one per depth in use
            _FLAT_ENCODERS[(inner, allow_nan)] = encoder
    return encoder


def _make_flat_encoder(separator: str, allow_nan: bool) -> Callable[[object], str]:
    """What `JSONEncoder(separators=(separator, ": ")).encode` returns (see c_encoder)."""
    return c_encoder(separators=(separator, ": "), sort_keys=False, allow_nan=allow_nan)


def c_encoder(
    *, separators: tuple[str, str], sort_keys: bool, allow_nan: bool
) -> Callable[[object], str]:
    """What `JSONEncoder(ensure_ascii=False, separators=…, sort_keys=…,
    allow_nan=…).encode` returns. That method builds a new C encoder on every call
    (~10 µs, as much as encoding a message), so the C encoder is built once here, the way
    `JSONEncoder.iterencode` builds it; where its signature is not this Python's, or a
    probe comes out differently, the standard method is used."""
    item_separator, key_separator = separators
    standard = json.JSONEncoder(
        ensure_ascii=False, allow_nan=allow_nan, separators=separators, sort_keys=sort_keys
    )
    make = getattr(json.encoder, "c_make_encoder", None)  # None without _json
    if make is None:
        return standard.encode
    try:
        c_encode = make(
            None,
            standard.default,
            encode_basestring,
            None,
            key_separator,
            item_separator,
            sort_keys,
            False,
            allow_nan,
        )
    except TypeError:
        return standard.encode

    def encode(value: object) -> str:
        return "".join(c_encode(value, 0))

    probe = {"b": "é\n", "a": [1, None, True, {"d": 0.5, "c": ""}]}
    return encode if encode(probe) == standard.encode(probe) else standard.encode


def _float(value: float, allow_nan: bool) -> str:
    if math.isfinite(value):
        return float.__repr__(value)
    if not allow_nan:
        raise ValueError("Out of range float values are not JSON compliant: " + repr(value))
    return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
