"""A/B experiments between two snapshots: deterministic arm assignment and the report."""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass

from desktop_agent.domain.errors import InvalidInputError
from desktop_agent.domain.stats import two_proportion_p_value, wilson_interval


def assign_arm(experiment_id: str, user: str, split: float) -> str:
    """The arm ("a" or "b") a user is in; the same answer on every machine, every time.

    The first 8 bytes of sha256(f"{experiment_id}:{user}") read as a big-endian integer
    and divided by 2**64 give a number u, uniform in [0, 1); u < split means "a".
    So split is the share of users in arm a (0: everyone in b, 1: everyone in a).
    """
    if not isinstance(experiment_id, str) or not experiment_id:
        raise InvalidInputError("experiment id must be a non-empty string")
    if not isinstance(user, str) or not user:
        raise InvalidInputError("user must be a non-empty string")
    if isinstance(split, bool) or not isinstance(split, int | float):
        raise InvalidInputError(f"split must be a number in [0, 1], got {split!r}")
    if not math.isfinite(split) or not 0.0 <= split <= 1.0:
        raise InvalidInputError(f"split must be between 0 and 1, got {split!r}")
    digest = hashlib.sha256(f"{experiment_id}:{user}".encode()).digest()
    u = int.from_bytes(digest[:8], "big") / 2**64
    return "a" if u < split else "b"


@dataclass(frozen=True)
class ArmStats:
    """What one arm collected: rated replies and how many got a thumbs up."""

    snapshot_id: str
    users: int
    sessions: int
    rated: int
    approved: int

    def __post_init__(self) -> None:
        counts = (self.users, self.sessions, self.rated, self.approved)
        if any(isinstance(c, bool) or not isinstance(c, int) or c < 0 for c in counts):
            raise InvalidInputError("arm counts must be non-negative integers")
        if self.approved > self.rated:
            raise InvalidInputError(
                f"arm {self.snapshot_id}: approved ({self.approved}) exceeds rated ({self.rated})"
            )


@dataclass(frozen=True)
class ArmReport:
    """One arm's counts with its approval and the Wilson 95% interval around it."""

    snapshot_id: str
    users: int
    sessions: int
    rated: int
    approved: int
    approval: float | None  # None: nothing rated yet
    ci_low: float
    ci_high: float

    @classmethod
    def of(cls, arm: ArmStats) -> ArmReport:
        ci_low, ci_high = wilson_interval(arm.approved, arm.rated)
        approval = arm.approved / arm.rated if arm.rated else None
        return cls(
            arm.snapshot_id,
            arm.users,
            arm.sessions,
            arm.rated,
            arm.approved,
            approval,
            ci_low,
            ci_high,
        )

    def to_json(self) -> dict[str, object]:
        return {
            "snapshot_id": self.snapshot_id,
            "users": self.users,
            "sessions": self.sessions,
            "rated": self.rated,
            "approved": self.approved,
            "approval": self.approval,
            "ci_low": self.ci_low,
            "ci_high": self.ci_high,
        }


@dataclass(frozen=True)
class ExperimentReport:
    """Both arms, the two-proportion p-value (None: not computable yet) and the winner."""

    a: ArmReport
    b: ArmReport
    p_value: float | None
    alpha: float
    winner: str | None  # "a" | "b" | None

    @property
    def arms(self) -> dict[str, ArmReport]:
        return {"a": self.a, "b": self.b}

    def to_json(self) -> dict[str, object]:
        return {
            "arms": {"a": self.a.to_json(), "b": self.b.to_json()},
            "p_value": self.p_value,
            "alpha": self.alpha,
            "winner": self.winner,
        }


def experiment_report(arm_a: ArmStats, arm_b: ArmStats, alpha: float = 0.05) -> ExperimentReport:
    """Approval per arm with Wilson 95% intervals, the two-proportion p-value, the winner.

    The winner is the arm with the higher approval, named only when p < alpha.
    """
    if not 0.0 < alpha < 1.0:
        raise InvalidInputError(f"alpha must be between 0 and 1, got {alpha!r}")
    p_value = two_proportion_p_value(arm_a.approved, arm_a.rated, arm_b.approved, arm_b.rated)
    winner = None
    if p_value is not None and p_value < alpha:
        # p is defined, so both arms have ratings and their approvals differ.
        winner = "a" if arm_a.approved / arm_a.rated > arm_b.approved / arm_b.rated else "b"
    return ExperimentReport(ArmReport.of(arm_a), ArmReport.of(arm_b), p_value, alpha, winner)


def format_figure(value: float | None) -> str:
    """A report figure as people read it: three decimals, '-' when undefined."""
    return "-" if value is None else f"{value:.3f}"


def format_p_value(value: float | None) -> str:
    """Like format_figure, but a p-value too small for three decimals reads '< 0.001'."""
    if value is not None and value < 0.001:
        return "< 0.001"
    return format_figure(value)


def arm_line(arm: str, stats: ArmReport) -> str:
    """One arm of a report, as the CLI prints it and the GUI shows it."""
    return (
        f"arm {arm}: {stats.users} users, {stats.sessions} sessions, "
        f"{stats.rated} rated, approval {format_figure(stats.approval)} "
        f"[{format_figure(stats.ci_low)}, {format_figure(stats.ci_high)}]"
    )


def verdict_line(report: ExperimentReport) -> str:
    """The report's conclusion, as the CLI prints it and the GUI shows it."""
    return f"p-value {format_p_value(report.p_value)}, winner {report.winner or 'none yet'}"
