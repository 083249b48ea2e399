"""Session use cases on a real SQLite file: each change is committed (a second connection
sees it) and returns the updated record; a missing session is NotFoundError, not a crash."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from desktop_agent.services import sessions
from desktop_agent.store.errors import NotFoundError


def committed(path: Path, sql: str, *params: object) -> tuple[object, ...]:
    """A row as another connection (another process, say) reads it from the file."""
    with sqlite3.connect(path) as other:
        row = other.execute(sql, params).fetchone()
    other.close()
    assert row is not None
    return tuple(row)


def test_rename_pin_and_goal_are_committed_and_returned(store: Path) -> None:
    session = sessions.start_session()
    renamed = sessions.rename_session(session.id, "  Trip   to\tLisbon ")
    assert renamed.title == "Trip to Lisbon"
    pinned = sessions.pin_session(session.id)
    assert pinned.pinned
    goal = sessions.set_goal(session.id, " plan the trip ", 0.4)
    assert (goal.goal, goal.goal_progress) == ("plan the trip", 0.4)
    assert committed(
        store, "SELECT title, pinned, goal, goal_progress FROM session WHERE id = ?", session.id
    ) == ("Trip to Lisbon", 1, "plan the trip", 0.4)
    assert not sessions.pin_session(session.id, False).pinned


def test_pinned_sessions_list_first(store: Path) -> None:
    older = sessions.start_session()
    newer = sessions.start_session()
    assert [s.id for s in sessions.list_sessions()] == [newer.id, older.id]
    sessions.pin_session(older.id)
    assert [s.id for s in sessions.list_sessions()] == [older.id, newer.id]


def test_trash_restore_and_purge(store: Path) -> None:
    kept = sessions.start_session()
    thrown = sessions.start_session()
    assert sessions.trash_session(thrown.id).trashed
    assert [s.id for s in sessions.list_sessions()] == [kept.id]
    assert [s.id for s in sessions.list_sessions(trashed=True)] == [thrown.id]
    assert sessions.count_sessions(trashed=True) == 1
    assert not sessions.restore_session(thrown.id).trashed
    assert sessions.count_sessions() == 2
    sessions.purge_session(thrown.id)
    assert not sessions.session_exists(thrown.id)
    assert committed(store, "SELECT count(*) FROM session") == (1,)
    with pytest.raises(NotFoundError, match=thrown.id):
        sessions.purge_session(thrown.id)


def test_learning_can_be_switched_off_per_session(store: Path) -> None:
    session = sessions.start_session()
    assert session.learning_enabled
    assert not sessions.set_learning_enabled(session.id, False).learning_enabled
    assert sessions.get_session(session.id).learning_enabled is False


def test_find_session_takes_an_id_or_a_unique_prefix(store: Path) -> None:
    session = sessions.start_session()
    assert sessions.find_session(session.id) == session
    assert sessions.find_session(session.id[:8]) == session
    with pytest.raises(NotFoundError, match="no session"):
        sessions.find_session("zzzzzzzz")


def test_changes_to_a_missing_session_raise_not_found(store: Path) -> None:
    for change in (
        lambda: sessions.rename_session("missing", "x"),
        lambda: sessions.pin_session("missing"),
        lambda: sessions.trash_session("missing"),
        lambda: sessions.restore_session("missing"),
        lambda: sessions.set_goal("missing", "x"),
    ):
        with pytest.raises(NotFoundError, match="missing"):
            change()
