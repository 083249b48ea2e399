"""Stored timestamps (seconds since the epoch, UTC) as ISO 8601 text, and back."""

from __future__ import annotations

import math
import time
from datetime import UTC, datetime

_FORMAT = "%Y-%m-%dT%H:%M:%SZ"
_YEAR_10000 = 253_402_300_800  # the first second datetime cannot hold


def to_iso(ts: float) -> str:
    # time.gmtime is ~4x faster than a datetime (an export formats every message's
    # time). datetime rounds to the microsecond first, so a fraction within a
    # microsecond of the next second, and any time outside years 1970-9999, take the
    # datetime route to give exactly its answer.
    whole = math.floor(ts) if math.isfinite(ts) else -1
    if 0 <= whole < _YEAR_10000 and ts - whole < 0.999999:
        return time.strftime(_FORMAT, time.gmtime(whole))
    return datetime.fromtimestamp(ts, tz=UTC).strftime(_FORMAT)


def from_iso(text: str) -> float:
    parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if parsed.tzinfo is None:  # a naive time in a file is taken as UTC, not local time
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.timestamp()
