"""Deterministic arm assignment and the experiment report."""

from __future__ import annotations

import hashlib
import json

import pytest

from desktop_agent.domain.errors import InvalidInputError
from desktop_agent.domain.experiments import ArmStats, assign_arm, experiment_report


def test_assignment_is_the_documented_hash() -> None:
    digest = hashlib.sha256(b"exp-1:alice").digest()
    u = int.from_bytes(digest[:8], "big") / 2**64
    assert assign_arm("exp-1", "alice", u + 1e-12) == "a"
    assert assign_arm("exp-1", "alice", u) == "b"


def test_assignment_is_deterministic_and_respects_the_extremes() -> None:
    users = [f"user{i}" for i in range(200)]
    first = [assign_arm("exp", u, 0.5) for u in users]
    assert first == [assign_arm("exp", u, 0.5) for u in users]
    assert all(assign_arm("exp", u, 0.0) == "b" for u in users)
    assert all(assign_arm("exp", u, 1.0) == "a" for u in users)


def test_split_controls_the_share_of_users_in_arm_a() -> None:
    users = [f"user{i}" for i in range(4000)]
    share = sum(assign_arm("exp", u, 0.3) == "a" for u in users) / len(users)
    assert 0.27 < share < 0.33


def test_assignment_differs_between_experiments() -> None:
    users = [f"user{i}" for i in range(100)]
    assert [assign_arm("x", u, 0.5) for u in users] != [assign_arm("y", u, 0.5) for u in users]


@pytest.mark.parametrize(
    ("experiment", "user", "split"),
    [("", "u", 0.5), ("e", "", 0.5), ("e", "u", 1.5), ("e", "u", float("nan")), ("e", "u", True)],
)
def test_assignment_rejects_bad_input(experiment: str, user: str, split: float) -> None:
    with pytest.raises(InvalidInputError):
        assign_arm(experiment, user, split)


def test_report_names_a_winner_only_when_significant() -> None:
    a = ArmStats("snap-a", users=10, sessions=30, rated=100, approved=45)
    b = ArmStats("snap-b", users=11, sessions=31, rated=100, approved=60)
    report = experiment_report(a, b)
    assert report.p_value == pytest.approx(0.0337, abs=1e-4)
    assert report.winner == "b"
    assert report.arms == {"a": report.a, "b": report.b}
    assert report.a.approval == pytest.approx(0.45)
    assert report.b.snapshot_id == "snap-b"
    assert report.b.ci_low < 0.60 < report.b.ci_high
    assert experiment_report(a, b, alpha=0.01).winner is None
    document = report.to_json()
    assert json.loads(json.dumps(document)) == document
    assert document["winner"] == "b"
    assert document["arms"] == {
        "a": {
            "snapshot_id": "snap-a",
            "users": 10,
            "sessions": 30,
            "rated": 100,
            "approved": 45,
            "approval": 0.45,
            "ci_low": report.a.ci_low,
            "ci_high": report.a.ci_high,
        },
        "b": report.b.to_json(),
    }


def test_report_without_ratings_has_no_p_value_and_no_winner() -> None:
    report = experiment_report(ArmStats("a", 0, 0, 0, 0), ArmStats("b", 1, 1, 3, 2))
    assert report.p_value is None
    assert report.winner is None
    assert report.a.approval is None
    assert (report.a.ci_low, report.a.ci_high) == (0.0, 1.0)


def test_arm_stats_reject_impossible_counts() -> None:
    with pytest.raises(InvalidInputError):
        ArmStats("a", users=1, sessions=1, rated=3, approved=4)
    with pytest.raises(InvalidInputError):
        ArmStats("a", users=-1, sessions=1, rated=3, approved=1)


def test_report_lines_read_as_people_expect() -> None:
    from desktop_agent.domain.experiments import (
        ArmReport,
        ExperimentReport,
        arm_line,
        format_p_value,
        verdict_line,
    )

    rated = ArmReport(
        "s", users=3, sessions=4, rated=10, approved=8, approval=0.8, ci_low=0.49, ci_high=0.943
    )
    assert arm_line("a", rated) == (
        "arm a: 3 users, 4 sessions, 10 rated, approval 0.800 [0.490, 0.943]"
    )
    unrated = ArmReport("s", 1, 1, 0, 0, approval=None, ci_low=0.0, ci_high=1.0)
    assert arm_line("b", unrated) == (
        "arm b: 1 users, 1 sessions, 0 rated, approval - [0.000, 1.000]"
    )
    assert format_p_value(0.0000004) == "< 0.001"
    assert format_p_value(0.0337) == "0.034"
    assert format_p_value(None) == "-"
    report = ExperimentReport(rated, unrated, p_value=None, alpha=0.05, winner=None)
    assert verdict_line(report) == "p-value -, winner none yet"
