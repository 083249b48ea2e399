"""A/B experiments on a real store: creation rules, deterministic arms that new sessions
start from, the report's counts from real sessions and feedback, stop and promote."""

from __future__ import annotations

from pathlib import Path

import pytest

from desktop_agent.domain.errors import InvalidInputError
from desktop_agent.domain.experiments import assign_arm
from desktop_agent.domain.stats import two_proportion_p_value, wilson_interval
from desktop_agent.domain.weights import DEFAULT_WEIGHTS
from desktop_agent.services import experiments
from desktop_agent.services.sessions import start_session
from desktop_agent.store import agents, messages
from desktop_agent.store import snapshots as snap_store
from desktop_agent.store.errors import ConflictError
from desktop_agent.store.records import SnapshotRecord
from desktop_agent.store.weights import Owner, current_weights, list_weight_events

TERSE = {**DEFAULT_WEIGHTS, "verbosity": 0.1}
CHATTY = {**DEFAULT_WEIGHTS, "verbosity": 0.9}


def snapshot(name: str, weights: dict[str, float], agent: str = "assistant") -> SnapshotRecord:
    return snap_store.save_snapshot(
        name=name, agent_name=agent, weights=weights, learning_rate=0.15, decay=0.0
    )


@pytest.fixture
def arms(store: Path) -> tuple[SnapshotRecord, SnapshotRecord]:
    return snapshot("terse", TERSE), snapshot("chatty", CHATTY)


def create(arms: tuple[SnapshotRecord, ...], split: float = 0.5) -> str:
    record = experiments.create_experiment(
        name="length", agent="assistant", snapshot_a=arms[0].id, snapshot_b=arms[1].id, split=split
    )
    return record.id


def users_by_arm(experiment_id: str, split: float = 0.5) -> dict[str, list[str]]:
    """Handles u0, u1, ... split by the documented hash until each arm has two."""
    found: dict[str, list[str]] = {"a": [], "b": []}
    index = 0
    while min(len(v) for v in found.values()) < 2:
        handle = f"u{index}"
        found[assign_arm(experiment_id, handle, split)].append(handle)
        index += 1
    return found


def rate(session_id: str, ups: int, downs: int) -> None:
    for rating in [1] * ups + [-1] * downs:
        reply = messages.append_message(session_id, "assistant", "reply")
        messages.set_feedback(reply.id, rating)


def test_creation_checks_split_arms_and_agent(arms: tuple[SnapshotRecord, ...]) -> None:
    a, b = arms
    for split in (0.0, 1.0, -0.1, float("nan")):
        with pytest.raises(InvalidInputError, match="split"):
            experiments.create_experiment(
                name="x", agent="assistant", snapshot_a=a.id, snapshot_b=b.id, split=split
            )
    with pytest.raises(InvalidInputError, match="different snapshots"):
        experiments.create_experiment(name="x", agent="assistant", snapshot_a=a.id, snapshot_b=a.id)
    agents.create_agent("support")
    theirs = snapshot("theirs", TERSE, agent="support")
    with pytest.raises(InvalidInputError, match="arm b: snapshot 'theirs' belongs to agent"):
        experiments.create_experiment(
            name="x", agent="assistant", snapshot_a=a.id, snapshot_b=theirs.id
        )
    by_name = experiments.create_experiment(
        name="named", agent="assistant", snapshot_a="terse", snapshot_b="chatty"
    )
    assert (by_name.snapshot_a, by_name.snapshot_b) == (a.id, b.id)


def test_no_experiment_means_no_arm(store: Path) -> None:
    assert experiments.arm_for_new_session("assistant", "local") is None
    assert experiments.arm_for_new_session("nobody", "local") is None


def test_new_sessions_start_from_the_users_arm(arms: tuple[SnapshotRecord, ...]) -> None:
    experiment_id = create(arms)
    cohorts = users_by_arm(experiment_id)
    for arm, weights in (("a", TERSE), ("b", CHATTY)):
        for handle in cohorts[arm]:
            session = start_session(user=handle)
            assert (session.experiment_id, session.arm) == (experiment_id, arm)
            assert session.weights == weights
            again = start_session(user=handle)
            assert again.arm == arm
    report = experiments.report("length").report
    for arm in ("a", "b"):
        assert report.arms[arm].users == len(cohorts[arm])
        assert report.arms[arm].sessions == 2 * len(cohorts[arm])


def test_the_stored_arm_wins_over_a_changed_hash(arms: tuple[SnapshotRecord, ...]) -> None:
    from desktop_agent.store import experiments as exp_store

    experiment_id = create(arms)
    user = agents.ensure_user("pinned")
    other = "b" if assign_arm(experiment_id, "pinned", 0.5) == "a" else "a"
    exp_store.record_assignment(experiment_id, user.id, other)
    start = experiments.arm_for_new_session("assistant", "pinned")
    assert start is not None
    assert start.arm == other


def test_stopped_experiments_assign_nobody(arms: tuple[SnapshotRecord, ...]) -> None:
    create(arms)
    experiments.stop("length")
    assert experiments.arm_for_new_session("assistant", "local") is None
    assert start_session().experiment_id is None


def test_report_counts_real_sessions_and_feedback(arms: tuple[SnapshotRecord, ...]) -> None:
    experiment_id = create(arms)
    cohorts = users_by_arm(experiment_id)
    # The documented example: 45/100 in a, 60/100 in b -> p = 0.0337, b wins.
    rate(start_session(user=cohorts["a"][0]).id, 30, 30)
    rate(start_session(user=cohorts["a"][1]).id, 15, 25)
    rate(start_session(user=cohorts["b"][0]).id, 40, 20)
    rate(start_session(user=cohorts["b"][1]).id, 20, 20)
    rate(start_session(user=cohorts["b"][1]).id, 0, 0)
    result = experiments.report("length")
    assert result.experiment.name == "length"
    a, b = result.report.a, result.report.b
    assert (a.users, a.sessions, a.rated, a.approved) == (2, 2, 100, 45)
    assert (b.users, b.sessions, b.rated, b.approved) == (2, 3, 100, 60)
    assert (a.approval, b.approval) == (0.45, 0.6)
    assert (a.ci_low, a.ci_high) == wilson_interval(45, 100)
    assert result.report.p_value == pytest.approx(0.0337, abs=1e-4)
    assert result.report.p_value == two_proportion_p_value(45, 100, 60, 100)
    assert result.report.winner == "b"
    assert (a.snapshot_id, b.snapshot_id) == (arms[0].id, arms[1].id)
    document = result.to_json()
    assert (document["name"], document["status"], document["winner"]) == ("length", "running", "b")
    assert document["arms"] == {"a": a.to_json(), "b": b.to_json()}


def test_promote_applies_the_winner_to_the_baseline(arms: tuple[SnapshotRecord, ...]) -> None:
    experiment_id = create(arms)
    cohorts = users_by_arm(experiment_id)
    rate(start_session(user=cohorts["a"][0]).id, 45, 55)
    rate(start_session(user=cohorts["b"][0]).id, 60, 40)
    record, events = experiments.promote("length")
    assert (record.status, record.promoted) == ("stopped", "b")
    owner = Owner.agent(agents.get_agent("assistant").id)
    assert current_weights(owner) == CHATTY
    assert [e.cause for e in events] == [f"snapshot:{arms[1].id}"]
    assert list_weight_events(owner)[-1].weight == "verbosity"


def test_promote_without_a_winner_needs_an_arm(arms: tuple[SnapshotRecord, ...]) -> None:
    create(arms)
    with pytest.raises(ConflictError, match="no winner yet"):
        experiments.promote("length")
    assert experiments.report("length").experiment.status == "running"
    record, _ = experiments.promote("length", arm="a")
    assert record.promoted == "a"
    assert current_weights(Owner.agent(agents.get_agent("assistant").id)) == TERSE
