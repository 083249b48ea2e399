"""Appending a message on a team store: one server-side call (da_append_message) that
row-level security guards like the statements it replaces, with positions that stay
consecutive under concurrent appends, and a fallback for stores not yet re-initialised."""

from __future__ import annotations

import threading

import pytest

from desktop_agent.store import agents, messages, sessions
from desktop_agent.store.db import close_database
from desktop_agent.store.engine import load_psycopg
from desktop_agent.store.errors import NotFoundError
from desktop_agent.store.team import init_team_store, open_team_store
from tests.support.postgres import OWNER, TeamStore

_CALL = "SELECT * FROM da_append_message(%s, %s, %s, 'complete', '', '', NULL, 0, %s, NULL, '')"


def _as(team: TeamStore, role: str) -> None:
    close_database()
    open_team_store(team.url(role))
    agents.ensure_defaults()


def _positions(team: TeamStore, session_id: str) -> list[tuple[int, int | None]]:
    return [
        (row[0], row[1])
        for row in team.sql(
            "SELECT seq, parent_id FROM message WHERE session_id = %s ORDER BY seq",
            "alice",
            (session_id,),
        )
    ]


def test_another_member_cannot_append_to_alices_session_through_the_function(
    team_store: TeamStore,
) -> None:
    _as(team_store, "alice")
    session = sessions.create_session()
    first = messages.append_message(session.id, "user", "my lighthouse plan")
    reply = messages.append_message(session.id, "assistant", "the answer")
    assert (first.seq, first.parent_id, reply.seq, reply.parent_id) == (0, None, 1, first.id)
    shown = sessions.get_session(session.id)
    assert (shown.title, shown.message_count) == ("my lighthouse plan", 2)

    rows = team_store.sql(_CALL, "bob", (session.id, "user", "injected", "injected"))
    assert rows == []  # her session is invisible to him: nothing touched, nothing added
    assert team_store.sql(
        "SELECT count(*), max(s.message_count), max(s.preview) FROM message m"
        " JOIN session s ON s.id = m.session_id",
        "alice",
    ) == [(2, 2, "the answer")]


def test_concurrent_appends_by_one_member_get_consecutive_positions(
    team_store: TeamStore,
) -> None:
    _as(team_store, "alice")
    session = sessions.create_session()
    psycopg = load_psycopg()
    errors: list[Exception] = []

    def writer(name: str) -> None:
        try:
            with psycopg.connect(team_store.url("alice"), autocommit=True) as conn:
                for i in range(40):
                    conn.execute(_CALL, (session.id, "user", f"{name} {i}", f"{name} {i}"))
        except Exception as exc:  # noqa: BLE001 (reported by the assertion below)
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(n,)) for n in ("left", "right")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    positions = _positions(team_store, session.id)
    assert [seq for seq, _ in positions] == list(range(80))
    assert sessions.get_session(session.id).message_count == 80
    # Each message's parent is the one before it: one unbroken conversation.
    ids = [
        row[0]
        for row in team_store.sql(
            "SELECT id FROM message WHERE session_id = %s ORDER BY seq", "alice", (session.id,)
        )
    ]
    assert [parent for _, parent in positions] == [None, *ids[:-1]]


def test_a_store_without_the_function_still_appends_and_init_restores_it(
    team_store: TeamStore,
) -> None:
    signature = (
        "da_append_message(text, text, text, text, text, text, text, double precision,"
        " text, text, text)"
    )
    team_store.sql(f"DROP FUNCTION {signature}", OWNER)
    _as(team_store, "alice")
    session = sessions.create_session()
    first = messages.append_message(session.id, "user", "before init")
    assert first.seq == 0

    init_team_store(team_store.url(OWNER))
    assert team_store.sql(f"SELECT to_regprocedure('{signature}') IS NOT NULL", "alice") == [
        (True,)
    ]
    _as(team_store, "alice")
    second = messages.append_message(session.id, "assistant", "after init")
    assert (second.seq, second.parent_id) == (1, first.id)
    assert _positions(team_store, session.id) == [(0, None), (1, first.id)]


def test_a_streaming_flush_or_finish_of_another_members_reply_changes_nothing(
    team_store: TeamStore,
) -> None:
    _as(team_store, "alice")
    session = sessions.create_session()
    reply = messages.append_message(session.id, "assistant", "", status="incomplete")
    messages.update_content(reply.id, "half a reply")
    assert sessions.get_session(session.id).preview == "half a reply"
    _as(team_store, "bob")
    with pytest.raises(NotFoundError, match=f"no message {reply.id}"):
        messages.update_content(reply.id, "bob's words")
    with pytest.raises(NotFoundError, match=f"no message {reply.id}"):
        messages.finish_message(reply.id, "bob's words", "complete")
    assert team_store.sql(
        "SELECT m.content, m.status, s.preview FROM message m JOIN session s"
        " ON s.id = m.session_id",
        "alice",
    ) == [("half a reply", "incomplete", "half a reply")]
