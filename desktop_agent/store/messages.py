"""Messages of a session: append, stream a reply in place, versions, feedback."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import TYPE_CHECKING, Any, cast

from peewee import fn

from desktop_agent.domain.errors import InvalidInputError
from desktop_agent.store import clock
from desktop_agent.store.db import database
from desktop_agent.store.engine import sql
from desktop_agent.store.errors import NotFoundError
from desktop_agent.store.models import Feedback, Message
from desktop_agent.store.records import FeedbackRecord, MessageRecord
from desktop_agent.store.sessions import NEW_TITLE

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping, Sequence

ROLES = ("system", "user", "assistant")
STATUSES = ("complete", "incomplete", "error")
PREVIEW_CHARS = 160
TITLE_CHARS = 60


def _record(row: Message, feedback: FeedbackRecord | None = None) -> MessageRecord:
    return MessageRecord(
        id=row.id,
        session_id=row.session_id,
        seq=row.seq,
        parent_id=row.parent_id,
        role=row.role,
        content=row.content,
        status=row.status,
        status_reason=row.status_reason,
        model=row.model,
        weights=json.loads(row.weights) if row.weights else None,
        created_at=row.created_at,
        updated_at=row.updated_at,
        active=bool(row.active),
        feedback=feedback,
    )


def _preview(text: str) -> str:
    return " ".join(text.split())[:PREVIEW_CHARS]


def title_from(text: str) -> str:
    words = " ".join(text.split())
    if len(words) <= TITLE_CHARS:
        return words or NEW_TITLE
    return words[:TITLE_CHARS].rsplit(" ", 1)[0] + "…"


def _last_active(session_id: str) -> Message | None:
    return (
        Message.select()
        .where((Message.session_id == session_id) & Message.active)
        .order_by(Message.seq.desc())
        .first()
    )


# The hot paths (every message, every streaming flush) use fixed SQL, one module per
# engine (store.sql_sqlite / store.sql_postgres): building the same queries through
# peewee costs ~0.4 ms each, seven times the SQLite work itself.


def _touch(
    session_id: str, stamp: float, preview: str | None, delta: int, title: str | None = None
) -> None:
    shown = _preview(preview) if preview else None
    cursor = database.execute_sql(
        sql().TOUCH_SESSION, (stamp, delta, shown, shown, title, NEW_TITLE, title, session_id)
    )
    if cursor.rowcount == 0:
        raise NotFoundError(f"no session {session_id!r}")


def append_message(
    session_id: str,
    role: str,
    content: str,
    *,
    status: str = "complete",
    status_reason: str = "",
    model: str = "",
    weights: Mapping[str, float] | None = None,
    created_at: float | None = None,
) -> MessageRecord:
    """Append to the active conversation and commit before returning."""
    if role not in ROLES:
        raise InvalidInputError(f"unknown role {role!r} (expected one of {', '.join(ROLES)})")
    if status not in STATUSES:
        raise InvalidInputError(f"unknown status {status!r}")
    stamp = clock.now() if created_at is None else created_at
    weights_json = json.dumps(dict(weights)) if weights is not None else None
    with database.atomic():
        title = title_from(content) if role == "user" else None
        _touch(session_id, stamp, content or None, 1, title)
        last = database.execute_sql(sql().LAST_ACTIVE, (session_id,)).fetchone()
        seq, parent = (0, None) if last is None else (last[1] + 1, last[0])
        new_id = sql().insert_message(
            database,
            (
                session_id,
                seq,
                parent,
                role,
                content,
                status,
                status_reason,
                model,
                weights_json,
                stamp,
                stamp,
            ),
        )
    return MessageRecord(
        id=new_id,
        session_id=session_id,
        seq=seq,
        parent_id=parent,
        role=role,
        content=content,
        status=status,
        status_reason=status_reason,
        model=model,
        weights=dict(weights) if weights is not None else None,
        created_at=stamp,
        updated_at=stamp,
    )


def append_many(session_id: str, messages: Iterable[Mapping[str, object]]) -> list[int]:
    """Bulk append (imports): one transaction, batched inserts. Returns the new ids."""
    batch: list[dict[str, object]] = []
    with database.atomic():
        last = _last_active(session_id)
        seq = 0 if last is None else last.seq + 1
        parent = None if last is None else last.id
        # parent_id must point at the previous row, so ids are assigned up front.
        items = list(messages)
        ids = sql().reserve_message_ids(database, len(items)) if items else []
        latest_stamp, latest_text = None, None
        for next_id, item in zip(ids, items, strict=True):
            stamp = float(item.get("created_at") or clock.now())  # type: ignore[arg-type]
            batch.append(
                {
                    "id": next_id,
                    "session_id": session_id,
                    "seq": seq,
                    "parent_id": parent,
                    "role": item["role"],
                    "content": item["content"],
                    "status": item.get("status", "complete"),
                    "status_reason": item.get("status_reason", ""),
                    "model": item.get("model", ""),
                    "weights": None,
                    "created_at": stamp,
                    "updated_at": stamp,
                }
            )
            parent, seq = next_id, seq + 1
            latest_stamp, latest_text = stamp, str(item["content"])
        for start in range(0, len(batch), 500):
            Message.insert_many(batch[start : start + 500]).execute()
        if batch and latest_stamp is not None:
            _touch(session_id, latest_stamp, latest_text, len(batch))
    return [int(row["id"]) for row in batch]  # type: ignore[call-overload]


def _session_of(message_id: int) -> str:
    row = database.execute_sql(sql().SESSION_OF, (message_id,)).fetchone()
    if row is None:
        raise NotFoundError(f"no message {message_id}")
    return str(row[0])


def update_content(message_id: int, content: str) -> None:
    """Save streamed text so far (the reply stays `incomplete`)."""
    stamp = clock.now()
    with database.atomic():
        session_id = _session_of(message_id)
        database.execute_sql(sql().UPDATE_CONTENT, (content, stamp, message_id))
        _touch(session_id, stamp, content, 0)


def finish_message(message_id: int, content: str, status: str, reason: str = "") -> MessageRecord:
    if status not in STATUSES:
        raise InvalidInputError(f"unknown status {status!r}")
    stamp = clock.now()
    with database.atomic():
        session_id = _session_of(message_id)
        database.execute_sql(sql().FINISH_MESSAGE, (content, status, reason, stamp, message_id))
        _touch(session_id, stamp, content or None, 0)
    return get_message(message_id)


def get_message(message_id: int) -> MessageRecord:
    row = Message.get_or_none(Message.id == message_id)
    if row is None:
        raise NotFoundError(f"no message {message_id}")
    return _with_details([row])[0]


def count_messages(session_id: str) -> int:
    return int(Message.select().where((Message.session_id == session_id) & Message.active).count())


def list_messages(
    session_id: str, *, offset: int = 0, limit: int | None = None
) -> list[MessageRecord]:
    """The active conversation in order, with feedback and version positions."""
    query = (
        Message.select()
        .where((Message.session_id == session_id) & Message.active)
        .order_by(Message.seq)
        .offset(offset)
    )
    if limit is not None:
        query = query.limit(limit)
    return _with_details(list(query))


def _with_details(rows: Sequence[Message]) -> list[MessageRecord]:
    if not rows:
        return []
    ids = [row.id for row in rows]
    feedback: dict[int, FeedbackRecord] = {}
    for chunk in _chunks(ids, 900):
        for fb in Feedback.select().where(Feedback.message_id.in_(chunk)):
            feedback[fb.message_id] = FeedbackRecord(
                fb.rating, tuple(json.loads(fb.tags)), fb.created_at
            )
    versions = _versions(rows)
    records = []
    for row in rows:
        siblings = versions.get((row.session_id, row.seq, row.parent_id), [row.id])
        records.append(
            replace(
                _record(row, feedback.get(row.id)),
                version_index=siblings.index(row.id) if row.id in siblings else 0,
                version_count=len(siblings),
            )
        )
    return records


def _versions(rows: Sequence[Message]) -> dict[tuple[str, int, int | None], list[int]]:
    """Ids of the versions of each message: same session, position and parent."""
    session_ids = {row.session_id for row in rows}
    out: dict[tuple[str, int, int | None], list[int]] = {}
    for session_id in session_ids:
        seqs = [row.seq for row in rows if row.session_id == session_id]
        multi = (
            Message.select(Message.seq)
            .where((Message.session_id == session_id) & (Message.seq.between(min(seqs), max(seqs))))
            .group_by(Message.seq)
            .having(fn.COUNT(Message.id) > 1)
        )
        multi_seqs = [m.seq for m in multi]
        if not multi_seqs:
            continue
        for m in (
            Message.select(Message.id, Message.seq, Message.parent_id)
            .where((Message.session_id == session_id) & Message.seq.in_(multi_seqs))
            .order_by(Message.id)
        ):
            out.setdefault((session_id, m.seq, m.parent_id), []).append(m.id)
    return out


def _chunks(items: Sequence[int], size: int) -> Iterable[Sequence[int]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def conversation(session_id: str) -> list[MessageRecord]:
    """The active messages, oldest first (what the model is sent, before budgeting)."""
    return [
        _record(row)
        for row in Message.select()
        .where((Message.session_id == session_id) & Message.active)
        .order_by(Message.seq)
    ]


def set_feedback(message_id: int, rating: int, tags: Sequence[str] = ()) -> FeedbackRecord:
    """Record (or replace) the feedback on an assistant reply."""
    if rating not in (1, -1):
        raise InvalidInputError("feedback rating must be +1 (up) or -1 (down)")
    row = Message.get_or_none(Message.id == message_id)
    if row is None:
        raise NotFoundError(f"no message {message_id}")
    if row.role != "assistant":
        raise InvalidInputError(f"message {message_id} is a {row.role} message; rate replies")
    stamp = clock.now()
    clean = tuple(dict.fromkeys(tags))
    with database.atomic():
        tags_json = json.dumps(list(clean))
        Feedback.insert(
            message_id=message_id, rating=rating, tags=tags_json, created_at=stamp
        ).on_conflict(
            conflict_target=[Feedback.message_id],
            update={Feedback.rating: rating, Feedback.tags: tags_json, Feedback.created_at: stamp},
        ).execute()
    return FeedbackRecord(rating, clean, stamp)


def _message_fields(row: dict[str, Any]) -> dict[str, Any]:
    return {name: row[name] for name in Message._meta.fields if name in row}


def insert_feedback_rows(rows: Sequence[Mapping[str, object]]) -> None:
    """Bulk feedback (imports): rows of message_id, rating, tags (JSON), created_at."""
    with database.atomic():
        for start in range(0, len(rows), 500):
            Feedback.insert_many(list(rows[start : start + 500])).execute()


def clear_feedback(message_id: int) -> None:
    Feedback.delete().where(Feedback.message_id == message_id).execute()


def rated_messages(session_ids: Sequence[str]) -> list[tuple[MessageRecord, FeedbackRecord]]:
    """Every rated reply of these sessions, oldest first (calibration, what-if, reports)."""
    out: list[tuple[MessageRecord, FeedbackRecord]] = []
    if not session_ids:
        return out
    query = (
        Message.select(
            Message, Feedback.rating, Feedback.tags, Feedback.created_at.alias("rated_at")
        )
        .join(Feedback, on=(Feedback.message_id == Message.id))
        .where(Message.session_id.in_(list(session_ids)))
        .order_by(Message.created_at, Message.id)
        .dicts()
    )
    for raw in query:
        row = cast("dict[str, Any]", raw)  # .dicts() rows; peewee's hints say Message
        fb = FeedbackRecord(row["rating"], tuple(json.loads(row["tags"])), row["rated_at"])
        out.append((_record(Message(**_message_fields(row)), fb), fb))
    return out
