"""Review findings: another writer (a second process, or the GUI's recorder thread on its
own connection) committing in the middle of a store transaction must not fail it."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path

from desktop_agent.services.learning import give_feedback
from desktop_agent.store import messages, sessions
from desktop_agent.store.db import database
from desktop_agent.store.weights import Owner, current_weights, set_weights


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


def test_setting_weights_survives_a_commit_by_another_connection(store: Path) -> None:
    session = sessions.create_session()
    owner = Owner.session(session.id)

    with another_writer_commits_on(store, 'UPDATE "session" SET "weights"') as fired:
        events = set_weights(owner, {"verbosity": 0.8})

    assert fired, "the interleaving did not happen"
    assert [(e.weight, e.new) for e in events] == [("verbosity", 0.8)]
    assert current_weights(owner)["verbosity"] == 0.8


def test_feedback_survives_a_commit_by_another_connection(store: Path) -> None:
    session = sessions.create_session()
    reply = messages.append_message(session.id, "assistant", "hi")

    with another_writer_commits_on(store, 'INSERT INTO "feedback"') as fired:
        _record, events = give_feedback(reply.id, -1, ["too_long"])

    assert fired, "the interleaving did not happen"
    assert messages.get_message(reply.id).feedback is not None
    assert [e.weight for e in events] == ["verbosity"]
