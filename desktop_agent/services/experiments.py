"""A/B experiments between two snapshots of one agent across user cohorts: creating them,
placing each user's new sessions in their arm, the report, stopping and promoting."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

from desktop_agent.domain.errors import InvalidInputError
from desktop_agent.domain.experiments import (
    ArmStats,
    ExperimentReport,
    assign_arm,
    experiment_report,
)
from desktop_agent.store import agents
from desktop_agent.store import experiments as store
from desktop_agent.store import snapshots as snapshot_store
from desktop_agent.store.db import database
from desktop_agent.store.errors import ConflictError, NotFoundError
from desktop_agent.store.weights import Owner

if TYPE_CHECKING:
    from desktop_agent.store.records import ExperimentRecord, WeightEventRecord

ALPHA = 0.05


@dataclass(frozen=True)
class ArmStart:
    """The experiment arm a new session starts in, with that arm's weights."""

    experiment_id: str
    arm: str  # "a" | "b"
    weights: dict[str, float]


def create_experiment(
    *, name: str, agent: str, snapshot_a: str, snapshot_b: str, split: float = 0.5
) -> ExperimentRecord:
    """A running experiment; the snapshots (id, prefix or name) must belong to `agent`."""
    if isinstance(split, bool) or not math.isfinite(split) or not 0.0 < split < 1.0:
        raise InvalidInputError(f"split must be strictly between 0 and 1, got {split!r}")
    agent_rec = agents.get_agent(agent, include_deleted=False)
    a = snapshot_store.resolve_snapshot(snapshot_a)
    b = snapshot_store.resolve_snapshot(snapshot_b)
    if a.id == b.id:
        raise InvalidInputError("arms a and b must be different snapshots")
    for arm, snap in (("a", a), ("b", b)):
        if snap.agent_name != agent_rec.name:
            raise InvalidInputError(
                f"arm {arm}: snapshot {snap.name!r} belongs to agent {snap.agent_name!r}, "
                f"not {agent_rec.name!r}"
            )
    return store.create_experiment(
        name=name, agent_id=agent_rec.id, snapshot_a=a.id, snapshot_b=b.id, split=split
    )


def arm_snapshot_id(experiment: ExperimentRecord, arm: str) -> str:
    return experiment.snapshot_a if arm == "a" else experiment.snapshot_b


def arm_for_new_session(agent: str, user: str) -> ArmStart | None:
    """The arm a new session of `user` with `agent` starts from, if an experiment runs.

    The arm is assign_arm(experiment, user, split) the first time, then the stored one.
    """
    try:
        agent_rec = agents.get_agent(agent, include_deleted=False)
    except NotFoundError:
        return None  # creating the session reports the missing agent
    experiment = store.running_experiment(agent_rec.id)
    if experiment is None:
        return None
    with database.atomic():
        user_rec = agents.ensure_user(user)
        arm = store.assigned_arm(experiment.id, user_rec.id)
        if arm is None:
            arm = store.record_assignment(
                experiment.id,
                user_rec.id,
                assign_arm(experiment.id, user_rec.handle, experiment.split),
            )
    snapshot = snapshot_store.get_snapshot(arm_snapshot_id(experiment, arm))
    return ArmStart(experiment.id, arm, dict(snapshot.weights))


@dataclass(frozen=True)
class ExperimentResult:
    """An experiment and its report, as `experiment report` prints it."""

    experiment: ExperimentRecord
    report: ExperimentReport

    def to_json(self) -> dict[str, object]:
        return {**experiment_json(self.experiment), **self.report.to_json()}


def report(name: str) -> ExperimentResult:
    """Counts from the store, the statistics from domain.experiments (docs/validation.md)."""
    experiment = store.get_experiment(name)
    counts = store.arm_counts(experiment.id)
    arms = [
        ArmStats(
            arm_snapshot_id(experiment, arm),
            counts[arm].users,
            counts[arm].sessions,
            counts[arm].rated,
            counts[arm].approved,
        )
        for arm in store.ARMS
    ]
    return ExperimentResult(experiment, experiment_report(arms[0], arms[1], ALPHA))


def experiment_json(experiment: ExperimentRecord) -> dict[str, object]:
    from desktop_agent.domain.timestamps import to_iso

    return {
        "id": experiment.id,
        "name": experiment.name,
        "agent": experiment.agent_name,
        "snapshot_a": experiment.snapshot_a,
        "snapshot_b": experiment.snapshot_b,
        "split": experiment.split,
        "status": experiment.status,
        "created_at": to_iso(experiment.created_at),
        "stopped_at": None if experiment.stopped_at is None else to_iso(experiment.stopped_at),
        "promoted": experiment.promoted,
    }


def list_experiments() -> list[ExperimentRecord]:
    return store.list_experiments()


def stop(name: str) -> ExperimentRecord:
    """New sessions start as usual again; existing sessions keep their weights."""
    return store.stop_experiment(store.get_experiment(name).id)


def promote(
    name: str, *, arm: str | None = None, force: bool = False
) -> tuple[ExperimentRecord, list[WeightEventRecord]]:
    """Apply the winning arm's snapshot (or `arm`'s) to the agent's baseline and stop."""
    from desktop_agent.services.snapshots import apply_snapshot

    experiment = store.get_experiment(name)
    if arm is None:
        winner = report(name).report.winner
        if winner is None:
            raise ConflictError(
                f"experiment {experiment.name!r} has no winner yet; pass --arm a|b to choose"
            )
        arm = winner
    if arm not in store.ARMS:
        raise InvalidInputError(f"arm must be 'a' or 'b', got {arm!r}")
    with database.atomic():
        events = apply_snapshot(
            arm_snapshot_id(experiment, arm), Owner.agent(experiment.agent_id), force=force
        )
        stopped = store.stop_experiment(experiment.id, promoted=arm)
    return stopped, events
