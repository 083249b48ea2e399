"""Stores left as a crash or a bad disk leaves them: filled, damaged, marked open by a
process that has died."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from desktop_agent.store import agents, db, messages, sessions
from desktop_agent.store.db import close_database, open_database

PAGE = 4096


def filled_store(path: Path) -> None:
    """A closed store at `path` with one session of 3,000 messages: many data pages."""
    open_database(path)
    agents.ensure_defaults()
    session = sessions.create_session()
    with db.database.atomic():  # one commit: the test is about the file, not 3,000 commits
        for index in range(3000):
            messages.append_message(session.id, "user", f"message number {index} " * 20)
    db.database.execute_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    close_database()


def damage_a_data_page(path: Path) -> None:
    """Overwrite part of a page in the middle of the file, as a bad disk sector would."""
    pages = path.stat().st_size // PAGE
    with open(path, "r+b") as fh:
        fh.seek((pages // 2) * PAGE + 100)
        fh.write(b"\xff" * 2000)


def dead_pid() -> int:
    """The id of a process that has exited, for an open-by marker left by a crash."""
    child = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    return int(child.stdout)
