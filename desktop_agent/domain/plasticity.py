"""The learning rule: feedback and correction cues move a session's weights, boundedly."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

from desktop_agent.domain.causes import DECAY, REINFORCE, Cause, CauseKind
from desktop_agent.domain.errors import InvalidInputError
from desktop_agent.domain.weights import SPEC_BY_NAME, Weights, check_weight_value, check_weights

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping, Sequence

FEEDBACK_TAGS: dict[str, tuple[str, int]] = {
    "too_long": ("verbosity", -1),
    "too_short": ("verbosity", +1),
    "too_formal": ("formality", -1),
    "too_casual": ("formality", +1),
    "asked_too_much": ("autonomy", +1),
    "acted_without_asking": ("autonomy", -1),
    "want_suggestions": ("initiative", +1),
    "unwanted_suggestions": ("initiative", -1),
    "too_slow": ("speed_vs_quality", +1),
    "not_careful_enough": ("speed_vs_quality", -1),
}
"""Reason tag -> (the weight it moves, +1 up or -1 down)."""

TAG_STRENGTH = 1.0
"""An explicit reason tag on a thumbs up/down."""
CUE_STRENGTH = 0.5
"""A cue guessed from the user's next message: weaker, since it may be misread."""
REINFORCE_STRENGTH = 1.0
"""A thumbs up after a lesson consolidates it: one more step of the lesson's size.

Measured on the built-in model (docs/weights.md): with a quarter step, a weight that
had just crossed into a terse band sat at its edge, and the next list-like question
bounced back to 200 words."""

SIGNAL_SOURCES = (CauseKind.FEEDBACK.value, CauseKind.CUE.value)
SNAP_TO_BASELINE = 1e-6
"""Decay lands exactly on the baseline when this close, so it stops emitting events."""


@dataclass(frozen=True)
class Plasticity:
    """How fast a session learns (0 = never) and how fast it forgets (0 = never)."""

    learning_rate: float = 0.15
    decay: float = 0.0

    def __post_init__(self) -> None:
        for field_name in ("learning_rate", "decay"):
            value = getattr(self, field_name)
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise InvalidInputError(f"{field_name} must be a number in [0, 1], got {value!r}")
            if not math.isfinite(value) or not 0.0 <= value <= 1.0:
                raise InvalidInputError(f"{field_name} must be between 0 and 1, got {value!r}")


@dataclass(frozen=True)
class Signal:
    """One learning input: a rated reply (source "feedback") or a detected cue ("cue")."""

    rating: int  # +1 thumbs up, -1 thumbs down, 0 none (cues)
    tags: tuple[str, ...] = ()
    source: str = "feedback"

    def __post_init__(self) -> None:
        if self.rating not in (-1, 0, 1) or isinstance(self.rating, bool):
            raise InvalidInputError(f"rating must be -1, 0 or 1, got {self.rating!r}")
        if self.source not in SIGNAL_SOURCES:
            raise InvalidInputError(
                f"signal source must be 'feedback' or 'cue', got {self.source!r}"
            )
        for tag in self.tags:
            if tag not in FEEDBACK_TAGS:
                known = ", ".join(FEEDBACK_TAGS)
                raise InvalidInputError(f"unknown feedback tag {tag!r} (known tags: {known})")


@dataclass(frozen=True)
class WeightChange:
    """One step of learning; the caller stores it as an event with message id and time."""

    weight: str
    old: float
    new: float
    cause: str  # a Cause: Cause.feedback(tag), Cause.cue(tag), REINFORCE or DECAY

    def __post_init__(self) -> None:
        # Plain text (e.g. read back from the event log) becomes a Cause, with its parts.
        object.__setattr__(self, "cause", Cause(self.cause))


def nudge(value: float, direction: int, step: float) -> float:
    """Move `value` toward 1 (direction +1) or 0 (-1) by `step` of the remaining room.

    Soft bounds: the step shrinks near the bound, so with step in [0, 1] the result
    never leaves [0, 1] (clamped as well, against floating-point rounding).
    """
    moved = value + step * (1.0 - value) if direction > 0 else value - step * value
    return min(1.0, max(0.0, moved))


def _is_learned(change: WeightChange) -> bool:
    return Cause(change.cause).signal and change.new != change.old


def apply_signal(
    weights: Mapping[str, float],
    baseline: Mapping[str, float],
    signal: Signal,
    plasticity: Plasticity,
    recent: Sequence[WeightChange] = (),
) -> list[WeightChange]:
    """The weight changes one signal causes, in the order they apply (no-ops omitted).

    Pure: nothing is stored. The rule, with lr = plasticity.learning_rate:

    1. Each distinct tag moves its weight by `nudge(w, direction, lr * strength)`,
       strength 1.0 for feedback tags and 0.5 for cues. Cause "feedback:<tag>" or
       "cue:<tag>".
    2. A thumbs up (rating +1) reinforces: for each weight whose latest learned change
       in `recent` (oldest first; "feedback:"/"cue:" causes only) went up or down, and
       that step 1 did not move, `nudge(w, same direction, lr * 1.0)`. Cause
       "reinforce". A thumbs up also skips decay: the user approves the current state.
    3. Otherwise, when plasticity.decay > 0, every weight is pulled toward the baseline:
       `w - decay * (w - baseline)`. Cause "decay".

    A thumbs down without tags says nothing about which way to move, so it only decays.
    With learning_rate 0 the session is frozen: the result is always empty.
    """
    if plasticity.learning_rate == 0.0:
        return []
    current = check_weights(weights)
    base = check_weights(baseline)
    changes: list[WeightChange] = []

    def record(name: str, new: float, cause: Cause) -> None:
        old = current[name]
        if new != old:
            changes.append(WeightChange(name, old, new, cause))
            current[name] = new

    strength = TAG_STRENGTH if signal.source == "feedback" else CUE_STRENGTH
    moved_by_tags: set[str] = set()
    for tag in dict.fromkeys(signal.tags):
        name, direction = FEEDBACK_TAGS[tag]
        step = plasticity.learning_rate * strength
        record(name, nudge(current[name], direction, step), Cause.of(CauseKind(signal.source), tag))
        moved_by_tags.add(name)

    if signal.rating > 0:
        latest_direction: dict[str, int] = {}
        for change in recent:
            if _is_learned(change) and change.weight in SPEC_BY_NAME:
                latest_direction[change.weight] = 1 if change.new > change.old else -1
        step = plasticity.learning_rate * REINFORCE_STRENGTH
        for name, direction in latest_direction.items():
            if name not in moved_by_tags:
                record(name, nudge(current[name], direction, step), REINFORCE)
    elif plasticity.decay > 0.0:
        for name, value in list(current.items()):
            pulled = value - plasticity.decay * (value - base[name])
            if abs(pulled - base[name]) < SNAP_TO_BASELINE:
                pulled = base[name]
            record(name, pulled, DECAY)
    return changes


def apply_changes(weights: Mapping[str, float], changes: Iterable[WeightChange]) -> Weights:
    """The weights after `changes`, applied in order (each change's `new` wins)."""
    return replay(weights, ((change.weight, change.new) for change in changes))


def replay(initial: Mapping[str, float], changes: Iterable[tuple[str, float]]) -> Weights:
    """Replay stored (weight, new value) events in order on top of `initial`.

    Every name and value is checked, so a corrupt event history raises
    InvalidInputError instead of producing weights outside [0, 1].
    """
    current = check_weights(initial)
    for name, value in changes:
        current[name] = check_weight_value(name, value)
    return current
