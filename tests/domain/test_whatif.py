"""What-if: weight changes and the prediction model from recorded feedback."""

from __future__ import annotations

import json

import pytest

from desktop_agent.domain.calibration import RatedTurn
from desktop_agent.domain.errors import InvalidInputError
from desktop_agent.domain.weights import DEFAULT_WEIGHTS
from desktop_agent.domain.whatif import (
    PREDICTION_DEFINITIONS,
    predict_from_feedback,
    weight_changes,
)

BASELINE = dict(DEFAULT_WEIGHTS)


def weights(**changes: float) -> dict[str, float]:
    return {**BASELINE, **changes}


def test_prediction_counts_match_the_documented_model() -> None:
    candidate = weights(verbosity=0.3)
    turns = [
        RatedTurn(-1, ("too_long",), weights(verbosity=0.7)),  # addressed
        RatedTurn(-1, ("too_short",), BASELINE),  # worsened: 0.3 is shorter still
        RatedTurn(-1, ("too_formal",), BASELINE),  # unchanged: formality stays 0.5
        # One tag followed, one not: neither addressed nor worsened.
        RatedTurn(-1, ("too_long", "want_suggestions"), weights(verbosity=0.7)),
        RatedTurn(-1, (), BASELINE),  # untagged: not counted
        RatedTurn(1, (), BASELINE),  # 0.2 away at most: safe
        RatedTurn(1, (), weights(verbosity=0.9)),  # 0.6 away: at risk
        RatedTurn(1, (), {}),  # no recorded weights: safe
    ]
    predicted = predict_from_feedback(candidate, turns)
    assert predicted["rated_turns"] == 8
    assert predicted["current_approval"] == pytest.approx(3 / 8)
    assert predicted["tagged_turns"] == 4
    assert (predicted["addressed"], predicted["worsened"], predicted["unchanged"]) == (1, 1, 2)
    assert predicted["upvotes_at_risk"] == 1
    assert predicted["predicted_approval"] == pytest.approx((3 - 1 + 1) / 8)
    low, high = predicted["predicted_ci_low"], predicted["predicted_ci_high"]
    assert isinstance(low, float)
    assert isinstance(high, float)
    assert low < 3 / 8 < high
    assert predicted["definitions"] == PREDICTION_DEFINITIONS
    assert json.loads(json.dumps(predicted)) == predicted


def test_every_figure_is_defined() -> None:
    predicted = predict_from_feedback(BASELINE, [])
    assert set(predicted) - {"definitions"} == set(PREDICTION_DEFINITIONS)
    assert predicted["predicted_approval"] is None


def test_prediction_rejects_bad_candidates() -> None:
    with pytest.raises(InvalidInputError):
        predict_from_feedback({"verbosity": float("nan")}, [])


def test_weight_changes_lists_only_differences_in_order() -> None:
    current = weights(verbosity=0.4)
    candidate = weights(verbosity=0.6, speed_vs_quality=0.1)
    assert weight_changes(current, candidate) == [
        {"weight": "verbosity", "from": 0.4, "to": 0.6},
        {"weight": "speed_vs_quality", "from": 0.5, "to": 0.1},
    ]
    assert weight_changes(current, current) == []


def test_weight_changes_fills_a_partial_candidate_from_current() -> None:
    assert weight_changes(weights(formality=0.2), {"autonomy": 0.9}) == [
        {"weight": "autonomy", "from": 0.5, "to": 0.9}
    ]
    with pytest.raises(InvalidInputError):
        weight_changes(BASELINE, {"mood": 0.5})
