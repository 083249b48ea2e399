"""Messages in a real store: durable appends, the parent chain, titles, previews, feedback."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from peewee import IntegrityError

from desktop_agent.domain.errors import InvalidInputError
from desktop_agent.store import messages, sessions
from desktop_agent.store.errors import NotFoundError


def _rows(path: Path, sql: str, *params: object) -> list[tuple[object, ...]]:
    with sqlite3.connect(path) as conn:
        rows = conn.execute(sql, params).fetchall()
    conn.close()
    return rows


def test_an_appended_message_is_committed_for_other_connections(store: Path) -> None:
    session = sessions.create_session()
    message = messages.append_message(session.id, "user", "is this on disk?")
    assert _rows(store, "SELECT id, role, content, status FROM message") == [
        (message.id, "user", "is this on disk?", "complete")
    ]


def test_streamed_text_and_the_final_status_are_committed(store: Path) -> None:
    session = sessions.create_session()
    reply = messages.append_message(session.id, "assistant", "", status="incomplete")
    messages.update_content(reply.id, "Hal")
    assert _rows(store, "SELECT content, status FROM message WHERE id = ?", reply.id) == [
        ("Hal", "incomplete")
    ]
    done = messages.finish_message(reply.id, "Hallo!", "complete")
    assert (done.content, done.status) == ("Hallo!", "complete")
    assert _rows(store, "SELECT content, status FROM message WHERE id = ?", reply.id) == [
        ("Hallo!", "complete")
    ]


def test_seq_and_parent_form_a_chain(store: Path) -> None:
    session = sessions.create_session()
    ids = [
        messages.append_message(session.id, role, text).id
        for role, text in [("user", "a"), ("assistant", "b"), ("user", "c")]
    ]
    listed = messages.list_messages(session.id)
    assert [m.seq for m in listed] == [0, 1, 2]
    assert [m.parent_id for m in listed] == [None, ids[0], ids[1]]
    assert sessions.get_session(session.id).message_count == 3
    assert messages.count_messages(session.id) == 3
    assert [m.content for m in messages.list_messages(session.id, offset=1, limit=1)] == ["b"]


def test_title_comes_from_the_first_user_message_and_preview_from_the_latest(
    store: Path,
) -> None:
    session = sessions.create_session()
    messages.append_message(session.id, "system", "be nice")
    assert sessions.get_session(session.id).title == sessions.NEW_TITLE
    long_text = "Plan a   week in Lisbon " + "with museums and food " * 10
    messages.append_message(session.id, "user", long_text)
    title = sessions.get_session(session.id).title
    assert title.startswith("Plan a week in Lisbon with")
    assert title.endswith("…")
    assert len(title) <= messages.TITLE_CHARS + 1
    messages.append_message(session.id, "assistant", "Sure.\n\nDay one:   Belém")
    messages.append_message(session.id, "user", "another question")
    updated = sessions.get_session(session.id)
    assert updated.title == title  # only the first user message names the session
    assert updated.preview == "another question"


def test_preview_is_whitespace_folded_and_capped(store: Path) -> None:
    session = sessions.create_session()
    messages.append_message(session.id, "user", "line one\n\n   line two " + "x" * 500)
    preview = sessions.get_session(session.id).preview
    assert preview.startswith("line one line two x")
    assert len(preview) == messages.PREVIEW_CHARS


def test_bad_role_or_status_is_refused_and_nothing_is_stored(store: Path) -> None:
    session = sessions.create_session()
    with pytest.raises(InvalidInputError, match="role"):
        messages.append_message(session.id, "bot", "hi")
    with pytest.raises(InvalidInputError, match="status"):
        messages.append_message(session.id, "user", "hi", status="done")
    assert _rows(store, "SELECT COUNT(*) FROM message") == [(0,)]
    # The foreign key refuses a message for a session that does not exist.
    with pytest.raises((NotFoundError, IntegrityError)):
        messages.append_message("no-such-session", "user", "hi")
    assert _rows(store, "SELECT COUNT(*) FROM message") == [(0,)]


def test_feedback_set_replace_and_clear(store: Path) -> None:
    session = sessions.create_session()
    messages.append_message(session.id, "user", "q")
    reply = messages.append_message(session.id, "assistant", "a")
    recorded = messages.set_feedback(reply.id, -1, ["too_long", "too_long", "too_formal"])
    assert recorded.tags == ("too_long", "too_formal")
    assert messages.get_message(reply.id).feedback == recorded

    messages.set_feedback(reply.id, 1)
    feedback = messages.get_message(reply.id).feedback
    assert feedback is not None
    assert (feedback.rating, feedback.tags) == (1, ())
    assert _rows(store, "SELECT COUNT(*) FROM feedback") == [(1,)]

    messages.clear_feedback(reply.id)
    assert messages.get_message(reply.id).feedback is None
    assert _rows(store, "SELECT COUNT(*) FROM feedback") == [(0,)]


def test_only_assistant_messages_can_be_rated(store: Path) -> None:
    session = sessions.create_session()
    question = messages.append_message(session.id, "user", "q")
    with pytest.raises(InvalidInputError, match="rate replies"):
        messages.set_feedback(question.id, 1)
    reply = messages.append_message(session.id, "assistant", "a")
    with pytest.raises(InvalidInputError, match="rating"):
        messages.set_feedback(reply.id, 0)
    with pytest.raises(NotFoundError):
        messages.set_feedback(reply.id + 100, 1)
    assert _rows(store, "SELECT COUNT(*) FROM feedback") == [(0,)]


def test_rated_messages_lists_feedback_oldest_first(store: Path) -> None:
    session = sessions.create_session()
    messages.append_message(session.id, "user", "q", created_at=10.0)
    first = messages.append_message(session.id, "assistant", "a1", created_at=11.0)
    messages.append_message(session.id, "user", "q2", created_at=12.0)
    second = messages.append_message(session.id, "assistant", "a2", created_at=13.0)
    messages.set_feedback(second.id, 1)
    messages.set_feedback(first.id, -1, ["too_casual"])
    rated = messages.rated_messages([session.id])
    assert [(m.id, fb.rating, fb.tags) for m, fb in rated] == [
        (first.id, -1, ("too_casual",)),
        (second.id, 1, ()),
    ]
    assert messages.rated_messages([]) == []


def test_a_bulk_append_links_the_rows_and_indexes_every_one(store: Path) -> None:
    # append_many goes through a staging table on SQLite and executemany on PostgreSQL.
    from desktop_agent.store.search import search_messages

    session = sessions.create_session(title="bulk")
    first = messages.append_message(session.id, "user", "before the import")
    ids = messages.append_many(
        session.id,
        [
            {"role": "assistant" if i % 2 else "user", "content": f"zebra{i} crossing"}
            for i in range(5)
        ],
    )
    shown = messages.list_messages(session.id)
    assert [m.id for m in shown] == [first.id, *ids]
    assert [m.parent_id for m in shown] == [None, first.id, *ids[:-1]]
    assert [m.seq for m in shown] == list(range(6))
    assert {h.message_id for h in search_messages("crossing")} == set(ids)
    assert sessions.get_session(session.id).message_count == 6
