"""What-if: how candidate weights differ from the current ones and what feedback predicts.

The prediction model is deliberately simple and fully documented (docs/validation.md):
it only reuses what users already said, and never claims more than that.
"""

from __future__ import annotations

from dataclasses import dataclass, field
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

    from desktop_agent.domain.compiler import CompiledRequest

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


@dataclass(frozen=True)
class ValueChange:
    """One value before and after (a generation parameter, a setting, the plasticity)."""

    before: object
    after: object

    def to_json(self) -> dict[str, object]:
        return {"from": self.before, "to": self.after}


@dataclass(frozen=True)
class WeightShift:
    """One weight that differs between two sets of weights."""

    weight: str
    before: float
    after: float

    def to_json(self) -> dict[str, object]:
        return {"weight": self.weight, "from": self.before, "to": self.after}


@dataclass(frozen=True)
class RequestDiff:
    """What changes from one compiled request to another.

    `removed` and `added` are directive texts (in weight order), `parameters` the changed
    generation parameters, `settings` the changed values in the settings line, and
    `base_prompt_changed` flags a new agent prompt. Every part is empty (or false)
    exactly when the two requests are equal.
    """

    removed: tuple[str, ...] = ()
    added: tuple[str, ...] = ()
    parameters: dict[str, ValueChange] = field(default_factory=dict)
    settings: dict[str, ValueChange] = field(default_factory=dict)
    base_prompt_changed: bool = False

    def to_json(self) -> dict[str, object]:
        return {
            "directives": {"removed": list(self.removed), "added": list(self.added)},
            "parameters": {name: c.to_json() for name, c in self.parameters.items()},
            "settings": {name: c.to_json() for name, c in self.settings.items()},
            "base_prompt_changed": self.base_prompt_changed,
        }


def diff_requests(before: CompiledRequest, after: CompiledRequest) -> RequestDiff:
    """What changes from `before` to `after` (see RequestDiff)."""
    before_texts = [directive.text for directive in before.directives]
    after_texts = [directive.text for directive in after.directives]
    before_params = before.parameters()
    after_params = after.parameters()
    before_values = dict(before.weights)
    after_values = dict(after.weights)
    return RequestDiff(
        removed=tuple(text for text in before_texts if text not in after_texts),
        added=tuple(text for text in after_texts if text not in before_texts),
        parameters={
            name: ValueChange(before_params[name], after_params[name])
            for name in before_params
            if before_params[name] != after_params[name]
        },
        settings={
            name: ValueChange(before_values.get(name), after_values.get(name))
            for name in WEIGHT_NAMES
            if before_values.get(name) != after_values.get(name)
        },
        base_prompt_changed=before.base_prompt != after.base_prompt,
    )


@dataclass(frozen=True)
class Prediction:
    """Figures predicted for candidate weights from recorded feedback (each one is
    defined in PREDICTION_DEFINITIONS; None where there is nothing to compute from)."""

    rated_turns: int
    current_approval: float | None
    tagged_turns: int
    addressed: int
    worsened: int
    unchanged: int
    upvotes_at_risk: int
    predicted_approval: float | None
    predicted_ci_low: float
    predicted_ci_high: float

    def to_json(self) -> dict[str, object]:
        return {
            "rated_turns": self.rated_turns,
            "current_approval": self.current_approval,
            "tagged_turns": self.tagged_turns,
            "addressed": self.addressed,
            "worsened": self.worsened,
            "unchanged": self.unchanged,
            "upvotes_at_risk": self.upvotes_at_risk,
            "predicted_approval": self.predicted_approval,
            "predicted_ci_low": self.predicted_ci_low,
            "predicted_ci_high": self.predicted_ci_high,
            "definitions": dict(PREDICTION_DEFINITIONS),
        }


def predict_from_feedback(candidate: Mapping[str, float], turns: Sequence[RatedTurn]) -> Prediction:
    """The predicted figures for `candidate` (docs/validation.md)."""
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
    return Prediction(
        rated_turns=rated,
        current_approval=upvotes / rated if rated else None,
        tagged_turns=tagged,
        addressed=addressed,
        worsened=worsened,
        unchanged=tagged - addressed - worsened,
        upvotes_at_risk=at_risk,
        predicted_approval=predicted_up / rated if rated else None,
        predicted_ci_low=ci_low,
        predicted_ci_high=ci_high,
    )


def weight_changes(
    current: Mapping[str, float], candidate: Mapping[str, float]
) -> tuple[WeightShift, ...]:
    """Each weight that differs, in the built-in order (gaps in `candidate`: `current`)."""
    before = check_weights(current)
    after = check_weights(candidate, before)
    return tuple(
        WeightShift(name, before[name], after[name])
        for name in WEIGHT_NAMES
        if abs(before[name] - after[name]) > _EPSILON
    )


def changes_json(changes: Sequence[WeightShift]) -> list[dict[str, object]]:
    return [change.to_json() for change in changes]


@dataclass(frozen=True)
class WhatIfReport:
    """How a session's request and figures would change under candidate weights."""

    session_id: str
    changes: tuple[WeightShift, ...]
    request_diff: RequestDiff
    predicted: Prediction

    def to_json(self) -> dict[str, object]:
        return {
            "session_id": self.session_id,
            "changes": changes_json(self.changes),
            "request_diff": self.request_diff.to_json(),
            "predicted": self.predicted.to_json(),
        }


@dataclass(frozen=True)
class SnapshotDiff:
    """Two snapshots side by side: their weights, plasticity and compiled requests."""

    changes: tuple[WeightShift, ...]
    plasticity: dict[str, ValueChange]  # learning_rate, decay: only those that differ
    request_diff: RequestDiff

    def to_json(self) -> dict[str, object]:
        return {
            "changes": changes_json(self.changes),
            "plasticity": {name: c.to_json() for name, c in self.plasticity.items()},
            "request_diff": self.request_diff.to_json(),
        }


@dataclass(frozen=True)
class ReplayedTurn:
    """A user turn asked again with candidate weights, beside the reply it got then."""

    message_id: int
    user: str
    original: str
    candidate: str

    def to_json(self) -> dict[str, object]:
        return {
            "message_id": self.message_id,
            "user": self.user,
            "original": self.original,
            "candidate": self.candidate,
        }
