"""`json.dumps(value, indent=2, ensure_ascii=False)`, byte for byte, at C-encoder speed.

With `indent` the standard library falls back to its pure-Python encoder, which spends
~0.5 s on a 10,000-message session (`sessions show --json`, `sessions export`). Here
every string goes through the C escaper and the layout is joined once; anything the
fast path does not know (non-string keys, custom types) takes the standard route.
"""

from __future__ import annotations

import json
import math
from json.encoder import encode_basestring  # the C escaper when _json is available


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
        opening = "{" + inner
        for key, item in value.items():
            if not isinstance(key, str):
                raise _Unusual
            # Strings, None and ints (most of a session file's values) are written
            # here rather than through a call per value.
            kind = type(item)
            if kind is str:
                parts.append(opening + encode_basestring(key) + ": " + encode_basestring(item))
            elif item is None:
                parts.append(opening + encode_basestring(key) + ": null")
            elif kind is int:
                parts.append(opening + encode_basestring(key) + ": " + int.__repr__(item))
            else:
                parts.append(opening + encode_basestring(key) + ": ")
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


def _float(value: float, allow_nan: bool) -> str:
    if math.isfinite(value):
        return float.__repr__(value)
    if not allow_nan:
        raise ValueError("Out of range float values are not JSON compliant: " + repr(value))
    return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
