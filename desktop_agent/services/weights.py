"""Whose weights (a session's, a user's learned state, an agent's baseline), reading them
and their event history, and changing them: every change is a stored event."""

from __future__ import annotations

from typing import TYPE_CHECKING

from desktop_agent.domain.causes import MANUAL
from desktop_agent.store import agents, sessions
from desktop_agent.store import weights as store

# The owner value type and the reads: the store's own, returning plain records.
from desktop_agent.store.weights import Owner as Owner
from desktop_agent.store.weights import current_weights as current_weights
from desktop_agent.store.weights import list_weight_events as list_weight_events

if TYPE_CHECKING:
    from collections.abc import Mapping

    from desktop_agent.store.records import WeightEventRecord


def session_owner(session_id: str) -> Owner:
    """The owner of a session's weights; NotFoundError if there is no such session."""
    return Owner.session(session_id)


def resolve_owner(
    *, session: str | None = None, agent: str | None = None, user: str | None = None
) -> Owner:
    """A session (id or unique prefix), else a user's learned state for an agent, else the
    agent's baseline. The user's profile is created on first use; a deleted agent is not
    found."""
    if session:
        return Owner.session(sessions.resolve_session_id(session))
    record = agents.get_agent(agent or agents.DEFAULT_AGENT, include_deleted=False)
    if user:
        return Owner.user(agents.ensure_user(user).id, record.id)
    return Owner.agent(record.id)


def baseline_of(owner: Owner) -> dict[str, float]:
    """The baseline of the owner's agent (what drift is measured from)."""
    return agents.get_agent(owner.agent_id).baseline


def set_weights(
    owner: Owner,
    values: Mapping[str, object],
    cause: str = MANUAL,
    message_id: int | None = None,
) -> list[WeightEventRecord]:
    """Set some weights, all checked first (a bad value changes nothing); one event per
    weight that actually changes."""
    return store.set_weights(owner, values, cause=cause, message_id=message_id)


def revert_last_change(owner: Owner) -> list[WeightEventRecord]:
    """Undo the most recent change group not yet reverted, recorded as new events."""
    return store.revert_last_change(owner)
