"""A/B experiments: their rows, each user's arm, and what each arm's sessions collected."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any, cast

from peewee import JOIN, IntegrityError, fn

from desktop_agent.domain.errors import InvalidInputError
from desktop_agent.store import clock, engine
from desktop_agent.store.db import database
from desktop_agent.store.errors import ConflictError, NotFoundError
from desktop_agent.store.models import (
    Agent,
    Experiment,
    ExperimentAssignment,
    Feedback,
    Message,
    Session,
)
from desktop_agent.store.records import ExperimentRecord

ARMS = ("a", "b")


@dataclass(frozen=True)
class ArmCounts:
    """Raw figures for one arm, straight from the sessions started in it."""

    users: int
    sessions: int
    rated: int
    approved: int


def _select() -> Any:
    return (
        Experiment.select(Experiment, Agent.name.alias("agent_name"))
        .join(Agent, JOIN.INNER, on=(Experiment.agent_id == Agent.id))
        .dicts()
    )


def _record(row: dict[str, Any]) -> ExperimentRecord:
    return ExperimentRecord(
        id=row["id"],
        name=row["name"],
        agent_id=row["agent_id"],
        agent_name=row["agent_name"],
        snapshot_a=row["snapshot_a"],
        snapshot_b=row["snapshot_b"],
        split=row["split"],
        status=row["status"],
        created_at=row["created_at"],
        stopped_at=row["stopped_at"],
        promoted=row["promoted"],
    )


def create_experiment(
    *, name: str, agent_id: int, snapshot_a: str, snapshot_b: str, split: float
) -> ExperimentRecord:
    """A running experiment; at most one runs per agent, so a new session has one arm."""
    name = " ".join(name.split())
    if not name or len(name) > 100:
        raise InvalidInputError("experiment name must be 1–100 characters")
    with database.atomic():
        if running_experiment(agent_id) is not None:
            raise ConflictError("this agent already has a running experiment; stop it first")
        new_id = str(uuid.uuid4())
        try:
            Experiment.insert(
                id=new_id,
                name=name,
                agent_id=agent_id,
                snapshot_a=snapshot_a,
                snapshot_b=snapshot_b,
                split=float(split),
                status="running",
                created_at=clock.now(),
            ).execute()
        except IntegrityError as exc:
            raise ConflictError(f"an experiment named {name!r} already exists") from exc
    return get_experiment(new_id)


def get_experiment(name_or_id: str) -> ExperimentRecord:
    row = _select().where((Experiment.name == name_or_id) | (Experiment.id == name_or_id)).first()
    if row is None:
        raise NotFoundError(f"no experiment {name_or_id!r}")
    return _record(row)


def list_experiments() -> list[ExperimentRecord]:
    """Newest first."""
    return [_record(row) for row in _select().order_by(Experiment.created_at.desc())]


def running_experiment(agent_id: int) -> ExperimentRecord | None:
    row = (
        _select()
        .where((Experiment.agent_id == agent_id) & (Experiment.status == "running"))
        .order_by(Experiment.created_at.desc())
        .first()
    )
    return None if row is None else _record(row)


def stop_experiment(experiment_id: str, *, promoted: str | None = None) -> ExperimentRecord:
    """Stop (idempotent) and, when given, record which arm was promoted."""
    current = get_experiment(experiment_id)
    fields: dict[str, object] = {}
    if current.status == "running":
        fields.update(status="stopped", stopped_at=clock.now())
    if promoted is not None:
        if promoted not in ARMS:
            raise InvalidInputError(f"arm must be 'a' or 'b', got {promoted!r}")
        fields["promoted"] = promoted
    if fields:
        changed = Experiment.update(**fields).where(Experiment.id == current.id).execute()
        if not changed:  # a team store's row-level security: not this member's to stop
            raise ConflictError(
                f"experiment {current.name!r} can be stopped or promoted only by the member "
                "who created it (or the team store's owner)"
            )
    return get_experiment(current.id)


def assigned_arm(experiment_id: str, user_id: int) -> str | None:
    row = (
        ExperimentAssignment.select(ExperimentAssignment.arm)
        .where(
            (ExperimentAssignment.experiment_id == experiment_id)
            & (ExperimentAssignment.user_id == user_id)
        )
        .first()
    )
    return None if row is None else str(row.arm)


def record_assignment(experiment_id: str, user_id: int, arm: str) -> str:
    """Store the user's arm once; later calls return the arm already stored."""
    if arm not in ARMS:
        raise InvalidInputError(f"arm must be 'a' or 'b', got {arm!r}")
    with database.atomic():
        ExperimentAssignment.insert(
            experiment_id=experiment_id, user_id=user_id, arm=arm, assigned_at=clock.now()
        ).on_conflict_ignore().execute()
        stored = assigned_arm(experiment_id, user_id)
    return stored or arm


def _rows(query: Any) -> list[tuple[Any, ...]]:
    # .tuples() rows; peewee's hints say model instances.
    return cast("list[tuple[Any, ...]]", list(query.tuples()))


def arm_counts(experiment_id: str) -> dict[str, ArmCounts]:
    """Users assigned, sessions started, and rated/approved replies, for each arm."""
    if engine.is_postgres():  # every member's sessions, which no member may read
        rows = database.execute_sql("SELECT * FROM da_arm_counts(%s)", (experiment_id,))
        return {arm: ArmCounts(*(int(v) for v in counts)) for arm, *counts in rows.fetchall()}
    users = {
        arm: count
        for arm, count in _rows(
            ExperimentAssignment.select(
                ExperimentAssignment.arm, fn.COUNT(ExperimentAssignment.user_id)
            )
            .where(ExperimentAssignment.experiment_id == experiment_id)
            .group_by(ExperimentAssignment.arm)
        )
    }
    sessions = {
        arm: count
        for arm, count in _rows(
            Session.select(Session.arm, fn.COUNT(Session.id))
            .where(Session.experiment_id == experiment_id)
            .group_by(Session.arm)
        )
    }
    ratings = {
        arm: (rated, approved or 0)
        for arm, rated, approved in _rows(
            Session.select(Session.arm, fn.COUNT(Feedback.message_id), fn.SUM(Feedback.rating == 1))
            .join(Message, on=(Message.session_id == Session.id))
            .join(Feedback, on=(Feedback.message_id == Message.id))
            .where(Session.experiment_id == experiment_id)
            .group_by(Session.arm)
        )
    }
    return {
        arm: ArmCounts(
            users=int(users.get(arm, 0)),
            sessions=int(sessions.get(arm, 0)),
            rated=int(ratings.get(arm, (0, 0))[0]),
            approved=int(ratings.get(arm, (0, 0))[1]),
        )
        for arm in ARMS
    }
