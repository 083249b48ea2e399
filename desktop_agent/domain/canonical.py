"""Canonical JSON, checksums and the strict decoding every imported file goes through."""

from __future__ import annotations

import hashlib
import json
import math
import re
import uuid
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING

from desktop_agent.domain.errors import InvalidInputError
from desktop_agent.domain.json_text import orjson_module

if TYPE_CHECKING:
    from collections.abc import Set as AbstractSet

MAX_FILE_BYTES = 1024 * 1024
TIMESTAMP_FORMAT = "%Y-%m-%dT%H:%M:%SZ"
_UTF8_BOM = b"\xef\xbb\xbf"
_SHA256_HEX = re.compile(r"[0-9a-f]{64}")
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")


def canonical_json(obj: object) -> bytes:
    """The byte form checksums are computed over: sorted keys, no spaces, UTF-8."""
    text = json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return text.encode("utf-8")


def sha256_hex(obj: object) -> str:
    return hashlib.sha256(canonical_json(obj)).hexdigest()


def orjson_canonical(obj: object) -> bytes | None:
    """canonical_json(obj) as orjson writes it, several times faster: the same bytes for
    a value that holds no float (tests/domain/test_envelope_text.py); a float under 1e-4
    it writes without an exponent (0.00001 for 1e-05). None when this build has no orjson
    or it refuses the value (an int past 64 bits, a lone surrogate, a key not a string)."""
    orjson = orjson_module()
    if orjson is None:
        return None
    try:
        text: bytes = orjson.dumps(obj, option=orjson.OPT_SORT_KEYS)
    except TypeError:  # orjson.JSONEncodeError is one
        return None
    return text


def checksum_matches(obj: object, checksum: str) -> bool:
    """`sha256_hex(obj) == checksum`, tried first over orjson_canonical's text (five times
    faster: a 10,000-message session file's body takes 40 ms through json).

    A match over that text is a match all the same, floats and all: the same SHA-256 means
    the same bytes as the writer's canonical text, which decode to the same value as
    `obj`. Anything else (no match, a value orjson refuses) is decided by sha256_hex."""
    text = orjson_canonical(obj)
    if text is not None and hashlib.sha256(text).hexdigest() == checksum:
        return True
    return sha256_hex(obj) == checksum


def _reject_constant(name: str) -> float:
    raise InvalidInputError(f"{name} is not a number JSON allows")


def _finite_float(text: str) -> float:
    value = float(text)
    # float() turns 1e400 into inf, which no field accepts and canonical JSON cannot hold.
    if not math.isfinite(value):
        raise InvalidInputError(f"number {text[:40]} is out of range")
    return value


def _limited_int(text: str) -> int:
    # Python refuses ints over 4300 digits with a bare ValueError; name it instead.
    if len(text) > 100:
        raise InvalidInputError(f"integer with {len(text)} digits is out of range")
    return int(text)


def _unique_keys(pairs: list[tuple[str, object]]) -> dict[str, object]:
    result = dict(pairs)  # in C; a key given twice shows as a shorter dict
    if len(result) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise InvalidInputError(f"duplicate key {key!r}")
            seen.add(key)
    return result


def _check_strings(value: object) -> None:
    """Reject lone surrogates (legal as JSON escapes, not encodable as UTF-8)."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            try:
                item.encode("utf-8")
            except UnicodeEncodeError:
                raise InvalidInputError("a string contains an unpaired surrogate escape") from None
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)


def decode_json_file(raw: bytes, what: str, *, max_bytes: int = MAX_FILE_BYTES) -> object:
    """Decode untrusted file bytes into plain JSON values, or raise InvalidInputError.

    `what` names the file kind in messages ("snapshot file", "session file").
    """
    if not isinstance(raw, bytes | bytearray):
        raise InvalidInputError(f"{what}: expected file contents as bytes")
    if len(raw) > max_bytes:
        limit = f"{max_bytes:,}-byte" + (" (1 MiB)" if max_bytes == MAX_FILE_BYTES else "")
        raise InvalidInputError(f"{what}: file is {len(raw):,} bytes, over the {limit} limit")
    data = bytes(raw)
    if data.startswith(_UTF8_BOM):
        data = data[len(_UTF8_BOM) :]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidInputError(f"{what}: not valid UTF-8 at byte {exc.start}") from None
    if not text.strip():
        raise InvalidInputError(f"{what}: file is empty")
    try:
        value = json.loads(
            text,
            parse_constant=_reject_constant,
            parse_float=_finite_float,
            parse_int=_limited_int,
            object_pairs_hook=_unique_keys,
        )
    except json.JSONDecodeError as exc:
        raise InvalidInputError(
            f"{what}: invalid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}"
        ) from None
    except InvalidInputError as exc:
        raise InvalidInputError(f"{what}: invalid JSON: {exc}") from None
    except RecursionError:
        raise InvalidInputError(f"{what}: invalid JSON: nested too deeply") from None
    # A lone surrogate can only come from a \uD800-\uDFFF escape (the bytes were valid
    # UTF-8): without one in the text, walking every string (0.1 s at 10,000 messages)
    # cannot find anything.
    if _SURROGATE_ESCAPE.search(text):
        _check_strings(value)
    return value


# Field checks shared by the file formats. `where` is the path shown to the user.


def require_object(value: object, where: str) -> dict[str, object]:
    if not isinstance(value, dict):
        raise InvalidInputError(f"{where}: expected an object, got {type_name(value)}")
    return value


def check_keys(
    obj: dict[str, object],
    where: str,
    *,
    required: AbstractSet[str],
    optional: AbstractSet[str] = frozenset(),
) -> None:
    """Every required key present; no key outside required | optional."""
    missing = sorted(required - obj.keys())
    if missing:
        raise InvalidInputError(f"{where}: missing {', '.join(repr(k) for k in missing)}")
    unknown = sorted(obj.keys() - required - optional)
    if unknown:
        raise InvalidInputError(f"{where}: unknown key {unknown[0]!r}")


def require_str(
    value: object, where: str, *, max_len: int | None = None, non_empty: bool = False
) -> str:
    if not isinstance(value, str):
        raise InvalidInputError(f"{where}: expected a string, got {type_name(value)}")
    if non_empty and not value.strip():
        raise InvalidInputError(f"{where}: must not be empty")
    if max_len is not None and len(value) > max_len:
        raise InvalidInputError(f"{where}: longer than {max_len} characters")
    return value


def require_unit_float(value: object, where: str) -> float:
    """A finite number in [0, 1]; booleans are not numbers here."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidInputError(f"{where}: expected a number in [0, 1], got {type_name(value)}")
    number = float(value)
    if not math.isfinite(number) or not 0.0 <= number <= 1.0:
        raise InvalidInputError(f"{where}: must be between 0 and 1, got {value!r}")
    return number


def require_uuid(value: object, where: str) -> str:
    text = require_str(value, where)
    try:
        parsed = uuid.UUID(text)
    except ValueError:
        raise InvalidInputError(f"{where}: not a UUID: {text[:60]!r}") from None
    if str(parsed) != text.lower():
        raise InvalidInputError(f"{where}: not a UUID in canonical form: {text[:60]!r}")
    return text.lower()


# The clock's ranges are in the pattern; the calendar (no month 13, no February 30) is
# checked on the date alone.
_CANONICAL_TIME = re.compile(r"[1-9]\d{3}-\d\d-\d\dT(?:[01]\d|2[0-3]):[0-5]\d:[0-5]\dZ")


def is_canonical_time(value: object) -> bool:
    """Whether `value` is what parse_timestamp returns unchanged: "YYYY-MM-DDTHH:MM:SSZ"
    naming a real moment of years 1000-9999. Files this app writes hold only such times."""
    return are_canonical_times([value])


def are_canonical_times(values: list[object]) -> bool:
    """is_canonical_time of every value, in one pass of C loops (a session file has a
    time per message): the pattern over each, then the calendar once per distinct day."""
    try:
        if not all(map(_CANONICAL_TIME.fullmatch, values)):  # type: ignore[arg-type]
            return False
        for day in {value[:10] for value in values}:  # type: ignore[index]
            date.fromisoformat(day)
    except (TypeError, ValueError):  # not text; no such day
        return False
    return True


def parse_timestamp(value: object, where: str) -> str:
    """Normalise an ISO 8601 time (or Unix seconds) to "YYYY-MM-DDTHH:MM:SSZ" in UTC.

    Times without an offset are taken as UTC; fractions of a second are dropped.
    """
    if is_canonical_time(value):
        return value  # type: ignore[return-value]
    if isinstance(value, int | float) and not isinstance(value, bool):
        try:
            moment = datetime.fromtimestamp(float(value), tz=UTC)
        except (OverflowError, OSError, ValueError):
            raise InvalidInputError(f"{where}: timestamp {value!r} is out of range") from None
        return moment.strftime(TIMESTAMP_FORMAT)
    text = require_str(value, where)
    if not 10 <= len(text) <= 40:
        raise InvalidInputError(f"{where}: not an ISO 8601 time: {text[:60]!r}")
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise InvalidInputError(f"{where}: not an ISO 8601 time: {text!r}") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    try:
        moment = moment.astimezone(UTC)
    except OverflowError:
        raise InvalidInputError(f"{where}: time {text!r} is out of range") from None
    if moment.year < 1000:
        # strftime would print fewer than four year digits, which would not parse back.
        raise InvalidInputError(f"{where}: time {text!r} is out of range")
    return moment.strftime(TIMESTAMP_FORMAT)


def require_checksum(value: object, where: str) -> str:
    text = require_str(value, where)
    if not _SHA256_HEX.fullmatch(text):
        raise InvalidInputError(f"{where}: expected 64 lowercase hex digits")
    return text


def type_name(value: object) -> str:
    """JSON's name for a value's type, for messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def make_envelope(
    fmt: str, version: int, body_key: str, body: dict[str, object]
) -> dict[str, object]:
    """The checksummed envelope around `body` (the inverse of open_envelope)."""
    return {"format": fmt, "format_version": version, body_key: body, "sha256": sha256_hex(body)}


def open_envelope(
    document: dict[str, object], what: str, *, fmt: str, version: int, body_key: str
) -> dict[str, object]:
    """Check a checksummed envelope ({"format", "format_version", body_key, "sha256"})
    and return its verified body. Errors name the problem, prefixed with `what`."""
    if document["format"] != fmt:
        raise InvalidInputError(
            f"{what}: format is {str(document['format'])[:80]!r}, expected {fmt!r}"
        )
    found = document.get("format_version")
    if isinstance(found, bool) or not isinstance(found, int):
        raise InvalidInputError(f"{what}: format_version must be an integer")
    if found != version:
        raise InvalidInputError(
            f"{what}: format_version {found} is not supported (this app reads version {version})"
        )
    check_keys(document, what, required=frozenset({"format", "format_version", body_key, "sha256"}))
    checksum = require_checksum(document["sha256"], f"{what}: sha256")
    body = require_object(document[body_key], f"{what}: {body_key}")
    if not checksum_matches(body, checksum):
        raise InvalidInputError(
            f"{what}: checksum mismatch (the {body_key} was changed after it was written)"
        )
    return body
