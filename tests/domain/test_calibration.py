"""The calibration report: metrics and verdict rules against hand-computed values."""

from __future__ import annotations

import dataclasses
import json

import pytest

from desktop_agent.config.settings import ValidationThresholds
from desktop_agent.domain.calibration import (
    METRIC_DEFINITIONS,
    RatedTurn,
    Thresholds,
    validate_weights,
)
from desktop_agent.domain.errors import InvalidInputError
from desktop_agent.domain.weights import DEFAULT_WEIGHTS, WEIGHT_NAMES

BASELINE = dict(DEFAULT_WEIGHTS)


def weights(**changes: float) -> dict[str, float]:
    return {**BASELINE, **changes}


def upvotes(count: int) -> list[RatedTurn]:
    return [RatedTurn(1, (), BASELINE)] * count


def test_thresholds_match_the_settings_fields_and_defaults() -> None:
    settings = dataclasses.asdict(ValidationThresholds())
    ours = dataclasses.asdict(Thresholds())
    assert {k: ours[k] for k in settings} == settings
    assert Thresholds(**settings) == Thresholds()


def test_hand_computed_report_fails_on_low_approval() -> None:
    snapshot = weights(verbosity=0.3, autonomy=0.6)
    turns = [
        *upvotes(8),
        # too_long at verbosity 0.7: the snapshot's 0.3 is shorter, so it agrees.
        RatedTurn(-1, ("too_long",), weights(verbosity=0.7)),
        # acted_without_asking at autonomy 0.5 asks for less; 0.6 is more, so it disagrees.
        RatedTurn(-1, ("acted_without_asking", "not_a_known_tag"), BASELINE),
    ]
    report = validate_weights(snapshot, BASELINE, turns)
    m = report.metrics
    assert (m.rated_turns, m.upvotes, m.downvotes) == (10, 8, 2)
    assert m.approval == pytest.approx(0.8)
    assert m.approval_ci_low == pytest.approx(0.4902, abs=5e-5)
    assert m.approval_ci_high == pytest.approx(0.9433, abs=5e-5)
    assert m.tagged_feedback == 2
    assert m.agreement == pytest.approx(0.5)
    assert m.drift == pytest.approx((0.2 + 0.1) / 5)
    assert m.max_drift == pytest.approx(0.2)
    assert m.polarised == 0
    assert m.stability is None
    assert m.goal_progress is None
    assert report.verdict == "fail"
    assert any("0.49" in reason and "0.50" in reason for reason in report.reasons)


def test_clear_approval_passes() -> None:
    # 18/20: Wilson lower bound 0.699 is above the 0.65 warning line.
    turns = upvotes(18) + [RatedTurn(-1, (), BASELINE)] * 2
    report = validate_weights(BASELINE, BASELINE, turns, goal_progress=0.75)
    assert report.metrics.approval_ci_low == pytest.approx(0.6990, abs=5e-5)
    assert report.metrics.goal_progress == 0.75
    assert report.verdict == "pass"
    assert len(report.reasons) == 1


def test_uncertain_approval_warns() -> None:
    # 30/40: Wilson lower bound 0.598 lies between fail (0.5) and warn (0.65).
    turns = upvotes(30) + [RatedTurn(-1, (), BASELINE)] * 10
    report = validate_weights(BASELINE, BASELINE, turns)
    assert report.metrics.approval_ci_low == pytest.approx(0.5981, abs=5e-4)
    assert report.verdict == "warn"
    assert "uncertain" in report.reasons[0]


def test_too_few_rated_turns_warn_but_never_fail() -> None:
    turns = [RatedTurn(-1, (), BASELINE)] * 4
    report = validate_weights(BASELINE, BASELINE, turns)
    assert report.verdict == "warn"
    assert "too few rated replies" in report.reasons[0]
    assert validate_weights(BASELINE, BASELINE, []).metrics.approval is None


def test_nothing_rated_with_no_minimum_does_not_fail() -> None:
    report = validate_weights(BASELINE, BASELINE, [], thresholds=Thresholds(min_rated_turns=0))
    assert report.verdict == "pass"


@pytest.mark.parametrize(
    ("snapshot", "recent", "needle"),
    [
        (dict.fromkeys(WEIGHT_NAMES, 0.9), (), "drift"),
        (weights(verbosity=0.0, formality=1.0, autonomy=0.04), (), "extreme"),
        (BASELINE, ({"verbosity": 0.5}, {"verbosity": 0.8}, {"verbosity": 0.6}), "moving"),
    ],
)
def test_each_warning_rule(
    snapshot: dict[str, float], recent: tuple[dict[str, float], ...], needle: str
) -> None:
    report = validate_weights(snapshot, BASELINE, upvotes(20), recent_weights=recent)
    assert report.verdict == "warn"
    assert len(report.reasons) == 1
    assert needle in report.reasons[0]


def test_stability_is_the_largest_swing_of_one_weight() -> None:
    recent = [weights(verbosity=0.5, formality=0.4), weights(verbosity=0.6, formality=0.55)]
    report = validate_weights(BASELINE, BASELINE, upvotes(20), recent_weights=recent)
    assert report.metrics.stability == pytest.approx(0.15)
    assert report.verdict == "pass"


def test_disagreeing_with_tagged_feedback_warns() -> None:
    # Users said "too long" at 0.5 three times; a snapshot at 0.6 goes the other way.
    turns = upvotes(40) + [RatedTurn(-1, ("too_long",), BASELINE)] * 3
    report = validate_weights(weights(verbosity=0.6), BASELINE, turns)
    assert report.metrics.agreement == 0.0
    assert report.verdict == "warn"
    assert "disagree" in report.reasons[0]


def test_a_weight_already_at_its_limit_follows_the_tag_by_staying() -> None:
    turns = [RatedTurn(-1, ("too_long",), weights(verbosity=0.0))]
    report = validate_weights(weights(verbosity=0.0), BASELINE, turns)
    assert report.metrics.agreement == 1.0


def test_tags_on_upvotes_and_missing_turn_weights_are_not_counted() -> None:
    turns = [RatedTurn(1, ("too_long",), BASELINE), RatedTurn(-1, ("too_long",), {})]
    report = validate_weights(BASELINE, BASELINE, turns)
    assert report.metrics.tagged_feedback == 0
    assert report.metrics.agreement is None


def test_fail_lists_warnings_too() -> None:
    turns = [RatedTurn(-1, (), BASELINE)] * 10
    report = validate_weights(dict.fromkeys(WEIGHT_NAMES, 1.0), BASELINE, turns)
    assert report.verdict == "fail"
    assert len(report.reasons) == 3  # low approval, drift, polarised


@pytest.mark.parametrize(
    "call",
    [
        lambda: validate_weights({"verbosity": 2.0}, BASELINE, []),
        lambda: validate_weights(BASELINE, {"loudness": 0.5}, []),
        lambda: validate_weights(BASELINE, BASELINE, [RatedTurn(0, (), BASELINE)]),
        lambda: validate_weights(BASELINE, BASELINE, [], goal_progress=1.5),
        lambda: validate_weights(BASELINE, BASELINE, [], recent_weights=[{"verbosity": -1}]),
    ],
)
def test_bad_input_is_rejected(call: object) -> None:
    assert callable(call)
    with pytest.raises(InvalidInputError):
        call()


def test_report_json_is_serialisable_and_every_metric_is_defined() -> None:
    report = validate_weights(BASELINE, BASELINE, upvotes(3), recent_weights=[BASELINE] * 2)
    document = report.to_json()
    assert json.loads(json.dumps(document)) == document
    assert set(document) == {"verdict", "reasons", "metrics"}
    assert set(report.metrics.to_json()) == set(METRIC_DEFINITIONS)
    assert all(definition.endswith(".") for definition in METRIC_DEFINITIONS.values())
