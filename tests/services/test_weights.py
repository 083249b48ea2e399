"""Weight use cases on a real SQLite file: whose weights an option names, setting them as
events (all checked first), reverting, and an agent's settings and users."""

from __future__ import annotations

from pathlib import Path

import pytest

from desktop_agent.domain.errors import InvalidInputError
from desktop_agent.domain.weights import DEFAULT_WEIGHTS
from desktop_agent.services import agents, sessions, weights
from desktop_agent.store.errors import ConflictError, NotFoundError


def test_resolve_owner_names_a_session_a_user_or_an_agent(store: Path) -> None:
    session = sessions.start_session()
    by_session = weights.resolve_owner(session=session.id[:8])
    assert (by_session.scope, by_session.session_id) == ("session", session.id)
    assert weights.session_owner(session.id) == by_session
    by_user = weights.resolve_owner(agent="assistant", user="newcomer")
    assert by_user.scope == "user"
    assert agents.get_user("newcomer").id == by_user.user_id  # created on first use
    assert weights.resolve_owner(agent="assistant").scope == "agent"
    helper = agents.create_agent("helper")
    agents.delete_agent(helper.id)
    with pytest.raises(NotFoundError, match="helper"):
        weights.resolve_owner(agent="helper")


def test_set_weights_records_events_and_revert_undoes_the_last_group(store: Path) -> None:
    owner = weights.session_owner(sessions.start_session().id)
    events = weights.set_weights(owner, {"verbosity": 0.2, "formality": 0.9})
    assert [(e.weight, e.new, e.cause) for e in events] == [
        ("verbosity", 0.2, "manual"),
        ("formality", 0.9, "manual"),
    ]
    assert weights.set_weights(owner, {"verbosity": 0.2}) == []  # nothing changes: no event
    with pytest.raises(InvalidInputError):
        weights.set_weights(owner, {"verbosity": 0.1, "formality": 7})
    assert weights.current_weights(owner)["verbosity"] == 0.2  # the bad set changed nothing
    reverted = weights.revert_last_change(owner)
    assert {e.weight for e in reverted} == {"verbosity", "formality"}
    assert weights.current_weights(owner) == dict(DEFAULT_WEIGHTS)
    assert len(weights.list_weight_events(owner)) == 4
    assert weights.baseline_of(owner) == dict(DEFAULT_WEIGHTS)


def test_agent_use_cases(store: Path) -> None:
    made = agents.create_agent("writer", system_prompt="Write well.", learning_rate=0.3)
    assert [a.name for a in agents.list_agents()] == ["assistant", "writer"]
    edited = agents.update_agent(made.id, name="editor", decay=0.1)
    assert (edited.name, edited.learning_rate, edited.decay) == ("editor", 0.3, 0.1)
    with pytest.raises(ConflictError, match="already exists"):
        agents.create_agent("editor")
    with pytest.raises(ConflictError, match="cannot be deleted"):
        agents.delete_agent(agents.get_agent(agents.DEFAULT_AGENT).id)
    agents.delete_agent(made.id)
    assert [a.name for a in agents.list_agents()] == ["assistant"]
    assert agents.ensure_user("sam").handle == "sam"
    assert [u.handle for u in agents.list_users()] == ["local", "sam"]
