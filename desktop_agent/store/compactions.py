"""Stored summaries of a session's older turns. The original messages are never touched:
a compaction only changes what is sent to the model, not what is kept."""

from __future__ import annotations

from desktop_agent.store import clock
from desktop_agent.store.models import Compaction, Message
from desktop_agent.store.records import CompactionRecord


def latest_compaction(session_id: str) -> CompactionRecord | None:
    """The newest summary still on the shown branch (an edit above it makes it stale)."""
    rows = (
        Compaction.select()
        .join(Message, on=(Message.id == Compaction.upto_message_id))
        .where((Compaction.session_id == session_id) & Message.active)
        .order_by(Compaction.upto_seq.desc(), Compaction.id.desc())
        .limit(1)
    )
    row = rows.first()
    if row is None:
        return None
    return CompactionRecord(
        row.id,
        row.session_id,
        row.upto_seq,
        row.upto_message_id,
        row.summary,
        row.model,
        row.created_at,
    )


def add_compaction(
    session_id: str, upto_seq: int, upto_message_id: int, summary: str, model: str
) -> CompactionRecord:
    stamp = clock.now()
    row = Compaction.create(
        session_id=session_id,
        upto_seq=upto_seq,
        upto_message_id=upto_message_id,
        summary=summary,
        model=model,
        created_at=stamp,
    )
    return CompactionRecord(row.id, session_id, upto_seq, upto_message_id, summary, model, stamp)


def list_compactions(session_id: str) -> list[CompactionRecord]:
    return [
        CompactionRecord(
            r.id, r.session_id, r.upto_seq, r.upto_message_id, r.summary, r.model, r.created_at
        )
        for r in Compaction.select()
        .where(Compaction.session_id == session_id)
        .order_by(Compaction.id)
    ]
