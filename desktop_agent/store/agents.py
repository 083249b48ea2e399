"""Agents, local user profiles, and each user's learned weights per agent."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from peewee import IntegrityError

from desktop_agent.domain.errors import InvalidInputError
from desktop_agent.domain.weights import DEFAULT_WEIGHTS, check_weights
from desktop_agent.store import clock, engine
from desktop_agent.store.db import database
from desktop_agent.store.errors import ConflictError, NotFoundError
from desktop_agent.store.models import Agent, LearnedState, UserProfile
from desktop_agent.store.records import AgentRecord, UserRecord

if TYPE_CHECKING:
    from collections.abc import Mapping

DEFAULT_AGENT = "assistant"
DEFAULT_USER = "local"
DEFAULT_SYSTEM_PROMPT = "You are a helpful assistant."


def _agent_record(row: Agent) -> AgentRecord:
    return AgentRecord(
        id=row.id,
        name=row.name,
        system_prompt=row.system_prompt,
        primary_model=row.primary_model,
        fast_model=row.fast_model,
        baseline=json.loads(row.baseline),
        learning_rate=row.learning_rate,
        decay=row.decay,
        created_at=row.created_at,
        deleted=row.deleted_at is not None,
    )


def _user_record(row: UserProfile) -> UserRecord:
    return UserRecord(id=row.id, handle=row.handle, display_name=row.display_name)


def _check_name(name: str, what: str) -> str:
    name = name.strip()
    if not name or len(name) > 100 or any(ch in name for ch in "\n\r\t"):
        raise InvalidInputError(f"{what} name must be 1–100 characters on one line, got {name!r}")
    return name


def ensure_defaults() -> tuple[AgentRecord, UserRecord]:
    """The default agent and user exist from the first start."""
    with database.atomic():
        agent = get_agent(DEFAULT_AGENT) if agent_exists(DEFAULT_AGENT) else None
        if agent is None:
            agent = create_agent(DEFAULT_AGENT, system_prompt=DEFAULT_SYSTEM_PROMPT)
        return agent, ensure_user(default_user())


def default_user() -> str:
    """Who acts when no user is named: on a team store the member's role, else `local`."""
    return engine.team_role() or DEFAULT_USER


def owner_of_import(handle: str) -> str:
    """Whose an imported session becomes: the file's user on SQLite; on a team store the
    member importing it (a file exported from a desktop names `local`, and a member
    cannot act as anyone else)."""
    return engine.team_role() or handle


def agent_exists(name: str) -> bool:
    return Agent.select().where(Agent.name == name).exists()


def create_agent(
    name: str,
    *,
    system_prompt: str = DEFAULT_SYSTEM_PROMPT,
    primary_model: str = "",
    fast_model: str = "",
    baseline: Mapping[str, float] | None = None,
    learning_rate: float = 0.15,
    decay: float = 0.0,
) -> AgentRecord:
    """A new agent; ConflictError if the name is taken, InvalidInputError for bad values."""
    name = _check_name(name, "agent")
    weights = check_weights(baseline or DEFAULT_WEIGHTS)
    _check_plasticity(learning_rate, decay)
    try:
        row = Agent.create(
            name=name,
            system_prompt=system_prompt,
            primary_model=primary_model,
            fast_model=fast_model,
            baseline=json.dumps(weights),
            learning_rate=learning_rate,
            decay=decay,
            created_at=clock.now(),
        )
    except IntegrityError as exc:
        raise ConflictError(f"an agent named {name!r} already exists") from exc
    return _agent_record(row)


def _check_plasticity(learning_rate: float, decay: float) -> None:
    for label, value in (("learning rate", learning_rate), ("decay", decay)):
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise InvalidInputError(f"{label} must be a number between 0 and 1, got {value!r}")
        if not 0.0 <= float(value) <= 1.0:  # NaN fails this comparison too
            raise InvalidInputError(f"{label} must be a number between 0 and 1, got {value!r}")


def get_agent(name_or_id: str | int, *, include_deleted: bool = True) -> AgentRecord:
    query = Agent.select()
    if isinstance(name_or_id, int):
        query = query.where(Agent.id == name_or_id)
    else:
        query = query.where(Agent.name == name_or_id)
    row = query.first()
    if row is None or (row.deleted_at is not None and not include_deleted):
        raise NotFoundError(f"no agent {name_or_id!r}")
    return _agent_record(row)


def list_agents(*, include_deleted: bool = False) -> list[AgentRecord]:
    query = Agent.select().order_by(Agent.name)
    if not include_deleted:
        query = query.where(Agent.deleted_at.is_null())
    return [_agent_record(row) for row in query]


def update_agent(
    agent_id: int,
    *,
    name: str | None = None,
    system_prompt: str | None = None,
    primary_model: str | None = None,
    fast_model: str | None = None,
    learning_rate: float | None = None,
    decay: float | None = None,
) -> AgentRecord:
    """Change an agent's settings (None: unchanged). Baseline weights change through
    store.weights (events), which services.weights wraps."""
    current = get_agent(agent_id)
    changes: dict[str, object] = {}
    if name is not None and name != current.name:
        changes["name"] = _check_name(name, "agent")
    for key, value in (
        ("system_prompt", system_prompt),
        ("primary_model", primary_model),
        ("fast_model", fast_model),
    ):
        if value is not None:
            changes[key] = value
    _check_plasticity(
        current.learning_rate if learning_rate is None else learning_rate,
        current.decay if decay is None else decay,
    )
    if learning_rate is not None:
        changes["learning_rate"] = float(learning_rate)
    if decay is not None:
        changes["decay"] = float(decay)
    if changes:
        try:
            Agent.update(**changes).where(Agent.id == agent_id).execute()
        except IntegrityError as exc:
            raise ConflictError(f"an agent named {changes.get('name')!r} already exists") from exc
    return get_agent(agent_id)


def delete_agent(agent_id: int) -> None:
    """Soft delete: its sessions keep working and show that the agent was deleted; the
    default agent cannot be deleted."""
    agent = get_agent(agent_id)
    if agent.name == DEFAULT_AGENT:
        raise ConflictError(f"the default agent {DEFAULT_AGENT!r} cannot be deleted")
    # Free the name for a new agent while the old rows keep pointing at this one.
    Agent.update(deleted_at=clock.now(), name=f"{agent.name} (deleted {agent.id})").where(
        Agent.id == agent_id
    ).execute()


def ensure_user(handle: str) -> UserRecord:
    """The local profile with this handle, created on first use."""
    handle = _check_name(handle, "user")
    role = engine.team_role()
    if role is not None and handle != role:
        # Row-level security would refuse the rows anyway; say why in words.
        raise ConflictError(
            f"on a team store each member acts as themselves: you are connected as "
            f"{role!r}, so you cannot act as user {handle!r}"
        )
    row = UserProfile.get_or_none(UserProfile.handle == handle)
    if row is None:
        try:
            row = UserProfile.create(handle=handle, display_name=handle, created_at=clock.now())
        except IntegrityError:  # created by another thread in between
            row = UserProfile.get(UserProfile.handle == handle)
    return _user_record(row)


def get_user(handle_or_id: str | int) -> UserRecord:
    if isinstance(handle_or_id, int):
        row = UserProfile.get_or_none(UserProfile.id == handle_or_id)
    else:
        row = UserProfile.get_or_none(UserProfile.handle == handle_or_id)
    if row is None:
        raise NotFoundError(f"no user {handle_or_id!r}")
    return _user_record(row)


def list_users() -> list[UserRecord]:
    return [_user_record(row) for row in UserProfile.select().order_by(UserProfile.handle)]


def learned_weights(user_id: int, agent_id: int) -> dict[str, float] | None:
    """The user's learned state for the agent, or None for a user new to it."""
    row = (
        LearnedState.select(LearnedState.weights)
        .where((LearnedState.user_id == user_id) & (LearnedState.agent_id == agent_id))
        .first()
    )
    return None if row is None else dict(json.loads(row.weights))


def starting_weights(user_id: int, agent_id: int) -> dict[str, float]:
    """Where a new session of this user with this agent starts: learned state or baseline."""
    learned = learned_weights(user_id, agent_id)
    return learned if learned is not None else get_agent(agent_id).baseline
