"""`store copy`: the data dir's SQLite store into a team store (`--to`) and a member's
own data back (`--from`), lossless and re-runnable.

A session keeps its id in both stores, which is how a second run knows what it copied:
a session already there is left as it is (reported as "unchanged" when it is the same
document, "kept" when one side changed since). Agents are matched by name; a user's
learned weights are copied for an agent the target has no learned state for yet.
Snapshots and experiments keep their ids too; an experiment already there is left as it
is, like a session. The experiments copied are those of the agents copied, with the
copying user's arm in each, and every copied session stays in the arm it started in,
so the experiment's report in the target counts its ratings.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from peewee import DatabaseError

from desktop_agent.config.secrets import store_password
from desktop_agent.domain.session_tree import SessionTree, dump_session_tree
from desktop_agent.services.session_trees import import_tree, session_tree
from desktop_agent.store import agents, engine, experiment_copy, sessions, snapshots
from desktop_agent.store import experiments as experiment_store
from desktop_agent.store.agents import DEFAULT_USER
from desktop_agent.store.db import database
from desktop_agent.store.errors import NotFoundError, StoreError
from desktop_agent.store.learned_copy import LearnedCopy, read_learned, write_learned
from desktop_agent.store.team import open_team_store, parse_store_url

if TYPE_CHECKING:
    from collections.abc import Callable

    from desktop_agent.store.experiment_copy import AssignmentCopy
    from desktop_agent.store.records import AgentRecord, ExperimentRecord, SnapshotRecord


@dataclass
class CopyReport:
    """What `store copy` moved, kept and could not move."""

    direction: str  # "to" (SQLite → team store) | "from" (team store → SQLite)
    server: str  # HOST:PORT/DB
    user: str  # whose data: the local handle
    role: str  # the member on the team store
    copied: list[str] = field(default_factory=list)  # session ids
    unchanged: list[str] = field(default_factory=list)  # copied before, the same
    kept: list[str] = field(default_factory=list)  # copied before, changed since: kept
    failed: list[tuple[str, str]] = field(default_factory=list)  # (session id, reason)
    agents_created: list[str] = field(default_factory=list)
    learned_copied: list[str] = field(default_factory=list)  # agent names
    snapshots_copied: list[str] = field(default_factory=list)  # snapshot ids
    experiments_copied: list[str] = field(default_factory=list)  # experiment ids
    experiments_unchanged: list[str] = field(default_factory=list)  # there already, the same
    experiments_kept: list[str] = field(default_factory=list)  # there, changed since: kept
    experiments_failed: list[tuple[str, str]] = field(default_factory=list)  # (id, reason)
    assignments_copied: list[str] = field(default_factory=list)  # experiment ids

    @property
    def copied_anything(self) -> bool:
        return bool(
            self.copied
            or self.agents_created
            or self.learned_copied
            or self.snapshots_copied
            or self.experiments_copied
            or self.assignments_copied
        )

    @property
    def any_failed(self) -> bool:
        return bool(self.failed or self.experiments_failed)

    def to_json(self) -> dict[str, object]:
        return {
            "direction": self.direction,
            "server": self.server,
            "user": self.user,
            "role": self.role,
            "copied": self.copied,
            "unchanged": self.unchanged,
            "kept": self.kept,
            "failed": [{"session_id": s, "reason": r} for s, r in self.failed],
            "agents_created": self.agents_created,
            "learned_copied": self.learned_copied,
            "snapshots_copied": self.snapshots_copied,
            "experiments_copied": self.experiments_copied,
            "experiments_unchanged": self.experiments_unchanged,
            "experiments_kept": self.experiments_kept,
            "experiments_failed": [
                {"experiment_id": e, "reason": r} for e, r in self.experiments_failed
            ],
            "assignments_copied": self.assignments_copied,
        }


@dataclass(frozen=True)
class _Snapshot:
    """Everything copied, read from the source store before the target is opened."""

    trees: list[SessionTree]
    flags: dict[str, tuple[bool, bool]]  # session id → (pinned, trashed)
    agents: list[AgentRecord]
    learned: list[tuple[str, LearnedCopy]]  # (agent name, learned state)
    snapshots: list[SnapshotRecord]  # of those agents and their experiments, oldest first
    experiments: list[ExperimentRecord]  # of those agents, oldest first
    assignments: list[AssignmentCopy]  # the user's arm in each of them
    links: dict[str, tuple[str, str | None]]  # session id → (experiment id, arm)


def copy_to_team(
    url: str, *, user: str = DEFAULT_USER, progress: Callable[[int, int], None] | None = None
) -> CopyReport:
    """Copy `user`'s sessions (trashed ones too), the agents they use and what the user
    learned from the SQLite store into the team store at `url`, as the URL's role: the
    copies belong to that member. Raises StoreError naming the server."""
    address = parse_store_url(url)
    source = _read(user)
    report = CopyReport("to", address.server, user, address.role)
    _open(url)
    try:
        _write(source, report, agents.default_user(), progress)
    finally:
        engine.use_sqlite()
    return report


def copy_from_team(
    url: str, *, user: str = DEFAULT_USER, progress: Callable[[int, int], None] | None = None
) -> CopyReport:
    """Copy the member's own sessions, the agents they use and what they learned from
    the team store at `url` into the SQLite store, as the local user `user`."""
    address = parse_store_url(url)
    report = CopyReport("from", address.server, user, address.role)
    _open(url)
    try:
        source = _read(agents.default_user())
    finally:
        engine.use_sqlite()
    _write(source, report, user, progress)
    return report


def _open(url: str) -> None:
    address = parse_store_url(url)
    open_team_store(url, password=store_password(address.display))


def _read(user: str) -> _Snapshot:
    try:
        user_rec = agents.get_user(user)
    except LookupError:
        return _Snapshot([], {}, [], [], [], [], [], {})
    records = [
        s
        for trashed in (False, True)
        for s in sessions.list_sessions(user_id=user_rec.id, trashed=trashed, limit=1_000_000)
    ]
    trees = [session_tree(s.id) for s in records]
    flags = {s.id: (s.pinned, s.trashed) for s in records}
    used = {t.agent for t in trees}
    learned = [(agents.get_agent(item.agent_id).name, item) for item in read_learned(user_rec.id)]
    used |= {name for name, _ in learned}
    # The experiments of those agents, and any other the user has an arm in.
    assignments = experiment_copy.read_assignments(user_rec.id)
    assigned = {a.experiment_id for a in assignments}
    tried = sorted(
        (
            e
            for e in experiment_store.list_experiments()
            if e.agent_name in used or e.id in assigned
        ),
        key=lambda e: e.created_at,
    )
    used |= {e.agent_name for e in tried}
    kept = [a for a in agents.list_agents(include_deleted=True) if a.name in used]
    saved = {snap.id: snap for a in kept for snap in snapshots.list_snapshots(agent_name=a.name)}
    for arm_id in (i for e in tried for i in (e.snapshot_a, e.snapshot_b) if i not in saved):
        if snapshots.snapshot_exists(arm_id):  # an arm must be there before its experiment
            saved[arm_id] = snapshots.get_snapshot(arm_id)
    assignments = [a for a in assignments if a.experiment_id in {e.id for e in tried}]
    links = {s.id: (s.experiment_id, s.arm) for s in records if s.experiment_id is not None}
    return _Snapshot(
        trees,
        flags,
        kept,
        learned,
        sorted(saved.values(), key=lambda snap: snap.created_at),
        tried,
        assignments,
        links,
    )


def _write(
    source: _Snapshot,
    report: CopyReport,
    user: str,
    progress: Callable[[int, int], None] | None,
) -> None:
    with database.atomic():
        user_rec = agents.ensure_user(user)
        for agent in source.agents:
            if not agents.agent_exists(agent.name):
                agents.create_agent(
                    agent.name,
                    system_prompt=agent.system_prompt,
                    primary_model=agent.primary_model,
                    fast_model=agent.fast_model,
                    baseline=agent.baseline,
                    learning_rate=agent.learning_rate,
                    decay=agent.decay,
                )
                report.agents_created.append(agent.name)
        for name, learned in source.learned:
            target = agents.get_agent(name)
            if write_learned(user_rec.id, target.id, learned):
                report.learned_copied.append(name)
        for snap in source.snapshots:  # immutable, with stable ids: copied once
            if not snapshots.snapshot_exists(snap.id):
                snapshots.save_snapshot(
                    name=snap.name,
                    agent_name=snap.agent_name,
                    weights=snap.weights,
                    learning_rate=snap.learning_rate,
                    decay=snap.decay,
                    parent_id=snap.parent_id,
                    source_session_id=snap.source_session_id,
                    validation=snap.validation,
                    notes=snap.notes,
                    snapshot_id=snap.id,
                    created_at=snap.created_at,
                )
                report.snapshots_copied.append(snap.id)
        for experiment in source.experiments:
            _copy_experiment(experiment, report)
        missing = {experiment_id for experiment_id, _ in report.experiments_failed}
        for assignment in source.assignments:
            if assignment.experiment_id not in missing and experiment_copy.write_assignment(
                user_rec.id, assignment
            ):
                report.assignments_copied.append(assignment.experiment_id)
    total = len(source.trees)
    for done, tree in enumerate(source.trees, start=1):
        link = source.links.get(tree.id)
        _copy_session(replace(tree, user=user), source.flags.get(tree.id), link, report)
        if progress is not None:
            progress(done, total)


def _copy_experiment(experiment: ExperimentRecord, report: CopyReport) -> None:
    """Insert it unless it is there (then compared, as a session is). A name taken by
    another experiment, or a second running experiment for the agent, is not copied:
    the report says which and why."""
    if experiment_copy.experiment_exists(experiment.id):
        there = experiment_store.get_experiment(experiment.id)
        same = experiment_copy.same_experiment(there, experiment)
        (report.experiments_unchanged if same else report.experiments_kept).append(experiment.id)
        return
    reason = ""
    agent = agents.get_agent(experiment.agent_name)
    try:
        clash = experiment_store.get_experiment(experiment.name)
        reason = f"another experiment ({clash.id}) is named {experiment.name!r} there"
    except NotFoundError:
        running = experiment_store.running_experiment(agent.id)
        if experiment.status == "running" and running is not None:
            reason = (
                f"agent {agent.name!r} already runs experiment {running.name!r} there; "
                "stop one of them and copy again"
            )
    arms = (experiment.snapshot_a, experiment.snapshot_b)
    if not reason and not all(snapshots.snapshot_exists(arm) for arm in arms):
        reason = "one of its arms' snapshots is missing from the store it is copied from"
    if reason:
        report.experiments_failed.append((experiment.id, f"{experiment.name!r}: {reason}"))
        return
    experiment_copy.write_experiment(experiment, agent.id)
    report.experiments_copied.append(experiment.id)


def _copy_session(
    tree: SessionTree,
    flags: tuple[bool, bool] | None,
    link: tuple[str, str | None] | None,
    report: CopyReport,
) -> None:
    if sessions.session_exists(tree.id):
        same = dump_session_tree(session_tree(tree.id)) == dump_session_tree(tree)
        (report.unchanged if same else report.kept).append(tree.id)
        return
    try:
        with database.atomic():
            session_id, _, _ = import_tree(tree)
            if link is not None:  # the experiment's report counts it there too
                experiment_copy.link_session(session_id, *link)
            pinned, trashed = flags or (False, False)
            if pinned:
                sessions.set_pinned(tree.id, True)
            if trashed:  # in the trash there too (trashed now: the trash's clock restarts)
                sessions.trash_session(tree.id)
    except (StoreError, DatabaseError, ValueError, *engine.sql().driver_errors()) as exc:
        report.failed.append((tree.id, " ".join(str(exc).split())))
        return
    report.copied.append(tree.id)
