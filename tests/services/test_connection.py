"""store_connection on a real SQLite file: a worker thread gets its own connection for the
job, sees what other threads committed, and leaves no connection open behind it."""

from __future__ import annotations

import threading
from pathlib import Path

from desktop_agent.services.connection import store_connection
from desktop_agent.store import sessions
from desktop_agent.store.db import database


def test_a_thread_reads_and_writes_through_its_own_connection(store: Path) -> None:
    made = sessions.create_session()
    seen: dict[str, object] = {}

    def job() -> None:
        with store_connection():
            seen["open_inside"] = not database.is_closed()
            seen["title"] = sessions.get_session(made.id).title
            sessions.rename_session(made.id, "renamed off the UI thread")
        seen["open_after"] = not database.is_closed()

    worker = threading.Thread(target=job)
    worker.start()
    worker.join()
    assert seen == {"open_inside": True, "title": made.title, "open_after": False}
    # The main thread's own connection is untouched and sees the committed rename.
    assert not database.is_closed()
    assert sessions.get_session(made.id).title == "renamed off the UI thread"


def test_the_connection_is_closed_even_when_the_job_fails(store: Path) -> None:
    outcome: dict[str, object] = {}

    def job() -> None:
        try:
            with store_connection():
                raise RuntimeError("job failed")
        except RuntimeError as exc:
            outcome["error"] = str(exc)
        outcome["open_after"] = not database.is_closed()

    worker = threading.Thread(target=job)
    worker.start()
    worker.join()
    assert outcome == {"error": "job failed", "open_after": False}
