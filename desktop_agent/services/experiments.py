"""A/B experiments between two snapshots of one agent across user cohorts."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ArmStart:
    experiment_id: str
    arm: str  # "a" | "b"
    weights: dict[str, float]


def arm_for_new_session(agent: str, user: str) -> ArmStart | None:
    """The arm a new session of `user` with `agent` starts from, if an experiment runs."""
    return None
