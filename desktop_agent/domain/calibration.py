"""Validation before persisting: a calibration report on weights from recorded feedback.

Every metric is defined in METRIC_DEFINITIONS and every verdict rule in `_verdict`;
docs/validation.md carries both with worked examples.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from desktop_agent.domain.errors import InvalidInputError
from desktop_agent.domain.plasticity import FEEDBACK_TAGS
from desktop_agent.domain.stats import wilson_interval
from desktop_agent.domain.weights import WEIGHT_NAMES, check_weight_value, check_weights

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

# Which weight a feedback tag complains about, and which way the user wants it to move:
# the learning rule's own table, so statistics and learning can never disagree.
TAG_DIRECTIONS: Mapping[str, tuple[str, int]] = FEEDBACK_TAGS
POLARISED_LOW = 0.05
POLARISED_HIGH = 0.95
STABILITY_TURNS = 10  # how many recent turns callers pass as recent_weights
_EPSILON = 1e-9  # weights closer than this are equal (float noise from the learning rule)


@dataclass(frozen=True)
class Thresholds:
    """The verdict's thresholds; field names and defaults match settings.ValidationThresholds."""

    min_rated_turns: int = 5
    min_approval_low: float = 0.5  # Wilson lower bound below this: fail
    warn_approval_low: float = 0.65  # Wilson lower bound below this: warn
    max_drift: float = 0.35  # mean absolute distance from baseline above this: warn
    max_polarised: int = 2  # more polarised weights than this: warn
    min_agreement: float = 0.5  # agreement with tagged feedback below this: warn
    max_instability: float = 0.2  # stability (largest recent swing) above this: warn


DEFAULT_THRESHOLDS = Thresholds()


@dataclass(frozen=True)
class RatedTurn:
    """One rated assistant reply: +1 or -1, its tags, and the weights it was produced with."""

    rating: int
    tags: tuple[str, ...] = ()
    weights: Mapping[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class ValidationMetrics:
    """The figures behind a verdict, each defined in METRIC_DEFINITIONS (None: empty)."""

    rated_turns: int
    upvotes: int
    downvotes: int
    approval: float | None
    approval_ci_low: float
    approval_ci_high: float
    tagged_feedback: int
    agreement: float | None
    drift: float
    max_drift: float
    polarised: int
    stability: float | None
    goal_progress: float | None

    def to_json(self) -> dict[str, float | int | None]:
        """Name -> value, in the documented order (stored with snapshots, printed by the CLI)."""
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}


@dataclass(frozen=True)
class ValidationReport:
    """A snapshot's verdict, the reasons for it and the figures behind them."""

    verdict: str  # "pass" | "warn" | "fail"
    reasons: tuple[str, ...]
    metrics: ValidationMetrics

    def to_json(self) -> dict[str, object]:
        return {
            "verdict": self.verdict,
            "reasons": list(self.reasons),
            "metrics": self.metrics.to_json(),
        }


METRIC_DEFINITIONS: dict[str, str] = {
    "rated_turns": "Number of assistant replies with a thumbs up or down in the sessions behind "
    "the weights.",
    "upvotes": "Number of rated replies that got a thumbs up.",
    "downvotes": "Number of rated replies that got a thumbs down.",
    "approval": "Share of rated replies that got a thumbs up (upvotes / rated_turns); "
    "empty when nothing was rated.",
    "approval_ci_low": "Lower end of the Wilson 95% score interval for approval (0 when nothing "
    "was rated).",
    "approval_ci_high": "Upper end of the Wilson 95% score interval for approval (1 when nothing "
    "was rated).",
    "tagged_feedback": "Number of (thumbs-down, reason tag) pairs whose tag names a weight and "
    "whose reply recorded that weight; the base of agreement.",
    "agreement": "Share of tagged_feedback pairs where these weights sit on the side the tag "
    "asked for, compared with the weights the criticised reply was produced with; empty when "
    "there are no such pairs.",
    "drift": "Mean absolute difference between these weights and the agent's baseline, over "
    "all weights.",
    "max_drift": "Largest absolute difference between any one weight and its baseline.",
    "polarised": f"Number of weights at or below {POLARISED_LOW} or at or above {POLARISED_HIGH}.",
    "stability": "Largest swing (maximum minus minimum) of any one weight over the last "
    f"turns passed in (normally {STABILITY_TURNS}); empty with fewer than two; "
    "smaller is steadier.",
    "goal_progress": "The session goal's progress in [0, 1] as last judged; empty without a "
    "goal. Informational: it does not change the verdict.",
}


def follows_tag(candidate: float, at_turn: float, direction: int) -> bool:
    """Whether `candidate` sits where a tag asked the weight to go, relative to `at_turn`.

    A weight already at its limit (e.g. verbosity 0 with "too_long") cannot move further,
    so staying there counts as following.
    """
    if direction < 0:
        return candidate < at_turn - _EPSILON or (at_turn <= _EPSILON and candidate <= _EPSILON)
    return candidate > at_turn + _EPSILON or (at_turn >= 1 - _EPSILON and candidate >= 1 - _EPSILON)


def opposes_tag(candidate: float, at_turn: float, direction: int) -> bool:
    """Whether `candidate` moved the weight the other way from what a tag asked."""
    return (candidate - at_turn) * direction < -_EPSILON


def tag_effects(turn: RatedTurn) -> list[tuple[str, int, float]]:
    """(weight, direction, weight at that turn) for each tag that names a recorded weight."""
    effects = []
    for tag in turn.tags:
        effect = TAG_DIRECTIONS.get(tag)
        if effect is None:
            continue
        at_turn = turn.weights.get(effect[0])
        if at_turn is not None:
            effects.append((effect[0], effect[1], float(at_turn)))
    return effects


def count_ratings(turns: Sequence[RatedTurn]) -> tuple[int, int]:
    """(upvotes, downvotes); raises InvalidInputError on a rating other than +1 or -1."""
    upvotes = downvotes = 0
    for index, turn in enumerate(turns):
        if turn.rating == 1:
            upvotes += 1
        elif turn.rating == -1:
            downvotes += 1
        else:
            raise InvalidInputError(f"turn {index}: rating must be 1 or -1, got {turn.rating!r}")
    return upvotes, downvotes


def _stability(recent_weights: Sequence[Mapping[str, float]]) -> float | None:
    if len(recent_weights) < 2:
        return None
    swing = 0.0
    for name in WEIGHT_NAMES:
        values = [float(w[name]) for w in recent_weights if name in w]
        if len(values) >= 2:
            swing = max(swing, max(values) - min(values))
    return swing


def validate_weights(
    weights: Mapping[str, float],
    baseline: Mapping[str, float],
    turns: Sequence[RatedTurn],
    *,
    recent_weights: Sequence[Mapping[str, float]] = (),
    goal_progress: float | None = None,
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
) -> ValidationReport:
    """Judge `weights` against the feedback recorded in `turns` (see docs/validation.md)."""
    base = check_weights(baseline)
    candidate = check_weights(weights, base)
    # Only the names each entry has: filling gaps would invent swings.
    checked_recent = [{n: check_weight_value(n, v) for n, v in w.items()} for w in recent_weights]
    if goal_progress is not None and not (
        isinstance(goal_progress, int | float)
        and math.isfinite(goal_progress)
        and 0.0 <= goal_progress <= 1.0
    ):
        raise InvalidInputError(f"goal progress must be in [0, 1], got {goal_progress!r}")

    upvotes, downvotes = count_ratings(turns)
    rated = upvotes + downvotes
    ci_low, ci_high = wilson_interval(upvotes, rated)
    tagged = agreeing = 0
    for turn in turns:
        if turn.rating != -1:
            continue
        for name, direction, at_turn in tag_effects(turn):
            tagged += 1
            agreeing += follows_tag(candidate[name], at_turn, direction)
    distances = [abs(candidate[name] - base[name]) for name in WEIGHT_NAMES]
    metrics = ValidationMetrics(
        rated_turns=rated,
        upvotes=upvotes,
        downvotes=downvotes,
        approval=upvotes / rated if rated else None,
        approval_ci_low=ci_low,
        approval_ci_high=ci_high,
        tagged_feedback=tagged,
        agreement=agreeing / tagged if tagged else None,
        drift=sum(distances) / len(distances),
        max_drift=max(distances),
        polarised=sum(1 for v in candidate.values() if v <= POLARISED_LOW or v >= POLARISED_HIGH),
        stability=_stability(checked_recent),
        goal_progress=None if goal_progress is None else float(goal_progress),
    )
    verdict, reasons = _verdict(metrics, thresholds)
    return ValidationReport(verdict, tuple(reasons), metrics)


def _verdict(metrics: ValidationMetrics, t: Thresholds) -> tuple[str, list[str]]:
    """The rules, in order; any fail makes "fail", else any warning makes "warn"."""
    failures: list[str] = []
    warnings: list[str] = []
    rated = metrics.rated_turns
    ci_low = metrics.approval_ci_low
    if rated < t.min_rated_turns:
        warnings.append(
            f"too few rated replies to judge approval: {rated} (at least {t.min_rated_turns})"
        )
    elif rated == 0:
        pass  # min_rated_turns is 0: there is nothing to judge approval on
    elif ci_low < t.min_approval_low:
        failures.append(
            f"approval is too low: its 95% lower bound {ci_low:.2f} is under "
            f"{t.min_approval_low:.2f}"
        )
    elif ci_low < t.warn_approval_low:
        warnings.append(
            f"approval is uncertain: its 95% lower bound {ci_low:.2f} is under "
            f"{t.warn_approval_low:.2f}"
        )
    drift = metrics.drift
    if drift > t.max_drift:
        warnings.append(f"far from the baseline: mean drift {drift:.2f} exceeds {t.max_drift:.2f}")
    polarised = metrics.polarised
    if polarised > t.max_polarised:
        warnings.append(
            f"{polarised} weights are at an extreme (more than {t.max_polarised} allowed)"
        )
    agreement = metrics.agreement
    if agreement is not None and agreement < t.min_agreement:
        warnings.append(
            f"weights disagree with tagged feedback: agreement {agreement:.2f} is under "
            f"{t.min_agreement:.2f}"
        )
    stability = metrics.stability
    if stability is not None and stability > t.max_instability:
        warnings.append(
            f"weights are still moving: a weight swung {stability:.2f} over the last turns "
            f"(more than {t.max_instability:.2f})"
        )
    if failures:
        return "fail", failures + warnings
    if warnings:
        return "warn", warnings
    approval = metrics.approval
    summary = f"approval {approval:.2f}" if approval is not None else "no ratings"
    return "pass", [f"all checks passed ({summary} over {rated} rated replies)"]
