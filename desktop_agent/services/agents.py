"""Agents (system prompt, models, baseline weights, plasticity) and local user profiles."""

from __future__ import annotations

from typing import TYPE_CHECKING

from desktop_agent.store import agents as store

# Names and reads: the store's own, returning plain records.
from desktop_agent.store.agents import DEFAULT_AGENT as DEFAULT_AGENT
from desktop_agent.store.agents import DEFAULT_SYSTEM_PROMPT as DEFAULT_SYSTEM_PROMPT
from desktop_agent.store.agents import DEFAULT_USER as DEFAULT_USER
from desktop_agent.store.agents import get_agent as get_agent
from desktop_agent.store.agents import get_user as get_user
from desktop_agent.store.agents import learned_weights as learned_weights
from desktop_agent.store.agents import list_agents as list_agents
from desktop_agent.store.agents import list_users as list_users

if TYPE_CHECKING:
    from collections.abc import Mapping

    from desktop_agent.store.records import AgentRecord, UserRecord


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
    return store.create_agent(
        name,
        system_prompt=system_prompt,
        primary_model=primary_model,
        fast_model=fast_model,
        baseline=baseline,
        learning_rate=learning_rate,
        decay=decay,
    )


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
    """Change an agent's settings (None: unchanged). Baselines change in services.weights."""
    return store.update_agent(
        agent_id,
        name=name,
        system_prompt=system_prompt,
        primary_model=primary_model,
        fast_model=fast_model,
        learning_rate=learning_rate,
        decay=decay,
    )


def delete_agent(agent_id: int) -> None:
    """Soft delete: its sessions keep working; the default agent cannot be deleted."""
    store.delete_agent(agent_id)


def ensure_user(handle: str) -> UserRecord:
    """The local profile with this handle, created on first use."""
    return store.ensure_user(handle)
