"""Messages of a session: append, stream a reply in place, versions, feedback."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, cast

from desktop_agent.domain.errors import InvalidInputError
from desktop_agent.store import clock
from desktop_agent.store.db import database
from desktop_agent.store.engine import is_postgres, sql
from desktop_agent.store.errors import NotFoundError

# The read side lives in message_rows; callers keep using `messages.list_messages` etc.
from desktop_agent.store.message_rows import conversation as conversation
from desktop_agent.store.message_rows import count_messages as count_messages
from desktop_agent.store.message_rows import get_message
from desktop_agent.store.message_rows import list_messages as list_messages
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


# The hot paths (every message, every streaming flush, bulk imports) use fixed SQL, one
# module per engine (store.sql_sqlite / store.sql_postgres): building the same queries
# through peewee costs ~0.4 ms each, seven times the SQLite work itself.


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
    title = title_from(content) if role == "user" else None
    if getattr(database.obj, "append_function", False):
        # A team store: the same three statements in one server-side call, one round
        # trip and its own transaction (each round trip over a network is ~latency).
        appended = sql().append_message(
            database,
            (
                session_id,
                role,
                content,
                status,
                status_reason,
                model,
                weights_json,
                stamp,
                _preview(content) if content else None,
                title,
                NEW_TITLE,
            ),
        )
        if appended is None:
            raise NotFoundError(f"no session {session_id!r}")
        new_id, seq, parent = appended
    else:
        new_id, seq, parent = _append_in_statements(
            session_id, role, content, status, status_reason, model, weights_json, stamp, title
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


def _append_in_statements(
    session_id: str,
    role: str,
    content: str,
    status: str,
    status_reason: str,
    model: str,
    weights_json: str | None,
    stamp: float,
    title: str | None,
) -> tuple[int, int, int | None]:
    """SQLite (in-process: statements cost µs), or a team store without the function."""
    with database.atomic():
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
    return new_id, seq, parent


def append_many(session_id: str, messages: Iterable[Mapping[str, object]]) -> list[int]:
    """Bulk append (imports): one transaction, rows of fixed SQL (peewee building the
    INSERTs was half of a 10,000-message import). Returns the new ids."""
    rows: list[tuple[object, ...]] = []
    with database.atomic():
        last = database.execute_sql(sql().LAST_ACTIVE, (session_id,)).fetchone()
        seq, parent = (0, None) if last is None else (last[1] + 1, last[0])
        # Ids are assigned up front: parent_id points at the previous row.
        items = list(messages)
        ids = sql().reserve_message_ids(database, len(items)) if items else []
        latest_stamp, latest_text = None, None
        for next_id, item in zip(ids, items, strict=True):
            stamp = float(item.get("created_at") or clock.now())  # type: ignore[arg-type]
            content = item["content"]
            rows.append(
                (
                    next_id,
                    session_id,
                    seq,
                    parent,
                    1,
                    item["role"],
                    content,
                    item.get("status", "complete"),
                    item.get("status_reason", ""),
                    item.get("model", ""),
                    stamp,
                    stamp,
                )
            )
            parent, seq = next_id, seq + 1
            latest_stamp, latest_text = stamp, str(content)
        if rows and latest_stamp is not None:
            _touch(session_id, latest_stamp, latest_text, len(rows))
            sql().insert_messages(database, rows)
    return [int(row[0]) for row in rows]  # type: ignore[call-overload]


def _session_of(message_id: int) -> str:
    row = database.execute_sql(sql().SESSION_OF, (message_id,)).fetchone()
    if row is None:
        raise NotFoundError(f"no message {message_id}")
    return str(row[0])


def _in_one_statement(statement: str, params: tuple[object, ...], message_id: int) -> None:
    """A team store: change the message and touch its session in one round trip."""
    if database.execute_sql(statement, params).fetchone() is None:
        raise NotFoundError(f"no message {message_id}")


def update_content(message_id: int, content: str) -> None:
    """Save streamed text so far (the reply stays `incomplete`)."""
    stamp = clock.now()
    if is_postgres():
        shown = _preview(content) if content else None
        params = (content, stamp, message_id, stamp, shown)
        _in_one_statement(sql().UPDATE_CONTENT_AND_TOUCH, params, message_id)
        return
    with database.atomic():
        session_id = _session_of(message_id)
        database.execute_sql(sql().UPDATE_CONTENT, (content, stamp, message_id))
        _touch(session_id, stamp, content, 0)


def finish_message(message_id: int, content: str, status: str, reason: str = "") -> MessageRecord:
    if status not in STATUSES:
        raise InvalidInputError(f"unknown status {status!r}")
    stamp = clock.now()
    if is_postgres():
        shown = _preview(content) if content else None
        params = (content, status, reason, stamp, message_id, stamp, shown)
        _in_one_statement(sql().FINISH_MESSAGE_AND_TOUCH, params, message_id)
        return get_message(message_id)
    with database.atomic():
        session_id = _session_of(message_id)
        database.execute_sql(sql().FINISH_MESSAGE, (content, status, reason, stamp, message_id))
        _touch(session_id, stamp, content or None, 0)
    return get_message(message_id)


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
        database.cursor().executemany(
            sql().INSERT_FEEDBACK,
            [(r["message_id"], r["rating"], r["tags"], r["created_at"]) for r in rows],
        )


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
