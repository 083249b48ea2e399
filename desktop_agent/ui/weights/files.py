"""Reading a dropped or chosen *.weights.json file with the same limits as the CLI."""

from __future__ import annotations

from typing import TYPE_CHECKING

from desktop_agent.services.files import read_user_file

if TYPE_CHECKING:
    from pathlib import Path

SNAPSHOT_SUFFIX = ".weights.json"
FILE_FILTER = "Weight snapshots (*.weights.json);;JSON files (*.json);;All files (*)"


def read_snapshot_file(path: str | Path) -> bytes:
    """The file's bytes, with the CLI's limits and messages (services.files)."""
    return read_user_file(path)


def is_snapshot_file(path: str) -> bool:
    return path.lower().endswith((SNAPSHOT_SUFFIX, ".json"))
