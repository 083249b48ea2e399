"""Weight state and its event log: validation, replay, reverts, scopes."""

from __future__ import annotations

import math
import sqlite3
from pathlib import Path

import pytest

from desktop_agent.domain.errors import InvalidInputError
from desktop_agent.domain.plasticity import replay
from desktop_agent.domain.weights import DEFAULT_WEIGHTS
from desktop_agent.store import agents, sessions
from desktop_agent.store.weights import (
    Owner,
    apply_weight_changes,
    current_weights,
    list_weight_events,
    revert_last_change,
    set_weights,
)
from tests.support.concurrent_writer import another_writer_commits_on


def _event_count(path: Path) -> int:
    with sqlite3.connect(path) as conn:
        count = int(conn.execute("SELECT COUNT(*) FROM weight_event").fetchone()[0])
    conn.close()
    return count


def _replayed(owner: Owner, initial: dict[str, float]) -> dict[str, float]:
    return replay(initial, ((e.weight, e.new) for e in list_weight_events(owner)))


@pytest.mark.parametrize(
    "bad",
    [
        {"verbosity": 0.2, "formality": 1.7},
        {"verbosity": 0.2, "formality": math.nan},
        {"verbosity": 0.2, "formality": math.inf},
        {"verbosity": 0.2, "formality": "high"},
        {"verbosity": 0.2, "formality": True},
        {"verbosity": 0.2, "charm": 0.5},
        {"verbosity": -0.01},
    ],
)
def test_set_weights_is_all_or_nothing(store: Path, bad: dict[str, object]) -> None:
    session = sessions.create_session()
    owner = Owner.session(session.id)
    with pytest.raises(InvalidInputError):
        set_weights(owner, bad)
    assert current_weights(owner) == dict(DEFAULT_WEIGHTS)
    assert _event_count(store) == 0


def test_set_weights_records_one_event_per_change(store: Path) -> None:
    owner = Owner.session(sessions.create_session().id)
    events = set_weights(owner, {"verbosity": 0.2, "formality": 0.5, "autonomy": 1})
    assert [(e.weight, e.old, e.new, e.cause) for e in events] == [
        ("verbosity", 0.5, 0.2, "manual"),
        ("autonomy", 0.5, 1.0, "manual"),
    ]
    assert set_weights(owner, {"verbosity": 0.2}) == []  # no change, no event
    assert current_weights(owner)["verbosity"] == 0.2


def test_old_values_come_from_the_store_so_replay_matches(store: Path) -> None:
    owner = Owner.session(sessions.create_session().id)
    # The caller's idea of "old" is stale on purpose: the store's value wins.
    events = apply_weight_changes(owner, [("verbosity", 0.9, 0.3, "feedback:too_long")])
    assert (events[0].old, events[0].new) == (0.5, 0.3)
    with pytest.raises(InvalidInputError):
        apply_weight_changes(owner, [("verbosity", 0.3, 0.1, "x"), ("formality", 0.5, 2.0, "x")])
    assert current_weights(owner)["verbosity"] == 0.3
    assert len(list_weight_events(owner)) == 1


def test_replaying_events_from_the_initial_weights_gives_the_stored_state(store: Path) -> None:
    owner = Owner.session(sessions.create_session().id)
    initial = current_weights(owner)
    for values in (
        {"verbosity": 0.1},
        {"formality": 0.8, "initiative": 0.3},
        {"verbosity": 0.65},
        {"speed_vs_quality": 0.0},
    ):
        set_weights(owner, values)
    revert_last_change(owner)
    assert _replayed(owner, initial) == current_weights(owner)


def test_revert_adds_reversing_events_and_deletes_nothing(store: Path) -> None:
    owner = Owner.session(sessions.create_session().id)
    set_weights(owner, {"verbosity": 0.2})
    group = set_weights(owner, {"formality": 0.9, "autonomy": 0.1})
    before = _event_count(store)

    reverted = revert_last_change(owner)

    assert {(e.weight, e.old, e.new) for e in reverted} == {
        ("formality", 0.9, 0.5),
        ("autonomy", 0.1, 0.5),
    }
    assert {e.cause for e in reverted} == {f"revert:{e.id}" for e in group}
    assert _event_count(store) == before + 2
    assert current_weights(owner) == {**DEFAULT_WEIGHTS, "verbosity": 0.2}

    # The next revert undoes the change before; then there is nothing left.
    assert [(e.weight, e.new) for e in revert_last_change(owner)] == [("verbosity", 0.5)]
    assert revert_last_change(owner) == []
    assert current_weights(owner) == dict(DEFAULT_WEIGHTS)
    assert _event_count(store) == before + 3


def test_user_and_agent_scopes_are_separate(store: Path) -> None:
    session = sessions.create_session()
    agent_owner = Owner.agent(session.agent_id)
    user_owner = Owner.user(session.user_id, session.agent_id)
    session_owner = Owner.session(session.id)

    set_weights(agent_owner, {"formality": 0.8})
    assert agents.get_agent(session.agent_id).baseline["formality"] == 0.8
    # A user with no learned state follows the agent's baseline...
    assert current_weights(user_owner)["formality"] == 0.8
    set_weights(user_owner, {"verbosity": 0.1})
    assert agents.learned_weights(session.user_id, session.agent_id) == {
        **DEFAULT_WEIGHTS,
        "formality": 0.8,
        "verbosity": 0.1,
    }
    # ...and neither touches an existing session.
    assert current_weights(session_owner) == dict(DEFAULT_WEIGHTS)
    assert [e.scope for e in list_weight_events(agent_owner)] == ["agent"]
    assert [e.weight for e in list_weight_events(user_owner)] == ["verbosity"]
    assert list_weight_events(session_owner) == []
    other_user = agents.ensure_user("someone")
    assert list_weight_events(Owner.user(other_user.id, session.agent_id)) == []


def test_owner_of_a_missing_session_is_not_found(store: Path) -> None:
    from desktop_agent.store.errors import NotFoundError

    with pytest.raises(NotFoundError):
        Owner.session("missing")


def test_setting_weights_survives_a_commit_by_another_connection(store: Path) -> None:
    session = sessions.create_session()
    owner = Owner.session(session.id)

    with another_writer_commits_on(store, 'UPDATE "session" SET "weights"') as fired:
        events = set_weights(owner, {"verbosity": 0.8})

    assert fired, "the interleaving did not happen"
    assert [(e.weight, e.new) for e in events] == [("verbosity", 0.8)]
    assert current_weights(owner)["verbosity"] == 0.8
