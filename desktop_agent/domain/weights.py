"""The built-in behaviour weights, their meanings and validation."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

from desktop_agent.domain.errors import InvalidInputError


@dataclass(frozen=True)
class WeightSpec:
    """A weight's name and what its two ends mean."""

    name: str
    low: str  # what 0.0 means
    high: str  # what 1.0 means


WEIGHT_SPECS: tuple[WeightSpec, ...] = (
    WeightSpec("verbosity", "terse, minimal answers", "detailed, thorough explanations"),
    WeightSpec("formality", "casual, conversational tone", "professional, structured tone"),
    WeightSpec(
        "autonomy",
        "always asks for confirmation",
        "takes independent action, states assumptions",
    ),
    WeightSpec(
        "initiative",
        "answers only what was asked",
        "proactively offers suggestions and next steps",
    ),
    WeightSpec(
        "speed_vs_quality",
        "prioritises accuracy (primary model, careful reasoning)",
        "prioritises speed (fast model, short budget)",
    ),
)
WEIGHT_NAMES: tuple[str, ...] = tuple(spec.name for spec in WEIGHT_SPECS)
SPEC_BY_NAME: dict[str, WeightSpec] = {spec.name: spec for spec in WEIGHT_SPECS}

Weights = dict[str, float]
"""A complete mapping of every name in WEIGHT_NAMES to a float in [0, 1]."""

DEFAULT_WEIGHTS: Mapping[str, float] = dict.fromkeys(WEIGHT_NAMES, 0.5)


def check_weight_value(name: str, value: object) -> float:
    """Return `value` as a float if it is a finite number in [0, 1], else raise."""
    if name not in SPEC_BY_NAME:
        known = ", ".join(WEIGHT_NAMES)
        raise InvalidInputError(f"unknown weight {name!r} (known weights: {known})")
    # bool is an int subclass; True is not a weight.
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidInputError(f"weight {name!r} must be a number in [0, 1], got {value!r}")
    number = float(value)
    if not math.isfinite(number):
        raise InvalidInputError(f"weight {name!r} must be a finite number, got {value!r}")
    if not 0.0 <= number <= 1.0:
        raise InvalidInputError(f"weight {name!r} must be between 0 and 1, got {value!r}")
    return number


def check_weights(values: Mapping[str, object], base: Mapping[str, float] | None = None) -> Weights:
    """Validate a possibly partial mapping; names it lacks take their value from `base`.

    Raises InvalidInputError naming the first bad entry; nothing is returned half-checked.
    """
    if not isinstance(values, Mapping):
        raise InvalidInputError("weights must be an object mapping weight names to numbers")
    checked = dict(base if base is not None else DEFAULT_WEIGHTS)
    for name, value in values.items():
        checked[str(name)] = check_weight_value(str(name), value)
    return {name: checked[name] for name in WEIGHT_NAMES}


def parse_assignment(text: str) -> tuple[str, float]:
    """Parse a CLI `NAME=VALUE` argument into a checked (name, value) pair."""
    name, sep, raw = text.partition("=")
    if not sep:
        raise InvalidInputError(f"expected NAME=VALUE, got {text!r}")
    name = name.strip()
    try:
        value: object = float(raw)
    except ValueError:
        value = raw
    return name, check_weight_value(name, value)
