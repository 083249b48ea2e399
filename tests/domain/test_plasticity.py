"""The learning rule: bounded, switchable, monotonic, replayable; cues weaker than tags."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from desktop_agent.domain.drift import drift, drift_history, weight_deltas
from desktop_agent.domain.errors import InvalidInputError
from desktop_agent.domain.plasticity import (
    FEEDBACK_TAGS,
    Plasticity,
    Signal,
    WeightChange,
    apply_changes,
    apply_signal,
    replay,
)
from desktop_agent.domain.weights import DEFAULT_WEIGHTS, WEIGHT_NAMES

unit = st.floats(min_value=0.0, max_value=1.0, allow_nan=False)
weights_strategy = st.fixed_dictionaries({name: unit for name in WEIGHT_NAMES})
plasticity_strategy = st.builds(Plasticity, learning_rate=unit, decay=unit)
signal_strategy = st.builds(
    Signal,
    rating=st.sampled_from([-1, 0, 1]),
    tags=st.lists(st.sampled_from(list(FEEDBACK_TAGS)), max_size=4).map(tuple),
    source=st.sampled_from(["feedback", "cue"]),
)


def run_session(
    initial: dict[str, float],
    baseline: dict[str, float],
    signals: list[Signal],
    plasticity: Plasticity,
) -> tuple[dict[str, float], list[WeightChange]]:
    """Apply signals one after another, as the app does, keeping every change as an event."""
    weights = dict(initial)
    events: list[WeightChange] = []
    for signal in signals:
        changes = apply_signal(weights, baseline, signal, plasticity, recent=events[-10:])
        weights = apply_changes(weights, changes)
        events.extend(changes)
    return weights, events


@given(
    weights_strategy, weights_strategy, st.lists(signal_strategy, max_size=30), plasticity_strategy
)
def test_weights_never_leave_the_unit_interval(
    initial: dict[str, float],
    baseline: dict[str, float],
    signals: list[Signal],
    plasticity: Plasticity,
) -> None:
    final, events = run_session(initial, baseline, signals, plasticity)
    for change in events:
        assert 0.0 <= change.new <= 1.0
        assert math.isfinite(change.new)
    assert all(0.0 <= value <= 1.0 for value in final.values())


@given(weights_strategy, weights_strategy, st.lists(signal_strategy, max_size=20), unit)
def test_learning_rate_zero_changes_nothing(
    initial: dict[str, float], baseline: dict[str, float], signals: list[Signal], decay: float
) -> None:
    final, events = run_session(initial, baseline, signals, Plasticity(0.0, decay))
    assert events == []
    assert final == initial


@given(unit, st.floats(0.01, 1.0), st.integers(1, 40))
def test_repeated_too_long_lowers_verbosity_monotonically(
    start: float, learning_rate: float, repeats: int
) -> None:
    weights = {**DEFAULT_WEIGHTS, "verbosity": start}
    plasticity = Plasticity(learning_rate=learning_rate)
    too_long = Signal(rating=-1, tags=("too_long",), source="feedback")
    for _ in range(repeats):
        before = weights["verbosity"]
        weights = apply_changes(
            weights, apply_signal(weights, DEFAULT_WEIGHTS, too_long, plasticity)
        )
        assert weights["verbosity"] <= before
        if before > 1e-9:
            assert weights["verbosity"] < before


@given(
    weights_strategy, weights_strategy, st.lists(signal_strategy, max_size=30), plasticity_strategy
)
def test_replaying_events_reproduces_the_state(
    initial: dict[str, float],
    baseline: dict[str, float],
    signals: list[Signal],
    plasticity: Plasticity,
) -> None:
    final, events = run_session(initial, baseline, signals, plasticity)
    assert replay(initial, [(change.weight, change.new) for change in events]) == final


@given(weights_strategy, weights_strategy, signal_strategy, plasticity_strategy)
def test_each_change_starts_where_the_previous_one_left(
    weights: dict[str, float], baseline: dict[str, float], signal: Signal, plasticity: Plasticity
) -> None:
    current = dict(weights)
    for change in apply_signal(weights, baseline, signal, plasticity):
        assert change.old == current[change.weight]
        assert change.new != change.old
        current[change.weight] = change.new


@pytest.mark.parametrize(("tag", "target"), list(FEEDBACK_TAGS.items()))
def test_each_tag_moves_its_weight_its_way(tag: str, target: tuple[str, int]) -> None:
    name, direction = target
    changes = apply_signal(DEFAULT_WEIGHTS, DEFAULT_WEIGHTS, Signal(-1, (tag,)), Plasticity())

    assert [(c.weight, c.cause) for c in changes] == [(name, f"feedback:{tag}")]
    assert (changes[0].new - changes[0].old) * direction > 0


def test_soft_bound_step_is_a_share_of_the_remaining_room() -> None:
    plasticity = Plasticity(learning_rate=0.2)
    weights = {**DEFAULT_WEIGHTS, "verbosity": 0.5}
    down = apply_signal(weights, DEFAULT_WEIGHTS, Signal(-1, ("too_long",)), plasticity)
    up = apply_signal(weights, DEFAULT_WEIGHTS, Signal(-1, ("too_short",)), plasticity)
    assert down[0].new == pytest.approx(0.5 - 0.2 * 0.5)
    assert up[0].new == pytest.approx(0.5 + 0.2 * 0.5)


def test_full_learning_rate_reaches_but_never_passes_the_bound() -> None:
    plasticity = Plasticity(learning_rate=1.0)
    changes = apply_signal(DEFAULT_WEIGHTS, DEFAULT_WEIGHTS, Signal(-1, ("too_short",)), plasticity)
    assert changes[0].new == 1.0
    again = apply_signal(
        {**DEFAULT_WEIGHTS, "verbosity": 1.0},
        DEFAULT_WEIGHTS,
        Signal(-1, ("too_short",)),
        plasticity,
    )
    assert again == []


@pytest.mark.parametrize("tag", list(FEEDBACK_TAGS))
def test_a_cue_moves_less_than_an_explicit_tag(tag: str) -> None:
    plasticity = Plasticity()
    from_tag = apply_signal(
        DEFAULT_WEIGHTS, DEFAULT_WEIGHTS, Signal(-1, (tag,), "feedback"), plasticity
    )
    from_cue = apply_signal(DEFAULT_WEIGHTS, DEFAULT_WEIGHTS, Signal(0, (tag,), "cue"), plasticity)

    assert from_cue[0].cause == f"cue:{tag}"
    assert 0 < abs(from_cue[0].new - from_cue[0].old) < abs(from_tag[0].new - from_tag[0].old)


def test_thumbs_up_reinforces_the_latest_learned_direction() -> None:
    plasticity = Plasticity(learning_rate=0.2)
    weights = dict(DEFAULT_WEIGHTS)
    learned = apply_signal(weights, weights, Signal(-1, ("too_long",)), plasticity)
    weights = apply_changes(weights, learned)

    reinforced = apply_signal(weights, DEFAULT_WEIGHTS, Signal(1), plasticity, recent=learned)

    assert [(c.weight, c.cause) for c in reinforced] == [("verbosity", "reinforce")]
    # Consolidation: one more step of the lesson's size, the same share (lr) of the room
    # left, so 0.5 -> 0.4 is followed by 0.4 -> 0.32.
    assert learned[0].new == pytest.approx(0.4)
    assert reinforced[0].new == pytest.approx(0.32)
    # The room shrinks, so it is still smaller than the move it reinforces.
    assert reinforced[0].old - reinforced[0].new < learned[0].old - learned[0].new


def test_thumbs_up_ignores_decay_and_manual_changes_in_recent() -> None:
    recent = [
        WeightChange("formality", 0.5, 0.9, "manual"),
        WeightChange("autonomy", 0.6, 0.55, "decay"),
    ]
    assert apply_signal(DEFAULT_WEIGHTS, DEFAULT_WEIGHTS, Signal(1), Plasticity(), recent) == []


def test_thumbs_up_skips_decay() -> None:
    weights = {**DEFAULT_WEIGHTS, "formality": 0.9}
    assert apply_signal(weights, DEFAULT_WEIGHTS, Signal(1), Plasticity(decay=0.5)) == []


def test_decay_pulls_every_weight_toward_baseline_after_the_tag_update() -> None:
    baseline = dict(DEFAULT_WEIGHTS)
    weights = {**baseline, "formality": 0.9, "autonomy": 0.1}
    plasticity = Plasticity(learning_rate=0.1, decay=0.5)

    changes = apply_signal(weights, baseline, Signal(-1, ("too_long",)), plasticity)

    assert [(c.weight, c.cause) for c in changes] == [
        ("verbosity", "feedback:too_long"),
        ("verbosity", "decay"),
        ("formality", "decay"),
        ("autonomy", "decay"),
    ]
    final = apply_changes(weights, changes)
    assert final["formality"] == pytest.approx(0.7)
    assert final["autonomy"] == pytest.approx(0.3)
    assert final["verbosity"] == pytest.approx(0.5 - 0.5 * (0.05))


def test_decay_settles_exactly_on_the_baseline() -> None:
    weights = {**DEFAULT_WEIGHTS, "initiative": 0.9}
    plasticity = Plasticity(decay=0.5)
    for _ in range(40):
        weights = apply_changes(
            weights, apply_signal(weights, DEFAULT_WEIGHTS, Signal(-1), plasticity)
        )
    assert weights == DEFAULT_WEIGHTS
    assert apply_signal(weights, DEFAULT_WEIGHTS, Signal(-1), plasticity) == []


def test_thumbs_down_without_tags_and_without_decay_changes_nothing() -> None:
    weights = {**DEFAULT_WEIGHTS, "initiative": 0.9}
    assert apply_signal(weights, DEFAULT_WEIGHTS, Signal(-1), Plasticity()) == []


@pytest.mark.parametrize(
    "values",
    [
        {"learning_rate": -0.1},
        {"learning_rate": 1.5},
        {"decay": 2.0},
        {"decay": float("nan")},
        {"learning_rate": float("inf")},
        {"learning_rate": True},
        {"decay": "0.1"},
    ],
)
def test_plasticity_values_outside_the_unit_interval_are_rejected(
    values: dict[str, object],
) -> None:
    with pytest.raises(InvalidInputError):
        Plasticity(**values)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "signal_args",
    [
        {"rating": 2, "tags": (), "source": "feedback"},
        {"rating": 1, "tags": ("too_loud",), "source": "feedback"},
        {"rating": 0, "tags": (), "source": "guess"},
    ],
)
def test_malformed_signals_are_rejected(signal_args: dict[str, object]) -> None:
    with pytest.raises(InvalidInputError):
        Signal(**signal_args)  # type: ignore[arg-type]


def test_replay_rejects_corrupt_events() -> None:
    with pytest.raises(InvalidInputError):
        replay(DEFAULT_WEIGHTS, [("verbosity", 1.2)])
    with pytest.raises(InvalidInputError):
        replay(DEFAULT_WEIGHTS, [("humour", 0.2)])


def test_replay_applies_events_in_order() -> None:
    final = replay(DEFAULT_WEIGHTS, [("verbosity", 0.3), ("formality", 0.8), ("verbosity", 0.2)])
    assert final == {**DEFAULT_WEIGHTS, "verbosity": 0.2, "formality": 0.8}


@given(weights_strategy, weights_strategy)
def test_drift_is_the_mean_absolute_distance_in_the_unit_interval(
    weights: dict[str, float], baseline: dict[str, float]
) -> None:
    value = drift(weights, baseline)
    assert 0.0 <= value <= 1.0
    deltas = weight_deltas(weights, baseline)
    assert value == pytest.approx(sum(abs(d) for d in deltas.values()) / len(WEIGHT_NAMES))
    assert drift(baseline, baseline) == 0.0


def test_drift_history_follows_the_events() -> None:
    series = drift_history(
        DEFAULT_WEIGHTS, DEFAULT_WEIGHTS, [("verbosity", 1.0), ("verbosity", 0.5)]
    )
    assert series == pytest.approx([0.0, 0.1, 0.0])
