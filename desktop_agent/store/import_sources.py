"""Conversations imported from other apps: their source, and saving one as a session.

Each conversation is written in its own short IMMEDIATE transaction, so another window
or process streaming a reply waits milliseconds, not the length of a whole import. A
conversation seen before (same app and id) gains only the nodes it did not have.
"""

from __future__ import annotations

import json
import time
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING

from peewee import DataError, IntegrityError

from desktop_agent.store import clock, engine
from desktop_agent.store.agents import ensure_user, get_agent, starting_weights
from desktop_agent.store.db import database

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence

    from desktop_agent.domain.importers.tree import ImportedConversation, ImportedMessage

PREVIEW_CHARS = 160
_INSERT_LINK = (
    "INSERT INTO import_message (message_id, session_id, source_key, kind, reasoning)"
    " VALUES (?, ?, ?, ?, ?)"
)


@dataclass(frozen=True)
class Owner:
    """Who imported sessions belong to, resolved once per import."""

    agent_id: int
    user_id: int
    weights_json: str


@dataclass(frozen=True)
class SavedConversation:
    """What storing one imported conversation did."""

    session_id: str
    status: str  # new | updated | unchanged
    added: int  # messages stored by this import
    rated: list[tuple[int, int]]  # (message id, rating) of the ratings stored now


@dataclass(frozen=True)
class ImportedNote:
    """What the other app marked on a stored message."""

    source_key: str
    kind: str
    reasoning: str


def resolve_owner(agent: str, user: str) -> Owner:
    agent_rec = get_agent(agent, include_deleted=False)
    with database.atomic():
        user_rec = ensure_user(user)
    weights = starting_weights(user_rec.id, agent_rec.id)
    return Owner(agent_rec.id, user_rec.id, json.dumps(weights))


def find_session(app: str, source_id: str) -> str | None:
    row = database.execute_sql(
        "SELECT session_id FROM import_source WHERE app = ? AND source_id = ?", (app, source_id)
    ).fetchone()
    return None if row is None else str(row[0])


def notes_for(message_ids: list[int]) -> dict[int, ImportedNote]:
    """The import marks of these messages (reasoning, tool, instructions), by message id."""
    out: dict[int, ImportedNote] = {}
    for start in range(0, len(message_ids), 900):
        chunk = message_ids[start : start + 900]
        marks = ",".join("?" * len(chunk))
        for message_id, key, kind, reasoning in database.execute_sql(
            "SELECT message_id, source_key, kind, reasoning FROM import_message"
            f" WHERE message_id IN ({marks})",
            chunk,
        ):
            out[int(message_id)] = ImportedNote(key, kind, reasoning)
    return out


def known_versions() -> dict[tuple[str, str], tuple[str, str]]:
    """(app, source id) -> (the export's version last imported, session id)."""
    return {
        (str(app), str(source)): (str(version), str(session))
        for app, source, version, session in database.execute_sql(
            "SELECT app, source_id, source_version, session_id FROM import_source"
        )
    }


def source_of(session_id: str) -> tuple[str, str, str] | None:
    """(app, source id, custom instructions) of an imported session, else None."""
    row = database.execute_sql(
        "SELECT app, source_id, instructions FROM import_source WHERE session_id = ?",
        (session_id,),
    ).fetchone()
    return None if row is None else (str(row[0]), str(row[1]), str(row[2]))


def save_conversation(
    conversation: ImportedConversation, owner: Owner, staged: Staged | None = None
) -> SavedConversation:
    """Store a new conversation, or add what an earlier import of it lacked; one
    transaction, so a failure or a cancel never leaves half a conversation."""
    with database.atomic():
        session_id = find_session(conversation.app, conversation.source_id)
        if session_id is None:
            if staged is not None:
                return _save_staged(conversation, owner, staged)
            return _save_new(conversation, owner)
        return _save_more(conversation, session_id)


def save_conversations(
    conversations: list[ImportedConversation],
    owner: Owner,
    *,
    budget_seconds: float = 0.05,
    staged: Sequence[Staged | None] = (),
) -> list[SavedConversation | str]:
    """Conversations from the start of the list in one transaction, each in a savepoint
    (one the database refuses is rolled back alone and its reason returned in its
    place). The transaction ends once it has run `budget_seconds`, so it may save only
    a prefix of the list: the caller passes the rest again. `staged` is what `stage`
    returned for the same list (or for what is left of it)."""
    results: list[SavedConversation | str] = []
    started = time.monotonic()
    with database.atomic():
        for index, conversation in enumerate(conversations):
            if results and time.monotonic() - started >= budget_seconds:
                break
            rows = staged[index] if index < len(staged) else None
            try:
                with database.atomic():
                    results.append(save_conversation(conversation, owner, rows))
            # The bulk inserts run on the raw connection (peewee does not wrap its errors).
            except (IntegrityError, DataError, *engine.sql().driver_errors()) as exc:
                results.append(f"the database refused it: {exc}")
    return results


@dataclass(frozen=True)
class Staged:
    """A new conversation's rows, staged before its transaction (see stage)."""

    session_id: str
    first: int  # its rows' numbers in the staging table
    last: int


def stage(conversations: Sequence[ImportedConversation]) -> list[Staged | None]:
    """Before the write transaction, without taking the store's write lock: the rows of
    each conversation not imported before, in the order `_insert` would write them (None
    for the others, and for every one on an engine that does not stage). What the lock
    is held for is then only copying them across."""
    if engine.is_postgres():
        return [None] * len(conversations)
    out: list[Staged | None] = []
    rows: list[tuple[object, ...]] = []
    for conversation in conversations:
        if find_session(conversation.app, conversation.source_id) is not None:
            out.append(None)
            continue
        session_id = str(uuid.uuid4())
        first = len(rows) + 1
        shown = set(conversation.shown_keys())
        numbers: dict[str, int] = {}
        for message, seq, stamp in _placed(conversation, conversation.messages, {}):
            number = len(rows) + 1
            parent = message.parent_key
            parent_number = numbers.get(parent) if parent is not None else None
            row = _message_row(number, session_id, seq, parent_number, message, shown, stamp)
            rows.append((*row, message.key, message.kind, message.reasoning))
            numbers[message.key] = number
        out.append(Staged(session_id, first, len(rows)))
    engine.sql().prestage_imported(database, rows)
    return out


def unstage() -> None:
    """Free what `stage` left in memory (after the import)."""
    if not engine.is_postgres():
        engine.sql().clear_prestaged(database)


def _save_staged(
    conversation: ImportedConversation, owner: Owner, staged: Staged
) -> SavedConversation:
    _insert_session(staged.session_id, conversation, owner)
    dialect = engine.sql()
    first_id = dialect.next_message_id(database)
    dialect.insert_prestaged(database, staged.first, staged.last, first_id)
    rated: list[tuple[int, int]] = []
    if any(m.rating is not None for m in conversation.messages):
        ids = {m.key: first_id + i for i, m in enumerate(conversation.messages)}
        rated = _rate(conversation, ids)
    _refresh_session(staged.session_id, conversation.updated_at)
    return SavedConversation(staged.session_id, "new", staged.last - staged.first + 1, rated)


def _insert_session(session_id: str, conversation: ImportedConversation, owner: Owner) -> None:
    """The session row (its count and preview come after the messages, from
    _refresh_session) and where it came from."""
    database.execute_sql(
        "INSERT INTO session (id, title, agent_id, user_id, created_at, updated_at, weights)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        (
            session_id,
            conversation.title,
            owner.agent_id,
            owner.user_id,
            conversation.created_at,
            conversation.updated_at,
            owner.weights_json,
        ),
    )
    _insert_source(session_id, conversation)


def _insert_source(session_id: str, conversation: ImportedConversation) -> None:
    stamp = clock.now()
    database.execute_sql(
        "INSERT INTO import_source (session_id, app, source_id, instructions, imported_at,"
        " updated_at, source_version) VALUES (?, ?, ?, ?, ?, ?, ?)",
        (
            session_id,
            conversation.app,
            conversation.source_id,
            conversation.instructions,
            stamp,
            stamp,
            conversation.version,
        ),
    )


def _save_new(conversation: ImportedConversation, owner: Owner) -> SavedConversation:
    session_id = str(uuid.uuid4())
    _insert_session(session_id, conversation, owner)
    shown = set(conversation.shown_keys())
    ids = _insert(session_id, conversation, list(conversation.messages), {}, shown)
    rated = _rate(conversation, ids)
    _refresh_session(session_id, conversation.updated_at)
    return SavedConversation(session_id, "new", len(ids), rated)


def _save_more(conversation: ImportedConversation, session_id: str) -> SavedConversation:
    known: dict[str, tuple[int, int]] = {
        str(key): (int(message_id), int(seq))
        for key, message_id, seq in database.execute_sql(
            "SELECT l.source_key, l.message_id, m.seq FROM import_message l"
            " JOIN message m ON m.id = l.message_id WHERE l.session_id = ?",
            (session_id,),
        )
    }
    fresh = [m for m in conversation.messages if m.key not in known]
    ids: dict[str, int] = {key: message_id for key, (message_id, _) in known.items()}
    if fresh:
        follow = _follows_export(session_id)
        shown = set(conversation.shown_keys()) if follow else set()
        if follow:
            database.execute_sql(
                "UPDATE message SET active = ? WHERE session_id = ?", (False, session_id)
            )
            active = [ids[k] for k in shown if k in ids]
            for start in range(0, len(active), 900):
                chunk = active[start : start + 900]
                database.execute_sql(
                    f"UPDATE message SET active = ? WHERE id IN ({','.join('?' * len(chunk))})",
                    [True, *chunk],
                )
        ids.update(_insert(session_id, conversation, fresh, known, shown))
        database.execute_sql(
            "UPDATE import_source SET updated_at = ?, instructions = ? WHERE session_id = ?",
            (clock.now(), conversation.instructions, session_id),
        )
    rated = _rate(conversation, ids)
    database.execute_sql(
        "UPDATE import_source SET source_version = ? WHERE session_id = ?",
        (conversation.version, session_id),
    )
    if fresh:
        _refresh_session(session_id, conversation.updated_at)
    status = "updated" if fresh or rated else "unchanged"
    return SavedConversation(session_id, status, len(fresh), rated)


def _follows_export(session_id: str) -> bool:
    """Whether the shown branch still ends on an imported message: then a newer export
    moves it to the other app's current branch. A conversation continued here keeps
    showing its own continuation (the new branch is one version away)."""
    row = database.execute_sql(
        "SELECT m.id, l.message_id FROM message m"
        " LEFT JOIN import_message l ON l.message_id = m.id"
        " WHERE m.session_id = ? AND m.active ORDER BY m.seq DESC LIMIT 1",
        (session_id,),
    ).fetchone()
    return row is None or row[1] is not None


def _placed(
    conversation: ImportedConversation, messages: Sequence[ImportedMessage], depth: dict[str, int]
) -> Iterator[tuple[ImportedMessage, int, float]]:
    """Each message (parents first) with its position, one below its parent's (0 for a
    root), and its time (the previous message's where the export has none). `depth`
    holds the positions of messages stored before and gains each one's."""
    fallback = conversation.created_at
    for message in messages:
        parent = message.parent_key
        seq = depth[parent] + 1 if parent is not None and parent in depth else 0
        stamp = message.created_at if message.created_at is not None else fallback
        fallback = stamp
        depth[message.key] = seq
        yield message, seq, stamp


def _message_row(
    row_id: int,
    session_id: str,
    seq: int,
    parent: int | None,
    message: ImportedMessage,
    shown: set[str],
    stamp: float,
) -> tuple[object, ...]:
    """(id, session_id, seq, parent_id, active, role, content, status, model, created_at):
    a message as the dialect's insert_imported_messages and the staging take it."""
    return (
        row_id,
        session_id,
        seq,
        parent,
        message.key in shown,
        message.role,
        message.content,
        message.status,
        message.model,
        stamp,
    )


def _insert(
    session_id: str,
    conversation: ImportedConversation,
    fresh: list[ImportedMessage],
    known: dict[str, tuple[int, int]],
    shown: set[str],
) -> dict[str, int]:
    """Insert `fresh` (parents first) under their parents; returns key → new id."""
    # Ids are given up front so each row can name its parent.
    reserved = iter(engine.sql().reserve_message_ids(database, len(fresh)))
    depth: dict[str, int] = {key: seq for key, (_, seq) in known.items()}
    ids: dict[str, int] = {key: message_id for key, (message_id, _) in known.items()}
    new_ids: dict[str, int] = {}
    rows = []
    links = []
    for message, seq, stamp in _placed(conversation, fresh, depth):
        next_id = next(reserved)
        parent = message.parent_key
        parent_id = ids.get(parent) if parent is not None else None
        rows.append(_message_row(next_id, session_id, seq, parent_id, message, shown, stamp))
        links.append((next_id, session_id, message.key, message.kind, message.reasoning))
        ids[message.key] = new_ids[message.key] = next_id
    dialect = engine.sql()
    dialect.insert_imported_messages(database, rows)
    dialect.executemany(database, _INSERT_LINK, links)
    return new_ids


def _rate(conversation: ImportedConversation, ids: dict[str, int]) -> list[tuple[int, int]]:
    """Ratings from the other app become thumbs; a rating given here is never replaced.
    Returns the (message id, rating) pairs stored now."""
    rows = [
        (ids[m.key], int(m.rating), m.created_at or conversation.updated_at)
        for m in conversation.messages
        if m.rating in (1, -1) and m.role == "assistant" and m.key in ids
    ]
    if not rows:
        return []
    candidates = [row[0] for row in rows]
    marks = ",".join("?" * len(candidates))
    rated = {
        int(r[0])
        for r in database.execute_sql(
            f"SELECT message_id FROM feedback WHERE message_id IN ({marks})", candidates
        )
    }
    fresh = [row for row in rows if row[0] not in rated]
    engine.sql().executemany(
        database,
        "INSERT INTO feedback (message_id, rating, tags, created_at) VALUES (?, ?, '[]', ?)",
        fresh,
    )
    return [(row[0], row[1]) for row in fresh]


def _refresh_session(session_id: str, updated_at: float) -> None:
    row = database.execute_sql(
        "SELECT content FROM message WHERE session_id = ? AND active AND content != ''"
        " ORDER BY seq DESC LIMIT 1",
        (session_id,),
    ).fetchone()
    preview = " ".join(str(row[0]).split())[:PREVIEW_CHARS] if row else ""
    database.execute_sql(
        "UPDATE session SET message_count = (SELECT COUNT(*) FROM message"
        " WHERE session_id = ? AND active), preview = ?,"
        f" updated_at = {engine.sql().GREATEST}(updated_at, ?) WHERE id = ?",
        (session_id, preview, updated_at, session_id),
    )
