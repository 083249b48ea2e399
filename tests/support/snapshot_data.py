"""Building sessions with rated replies, and dumping a store to prove nothing changed."""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping, Sequence
from pathlib import Path

from desktop_agent.store import messages, sessions

Rating = tuple[int, Sequence[str]]


def rated_session(
    ratings: Sequence[Rating],
    *,
    agent: str = "assistant",
    user: str | None = None,  # the store's default user
    reply_weights: Mapping[str, float] | None = None,
    experiment_id: str | None = None,
    arm: str | None = None,
    weights: Mapping[str, float] | None = None,
) -> str:
    """A session with one user message and one rated reply per (rating, tags)."""
    session = sessions.create_session(
        agent=agent, user=user, experiment_id=experiment_id, arm=arm, weights=weights
    )
    used = dict(reply_weights) if reply_weights is not None else session.weights
    for index, (rating, tags) in enumerate(ratings):
        messages.append_message(session.id, "user", f"question {index}")
        reply = messages.append_message(
            session.id, "assistant", f"answer {index}", model="fake-model", weights=used
        )
        messages.set_feedback(reply.id, rating, tags)
    return session.id


def dump(path: Path) -> list[str]:
    """Every row and schema statement, through a second connection (WAL included)."""
    if str(path).startswith("postgresql:"):  # the `store` fixture on a team store
        from tests.support.postgres import dump_team_store

        return dump_team_store()
    conn = sqlite3.connect(path)
    try:
        return list(conn.iterdump())
    finally:
        conn.close()
