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

import functools
import hashlib
from json.encoder import encode_basestring
from typing import TYPE_CHECKING

from desktop_agent.domain.json_text import c_encoder

if TYPE_CHECKING:
    from collections.abc import Callable

_ITEM_INDENT = b"\n      "


def dump_envelope(
    fmt: str,
    version: int,
    body_key: str,
    body: dict[str, object],
    *,
    without_floats: frozenset[str] = frozenset(),
) -> bytes:
    """The envelope {"format", "format_version", body_key, "sha256"} as UTF-8 text; its
    checksum equals canonical.sha256_hex(body). Raises ValueError for NaN or infinity.

    `without_floats` names list values whose items the caller has checked hold no float
    (strings, ints, booleans, None, and lists and objects of them: a session file's
    messages): those go through orjson, which writes them as canonical JSON does, byte
    for byte (tests/domain/test_envelope_text.py), about five times faster. Floats it
    writes its own way (0.00001 where json writes 1e-05), so nothing else goes there."""
    encode = _canonical_encoder()
    canonical: dict[str, bytes] = {}
    shown: dict[str, bytes] = {}
    for key, value in body.items():
        if type(key) is not str:
            raise TypeError(f"keys must be str, not {type(key).__name__}")
        if type(value) is list and value:
            item = _plain_encoder() if key in without_floats else None
            if item is None:
                items = [encode(v).encode("utf-8") for v in value]
            else:
                items = [item(v) for v in value]
            # Each joined once (a 10,000-message body is ~5 MB: copies add up).
            canonical[key] = b"".join((b"[", b",".join(items), b"]"))
            shown[key] = b"".join(
                (b"[", _ITEM_INDENT, (b"," + _ITEM_INDENT).join(items), b"\n    ]")
            )
        else:
            canonical[key] = shown[key] = encode(value).encode("utf-8")
    digest = hashlib.sha256(b"{")
    for index, key in enumerate(sorted(body)):
        digest.update(b"%s%s:" % (b"," if index else b"", _key(key)))
        digest.update(canonical[key])
    digest.update(b"}")
    parts = [
        f'{{\n  "format": {encode_basestring(fmt)},\n  "format_version": {int(version)},\n'
        f"  {encode_basestring(body_key)}: {{\n".encode()
    ]
    for index, key in enumerate(body):
        parts += (b",\n" if index else b"", b"    ", _key(key), b": ", shown[key])
    parts.append(f'\n  }},\n  "sha256": "{digest.hexdigest()}"\n}}\n'.encode())
    return b"".join(parts)


def _key(key: str) -> bytes:
    return encode_basestring(key).encode("utf-8")


def _plain_encoder() -> Callable[[object], bytes] | None:
    """orjson's canonical encoding of a float-free value (None without orjson). A value
    it cannot take (an int past 64 bits, text with a lone surrogate) takes the standard
    route, which writes it or fails as canonical_json would."""
    try:
        import orjson
    except ImportError:  # a build without it: the standard encoder does the work
        return None
    dumps, sort_keys = orjson.dumps, orjson.OPT_SORT_KEYS
    standard = _canonical_encoder()

    def encode(value: object) -> bytes:
        try:
            return dumps(value, option=sort_keys)
        except TypeError:  # orjson.JSONEncodeError is one
            return standard(value).encode("utf-8")

    return encode


@functools.cache
def _canonical_encoder() -> Callable[[object], str]:
    """canonical_json's encoding as text, with the C encoder built once."""
    return c_encoder(separators=(",", ":"), sort_keys=True, allow_nan=False)
