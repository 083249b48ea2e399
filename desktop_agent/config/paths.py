"""The data directory: --data-dir, else $DESKTOP_AGENT_DATA_DIR, else the platform's."""

from __future__ import annotations

import os
from pathlib import Path

DATA_DIR_ENV = "DESKTOP_AGENT_DATA_DIR"
DATABASE_NAME = "desktop-agent.sqlite3"
SETTINGS_NAME = "settings.json"


def resolve_data_dir(explicit: str | os.PathLike[str] | None = None) -> Path:
    """Pick the data dir by precedence; do not create it (callers that write do)."""
    if explicit:
        return Path(explicit).expanduser().resolve()
    from_env = os.environ.get(DATA_DIR_ENV)
    if from_env:
        return Path(from_env).expanduser().resolve()
    # Imported lazily: platformdirs is small but this keeps the module import-free.
    from platformdirs import user_data_dir

    return Path(user_data_dir("desktop-agent", appauthor=False))


def database_path(data_dir: Path) -> Path:
    return data_dir / DATABASE_NAME


def settings_path(data_dir: Path) -> Path:
    return data_dir / SETTINGS_NAME
