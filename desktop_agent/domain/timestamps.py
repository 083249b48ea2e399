"""Stored timestamps (seconds since the epoch, UTC) as ISO 8601 text, and back."""

from __future__ import annotations

from datetime import UTC, datetime


def to_iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, tz=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def from_iso(text: str) -> float:
    parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if parsed.tzinfo is None:  # a naive time in a file is taken as UTC, not local time
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.timestamp()
