"""Starting sessions: from the user's learned weights, the agent's baseline, or the
snapshot of the user's arm in a running experiment."""

from __future__ import annotations

from typing import TYPE_CHECKING

from desktop_agent.store import sessions

if TYPE_CHECKING:
    from desktop_agent.store.records import SessionRecord


def start_session(*, agent: str = "assistant", user: str = "local") -> SessionRecord:
    from desktop_agent.services import experiments

    arm = experiments.arm_for_new_session(agent, user)
    if arm is not None:
        return sessions.create_session(
            agent=agent,
            user=user,
            weights=arm.weights,
            experiment_id=arm.experiment_id,
            arm=arm.arm,
        )
    return sessions.create_session(agent=agent, user=user)
