"""Sessions: create, rename, pin, trash, restore, purge, list by last activity."""

from __future__ import annotations

import json
import uuid
from typing import TYPE_CHECKING, Any

from desktop_agent.domain.weights import check_weights
from desktop_agent.store import clock
from desktop_agent.store.agents import (
    DEFAULT_AGENT,
    default_user,
    ensure_user,
    get_agent,
    starting_weights,
)
from desktop_agent.store.db import database
from desktop_agent.store.errors import NotFoundError
from desktop_agent.store.models import Session
from desktop_agent.store.records import SessionRecord

if TYPE_CHECKING:
    from collections.abc import Mapping

NEW_TITLE = "New conversation"
MIN_ID_PREFIX = 4


# Fixed SQL with tuple rows: the session list re-reads its first page after every reply,
# and peewee's query building and dict rows cost ~20 µs a session there.
_SELECT = (
    "SELECT s.id, s.title, s.agent_id, a.name, a.deleted_at, s.user_id, u.handle,"
    " s.created_at, s.updated_at, s.pinned, s.trashed_at, s.goal, s.goal_progress,"
    " s.weights, s.learning_enabled, s.message_count, s.preview, s.experiment_id, s.arm"
    " FROM session AS s JOIN agent AS a ON a.id = s.agent_id"
    " JOIN user_profile AS u ON u.id = s.user_id"
)


def _record(row: tuple[Any, ...]) -> SessionRecord:
    return SessionRecord(
        id=row[0],
        title=row[1],
        agent_id=row[2],
        agent_name=row[3],
        agent_deleted=row[4] is not None,
        user_id=row[5],
        user_handle=row[6],
        created_at=row[7],
        updated_at=row[8],
        pinned=bool(row[9]),
        trashed_at=row[10],
        goal=row[11],
        goal_progress=row[12],
        weights=json.loads(row[13]),
        learning_enabled=bool(row[14]),
        message_count=row[15],
        preview=row[16],
        experiment_id=row[17],
        arm=row[18],
    )


def create_session(
    *,
    agent: str = DEFAULT_AGENT,
    user: str | None = None,
    title: str = NEW_TITLE,
    weights: Mapping[str, float] | None = None,
    session_id: str | None = None,
    created_at: float | None = None,
    experiment_id: str | None = None,
    arm: str | None = None,
) -> SessionRecord:
    """A new session starts from the user's learned weights, else the agent's baseline.
    The user defaults to agents.default_user()."""
    agent_rec = get_agent(agent, include_deleted=False)
    with database.atomic():
        user_rec = ensure_user(user or default_user())
        start = (
            check_weights(weights)
            if weights is not None
            else starting_weights(user_rec.id, agent_rec.id)
        )
        stamp = clock.now() if created_at is None else created_at
        new_id = session_id or str(uuid.uuid4())
        Session.insert(
            id=new_id,
            title=title,
            agent_id=agent_rec.id,
            user_id=user_rec.id,
            created_at=stamp,
            updated_at=stamp,
            weights=json.dumps(start),
            experiment_id=experiment_id,
            arm=arm,
        ).execute()
    return get_session(new_id)


def get_session(session_id: str) -> SessionRecord:
    row = database.execute_sql(f"{_SELECT} WHERE s.id = ?", (session_id,)).fetchone()
    if row is None:
        raise NotFoundError(f"no session {session_id!r}")
    return _record(row)


def resolve_session_id(text: str) -> str:
    """Accept a full id or a unique prefix of at least MIN_ID_PREFIX characters."""
    text = text.strip()
    if Session.select().where(Session.id == text).exists():
        return text
    if len(text) >= MIN_ID_PREFIX:
        matches = [
            row.id for row in Session.select(Session.id).where(Session.id.startswith(text)).limit(2)
        ]
        if len(matches) == 1:
            return matches[0]
        if len(matches) > 1:
            raise NotFoundError(f"session id prefix {text!r} is ambiguous; give more characters")
    raise NotFoundError(f"no session {text!r}")


def list_sessions(
    *,
    offset: int = 0,
    limit: int = 100,
    trashed: bool = False,
    agent_id: int | None = None,
    user_id: int | None = None,
) -> list[SessionRecord]:
    """Pinned first, then by last activity; the trash lists by time of trashing."""
    where, params = ["s.trashed_at IS NOT NULL" if trashed else "s.trashed_at IS NULL"], []
    if agent_id is not None:
        where.append("s.agent_id = ?")
        params.append(agent_id)
    if user_id is not None:
        where.append("s.user_id = ?")
        params.append(user_id)
    order = "s.trashed_at DESC" if trashed else "s.pinned DESC, s.updated_at DESC"
    sql = f"{_SELECT} WHERE {' AND '.join(where)} ORDER BY {order} LIMIT ? OFFSET ?"
    cursor = database.execute_sql(sql, (*params, limit, offset))
    return [_record(row) for row in cursor.fetchall()]


def count_sessions(
    *, trashed: bool = False, agent_id: int | None = None, user_id: int | None = None
) -> int:
    query = Session.select()
    query = query.where(
        Session.trashed_at.is_null(False) if trashed else Session.trashed_at.is_null()
    )
    if agent_id is not None:
        query = query.where(Session.agent_id == agent_id)
    if user_id is not None:
        query = query.where(Session.user_id == user_id)
    return int(query.count())


def _update(session_id: str, **fields: object) -> SessionRecord:
    updated = Session.update(**fields).where(Session.id == session_id).execute()
    if not updated:
        raise NotFoundError(f"no session {session_id!r}")
    return get_session(session_id)


def rename_session(session_id: str, title: str) -> SessionRecord:
    title = " ".join(title.split())[:200] or NEW_TITLE
    return _update(session_id, title=title)


def set_pinned(session_id: str, pinned: bool) -> SessionRecord:
    return _update(session_id, pinned=pinned)


def set_goal(session_id: str, goal: str, progress: float | None = None) -> SessionRecord:
    if progress is not None and not 0.0 <= progress <= 1.0:
        from desktop_agent.domain.errors import InvalidInputError

        raise InvalidInputError(f"goal progress must be between 0 and 1, got {progress!r}")
    return _update(session_id, goal=goal.strip(), goal_progress=progress)


def set_learning_enabled(session_id: str, enabled: bool) -> SessionRecord:
    return _update(session_id, learning_enabled=enabled)


def trash_session(session_id: str) -> SessionRecord:
    """Move to the trash (undoable with restore_session)."""
    return _update(session_id, trashed_at=clock.now())


def restore_session(session_id: str) -> SessionRecord:
    return _update(session_id, trashed_at=None)


def purge_session(session_id: str) -> None:
    """Delete for good, with its messages, feedback, events and compactions."""
    with database.atomic():
        deleted = Session.delete().where(Session.id == session_id).execute()
    if not deleted:
        raise NotFoundError(f"no session {session_id!r}")


def session_exists(session_id: str) -> bool:
    return Session.select().where(Session.id == session_id).exists()
