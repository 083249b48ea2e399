"""Sessions as the front ends see them: start, find, list, rename, pin, set a goal, switch
learning, trash, restore and purge. Reads are the store's own queries; every change goes
through a use case here."""

from __future__ import annotations

from typing import TYPE_CHECKING

from desktop_agent.store import sessions as store

# Reads: the store's queries, returning plain records.
from desktop_agent.store.sessions import count_sessions as count_sessions
from desktop_agent.store.sessions import get_session as get_session
from desktop_agent.store.sessions import list_sessions as list_sessions
from desktop_agent.store.sessions import resolve_session_id as resolve_session_id
from desktop_agent.store.sessions import session_exists as session_exists

if TYPE_CHECKING:
    from desktop_agent.store.records import SessionRecord


def start_session(*, agent: str = "assistant", user: str | None = None) -> SessionRecord:
    """A new session from the user's learned weights, the agent's baseline, or the
    snapshot of the user's arm in a running experiment. The user defaults to `local`
    (on a team store, the member's role)."""
    from desktop_agent.services import experiments
    from desktop_agent.store.agents import default_user

    user = user or default_user()
    arm = experiments.arm_for_new_session(agent, user)
    if arm is not None:
        return store.create_session(
            agent=agent,
            user=user,
            weights=arm.weights,
            experiment_id=arm.experiment_id,
            arm=arm.arm,
        )
    return store.create_session(agent=agent, user=user)


def find_session(id_or_prefix: str) -> SessionRecord:
    """The session with this id, or the only one whose id starts with it (4+ characters)."""
    return store.get_session(store.resolve_session_id(id_or_prefix))


def rename_session(session_id: str, title: str) -> SessionRecord:
    """Whitespace is collapsed; an empty title becomes the default one."""
    return store.rename_session(session_id, title)


def pin_session(session_id: str, pinned: bool = True) -> SessionRecord:
    """Pinned sessions list first."""
    return store.set_pinned(session_id, pinned)


def set_goal(session_id: str, goal: str, progress: float | None = None) -> SessionRecord:
    """A new goal (or the judged progress of it); a changed goal starts unjudged."""
    return store.set_goal(session_id, goal, progress)


def set_learning_enabled(session_id: str, enabled: bool) -> SessionRecord:
    """Whether feedback and cues in this session move its weights."""
    return store.set_learning_enabled(session_id, enabled)


def trash_session(session_id: str) -> SessionRecord:
    """Move to the trash; undone by restore_session."""
    return store.trash_session(session_id)


def restore_session(session_id: str) -> SessionRecord:
    """Bring a session back from the trash."""
    return store.restore_session(session_id)


def purge_session(session_id: str) -> None:
    """Delete for good, with its messages, feedback, weight events and compactions."""
    store.purge_session(session_id)
