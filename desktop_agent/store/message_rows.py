"""Reading messages with fixed SQL: each tuple row becomes a record in one constructor call.

Building the query through peewee, hydrating a model per row and a `dataclasses.replace`
per record cost ~100 µs a message (`sessions show` of 10,000 messages took 1.3 s); this
path costs a few µs. Positions: on the shown branch a message's `seq` is its position
(0, 1, 2, …), so pages are key ranges on the `message_active` index, never OFFSET scans.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from desktop_agent.domain.bulk import bulk_constructor
from desktop_agent.store.db import database
from desktop_agent.store.engine import sql
from desktop_agent.store.errors import NotFoundError
from desktop_agent.store.records import FeedbackRecord, MessageRecord

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

_COLUMNS = (
    "m.id, m.session_id, m.seq, m.parent_id, m.role, m.content, m.status, m.status_reason,"
    " m.model, m.weights, m.created_at, m.updated_at, m.active"
)
_WITH_FEEDBACK = (
    f"SELECT {_COLUMNS}, f.rating, f.tags, f.created_at"
    " FROM message AS m LEFT JOIN feedback AS f ON f.message_id = m.id"
)
# `m.active` is written exactly as the partial index's WHERE term, so SQLite uses it.
_PAGE_SQL = f"{_WITH_FEEDBACK} WHERE m.session_id = ? AND m.active AND m.seq >= ? ORDER BY m.seq"
_ONE_SQL = f"{_WITH_FEEDBACK} WHERE m.id = ?"
_CONVERSATION_SQL = (
    f"SELECT {_COLUMNS} FROM message AS m WHERE m.session_id = ? AND m.active ORDER BY m.seq"
)
_LAST_POSITION_SQL = (
    "SELECT seq FROM message AS m WHERE m.session_id = ? AND m.active ORDER BY m.seq DESC LIMIT 1"
)
_MULTI_SQL = (
    "SELECT seq FROM message WHERE session_id = ? AND seq BETWEEN ? AND ?"
    " GROUP BY seq HAVING COUNT(*) > 1"
)
_SIBLINGS_SQL = (
    "SELECT seq, parent_id, id FROM message WHERE session_id = ? AND seq IN ({marks}) ORDER BY id"
)

Row = tuple[Any, ...]
_message = bulk_constructor(MessageRecord)
VersionKey = tuple[str, int, int | None]


def count_messages(session_id: str) -> int:
    """Messages on the shown branch: the last position plus one (one index probe)."""
    row = database.execute_sql(_LAST_POSITION_SQL, (session_id,)).fetchone()
    return 0 if row is None else int(row[0]) + 1


def list_messages(
    session_id: str, *, offset: int = 0, limit: int | None = None
) -> list[MessageRecord]:
    """The shown branch from position `offset` on, oldest first, with feedback and versions."""
    cursor = database.execute_sql(
        f"{_PAGE_SQL} LIMIT ?",
        (session_id, max(0, offset), sql().NO_LIMIT if limit is None else limit),
    )
    return _detailed(cursor.fetchall())


def get_message(message_id: int) -> MessageRecord:
    rows = database.execute_sql(_ONE_SQL, (message_id,)).fetchall()
    if not rows:
        raise NotFoundError(f"no message {message_id}")
    return _detailed(rows)[0]


def conversation(session_id: str) -> list[MessageRecord]:
    """The active messages, oldest first (what the model is sent, before budgeting)."""
    rows = database.execute_sql(_CONVERSATION_SQL, (session_id,)).fetchall()
    return [_record(row, None, 0, 1) for row in rows]


def _record(row: Row, feedback: FeedbackRecord | None, index: int, count: int) -> MessageRecord:
    weights = row[9]
    return _message(
        row[0],
        row[1],
        row[2],
        row[3],
        row[4],
        row[5],
        row[6],
        row[7],
        row[8],
        json.loads(weights) if weights else None,
        row[10],
        row[11],
        bool(row[12]),
        feedback,
        index,
        count,
    )


def _detailed(rows: Sequence[Row]) -> list[MessageRecord]:
    if not rows:
        return []
    versions = _versions(rows)
    records = []
    for row in rows:
        feedback = (
            None
            if row[13] is None
            else FeedbackRecord(row[13], tuple(json.loads(row[14])), row[15])
        )
        siblings = versions.get((row[1], row[2], row[3])) if versions else None
        if siblings is None:
            records.append(_record(row, feedback, 0, 1))
        else:
            index = siblings.index(row[0]) if row[0] in siblings else 0
            records.append(_record(row, feedback, index, len(siblings)))
    return records


def _versions(rows: Sequence[Row]) -> dict[VersionKey, list[int]]:
    """Ids of the versions of each message: same session, position and parent."""
    out: dict[VersionKey, list[int]] = {}
    for session_id in {row[1] for row in rows}:
        seqs = [row[2] for row in rows if row[1] == session_id]
        multi = [r[0] for r in database.execute_sql(_MULTI_SQL, (session_id, min(seqs), max(seqs)))]
        for chunk in _chunks(multi, 900):
            sql = _SIBLINGS_SQL.format(marks=", ".join("?" * len(chunk)))
            for seq, parent_id, message_id in database.execute_sql(sql, (session_id, *chunk)):
                out.setdefault((session_id, seq, parent_id), []).append(message_id)
    return out


def _chunks(items: Sequence[int], size: int) -> Iterable[Sequence[int]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
