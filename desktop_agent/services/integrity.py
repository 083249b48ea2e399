"""Checking and repairing the store, for the CLI's `check` and the window's background check.

The check runs on its own read-only connection, so it can run on a worker thread while
the app keeps working; big stores are checked table by table with pauses in between.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from desktop_agent.config.paths import database_path, resolve_data_dir
from desktop_agent.store.db import LOW_SPACE_BYTES, disk_full_message, free_space
from desktop_agent.store.integrity import (
    IntegrityReport,
    RepairError,
    RepairReport,
    check_integrity,
    repair_store,
)

if TYPE_CHECKING:
    import threading
    from pathlib import Path

__all__ = [
    "LOW_SPACE_BYTES",
    "IntegrityReport",
    "RepairError",
    "RepairReport",
    "background_check",
    "check_store",
    "disk_full_message",
    "free_space",
    "repair_data_dir",
]

# Stores above this size are checked with a pause between tables (the disk stays free
# for the app); below it a check takes well under a second.
_BIG_STORE_BYTES = 32 * 1024 * 1024
_PAUSE_SECONDS = 0.2


def store_file(data_dir: str | Path | None = None) -> Path:
    """Where the data dir's SQLite store is (whether or not it exists)."""
    return database_path(resolve_data_dir(data_dir))


def check_store(data_dir: str | Path | None = None) -> IntegrityReport:
    """A full integrity check of the data dir's store (without opening it for writing)."""
    return check_integrity(database_path(resolve_data_dir(data_dir)))


def background_check(path: Path, cancel: threading.Event | None = None) -> IntegrityReport:
    """The check the window runs after start-up: gentle on big stores, stoppable."""
    try:
        size = path.stat().st_size
    except OSError:
        size = 0
    pause = _PAUSE_SECONDS if size > _BIG_STORE_BYTES else 0.0
    return check_integrity(path, cancel=cancel, pause=pause)


def repair_data_dir(data_dir: str | Path | None = None) -> RepairReport:
    """Recover the data dir's store into a new file beside it; the damaged file is kept.

    The app keeps using the damaged file until the person swaps them (the report says
    how): replacing a store under a running window is not something to do silently.
    """
    return repair_store(database_path(resolve_data_dir(data_dir)))
