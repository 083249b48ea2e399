"""Agents (system prompt, models, baseline weights, plasticity) and local user profiles."""

from __future__ import annotations

# The store's own functions: they check every value and return plain records, and no
# other record or event has to change with them, so there is nothing to add here.
from desktop_agent.store.agents import DEFAULT_AGENT as DEFAULT_AGENT
from desktop_agent.store.agents import DEFAULT_SYSTEM_PROMPT as DEFAULT_SYSTEM_PROMPT
from desktop_agent.store.agents import DEFAULT_USER as DEFAULT_USER
from desktop_agent.store.agents import create_agent as create_agent
from desktop_agent.store.agents import delete_agent as delete_agent
from desktop_agent.store.agents import ensure_user as ensure_user
from desktop_agent.store.agents import get_agent as get_agent
from desktop_agent.store.agents import get_user as get_user
from desktop_agent.store.agents import learned_weights as learned_weights
from desktop_agent.store.agents import list_agents as list_agents
from desktop_agent.store.agents import list_users as list_users
from desktop_agent.store.agents import update_agent as update_agent
