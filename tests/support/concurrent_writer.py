"""Another writer (a second process, or the GUI's recorder thread on its own connection)
committing in the middle of a store transaction: the interleaving, made to happen."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path

from desktop_agent.store.db import database


@contextmanager
def another_writer_commits_on(path: Path, marker: str) -> Iterator[list[str]]:
    """When this process's connection starts a statement containing `marker`, a second
    connection writes and commits first: the interleaving two processes can produce."""
    fired: list[str] = []
    other = sqlite3.connect(path, timeout=0.05, isolation_level=None)

    def trace(statement: str) -> None:
        if marker in statement and not fired:
            fired.append(statement)
            try:
                other.execute("UPDATE session SET pinned = 1 - pinned")
            except sqlite3.OperationalError:
                pass  # our transaction holds the write lock: the other writer waits its turn

    connection = database.connection()
    connection.set_trace_callback(trace)
    try:
        with closing(other):
            yield fired
    finally:
        connection.set_trace_callback(None)
