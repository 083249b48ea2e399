"""Snapshot and experiment rows on a real SQLite file: save, resolve, list, the file view,
the lean feedback query, assignments and per-arm counts."""

from __future__ import annotations

from pathlib import Path

import pytest

from desktop_agent.domain.errors import InvalidInputError
from desktop_agent.domain.snapshot_file import dump_snapshot_file, parse_snapshot_file
from desktop_agent.domain.weights import DEFAULT_WEIGHTS
from desktop_agent.store import agents, clock
from desktop_agent.store import experiments as exp_store
from desktop_agent.store import snapshots as snap_store
from desktop_agent.store.errors import ConflictError, NotFoundError
from desktop_agent.store.records import SnapshotRecord
from tests.support.snapshot_data import rated_session

WEIGHTS = {
    "verbosity": 0.2,
    "formality": 0.7,
    "autonomy": 0.5,
    "initiative": 0.9,
    "speed_vs_quality": 0.4,
}


def save(name: str = "v1", **fields: object) -> SnapshotRecord:
    values: dict[str, object] = {
        "name": name,
        "agent_name": "assistant",
        "weights": WEIGHTS,
        "learning_rate": 0.15,
        "decay": 0.0,
    }
    values.update(fields)
    return snap_store.save_snapshot(**values)  # type: ignore[arg-type]


def test_save_and_get_round_trip(store: Path) -> None:
    validation = {"verdict": "pass", "reasons": ["ok"], "metrics": {"approval": None}}
    saved = save(notes="first", validation=validation, created_at=1_700_000_000.75)
    got = snap_store.get_snapshot(saved.id)
    assert got == saved
    assert got.weights == WEIGHTS
    assert got.validation == validation
    assert got.notes == "first"
    assert got.created_at == 1_700_000_000.0  # whole seconds, like the file format


def test_partial_weights_and_bad_names_are_refused(store: Path) -> None:
    with pytest.raises(InvalidInputError, match="unknown weight 'loudness'"):
        save(weights={"loudness": 0.3})
    with pytest.raises(InvalidInputError, match="snapshot name"):
        save(name="   ")
    with pytest.raises(InvalidInputError, match="snapshot name"):
        save(name="x" * 201)
    assert snap_store.list_snapshots() == []


def test_an_existing_id_is_never_overwritten(store: Path) -> None:
    first = save()
    with pytest.raises(ConflictError, match="already exists"):
        save(name="other", snapshot_id=first.id)
    assert snap_store.get_snapshot(first.id).name == "v1"


def test_resolve_by_id_prefix_or_unique_name(store: Path) -> None:
    a = save("alpha")
    b = save("beta")
    save("beta")
    assert snap_store.resolve_snapshot(a.id) == a
    assert snap_store.resolve_snapshot(a.id[:8]) == a
    assert snap_store.resolve_snapshot("alpha") == a
    with pytest.raises(NotFoundError, match="several snapshots are named 'beta'"):
        snap_store.resolve_snapshot("beta")
    assert snap_store.resolve_snapshot(b.id).name == "beta"
    with pytest.raises(NotFoundError, match="no snapshot 'gamma'"):
        snap_store.resolve_snapshot("gamma")


def test_list_is_newest_first_and_filters_by_agent(store: Path) -> None:
    agents.create_agent("support")
    old = save("old", created_at=1000.0)
    new = save("new", created_at=2000.0)
    other = save("theirs", agent_name="support", created_at=3000.0)
    assert [s.id for s in snap_store.list_snapshots()] == [other.id, new.id, old.id]
    assert [s.id for s in snap_store.list_snapshots(agent_name="assistant")] == [new.id, old.id]


def test_file_view_survives_export_and_parse(store: Path) -> None:
    saved = save(notes="n", validation={"verdict": "warn", "reasons": [], "metrics": {}})
    data = snap_store.snapshot_data(saved)
    assert data.created_at == clock.to_iso(saved.created_at)
    parsed = parse_snapshot_file(dump_snapshot_file(data), baseline=DEFAULT_WEIGHTS)
    assert parsed.snapshot == data


def test_feedback_turns_carry_rating_tags_and_reply_weights(store: Path) -> None:
    first = rated_session([(1, ()), (-1, ("too_long", "too_formal"))], reply_weights=WEIGHTS)
    second = rated_session([(-1, ())], user="bob")
    unrated = rated_session([])
    turns = snap_store.feedback_turns([first, second, unrated])
    assert turns == [
        (1, (), WEIGHTS),
        (-1, ("too_long", "too_formal"), WEIGHTS),
        (-1, (), dict(DEFAULT_WEIGHTS)),
    ]
    assert snap_store.feedback_turns([]) == []
    assert snap_store.feedback_turns([unrated]) == []


# -- experiments


def experiment(name: str = "exp", split: float = 0.5) -> exp_store.ExperimentRecord:
    a, b = save("a"), save("b")
    agent = agents.get_agent("assistant")
    return exp_store.create_experiment(
        name=name, agent_id=agent.id, snapshot_a=a.id, snapshot_b=b.id, split=split
    )


def test_one_running_experiment_per_agent_and_unique_names(store: Path) -> None:
    first = experiment("one")
    assert exp_store.running_experiment(first.agent_id) == first
    with pytest.raises(ConflictError, match="already has a running experiment"):
        experiment("two")
    exp_store.stop_experiment(first.id)
    with pytest.raises(ConflictError, match="already exists"):
        experiment("one")
    second = experiment("two")
    assert exp_store.running_experiment(first.agent_id) == second
    assert [e.name for e in exp_store.list_experiments()] == ["two", "one"]


def test_stop_is_idempotent_and_records_the_promoted_arm(store: Path) -> None:
    record = experiment()
    stopped = exp_store.stop_experiment(record.id)
    assert stopped.status == "stopped"
    assert stopped.stopped_at is not None
    again = exp_store.stop_experiment(record.name, promoted="b")
    assert again.stopped_at == stopped.stopped_at
    assert again.promoted == "b"
    assert exp_store.running_experiment(record.agent_id) is None
    with pytest.raises(InvalidInputError):
        exp_store.stop_experiment(record.id, promoted="c")


def test_assignment_is_stored_once(store: Path) -> None:
    record = experiment()
    user = agents.ensure_user("ann")
    assert exp_store.assigned_arm(record.id, user.id) is None
    assert exp_store.record_assignment(record.id, user.id, "b") == "b"
    assert exp_store.record_assignment(record.id, user.id, "a") == "b"
    assert exp_store.assigned_arm(record.id, user.id) == "b"


def test_arm_counts_come_from_sessions_and_their_feedback(store: Path) -> None:
    record = experiment()
    for handle, arm in (("ann", "a"), ("bob", "a"), ("cat", "b")):
        exp_store.record_assignment(record.id, agents.ensure_user(handle).id, arm)
    # a: ann 2 sessions (up, up, down) + bob (down); b: cat (up, up, up, down).
    rated_session([(1, ()), (1, ())], user="ann", experiment_id=record.id, arm="a")
    rated_session([(-1, ())], user="ann", experiment_id=record.id, arm="a")
    rated_session([(-1, ("too_long",))], user="bob", experiment_id=record.id, arm="a")
    rated_session(
        [(1, ()), (1, ()), (1, ()), (-1, ())], user="cat", experiment_id=record.id, arm="b"
    )
    rated_session([(1, ())], user="dan")  # not in the experiment
    counts = exp_store.arm_counts(record.id)
    assert counts["a"] == exp_store.ArmCounts(users=2, sessions=3, rated=4, approved=2)
    assert counts["b"] == exp_store.ArmCounts(users=1, sessions=1, rated=4, approved=3)


def test_arm_counts_of_an_empty_experiment_are_zero(store: Path) -> None:
    record = experiment()
    zero = exp_store.ArmCounts(0, 0, 0, 0)
    assert exp_store.arm_counts(record.id) == {"a": zero, "b": zero}
