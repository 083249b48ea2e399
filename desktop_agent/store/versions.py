"""Regenerate and edit-and-resend keep earlier versions; switching picks which is shown.

The conversation is a tree (parent_id); the shown branch is the set of `active` rows.
Versions of a message are its siblings: same session, position (seq) and parent.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from desktop_agent.domain.errors import InvalidInputError
from desktop_agent.store import clock
from desktop_agent.store.db import database
from desktop_agent.store.errors import NotFoundError
from desktop_agent.store.messages import get_message
from desktop_agent.store.models import Message, Session

if TYPE_CHECKING:
    from collections.abc import Mapping

    from desktop_agent.store.records import MessageRecord


def _message(message_id: int) -> Message:
    row = Message.get_or_none(Message.id == message_id)
    if row is None:
        raise NotFoundError(f"no message {message_id}")
    return row


def _deactivate_from(session_id: str, seq: int) -> None:
    Message.update(active=False).where(
        (Message.session_id == session_id) & Message.active & (Message.seq >= seq)
    ).execute()


def _recount(session_id: str) -> None:
    count = Message.select().where((Message.session_id == session_id) & Message.active).count()
    Session.update(message_count=count, updated_at=clock.now()).where(
        Session.id == session_id
    ).execute()


def _add_sibling(
    of: Message,
    content: str,
    status: str,
    model: str = "",
    weights: Mapping[str, float] | None = None,
) -> MessageRecord:
    stamp = clock.now()
    with database.atomic():
        _deactivate_from(of.session_id, of.seq)
        row = Message.create(
            session_id=of.session_id,
            seq=of.seq,
            parent_id=of.parent_id,
            role=of.role,
            content=content,
            status=status,
            model=model,
            weights=json.dumps(dict(weights)) if weights is not None else None,
            created_at=stamp,
            updated_at=stamp,
        )
        _recount(of.session_id)
    return get_message(row.id)


def start_regeneration(
    message_id: int, *, model: str = "", weights: Mapping[str, float] | None = None
) -> MessageRecord:
    """A new, empty `incomplete` version of an assistant reply, to stream into."""
    old = _message(message_id)
    if old.role != "assistant":
        raise InvalidInputError(
            f"message {message_id} is a {old.role} message; only replies regenerate"
        )
    return _add_sibling(old, "", "incomplete", model, weights)


def edit_user_message(message_id: int, content: str) -> MessageRecord:
    """A new version of a user message; what followed the old version stays on its branch."""
    old = _message(message_id)
    if old.role != "user":
        raise InvalidInputError(
            f"message {message_id} is a {old.role} message; only yours can be edited"
        )
    if not content.strip():
        raise InvalidInputError("an edited message cannot be empty")
    return _add_sibling(old, content, "complete")


def switch_version(message_id: int) -> list[MessageRecord]:
    """Show version `message_id` and, below it, the newest branch that grew from it."""
    target = _message(message_id)
    with database.atomic():
        _deactivate_from(target.session_id, target.seq)
        current = target
        Message.update(active=True).where(Message.id == current.id).execute()
        while True:
            child = (
                Message.select()
                .where(Message.parent_id == current.id)
                .order_by(Message.id.desc())
                .first()
            )
            if child is None:
                break
            Message.update(active=True).where(Message.id == child.id).execute()
            current = child
        _recount(target.session_id)
    from desktop_agent.store.messages import list_messages

    return list_messages(target.session_id, offset=target.seq)


def versions_of(message_id: int) -> list[MessageRecord]:
    """Every version of the message, oldest first."""
    row = _message(message_id)
    siblings = (
        Message.select()
        .where(
            (Message.session_id == row.session_id)
            & (Message.seq == row.seq)
            & (
                Message.parent_id.is_null()
                if row.parent_id is None
                else (Message.parent_id == row.parent_id)
            )
        )
        .order_by(Message.id)
    )
    return [get_message(s.id) for s in siblings]
