"""Drift: how far learned weights have moved from the agent's baseline, now and over time."""

from __future__ import annotations

from typing import TYPE_CHECKING

from desktop_agent.domain.weights import WEIGHT_NAMES, check_weight_value, check_weights

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping


def weight_deltas(weights: Mapping[str, float], baseline: Mapping[str, float]) -> dict[str, float]:
    """Signed distance of each weight from the baseline (weights - baseline)."""
    current = check_weights(weights)
    base = check_weights(baseline)
    return {name: current[name] - base[name] for name in WEIGHT_NAMES}


def drift(weights: Mapping[str, float], baseline: Mapping[str, float]) -> float:
    """Mean absolute distance from the baseline over every weight; always in [0, 1]."""
    deltas = weight_deltas(weights, baseline)
    return sum(abs(delta) for delta in deltas.values()) / len(deltas)


def drift_history(
    baseline: Mapping[str, float],
    initial: Mapping[str, float],
    changes: Iterable[tuple[str, float]],
) -> list[float]:
    """Drift after each (weight, new value) event in order; the first entry is before any.

    This is the series a drift chart plots for a session (or for a user's sessions
    replayed one after the other).
    """
    base = check_weights(baseline)
    current = check_weights(initial)
    series = [drift(current, base)]
    for name, value in changes:
        current[name] = check_weight_value(name, value)
        series.append(drift(current, base))
    return series
