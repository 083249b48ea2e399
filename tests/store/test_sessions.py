"""Sessions in a real store: life cycle, purge, order, paging, counts, id prefixes."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from desktop_agent.domain.errors import InvalidInputError
from desktop_agent.store import messages, sessions
from desktop_agent.store.errors import NotFoundError
from desktop_agent.store.search import search_messages
from desktop_agent.store.weights import Owner, set_weights


def _count(path: Path, sql: str, *params: object) -> int:
    with sqlite3.connect(path) as conn:
        value = int(conn.execute(sql, params).fetchone()[0])
    conn.close()
    return value


def test_create_starts_from_the_baseline_with_the_default_owner(store: Path) -> None:
    session = sessions.create_session()
    assert session.agent_name == "assistant"
    assert session.user_handle == "local"
    assert session.title == sessions.NEW_TITLE
    assert session.weights == dict.fromkeys(session.weights, 0.5)
    assert session.message_count == 0
    assert not session.pinned
    assert not session.trashed


def test_rename_pin_trash_restore(store: Path) -> None:
    session = sessions.create_session()
    assert sessions.rename_session(session.id, "  Trip\n planning  ").title == "Trip planning"
    assert sessions.rename_session(session.id, "   ").title == sessions.NEW_TITLE
    assert sessions.set_pinned(session.id, True).pinned
    trashed = sessions.trash_session(session.id)
    assert trashed.trashed
    assert [s.id for s in sessions.list_sessions(trashed=True)] == [session.id]
    assert sessions.list_sessions() == []
    assert not sessions.restore_session(session.id).trashed
    assert [s.id for s in sessions.list_sessions()] == [session.id]


def test_changes_to_a_missing_session_raise_not_found(store: Path) -> None:
    with pytest.raises(NotFoundError):
        sessions.rename_session("nope", "x")
    with pytest.raises(NotFoundError):
        sessions.trash_session("nope")
    with pytest.raises(NotFoundError):
        sessions.purge_session("nope")


def test_goal_progress_must_be_a_fraction(store: Path) -> None:
    session = sessions.create_session()
    assert sessions.set_goal(session.id, " ship it ", 0.5).goal == "ship it"
    with pytest.raises(InvalidInputError):
        sessions.set_goal(session.id, "x", 1.5)
    assert sessions.get_session(session.id).goal_progress == 0.5


def test_purge_removes_messages_feedback_events_and_search_hits(store: Path) -> None:
    gone = sessions.create_session()
    kept = sessions.create_session()
    for sid in (gone.id, kept.id):
        messages.append_message(sid, "user", f"zebracorn question {sid[:4]}")
        reply = messages.append_message(sid, "assistant", "zebracorn answer")
        messages.set_feedback(reply.id, -1, ["too_long"])
        set_weights(Owner.session(sid), {"verbosity": 0.3})
    assert len(search_messages("zebracorn")) == 4

    sessions.purge_session(gone.id)

    assert not sessions.session_exists(gone.id)
    assert _count(store, "SELECT COUNT(*) FROM message WHERE session_id = ?", gone.id) == 0
    assert _count(store, "SELECT COUNT(*) FROM weight_event WHERE session_id = ?", gone.id) == 0
    assert _count(store, "SELECT COUNT(*) FROM feedback") == 1  # the kept session's
    hits = search_messages("zebracorn")
    assert {h.session_id for h in hits} == {kept.id}
    assert len(hits) == 2
    assert (
        _count(store, "SELECT COUNT(*) FROM message_fts WHERE message_fts MATCH 'zebracorn'") == 2
    )


def test_list_puts_pinned_first_then_latest_activity(store: Path) -> None:
    old = sessions.create_session(title="old", created_at=1000.0)
    mid = sessions.create_session(title="mid", created_at=2000.0)
    new = sessions.create_session(title="new", created_at=3000.0)
    assert [s.title for s in sessions.list_sessions()] == ["new", "mid", "old"]

    messages.append_message(old.id, "user", "bump", created_at=4000.0)
    assert [s.title for s in sessions.list_sessions()] == ["old", "new", "mid"]

    sessions.set_pinned(mid.id, True)
    assert [s.title for s in sessions.list_sessions()] == ["mid", "old", "new"]
    assert new.id in {s.id for s in sessions.list_sessions()}


def test_paging_and_counts(store: Path) -> None:
    created = [sessions.create_session(created_at=1000.0 + i) for i in range(7)]
    newest_first = [s.id for s in reversed(created)]
    pages = [sessions.list_sessions(offset=o, limit=3) for o in (0, 3, 6)]
    assert [s.id for page in pages for s in page] == newest_first
    assert [len(p) for p in pages] == [3, 3, 1]
    sessions.trash_session(created[0].id)
    assert sessions.count_sessions() == 6
    assert sessions.count_sessions(trashed=True) == 1
    other = sessions.create_session(user="someone-else")
    assert sessions.count_sessions(user_id=other.user_id) == 1
    assert sessions.count_sessions(agent_id=other.agent_id) == 7


def test_resolve_session_id_by_full_id_and_unique_prefix(store: Path) -> None:
    a = sessions.create_session(session_id="abcd1111-0000-4000-8000-000000000000")
    b = sessions.create_session(session_id="abcd2222-0000-4000-8000-000000000000")
    assert sessions.resolve_session_id(a.id) == a.id
    assert sessions.resolve_session_id(" abcd1 ") == a.id
    assert sessions.resolve_session_id("abcd2") == b.id
    with pytest.raises(NotFoundError, match="ambiguous"):
        sessions.resolve_session_id("abcd")
    with pytest.raises(NotFoundError, match="no session"):
        sessions.resolve_session_id("abc")  # too short to be a prefix
    with pytest.raises(NotFoundError, match="no session"):
        sessions.resolve_session_id("ffff")


def test_a_new_session_starts_from_the_users_learned_weights(store: Path) -> None:
    first = sessions.create_session()
    learned = Owner.user(first.user_id, first.agent_id)
    set_weights(learned, {"formality": 0.9})
    second = sessions.create_session()
    assert second.weights["formality"] == 0.9
    assert sessions.create_session(user="newcomer").weights["formality"] == 0.5
