"""Session files version 2: a session's whole tree out of the store and back in."""

from __future__ import annotations

import re
import uuid

from desktop_agent.domain.canonical import decode_json_file
from desktop_agent.domain.session_file import MAX_SESSION_FILE_BYTES
from desktop_agent.domain.session_tree import (
    SessionTree,
    TreeCompaction,
    TreeMessage,
    TreeSource,
    TreeWeightEvent,
    dump_session_tree,
    is_tree_document,
    parse_tree_document,
)
from desktop_agent.store import agents, clock, compactions, import_sources, sessions
from desktop_agent.store.session_trees import (
    EventRow,
    TreeRow,
    insert_tree,
    session_events,
    tree_rows,
)


def session_tree(session_id: str) -> SessionTree:
    session = sessions.get_session(session_id)
    rows = tree_rows(session_id)
    local = {row.id: index + 1 for index, row in enumerate(rows)}
    messages = tuple(
        TreeMessage(
            id=local[row.id],
            parent=local.get(row.parent_id) if row.parent_id is not None else None,
            shown=row.active,
            role=row.role,
            content=row.content,
            created_at=clock.to_iso(row.created_at),
            status=row.status,
            status_reason=row.status_reason,
            model=row.model,
            feedback=None if row.rating is None else {"rating": row.rating, "tags": list(row.tags)},
            kind=row.kind,
            reasoning=row.reasoning,
            source_key=row.source_key if not row.source_key.startswith("file:") else "",
        )
        for row in rows
    )
    source = import_sources.source_of(session_id)
    return SessionTree(
        id=session.id,
        title=session.title,
        agent=session.agent_name,
        user=session.user_handle,
        created_at=clock.to_iso(session.created_at),
        updated_at=clock.to_iso(session.updated_at),
        goal=session.goal,
        weights=session.weights,
        messages=messages,
        compactions=tuple(
            TreeCompaction(local[c.upto_message_id], c.summary, c.model, clock.to_iso(c.created_at))
            for c in compactions.list_compactions(session_id)
            if c.upto_message_id in local
        ),
        weight_events=tuple(
            TreeWeightEvent(
                e.weight,
                e.old,
                e.new,
                e.cause,
                local.get(e.message_id) if e.message_id is not None else None,
                clock.to_iso(e.created_at),
            )
            for e in session_events(session_id)
        ),
        source=None if source is None else TreeSource(*source),
    )


def export_session_tree(session_id: str) -> bytes:
    return dump_session_tree(session_tree(session_id))


def import_tree(tree: SessionTree) -> tuple[str, bool, int]:
    """Store the tree as a new session (a clashing id gets a new one); returns
    (session id, whether the id changed, messages stored). The caller holds the
    transaction, so a failure leaves nothing behind."""
    agent_name = tree.agent.strip()
    if not agents.agent_exists(agent_name):
        agents.create_agent(agent_name)
    session_id = tree.id
    renamed = sessions.session_exists(session_id)
    if renamed:
        session_id = str(uuid.uuid4())
    created = sessions.create_session(
        agent=agent_name,
        user=agents.owner_of_import(tree.user),
        title=tree.title,
        weights=tree.weights,
        session_id=session_id,
        created_at=clock.from_iso(tree.created_at),
    )
    if tree.goal:
        sessions.set_goal(session_id, tree.goal)
    rows = [
        TreeRow(
            id=m.id,
            parent_id=m.parent,
            active=m.shown,
            role=m.role,
            content=m.content,
            status=m.status,
            status_reason=m.status_reason,
            model=m.model,
            created_at=clock.from_iso(m.created_at),
            rating=None if m.feedback is None else int(m.feedback["rating"]),  # type: ignore[call-overload]
            tags=_tags(m.feedback),
            kind=m.kind,
            reasoning=m.reasoning,
            source_key=m.source_key,
        )
        for m in tree.messages
    ]
    source = tree.source
    insert_tree(
        session_id,
        rows,
        agent_id=created.agent_id,
        user_id=created.user_id,
        source=None if source is None else (source.app, source.id, source.instructions),
        compactions=[
            (c.upto_message, c.summary, c.model, clock.from_iso(c.created_at))
            for c in tree.compactions
        ],
        events=[
            EventRow(e.weight, e.old, e.new, e.cause, e.message, clock.from_iso(e.created_at))
            for e in tree.weight_events
        ],
        imported_at=clock.now(),
    )
    sessions_touch(session_id, clock.from_iso(tree.updated_at))
    return session_id, renamed, len(rows)


def _tags(feedback: dict[str, object] | None) -> tuple[str, ...]:
    tags = feedback.get("tags") if feedback else None
    return tuple(str(t) for t in tags) if isinstance(tags, list | tuple) else ()


def sessions_touch(session_id: str, updated_at: float) -> None:
    from desktop_agent.store.db import database

    database.execute_sql("UPDATE session SET updated_at = ? WHERE id = ?", (updated_at, session_id))


_V2_HINT = re.compile(rb'"format_version"\s*:\s*2\s*[,}]')


def parse_tree_file(raw: bytes) -> SessionTree | None:
    """The tree of a version-2 session file, or None for any other file (those go to the
    version-1 reader). The check looks at the envelope's first bytes only, so a v1 file
    is decoded once."""
    if not _V2_HINT.search(raw[:400]):
        return None
    document = decode_json_file(raw, "session file", max_bytes=MAX_SESSION_FILE_BYTES)
    if not is_tree_document(document):
        return None
    assert isinstance(document, dict)
    return parse_tree_document(document)
