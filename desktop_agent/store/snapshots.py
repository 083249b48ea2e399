"""Weight snapshots: immutable, named records of an agent's weights and plasticity."""

from __future__ import annotations

import json
import uuid
from typing import TYPE_CHECKING

from desktop_agent.domain.errors import InvalidInputError
from desktop_agent.domain.snapshot_file import MAX_NAME_CHARS, SnapshotData
from desktop_agent.domain.weights import check_weights
from desktop_agent.store import clock
from desktop_agent.store.db import database
from desktop_agent.store.errors import ConflictError, NotFoundError
from desktop_agent.store.models import Feedback, Message, Snapshot
from desktop_agent.store.records import SnapshotRecord

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

MIN_ID_PREFIX = 4
_CHUNK = 500  # session ids per query, well under SQLite's variable limit


def _record(row: Snapshot) -> SnapshotRecord:
    return SnapshotRecord(
        id=row.id,
        name=row.name,
        agent_name=row.agent_name,
        weights=json.loads(row.weights),
        learning_rate=row.learning_rate,
        decay=row.decay,
        created_at=row.created_at,
        parent_id=row.parent_id,
        source_session_id=row.source_session_id,
        validation=json.loads(row.validation) if row.validation else None,
        notes=row.notes,
    )


def check_snapshot_name(name: str) -> str:
    name = " ".join(name.split())
    if not name or len(name) > MAX_NAME_CHARS:
        raise InvalidInputError(f"snapshot name must be 1–{MAX_NAME_CHARS} characters")
    return name


def save_snapshot(
    *,
    name: str,
    agent_name: str,
    weights: Mapping[str, float],
    learning_rate: float,
    decay: float,
    parent_id: str | None = None,
    source_session_id: str | None = None,
    validation: Mapping[str, object] | None = None,
    notes: str = "",
    snapshot_id: str | None = None,
    created_at: float | None = None,
) -> SnapshotRecord:
    """Insert a new snapshot; an existing id is never overwritten (ConflictError)."""
    checked = check_weights(weights)
    new_id = snapshot_id or str(uuid.uuid4())
    if snapshot_exists(new_id):
        raise ConflictError(f"a snapshot with id {new_id} already exists")
    # Whole seconds: the file format keeps no fractions, so export then import is lossless.
    stamp = float(int(clock.now() if created_at is None else created_at))
    Snapshot.insert(
        id=new_id,
        name=check_snapshot_name(name),
        agent_name=agent_name,
        weights=json.dumps(checked),
        learning_rate=float(learning_rate),
        decay=float(decay),
        created_at=stamp,
        parent_id=parent_id,
        source_session_id=source_session_id,
        validation=None if validation is None else json.dumps(dict(validation), allow_nan=False),
        notes=notes,
    ).execute()
    return get_snapshot(new_id)


def snapshot_exists(snapshot_id: str) -> bool:
    return bool(Snapshot.select().where(Snapshot.id == snapshot_id).exists())


def get_snapshot(snapshot_id: str) -> SnapshotRecord:
    row = Snapshot.get_or_none(Snapshot.id == snapshot_id)
    if row is None:
        raise NotFoundError(f"no snapshot {snapshot_id!r}")
    return _record(row)


def resolve_snapshot(text: str) -> SnapshotRecord:
    """A snapshot by full id, exact name, or unique id prefix (4+ characters), in that
    order: a name such as "cafe" must not be shadowed by an id that starts with it."""
    text = text.strip()
    row = Snapshot.get_or_none(Snapshot.id == text)
    if row is not None:
        return _record(row)
    named = list(Snapshot.select().where(Snapshot.name == text).limit(2))
    if len(named) == 1:
        return _record(named[0])
    if len(named) > 1:
        raise NotFoundError(f"several snapshots are named {text!r}; use an id")
    if len(text) >= MIN_ID_PREFIX:
        rows = list(Snapshot.select().where(Snapshot.id.startswith(text.lower())).limit(2))
        if len(rows) == 1:
            return _record(rows[0])
        if len(rows) > 1:
            raise NotFoundError(f"snapshot id prefix {text!r} is ambiguous; give more characters")
    raise NotFoundError(f"no snapshot {text!r}")


def list_snapshots(*, agent_name: str | None = None) -> list[SnapshotRecord]:
    """Newest first."""
    query = Snapshot.select().order_by(Snapshot.created_at.desc(), Snapshot.id)
    if agent_name is not None:
        query = query.where(Snapshot.agent_name == agent_name)
    return [_record(row) for row in query]


def snapshot_data(record: SnapshotRecord) -> SnapshotData:
    """The file-format view of a stored snapshot (what export writes)."""
    return SnapshotData(
        id=record.id,
        name=record.name,
        agent=record.agent_name,
        weights=dict(record.weights),
        learning_rate=record.learning_rate,
        decay=record.decay,
        created_at=clock.to_iso(record.created_at),
        parent_id=record.parent_id,
        source_session_id=record.source_session_id,
        validation=record.validation,
        notes=record.notes,
    )


def feedback_turns(
    session_ids: Sequence[str],
) -> list[tuple[int, tuple[str, ...], dict[str, float]]]:
    """(rating, tags, weights the reply was produced with) for every rated reply, oldest
    first. A lean twin of messages.rated_messages for validating over many turns."""
    out: list[tuple[int, tuple[str, ...], dict[str, float]]] = []
    ids = list(session_ids)
    for start in range(0, len(ids), _CHUNK):
        query = (
            Message.select(Feedback.rating, Feedback.tags, Message.weights)
            .join(Feedback, on=(Feedback.message_id == Message.id))
            .where(Message.session_id.in_(ids[start : start + _CHUNK]))
            .order_by(Message.created_at, Message.id)
        )
        sql, params = query.sql()
        rows = database.execute_sql(sql, params).fetchall()
        # One JSON parse per column instead of one per row: 10,000 rated turns validate
        # in well under the 50 ms budget (benchmarks/bench_snapshots.py).
        tags = json.loads("[" + ",".join(row[1] for row in rows) + "]")
        weights = json.loads("[" + ",".join(row[2] or "null" for row in rows) + "]")
        out.extend(
            (row[0], tuple(row_tags), row_weights or {})
            for row, row_tags, row_weights in zip(rows, tags, weights, strict=True)
        )
    return out
