"""Moving sessions in and out as files: lossless JSON, readable Markdown, and imports
that validate everything before changing anything and never overwrite a session."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING

from peewee import DataError

from desktop_agent.domain.errors import InvalidInputError
from desktop_agent.domain.session_file import (
    MAX_SESSION_FILE_BYTES,
    MessageData,
    SessionData,
    dump_session_markdown,
    parse_session_file,
)
from desktop_agent.domain.session_tree import SessionTree
from desktop_agent.services.session_trees import export_session_tree, import_tree, parse_tree_file
from desktop_agent.store import agents, clock, engine, messages, sessions
from desktop_agent.store.db import database

if TYPE_CHECKING:
    from collections.abc import Sequence

SESSION_FILE_LIMIT = MAX_SESSION_FILE_BYTES


def session_data(session_id: str) -> SessionData:
    session = sessions.get_session(session_id)
    items = []
    for m in messages.list_messages(session_id):
        feedback = (
            {"rating": m.feedback.rating, "tags": list(m.feedback.tags)} if m.feedback else None
        )
        items.append(MessageData(m.role, m.content, clock.to_iso(m.created_at), m.status, feedback))
    return SessionData(
        id=session.id,
        title=session.title,
        agent=session.agent_name,
        user=session.user_handle,
        created_at=clock.to_iso(session.created_at),
        updated_at=clock.to_iso(session.updated_at),
        goal=session.goal,
        weights=session.weights,
        messages=tuple(items),
    )


def export_session(session_id: str, fmt: str = "json") -> bytes:
    if fmt != "md":  # format_version 2: the whole tree (services/session_trees.py)
        return export_session_tree(session_id)
    return dump_session_markdown(session_data(session_id)).encode("utf-8")


@dataclass(frozen=True)
class ImportedSession:
    """A session file that was imported, and the session it became."""

    source: str
    session_id: str
    messages: int
    renamed_id: bool  # the file's id was taken, so a new one was given


def parse_files(
    files: Sequence[tuple[str, bytes]],
) -> list[tuple[str, SessionData | SessionTree]]:
    """Validate every file first; the first bad one raises InvalidInputError naming it."""
    from desktop_agent.domain.errors import InvalidInputError

    now = clock.to_iso(clock.now())
    parsed: list[tuple[str, SessionData | SessionTree]] = []
    for name, raw in files:
        try:
            tree = parse_tree_file(raw)
            parsed.append((name, tree if tree is not None else parse_session_file(raw, now=now)))
        except InvalidInputError as exc:
            raise InvalidInputError(f"{name}: {exc}") from exc
    return parsed


def import_sessions(files: Sequence[tuple[str, bytes]]) -> list[ImportedSession]:
    """Import all files or none: one transaction after every file has been checked."""
    parsed = parse_files(files)
    results: list[ImportedSession] = []
    name = ""
    try:
        with database.atomic():
            for name, data in parsed:
                if isinstance(data, SessionTree):
                    session_id, renamed, count = import_tree(data)
                    results.append(ImportedSession(name, session_id, count, renamed))
                else:
                    results.append(_import_one(name, data))
    except (DataError, *engine.sql().driver_errors()) as exc:
        # Text the engine cannot hold (PostgreSQL refuses the NUL character in text).
        detail = " ".join(str(exc).split())
        raise InvalidInputError(
            f"{name}: the store refused it ({detail}); nothing was imported"
        ) from exc
    return results


def _import_one(source: str, data: SessionData) -> ImportedSession:
    # The store keeps names trimmed (agents.create_agent strips them); look up the same.
    agent_name = data.agent.strip()
    if not agents.agent_exists(agent_name):
        agents.create_agent(agent_name)
    session_id = data.id
    renamed = sessions.session_exists(session_id)
    if renamed:
        session_id = str(uuid.uuid4())
    sessions.create_session(
        agent=agent_name,
        user=agents.owner_of_import(data.user),
        title=data.title,
        weights=data.weights,
        session_id=session_id,
        created_at=clock.from_iso(data.created_at),
    )
    if data.goal:
        sessions.set_goal(session_id, data.goal)
    ids = messages.append_many(
        session_id,
        (
            {
                "role": m.role,
                "content": m.content,
                "status": m.status,
                "created_at": clock.from_iso(m.created_at),
            }
            for m in data.messages
        ),
    )
    rated = [
        {
            "message_id": message_id,
            "rating": m.feedback["rating"],
            "tags": json.dumps(list(m.feedback.get("tags") or [])),  # type: ignore[call-overload]
            "created_at": clock.from_iso(m.created_at),
        }
        for message_id, m in zip(ids, data.messages, strict=True)
        if m.feedback and m.role == "assistant"
    ]
    messages.insert_feedback_rows(rated)
    return ImportedSession(source, session_id, len(ids), renamed)
