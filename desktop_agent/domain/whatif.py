"""What-if: how candidate weights differ from the current ones and what feedback predicts.

The prediction model is deliberately simple and fully documented (docs/validation.md):
it only reuses what users already said, and never claims more than that.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from desktop_agent.domain.calibration import (
    RatedTurn,
    count_ratings,
    follows_tag,
    opposes_tag,
    tag_effects,
)
from desktop_agent.domain.stats import wilson_interval
from desktop_agent.domain.weights import WEIGHT_NAMES, check_weights

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

# An upvoted reply is "at risk" when the candidate moves any weight further than this
# from the weights that reply was produced with: the user liked the reply as it was.
UPVOTE_RISK_DISTANCE = 0.25
_EPSILON = 1e-9

PREDICTION_DEFINITIONS: dict[str, str] = {
    "rated_turns": "Rated assistant replies in the session.",
    "current_approval": "Share of rated replies that got a thumbs up; empty when none.",
    "tagged_turns": "Thumbs-down replies with at least one reason tag that names a weight.",
    "addressed": "Tagged thumbs-down replies where the candidate moves every tagged weight the "
    "way the tag asked, compared with the weights that reply was produced with.",
    "worsened": "Tagged thumbs-down replies where the candidate moves at least one tagged "
    "weight the opposite way from what the tag asked.",
    "unchanged": "Tagged thumbs-down replies neither addressed nor worsened.",
    "upvotes_at_risk": "Thumbs-up replies produced with weights more than "
    f"{UPVOTE_RISK_DISTANCE} away from the candidate in some weight.",
    "predicted_approval": "Approval if every addressed reply had been a thumbs up and every "
    "upvote at risk a thumbs down: (upvotes - upvotes_at_risk + addressed) / rated_turns; "
    "empty when none.",
    "predicted_ci_low": "Lower end of the Wilson 95% interval around predicted_approval.",
    "predicted_ci_high": "Upper end of the Wilson 95% interval around predicted_approval.",
}


def predict_from_feedback(
    candidate: Mapping[str, float], turns: Sequence[RatedTurn]
) -> dict[str, object]:
    """JSON-ready predicted figures for `candidate`, with their definitions."""
    weights = check_weights(candidate)
    upvotes, downvotes = count_ratings(turns)
    rated = upvotes + downvotes
    tagged = addressed = worsened = at_risk = 0
    for turn in turns:
        if turn.rating == 1:
            distances = (
                abs(weights[name] - float(value))
                for name, value in turn.weights.items()
                if name in weights
            )
            at_risk += any(d > UPVOTE_RISK_DISTANCE + _EPSILON for d in distances)
            continue
        effects = tag_effects(turn)
        if not effects:
            continue
        tagged += 1
        if any(opposes_tag(weights[n], at_turn, d) for n, d, at_turn in effects):
            worsened += 1
        elif all(follows_tag(weights[n], at_turn, d) for n, d, at_turn in effects):
            addressed += 1
    predicted_up = upvotes - at_risk + addressed
    ci_low, ci_high = wilson_interval(predicted_up, rated)
    return {
        "rated_turns": rated,
        "current_approval": upvotes / rated if rated else None,
        "tagged_turns": tagged,
        "addressed": addressed,
        "worsened": worsened,
        "unchanged": tagged - addressed - worsened,
        "upvotes_at_risk": at_risk,
        "predicted_approval": predicted_up / rated if rated else None,
        "predicted_ci_low": ci_low,
        "predicted_ci_high": ci_high,
        "definitions": dict(PREDICTION_DEFINITIONS),
    }


def weight_changes(
    current: Mapping[str, float], candidate: Mapping[str, float]
) -> list[dict[str, object]]:
    """[{"weight", "from", "to"}] for each weight that differs, in the built-in order."""
    before = check_weights(current)
    after = check_weights(candidate, before)
    return [
        {"weight": name, "from": before[name], "to": after[name]}
        for name in WEIGHT_NAMES
        if abs(before[name] - after[name]) > _EPSILON
    ]
