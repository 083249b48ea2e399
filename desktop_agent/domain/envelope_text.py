"""A checksummed envelope written as text a person can read, encoded once.

The checksum is the SHA-256 of the body's canonical JSON (canonical.canonical_json). A
session file of 10,000 messages used to be encoded twice, canonically for the checksum
and indented for the file (~0.1 s together). Here every value of the body, and every
item of a list value (each message), is encoded canonically once; the checksum is
taken over those pieces joined as canonical JSON joins them, and the file lays the
same pieces out one per line:

    {
      "format": "desktop-agent/session",
      "format_version": 2,
      "session": {
        "id": "…",
        "messages": [
          {"content":"…","created_at":"…",…},
          …
        ],
        …
      },
      "sha256": "…"
    }
"""

from __future__ import annotations

import hashlib
import json
from json.encoder import encode_basestring
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable

_ITEM_INDENT = "\n      "


def dump_envelope_text(fmt: str, version: int, body_key: str, body: dict[str, object]) -> str:
    """The envelope {"format", "format_version", body_key, "sha256"} as text; its
    checksum equals canonical.sha256_hex(body). Raises ValueError for NaN or infinity."""
    encode = _canonical_encoder()
    canonical: dict[str, str] = {}
    shown: dict[str, str] = {}
    for key, value in body.items():
        if type(key) is not str:
            raise TypeError(f"keys must be str, not {type(key).__name__}")
        if type(value) is list and value:
            items = [encode(item) for item in value]
            canonical[key] = "[" + ",".join(items) + "]"
            shown[key] = "[" + _ITEM_INDENT + ("," + _ITEM_INDENT).join(items) + "\n    ]"
        else:
            canonical[key] = shown[key] = encode(value)
    text = "{" + ",".join(encode_basestring(k) + ":" + canonical[k] for k in sorted(body)) + "}"
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    lines = ",\n".join(f"    {encode_basestring(k)}: {shown[k]}" for k in body)
    return (
        f'{{\n  "format": {encode_basestring(fmt)},\n  "format_version": {int(version)},\n'
        f'  {encode_basestring(body_key)}: {{\n{lines}\n  }},\n  "sha256": "{digest}"\n}}'
    )


_ENCODER: list[Callable[[object], str]] = []


def _canonical_encoder() -> Callable[[object], str]:
    """canonical_json's encoding as text (`JSONEncoder.encode` builds a C encoder on
    every call, ~10 µs, as long as encoding a message takes; this one is built once, the
    way `iterencode` builds it, and checked against the standard method on a probe)."""
    if _ENCODER:
        return _ENCODER[0]
    standard = json.JSONEncoder(
        sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    )
    encoder: Callable[[object], str] = standard.encode
    make = getattr(json.encoder, "c_make_encoder", None)  # None without _json
    if make is not None:
        try:
            c_encode = make(
                None, standard.default, encode_basestring, None, ":", ",", True, False, False
            )
        except TypeError:  # another Python's signature: the standard method
            c_encode = None
        if c_encode is not None:

            def fast(value: object) -> str:
                return "".join(c_encode(value, 0))

            probe = {"b": "é\n", "a": [1, None, True, {"d": 0.5, "c": ""}]}
            if fast(probe) == standard.encode(probe):
                encoder = fast
    _ENCODER.append(encoder)
    return encoder
