"""A user's learned weights with their history, read from one store and written to
another by `store copy` (services/store_copy.py)."""

from __future__ import annotations

import json
from dataclasses import dataclass

from desktop_agent.store.db import database
from desktop_agent.store.models import LearnedState, WeightEvent


@dataclass(frozen=True)
class LearnedCopy:
    """What a user learned with one agent: the weights and the user-scope events."""

    agent_id: int
    weights: dict[str, float]
    updated_at: float
    # (weight, old, new, cause, created_at); the message an event came from is not kept:
    # its id is the source store's.
    events: tuple[tuple[str, float, float, str, float], ...]


def read_learned(user_id: int) -> list[LearnedCopy]:
    out = []
    for state in LearnedState.select().where(LearnedState.user_id == user_id):
        events = (
            WeightEvent.select()
            .where(
                (WeightEvent.scope == "user")
                & (WeightEvent.user_id == user_id)
                & (WeightEvent.agent_id == state.agent_id)
            )
            .order_by(WeightEvent.id)
        )
        out.append(
            LearnedCopy(
                int(state.agent_id),
                dict(json.loads(state.weights)),
                float(state.updated_at),
                tuple((e.weight, e.old, e.new, e.cause, e.created_at) for e in events),
            )
        )
    return out


def write_learned(user_id: int, agent_id: int, learned: LearnedCopy) -> bool:
    """Store it unless the user already learned something with this agent here (then
    that is kept and False returned). The caller holds the transaction."""
    exists = (
        LearnedState.select()
        .where((LearnedState.user_id == user_id) & (LearnedState.agent_id == agent_id))
        .exists()
    )
    if exists:
        return False
    LearnedState.insert(
        user_id=user_id,
        agent_id=agent_id,
        weights=json.dumps(learned.weights),
        updated_at=learned.updated_at,
    ).execute()
    rows = [
        {
            "scope": "user",
            "user_id": user_id,
            "agent_id": agent_id,
            "weight": weight,
            "old": old,
            "new": new,
            "cause": cause,
            "created_at": stamp,
        }
        for weight, old, new, cause, stamp in learned.events
    ]
    if rows:
        with database.atomic():
            WeightEvent.insert_many(rows).execute()
    return True
