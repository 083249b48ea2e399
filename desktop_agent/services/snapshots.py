"""Snapshots end to end: save with a validation report, validate, apply as weight events,
export to a file, import a file (checked completely before anything is stored)."""

from __future__ import annotations

import dataclasses
import uuid
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from desktop_agent.domain.calibration import (
    STABILITY_TURNS,
    RatedTurn,
    Thresholds,
    ValidationReport,
    validate_weights,
)
from desktop_agent.domain.causes import Cause, CauseKind
from desktop_agent.domain.errors import InvalidInputError
from desktop_agent.domain.snapshot_file import SnapshotData, dump_snapshot_file, parse_snapshot_file
from desktop_agent.domain.weights import DEFAULT_WEIGHTS, check_weights
from desktop_agent.domain.whatif import WeightShift, changes_json, weight_changes

# Simulation lives in services.whatif; these names are part of this module's API too.
from desktop_agent.services.whatif import candidate_from_file as candidate_from_file
from desktop_agent.services.whatif import diff_snapshots as diff_snapshots
from desktop_agent.services.whatif import judge_goal as judge_goal
from desktop_agent.services.whatif import live_replay as live_replay
from desktop_agent.services.whatif import whatif_session as whatif_session
from desktop_agent.store import agents, clock, sessions
from desktop_agent.store import snapshots as store
from desktop_agent.store.db import database
from desktop_agent.store.errors import ConflictError, NotFoundError

# Reads: the store's queries, returning plain records.
from desktop_agent.store.snapshots import get_snapshot as get_snapshot
from desktop_agent.store.snapshots import list_snapshots as list_snapshots
from desktop_agent.store.snapshots import resolve_snapshot as resolve_snapshot
from desktop_agent.store.weights import Owner, current_weights, list_weight_events, set_weights

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from desktop_agent.config.settings import ValidationThresholds
    from desktop_agent.store.records import SnapshotRecord, WeightEventRecord

DEFAULT_IMPORT_NAME = "imported"


def thresholds_from(settings: ValidationThresholds | None) -> Thresholds:
    """The domain's thresholds from the settings file's (same field names)."""
    if settings is None:
        return Thresholds()
    names = {f.name for f in dataclasses.fields(Thresholds)}
    values = {k: v for k, v in dataclasses.asdict(settings).items() if k in names}
    return Thresholds(**values)


@dataclass(frozen=True)
class SnapshotValidation:
    """A validation report plus what it was computed from, as stored with a snapshot."""

    report: ValidationReport
    basis: dict[str, object]  # scope, agent, user, session_id, sessions
    notes: tuple[str, ...] = ()

    @property
    def verdict(self) -> str:
        return self.report.verdict

    def to_json(self) -> dict[str, object]:
        return {**self.report.to_json(), "basis": dict(self.basis), "notes": list(self.notes)}


# -- the data behind a validation


def sessions_behind(owner: Owner) -> list[str]:
    """A session: itself; a user: their sessions with the agent; an agent: all its sessions.

    Trashed sessions are left out: the user threw them away.
    """
    if owner.scope == "session":
        assert owner.session_id is not None
        return [owner.session_id]
    user_id = owner.user_id if owner.scope == "user" else None
    total = sessions.count_sessions(agent_id=owner.agent_id, user_id=user_id)
    listed = sessions.list_sessions(agent_id=owner.agent_id, user_id=user_id, limit=max(total, 1))
    return [s.id for s in listed]


def rated_turns(session_ids: Sequence[str]) -> list[RatedTurn]:
    return [
        RatedTurn(rating, tags, weights)
        for rating, tags, weights in store.feedback_turns(session_ids)
    ]


def recent_weights(
    owner: Owner, *, turns: int = STABILITY_TURNS, until: float | None = None
) -> list[dict[str, float]]:
    """The owner's weights after each of its last `turns` changes (one stored change group
    per turn), oldest first; with `until`, as they were at that time.

    Rebuilt backwards from the current weights by undoing events, so it needs no record
    of where the owner started.
    """
    events = list_weight_events(owner)
    state = current_weights(owner)
    if until is not None:
        while events and events[-1].created_at > until:
            state[events[-1].weight] = events.pop().old
    states = [dict(state)]
    groups = _change_groups(events)
    for group in reversed(groups):
        if len(states) >= turns:
            break
        for event in reversed(group):
            state[event.weight] = event.old
        states.append(dict(state))
    states.reverse()
    return states


def _change_groups(events: Sequence[WeightEventRecord]) -> list[list[WeightEventRecord]]:
    """Events stored together (same time and message) form one turn's change."""
    groups: list[list[WeightEventRecord]] = []
    for event in events:
        last = groups[-1][-1] if groups else None
        if last is not None and (last.created_at, last.message_id) == (
            event.created_at,
            event.message_id,
        ):
            groups[-1].append(event)
        else:
            groups.append([event])
    return groups


def goal_progress_of(session_ids: Sequence[str]) -> float | None:
    """The judged progress of the sessions' goals: their mean, or None when none is judged."""
    values = []
    for session_id in session_ids:
        session = sessions.get_session(session_id)
        if session.goal and session.goal_progress is not None:
            values.append(session.goal_progress)
    return sum(values) / len(values) if values else None


def _basis(owner: Owner, session_count: int) -> dict[str, object]:
    return {
        "scope": owner.scope,
        "agent": agents.get_agent(owner.agent_id).name,
        "user": None if owner.user_id is None else agents.get_user(owner.user_id).handle,
        "session_id": owner.session_id,
        "sessions": session_count,
    }


def validate_owner(
    owner: Owner,
    weights: Mapping[str, float] | None = None,
    *,
    thresholds: Thresholds | None = None,
    until: float | None = None,
    notes: Sequence[str] = (),
) -> SnapshotValidation:
    """Validate `weights` (default: the owner's current ones) against the recorded
    feedback of the sessions behind the owner (docs/validation.md)."""
    candidate = current_weights(owner) if weights is None else weights
    session_ids = sessions_behind(owner)
    report = validate_weights(
        candidate,
        agents.get_agent(owner.agent_id).baseline,
        rated_turns(session_ids),
        recent_weights=recent_weights(owner, until=until),
        goal_progress=goal_progress_of(session_ids),
        thresholds=thresholds or Thresholds(),
    )
    return SnapshotValidation(report, _basis(owner, len(session_ids)), tuple(notes))


def _owner_from_basis(snapshot: SnapshotRecord) -> Owner | None:
    """Where the snapshot's feedback comes from now: the recorded basis while it exists,
    else its source session, else every session of its agent (None: no such agent)."""
    basis = snapshot.validation.get("basis") if snapshot.validation else None
    basis = basis if isinstance(basis, dict) else {}
    try:
        agent = agents.get_agent(snapshot.agent_name)
    except NotFoundError:
        return None
    session_id = basis.get("session_id") or snapshot.source_session_id
    if isinstance(session_id, str) and sessions.session_exists(session_id):
        session = sessions.get_session(session_id)
        if session.agent_id == agent.id:
            return Owner.session(session_id)
    user = basis.get("user")
    if basis.get("scope") == "user" and isinstance(user, str):
        try:
            return Owner.user(agents.get_user(user).id, agent.id)
        except NotFoundError:
            pass
    return Owner.agent(agent.id)


def validate_snapshot(
    snapshot: SnapshotRecord, *, thresholds: Thresholds | None = None
) -> SnapshotValidation:
    """Re-validate a stored snapshot against the feedback recorded so far."""
    owner = _owner_from_basis(snapshot)
    if owner is None:
        report = validate_weights(
            snapshot.weights, DEFAULT_WEIGHTS, [], thresholds=thresholds or Thresholds()
        )
        note = f"agent {snapshot.agent_name!r} does not exist here: no feedback to judge by"
        basis: dict[str, object] = {"scope": "none", "agent": snapshot.agent_name, "sessions": 0}
        return SnapshotValidation(report, basis, (note,))
    # Stability as it was when the snapshot was taken (created_at is whole seconds).
    return validate_owner(
        owner, snapshot.weights, thresholds=thresholds, until=snapshot.created_at + 1.0
    )


# -- save and apply


def parent_of(owner: Owner) -> str | None:
    """The snapshot the owner's weights last came from: the latest 'snapshot:<id>' event,
    else, for a session started in an experiment, its arm's snapshot."""
    for event in reversed(list_weight_events(owner)):
        cause = Cause(event.cause)
        if cause.kind is CauseKind.SNAPSHOT:
            candidate = cause.detail
            if store.snapshot_exists(candidate):
                return candidate
    if owner.scope == "session" and owner.session_id is not None:
        session = sessions.get_session(owner.session_id)
        if session.experiment_id and session.arm:
            from desktop_agent.store.experiments import get_experiment

            try:
                experiment = get_experiment(session.experiment_id)
            except NotFoundError:
                return None
            return experiment.snapshot_a if session.arm == "a" else experiment.snapshot_b
    return None


def save_snapshot(
    owner: Owner,
    name: str,
    *,
    notes: str = "",
    thresholds: Thresholds | None = None,
    validation_notes: Sequence[str] = (),
) -> SnapshotRecord:
    """Snapshot the owner's current weights with the agent's plasticity, its lineage and
    its validation report. A failing report is stored too: `apply` is what it guards."""
    name = store.check_snapshot_name(name)
    agent = agents.get_agent(owner.agent_id)
    with database.atomic():
        validation = validate_owner(owner, thresholds=thresholds, notes=validation_notes)
        return store.save_snapshot(
            name=name,
            agent_name=agent.name,
            weights=current_weights(owner),
            learning_rate=agent.learning_rate,
            decay=agent.decay,
            parent_id=parent_of(owner),
            source_session_id=owner.session_id,
            validation=validation.to_json(),
            notes=notes,
        )


def stored_verdict(snapshot: SnapshotRecord) -> str | None:
    """The verdict saved with the snapshot ("pass" | "warn" | "fail"), None if none."""
    verdict = snapshot.validation.get("verdict") if snapshot.validation else None
    return verdict if isinstance(verdict, str) else None


def stored_reasons(snapshot: SnapshotRecord) -> tuple[str, ...]:
    """The reasons saved with the snapshot's verdict (none for an unvalidated one)."""
    reasons = snapshot.validation.get("reasons") if snapshot.validation else None
    return tuple(str(reason) for reason in reasons) if isinstance(reasons, list) else ()


def apply_snapshot(
    snapshot_id: str, owner: Owner, *, force: bool = False
) -> list[WeightEventRecord]:
    """Set the owner's weights to the snapshot's, as events with cause 'snapshot:<id>'.

    A snapshot whose saved verdict is `fail` reaches an agent's baseline or a user's
    learned state only with `force`; a session may always try it. Applied to an agent,
    the snapshot's plasticity becomes the agent's too.
    """
    snapshot = store.get_snapshot(snapshot_id)
    agent = agents.get_agent(owner.agent_id)
    if snapshot.agent_name != agent.name:
        raise InvalidInputError(
            f"snapshot {snapshot.name!r} belongs to agent {snapshot.agent_name!r}, "
            f"not {agent.name!r}"
        )
    if owner.scope != "session" and stored_verdict(snapshot) == "fail" and not force:
        raise ConflictError(
            f"snapshot {snapshot.name!r} failed validation; applying it to "
            f"{'an agent' if owner.scope == 'agent' else 'a user'} needs --force"
        )
    with database.atomic():
        events = set_weights(owner, snapshot.weights, cause=Cause.snapshot(snapshot.id))
        if owner.scope == "agent":
            agents.update_agent(
                agent.id, learning_rate=snapshot.learning_rate, decay=snapshot.decay
            )
    return events


# -- files


def export_snapshot(snapshot_id: str) -> bytes:
    try:
        return dump_snapshot_file(store.snapshot_data(store.get_snapshot(snapshot_id)))
    except RecursionError:
        raise InvalidInputError("snapshot cannot be written: nested too deeply") from None


@dataclass(frozen=True)
class ImportResult:
    """What an import stored (or, with dry_run, would store)."""

    snapshot: SnapshotData
    changes: tuple[WeightShift, ...]  # against the agent's baseline
    dry_run: bool
    notes: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, object]:
        data = self.snapshot
        return {
            "id": data.id,
            "name": data.name,
            "agent": data.agent,
            "weights": data.weights,
            "dry_run": self.dry_run,
            "changes": changes_json(self.changes),
            "validation": data.validation,
            "notes": list(self.notes),
        }


FILE_REPORT_KEY = "file_report"  # an imported file's own validation, kept as provenance


def import_snapshot_file(
    raw: bytes,
    *,
    agent: str | None = None,
    name: str | None = None,
    dry_run: bool = False,
    thresholds: Thresholds | None = None,
) -> ImportResult:
    """Check the whole file, then store one new snapshot in one transaction.

    Accepts the snapshot envelope or a bare weights object (missing weights take the
    agent's baseline). A clashing id gets a new id. Any problem raises InvalidInputError
    naming it, and nothing is changed.
    """
    target = agents.get_agent(agent or agents.DEFAULT_AGENT, include_deleted=False)
    try:
        parsed = parse_snapshot_file(raw, baseline=target.baseline)
    except RecursionError:
        raise InvalidInputError("snapshot file: invalid JSON: nested too deeply") from None
    notes: list[str] = []
    if parsed.snapshot is not None:
        data = parsed.snapshot
        if agent is None and data.agent != target.name:
            try:
                target = agents.get_agent(data.agent, include_deleted=False)
            except NotFoundError:
                raise InvalidInputError(
                    f"snapshot file: agent {data.agent!r} does not exist here; "
                    "pass --agent NAME to import it for another agent"
                ) from None
        data = dataclasses.replace(data, agent=target.name)
    else:
        assert parsed.bare_weights is not None
        data = SnapshotData(
            id=str(uuid.uuid4()),
            name=DEFAULT_IMPORT_NAME,
            agent=target.name,
            weights=parsed.bare_weights,
            learning_rate=target.learning_rate,
            decay=target.decay,
            created_at=clock.to_iso(clock.now()),
            notes="imported from a bare weights object",
        )
    if name is not None:
        data = dataclasses.replace(data, name=store.check_snapshot_name(name))
    if store.snapshot_exists(data.id):
        notes.append(f"id {data.id} is already used here; the snapshot gets a new id")
        data = dataclasses.replace(data, id=str(uuid.uuid4()))
    # A file's report is only a claim (anyone can write "pass"): the verdict that guards
    # applying is computed here, from this store's feedback. The claim is kept beside it.
    local = validate_owner(Owner.agent(target.id), data.weights, thresholds=thresholds).to_json()
    if isinstance(data.validation, dict):
        claimed = {k: v for k, v in data.validation.items() if k != FILE_REPORT_KEY}
        local[FILE_REPORT_KEY] = claimed
        if claimed.get("verdict") != local.get("verdict"):
            notes.append(
                f"the file says {claimed.get('verdict')!r}; validated here: "
                f"{local.get('verdict')!r} (the local verdict is kept)"
            )
    data = dataclasses.replace(data, validation=local)
    changes = weight_changes(target.baseline, check_weights(data.weights))
    if not dry_run:
        try:
            with database.atomic():
                store.save_snapshot(
                    name=data.name,
                    agent_name=data.agent,
                    weights=data.weights,
                    learning_rate=data.learning_rate,
                    decay=data.decay,
                    parent_id=data.parent_id,
                    source_session_id=data.source_session_id,
                    validation=data.validation,
                    notes=data.notes,
                    snapshot_id=data.id,
                    created_at=clock.from_iso(data.created_at),
                )
        except RecursionError:
            raise InvalidInputError("snapshot file: validation is nested too deeply") from None
    return ImportResult(data, changes, dry_run, notes)
