"""One source of time for stored timestamps (seconds since the epoch, UTC)."""

from __future__ import annotations

import time

# The text forms are pure formatting, shared with the front ends through the domain.
from desktop_agent.domain.timestamps import from_iso as from_iso
from desktop_agent.domain.timestamps import to_iso as to_iso


def now() -> float:
    return time.time()
