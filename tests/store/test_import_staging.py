"""A new conversation's rows are staged before its write transaction: staging takes no
lock another process would wait on, and what the transaction copies across is exactly
what the row-by-row path stores."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from desktop_agent.domain.importers.formats import FORMATS, parse_conversation
from desktop_agent.store import agents, import_sources
from desktop_agent.store.db import database
from tests.support.export_fixtures import gpt_branched, gpt_linear

_CHATGPT = next(f for f in FORMATS if f.app == "chatgpt")


def _owner() -> import_sources.Owner:
    return import_sources.resolve_owner(
        agents.DEFAULT_AGENT, agents.owner_of_import(agents.DEFAULT_USER)
    )


def _stored(session_id: str) -> list[tuple[object, ...]]:
    """The session's messages as rows, with parents named by position, not by id."""
    rows = database.execute_sql(
        "SELECT m.id, m.parent_id, m.seq, m.active, m.role, m.content, m.status, m.model,"
        " m.created_at, l.source_key, l.kind, l.reasoning FROM message m"
        " JOIN import_message l ON l.message_id = m.id WHERE m.session_id = ? ORDER BY m.id",
        (session_id,),
    ).fetchall()
    position = {row[0]: index for index, row in enumerate(rows)}
    return [(position.get(row[1]), *row[2:]) for row in rows]


def test_staging_leaves_the_store_free_for_another_writer(store: Path) -> None:
    conversation = parse_conversation(_CHATGPT, gpt_linear("c1", 3))
    staged = import_sources.stage([conversation])
    assert staged[0] is not None
    other = sqlite3.connect(store, timeout=0)  # no waiting: a held lock fails at once
    try:
        other.execute("BEGIN IMMEDIATE")
        other.execute("CREATE TABLE elsewhere (x)")
        other.execute("COMMIT")
    finally:
        other.close()
    [saved] = import_sources.save_conversations([conversation], _owner(), staged=staged)
    assert not isinstance(saved, str)
    assert saved.added == len(conversation.messages)


def test_staged_rows_are_what_the_row_by_row_path_stores(store: Path) -> None:
    owner = _owner()
    first = parse_conversation(_CHATGPT, gpt_branched())
    # The same conversation under another id, so both can be stored side by side.
    second = parse_conversation(
        _CHATGPT, {**gpt_branched(), "id": "twin", "conversation_id": "twin"}
    )
    staged = import_sources.stage([first])
    [through_staging] = import_sources.save_conversations([first], owner, staged=staged)
    [row_by_row] = import_sources.save_conversations([second], owner)
    assert not isinstance(through_staging, str)
    assert not isinstance(row_by_row, str)
    assert _stored(through_staging.session_id) == _stored(row_by_row.session_id)
    sessions = database.execute_sql(
        "SELECT message_count, preview, title FROM session WHERE id IN (?, ?)",
        (through_staging.session_id, row_by_row.session_id),
    ).fetchall()
    assert len(sessions) == 2
    assert sessions[0] == sessions[1]


def test_staging_inside_a_callers_transaction_goes_into_it(store: Path) -> None:
    conversation = parse_conversation(_CHATGPT, gpt_linear("c2", 2))
    with database.atomic():
        staged = import_sources.stage([conversation])
        [saved] = import_sources.save_conversations([conversation], _owner(), staged=staged)
    assert not isinstance(saved, str)
    assert len(_stored(saved.session_id)) == len(conversation.messages)
