"""One source of time for stored timestamps (seconds since the epoch, UTC)."""

from __future__ import annotations

import time
from datetime import UTC, datetime


def now() -> float:
    return time.time()


def to_iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, tz=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def from_iso(text: str) -> float:
    parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if parsed.tzinfo is None:  # a naive time in a file is taken as UTC, not local time
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.timestamp()
