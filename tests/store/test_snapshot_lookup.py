"""A snapshot named like the start of another snapshot's id is found by its name."""

from __future__ import annotations

from desktop_agent.domain.weights import DEFAULT_WEIGHTS
from desktop_agent.store import snapshots
from desktop_agent.store.records import SnapshotRecord


def save(name: str, snapshot_id: str) -> SnapshotRecord:
    return snapshots.save_snapshot(
        name=name,
        agent_name="assistant",
        weights=dict(DEFAULT_WEIGHTS),
        learning_rate=0.15,
        decay=0.0,
        snapshot_id=snapshot_id,
    )


def test_an_exact_name_wins_over_an_id_prefix(store: object) -> None:
    other = save("baseline", "cafe0000-0000-4000-8000-000000000000")
    named = save("cafe", "1b1e0000-0000-4000-8000-000000000000")
    assert snapshots.resolve_snapshot("cafe").id == named.id
    assert snapshots.resolve_snapshot("cafe0000").id == other.id
    assert snapshots.resolve_snapshot("1b1e").id == named.id
