"""Stored timestamps (seconds since the epoch, UTC) as ISO 8601 text, and back."""

from __future__ import annotations

import functools
import math
import time
from datetime import UTC, datetime

_FORMAT = "%Y-%m-%dT%H:%M:%SZ"
_YEAR_10000 = 253_402_300_800  # the first second datetime cannot hold


def to_iso(ts: float) -> str:
    # An export formats every message's time: the date comes from a cache by day and the
    # time of day from two tables (3x faster than strftime per call, which was ~4x
    # faster than a datetime). datetime rounds to the microsecond first, so a fraction
    # within a microsecond of the next second, and any time outside years 1970-9999,
    # take the datetime route to give exactly its answer.
    whole = math.floor(ts) if math.isfinite(ts) else -1
    if 0 <= whole < _YEAR_10000 and ts - whole < 0.999999:
        day, second = divmod(whole, 86_400)
        date = _DATES.get(day)
        if date is None:
            date = time.strftime("%Y-%m-%dT", time.gmtime(whole))
            if len(_DATES) < _MAX_CACHED_DATES:
                _DATES[day] = date
        minutes, seconds = _clock_tables()
        return date + minutes[second // 60] + seconds[second % 60]
    return datetime.fromtimestamp(ts, tz=UTC).strftime(_FORMAT)


_DATES: dict[int, str] = {}  # day since the epoch → "YYYY-MM-DDT"
_MAX_CACHED_DATES = 20_000  # 55 years of days, ~1.5 MB at most


@functools.cache
def _clock_tables() -> tuple[list[str], list[str]]:
    """ "HH:MM:" for each minute of a day, "SSZ" for each second of a minute."""
    minutes = [f"{minute // 60:02d}:{minute % 60:02d}:" for minute in range(24 * 60)]
    return minutes, [f"{second:02d}Z" for second in range(60)]


def from_iso(text: str) -> float:
    parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if parsed.tzinfo is None:  # a naive time in a file is taken as UTC, not local time
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.timestamp()
