"""Weight state at three levels (agent baseline, user's learned state, session) and the
append-only event log every change goes through. Current state == replay of events."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING

from desktop_agent.domain.causes import CauseKind
from desktop_agent.domain.weights import check_weights
from desktop_agent.store import clock
from desktop_agent.store.agents import get_agent, learned_weights
from desktop_agent.store.db import database
from desktop_agent.store.errors import NotFoundError
from desktop_agent.store.models import Agent, LearnedState, Session, WeightEvent
from desktop_agent.store.records import WeightEventRecord

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

REVERT_PREFIX = f"{CauseKind.REVERT}:"


@dataclass(frozen=True)
class Owner:
    """Whose weights: a session, a user's learned state for an agent, or an agent's baseline."""

    scope: str  # session | user | agent
    agent_id: int
    user_id: int | None = None
    session_id: str | None = None

    @staticmethod
    def session(session_id: str) -> Owner:
        row = Session.get_or_none(Session.id == session_id)
        if row is None:
            raise NotFoundError(f"no session {session_id!r}")
        return Owner("session", row.agent_id, row.user_id, session_id)

    @staticmethod
    def user(user_id: int, agent_id: int) -> Owner:
        return Owner("user", agent_id, user_id)

    @staticmethod
    def agent(agent_id: int) -> Owner:
        return Owner("agent", agent_id)


def _event_record(row: WeightEvent) -> WeightEventRecord:
    return WeightEventRecord(
        id=row.id,
        scope=row.scope,
        session_id=row.session_id,
        user_id=row.user_id,
        agent_id=row.agent_id,
        weight=row.weight,
        old=row.old,
        new=row.new,
        cause=row.cause,
        message_id=row.message_id,
        created_at=row.created_at,
    )


def current_weights(owner: Owner) -> dict[str, float]:
    if owner.scope == "session":
        row = Session.get_or_none(Session.id == owner.session_id)
        if row is None:
            raise NotFoundError(f"no session {owner.session_id!r}")
        return dict(json.loads(row.weights))
    if owner.scope == "user":
        assert owner.user_id is not None
        learned = learned_weights(owner.user_id, owner.agent_id)
        return learned if learned is not None else get_agent(owner.agent_id).baseline
    return get_agent(owner.agent_id).baseline


def _store_weights(owner: Owner, weights: Mapping[str, float], stamp: float) -> None:
    text = json.dumps(dict(weights))
    if owner.scope == "session":
        Session.update(weights=text).where(Session.id == owner.session_id).execute()
    elif owner.scope == "user":
        LearnedState.insert(
            user_id=owner.user_id, agent_id=owner.agent_id, weights=text, updated_at=stamp
        ).on_conflict(
            conflict_target=[LearnedState.user_id, LearnedState.agent_id],
            update={LearnedState.weights: text, LearnedState.updated_at: stamp},
        ).execute()
    else:
        Agent.update(baseline=text).where(Agent.id == owner.agent_id).execute()


def apply_weight_changes(
    owner: Owner,
    changes: Sequence[tuple[str, float, float, str]],
    *,
    message_id: int | None = None,
) -> list[WeightEventRecord]:
    """Persist (weight, old, new, cause) changes as events and the new state, atomically.

    `old` is taken from the stored state, not trusted from the caller, so the log
    always replays to the stored weights.
    """
    if not changes:
        return []
    stamp = clock.now()
    with database.atomic():
        weights = current_weights(owner)
        rows = []
        for name, _old, new, cause in changes:
            checked = check_weights({name: new}, base=weights)
            old = weights[name]
            if checked[name] == old:
                continue
            weights = checked
            rows.append(
                {
                    "scope": owner.scope,
                    "session_id": owner.session_id,
                    "user_id": owner.user_id,
                    "agent_id": owner.agent_id,
                    "weight": name,
                    "old": old,
                    "new": checked[name],
                    "cause": cause,
                    "message_id": message_id,
                    "created_at": stamp,
                }
            )
        if not rows:
            return []
        _store_weights(owner, weights, stamp)
        first_id = None
        for row in rows:
            created = WeightEvent.create(**row)
            first_id = first_id or created.id
    return list_weight_events(owner, since_id=(first_id or 1) - 1)


def set_weights(
    owner: Owner, values: Mapping[str, object], cause: str = "manual", message_id: int | None = None
) -> list[WeightEventRecord]:
    """Set some weights (validated all together first: a bad value changes nothing)."""
    current = current_weights(owner)
    target = check_weights(values, base=current)
    changes = [(n, current[n], target[n], cause) for n in target if target[n] != current[n]]
    return apply_weight_changes(owner, changes, message_id=message_id)


def list_weight_events(
    owner: Owner, *, since_id: int = 0, limit: int | None = None
) -> list[WeightEventRecord]:
    query = WeightEvent.select().where(
        (WeightEvent.scope == owner.scope)
        & (WeightEvent.agent_id == owner.agent_id)
        & (WeightEvent.id > since_id)
    )
    if owner.scope == "session":
        query = query.where(WeightEvent.session_id == owner.session_id)
    elif owner.scope == "user":
        query = query.where(WeightEvent.user_id == owner.user_id)
    query = query.order_by(WeightEvent.id)
    if limit is not None:
        query = query.limit(limit)
    return [_event_record(row) for row in query]


def revert_last_change(owner: Owner) -> list[WeightEventRecord]:
    """Undo the most recent change group that is not yet reverted, by new events."""
    events = list_weight_events(owner)
    reverted = {
        int(e.cause[len(REVERT_PREFIX) :])
        for e in events
        if e.cause.startswith(REVERT_PREFIX) and e.cause[len(REVERT_PREFIX) :].isdigit()
    }
    candidates = [
        e for e in events if not e.cause.startswith(REVERT_PREFIX) and e.id not in reverted
    ]
    if not candidates:
        return []
    last = candidates[-1]
    group = [
        e for e in candidates if e.created_at == last.created_at and e.message_id == last.message_id
    ]
    changes = [(e.weight, e.new, e.old, f"{REVERT_PREFIX}{e.id}") for e in reversed(group)]
    return apply_weight_changes(owner, changes, message_id=last.message_id)
