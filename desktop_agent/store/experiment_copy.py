"""A/B experiments, a user's arm assignments and which sessions ran in which arm, read
from one store and written to another by `store copy` (services/store_copy.py).

An experiment keeps its id (a uuid4) in both stores, as a snapshot does: that is how a
second copy knows it is there already.
"""

from __future__ import annotations

from dataclasses import astuple, dataclass
from typing import TYPE_CHECKING

from desktop_agent.store.models import Experiment, ExperimentAssignment, Session

if TYPE_CHECKING:
    from desktop_agent.store.records import ExperimentRecord


@dataclass(frozen=True)
class AssignmentCopy:
    """A member's experiment arm, copied with the experiment."""

    experiment_id: str
    arm: str
    assigned_at: float


def experiment_exists(experiment_id: str) -> bool:
    return bool(Experiment.select().where(Experiment.id == experiment_id).exists())


def same_experiment(a: ExperimentRecord, b: ExperimentRecord) -> bool:
    """The same experiment in the same state (agent ids are each store's own)."""

    def key(e: ExperimentRecord) -> tuple[object, ...]:
        return (
            e.id,
            e.name,
            e.agent_name,
            e.snapshot_a,
            e.snapshot_b,
            e.split,
            e.status,
            e.created_at,
            e.stopped_at,
            e.promoted,
        )

    return key(a) == key(b)


def write_experiment(experiment: ExperimentRecord, agent_id: int) -> None:
    """Insert it as it is (id, status, times, promoted arm) under this store's agent id.
    The caller holds the transaction and has checked the id and name are free."""
    Experiment.insert(
        id=experiment.id,
        name=experiment.name,
        agent_id=agent_id,
        snapshot_a=experiment.snapshot_a,
        snapshot_b=experiment.snapshot_b,
        split=experiment.split,
        status=experiment.status,
        created_at=experiment.created_at,
        stopped_at=experiment.stopped_at,
        promoted=experiment.promoted,
    ).execute()


def read_assignments(user_id: int) -> list[AssignmentCopy]:
    """The user's arm in every experiment they take part in, oldest first."""
    rows = (
        ExperimentAssignment.select()
        .where(ExperimentAssignment.user_id == user_id)
        .order_by(ExperimentAssignment.assigned_at)
    )
    return [AssignmentCopy(str(r.experiment_id), str(r.arm), float(r.assigned_at)) for r in rows]


def write_assignment(user_id: int, assignment: AssignmentCopy) -> bool:
    """Store the user's arm unless they have one in this experiment here already (that
    one is kept: it is the arm their sessions here started in). True if stored."""
    exists = (
        ExperimentAssignment.select()
        .where(
            (ExperimentAssignment.experiment_id == assignment.experiment_id)
            & (ExperimentAssignment.user_id == user_id)
        )
        .exists()
    )
    if exists:
        return False
    experiment_id, arm, assigned_at = astuple(assignment)
    ExperimentAssignment.insert(
        experiment_id=experiment_id, user_id=user_id, arm=arm, assigned_at=assigned_at
    ).execute()
    return True


def link_session(session_id: str, experiment_id: str, arm: str | None) -> None:
    """Mark a copied session as started in `arm` of the experiment (its activity time
    stays as it was: the report counts it, the session list does not move it)."""
    Session.update(experiment_id=experiment_id, arm=arm).where(Session.id == session_id).execute()
