"""A checksummed envelope written as text a person can read, encoded once.

The checksum is the SHA-256 of the body's canonical JSON (canonical.canonical_json). A
session file of 10,000 messages used to be encoded twice, canonically for the checksum
and indented for the file (~0.1 s together). Here every value of the body is encoded
canonically once (a list of objects in one call, not one per item); the checksum is
taken over those pieces joined as canonical JSON joins them, and the file lays the
same pieces out with each item of a list on a line of its own:

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

from desktop_agent.domain.canonical import orjson_canonical
from desktop_agent.domain.json_text import c_encoder

if TYPE_CHECKING:
    from collections.abc import Callable

    Buffer = bytes | memoryview

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
    for byte (tests/domain/test_envelope_text.py), several times faster. Floats it
    writes its own way (0.00001 where json writes 1e-05), so nothing else goes there."""
    encode = _canonical_encoder()
    canonical: dict[str, bytes] = {}
    shown: dict[str, tuple[Buffer, ...]] = {}  # the pieces of each value's text
    for key, value in body.items():
        if type(key) is not str:
            raise TypeError(f"keys must be str, not {type(key).__name__}")
        if type(value) is list and value:
            plain = key in without_floats
            pieces = _objects_on_lines(value, plain) or _items_on_lines(value, plain)
            canonical[key], shown[key] = pieces
        else:
            canonical[key] = encode(value).encode("utf-8")
            shown[key] = (canonical[key],)
    digest = hashlib.sha256(b"{")
    for index, key in enumerate(sorted(body)):
        digest.update(b"%s%s:" % (b"," if index else b"", _key(key)))
        digest.update(canonical[key])
    digest.update(b"}")
    parts: list[Buffer] = [
        f'{{\n  "format": {encode_basestring(fmt)},\n  "format_version": {int(version)},\n'
        f"  {encode_basestring(body_key)}: {{\n".encode()
    ]
    for index, key in enumerate(body):
        parts += (b",\n" if index else b"", b"    ", _key(key), b": ", *shown[key])
    parts.append(f'\n  }},\n  "sha256": "{digest.hexdigest()}"\n}}\n'.encode())
    # The one copy of the whole text: a 10,000-message body is ~5 MB, and each copy of
    # that is fresh memory the process faults in page by page.
    return b"".join(parts)


def _objects_on_lines(items: list[object], plain: bool) -> tuple[bytes, tuple[Buffer, ...]] | None:
    """(canonical text, pieces of the shown text) of a list of objects that share their
    first key (a session's messages), encoded in one call: one orjson call per message
    costs eight times one call for the list. The shown text breaks the line before each
    object, found as `},{"KEY":` (None when there are not exactly len(items) - 1 of
    those, or the list is another shape or the encoder refuses it: the caller then
    encodes item by item).

    The break only ever adds whitespace between two tokens, so the text means the same
    whatever the items hold: in `},{"KEY":` the quote follows `{`, so it is no escaped
    quote inside a string; KEY begins with a letter or digit, which cannot follow a
    closing quote, so the quote opens a string and `},{` before it lies outside any."""
    first = items[0]
    if type(first) is not dict or not first or not all(type(k) is str for k in first):
        return None
    key = min(first)
    if not key[:1].isalnum():
        return None
    try:
        joined = _canonical_bytes(items, plain)
    except (TypeError, ValueError):  # the item-by-item route raises it
        return None
    opening = b"{" + _key(key) + b":"
    boundary = b"}," + opening
    if not joined.startswith(b"[" + opening) or joined.count(boundary) != len(items) - 1:
        return None
    lines = joined.replace(boundary, b"}," + _ITEM_INDENT + opening)
    return joined, (b"[", _ITEM_INDENT, memoryview(lines)[1:-1], b"\n    ]")


def _items_on_lines(items: list[object], plain: bool) -> tuple[bytes, tuple[Buffer, ...]]:
    pieces = [_canonical_bytes(item, plain) for item in items]
    # Each joined once (a 10,000-message body is ~5 MB: copies add up).
    return (
        b"".join((b"[", b",".join(pieces), b"]")),
        (b"[", _ITEM_INDENT, (b"," + _ITEM_INDENT).join(pieces), b"\n    ]"),
    )


def _canonical_bytes(value: object, plain: bool) -> bytes:
    """`value`'s canonical text: through orjson when the caller has checked it holds no
    float (`plain`); what orjson refuses takes the standard route, which writes it or
    fails as canonical_json would."""
    text = orjson_canonical(value) if plain else None
    return text if text is not None else _canonical_encoder()(value).encode("utf-8")


def _key(key: str) -> bytes:
    return encode_basestring(key).encode("utf-8")


@functools.cache
def _canonical_encoder() -> Callable[[object], str]:
    """canonical_json's encoding as text, with the C encoder built once."""
    return c_encoder(separators=(",", ":"), sort_keys=True, allow_nan=False)
