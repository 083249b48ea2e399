"""A fresh, real SQLite store per test (the app's own open path), closed afterwards."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from desktop_agent.store import agents
from desktop_agent.store.db import close_database, open_database


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Path]:
    """Open `tmp_path/store.sqlite3` with the real schema and default agent and user.

    Yields the database path so tests can open a second connection to the same file.
    """
    path = tmp_path / "store" / "store.sqlite3"
    open_database(path)
    agents.ensure_defaults()
    try:
        yield path
    finally:
        close_database()
