"""What-if: weight changes and the prediction model from recorded feedback."""

from __future__ import annotations

import json

import pytest

from desktop_agent.domain.calibration import RatedTurn
from desktop_agent.domain.compiler import DIRECTIVE_TEXTS, AgentProfile, compile_request
from desktop_agent.domain.errors import InvalidInputError
from desktop_agent.domain.weights import DEFAULT_WEIGHTS
from desktop_agent.domain.whatif import (
    PREDICTION_DEFINITIONS,
    RequestDiff,
    ValueChange,
    WeightShift,
    changes_json,
    diff_requests,
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
    assert predicted.rated_turns == 8
    assert predicted.current_approval == pytest.approx(3 / 8)
    assert predicted.tagged_turns == 4
    assert (predicted.addressed, predicted.worsened, predicted.unchanged) == (1, 1, 2)
    assert predicted.upvotes_at_risk == 1
    assert predicted.predicted_approval == pytest.approx((3 - 1 + 1) / 8)
    assert predicted.predicted_ci_low < 3 / 8 < predicted.predicted_ci_high
    document = predicted.to_json()
    assert document["definitions"] == PREDICTION_DEFINITIONS
    assert json.loads(json.dumps(document)) == document
    assert document["addressed"] == predicted.addressed


def test_every_figure_is_defined() -> None:
    predicted = predict_from_feedback(BASELINE, [])
    assert set(predicted.to_json()) - {"definitions"} == set(PREDICTION_DEFINITIONS)
    assert predicted.predicted_approval is None


def test_prediction_rejects_bad_candidates() -> None:
    with pytest.raises(InvalidInputError):
        predict_from_feedback({"verbosity": float("nan")}, [])


def test_weight_changes_lists_only_differences_in_order() -> None:
    current = weights(verbosity=0.4)
    candidate = weights(verbosity=0.6, speed_vs_quality=0.1)
    changes = weight_changes(current, candidate)
    assert changes == (
        WeightShift("verbosity", 0.4, 0.6),
        WeightShift("speed_vs_quality", 0.5, 0.1),
    )
    assert changes_json(changes) == [
        {"weight": "verbosity", "from": 0.4, "to": 0.6},
        {"weight": "speed_vs_quality", "from": 0.5, "to": 0.1},
    ]
    assert weight_changes(current, current) == ()


def test_weight_changes_fills_a_partial_candidate_from_current() -> None:
    assert weight_changes(weights(formality=0.2), {"autonomy": 0.9}) == (
        WeightShift("autonomy", 0.5, 0.9),
    )
    with pytest.raises(InvalidInputError):
        weight_changes(BASELINE, {"mood": 0.5})


PROFILE = AgentProfile(
    name="assistant",
    system_prompt="You are a helpful assistant.",
    primary_model="big-model",
    fast_model="small-model",
)


def test_diff_of_equal_requests_is_empty() -> None:
    request = compile_request(PROFILE, DEFAULT_WEIGHTS)
    assert diff_requests(request, request) == RequestDiff()
    assert diff_requests(request, request).to_json() == {
        "directives": {"removed": [], "added": []},
        "parameters": {},
        "settings": {},
        "base_prompt_changed": False,
    }


def test_diff_names_changed_directives_and_parameters() -> None:
    before = compile_request(PROFILE, DEFAULT_WEIGHTS)
    after = compile_request(PROFILE, {**DEFAULT_WEIGHTS, "verbosity": 0.1, "autonomy": 0.55})

    diff = diff_requests(before, after)

    assert diff.removed == ()  # the neutral band had no directive
    assert diff.added == (DIRECTIVE_TEXTS["verbosity"][0],)
    assert diff.parameters == {"max_tokens": ValueChange(before.max_tokens, after.max_tokens)}
    assert diff.settings == {
        "verbosity": ValueChange(0.5, 0.1),
        "autonomy": ValueChange(0.5, 0.55),
    }
    document = diff.to_json()
    assert document["parameters"] == {
        "max_tokens": {"from": before.max_tokens, "to": after.max_tokens}
    }
    assert json.loads(json.dumps(document)) == document


def test_diff_reports_model_switch() -> None:
    before = compile_request(PROFILE, weights(speed_vs_quality=0.3))
    after = compile_request(PROFILE, weights(speed_vs_quality=0.7))

    parameters = diff_requests(before, after).parameters

    assert parameters["model"] == ValueChange("big-model", "small-model")
    assert isinstance(parameters["max_tokens"].after, int)
    assert isinstance(parameters["max_tokens"].before, int)
    assert parameters["max_tokens"].after < parameters["max_tokens"].before
