"""The behaviour compiler: bands, parameters, sensitivity to every change, and diffs."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from desktop_agent.domain.compiler import (
    DIRECTIVE_TEXTS,
    NEUTRAL_BAND,
    AgentProfile,
    band_of,
    compile_request,
    directive_span,
    token_budget,
    with_reminder,
)
from desktop_agent.domain.errors import InvalidInputError
from desktop_agent.domain.weights import DEFAULT_WEIGHTS, WEIGHT_NAMES

PROFILE = AgentProfile(
    name="assistant",
    system_prompt="You are a helpful assistant.",
    primary_model="big-model",
    fast_model="small-model",
)

# (value, band): both ends of every band, including the exact boundaries.
BAND_SAMPLES = [
    (0.0, 0),
    (0.199, 0),
    (0.2, 1),
    (0.399, 1),
    (0.4, 2),
    (0.599, 2),
    (0.6, 3),
    (0.799, 3),
    (0.8, 4),
    (1.0, 4),
]

unit = st.floats(min_value=0.0, max_value=1.0, allow_nan=False)
weights_strategy = st.fixed_dictionaries({name: unit for name in WEIGHT_NAMES})


def with_weight(name: str, value: float) -> dict[str, float]:
    return {**DEFAULT_WEIGHTS, name: value}


@pytest.mark.parametrize("name", WEIGHT_NAMES)
@pytest.mark.parametrize(("value", "band"), BAND_SAMPLES)
def test_every_band_of_every_weight_picks_its_directive(name: str, value: float, band: int) -> None:
    request = compile_request(PROFILE, with_weight(name, value))

    chosen = [d for d in request.directives if d.weight == name]
    if band == NEUTRAL_BAND:
        # The neutral band adds nothing: the model's default behaviour.
        assert chosen == []
        assert DIRECTIVE_TEXTS[name][band] == ""
        return
    [directive] = chosen
    assert directive.band == band
    assert directive.text == DIRECTIVE_TEXTS[name][band]
    assert request.system_prompt.endswith(f"\n{directive.text}")


def test_every_band_text_is_distinct_and_only_the_neutral_one_is_empty() -> None:
    for name in WEIGHT_NAMES:
        texts = DIRECTIVE_TEXTS[name]
        assert len(set(texts)) == 5, name
        assert [band for band, text in enumerate(texts) if not text] == [NEUTRAL_BAND], name


def test_directives_are_short_imperative_sentences() -> None:
    # A small model drowns in long, nuanced instructions (measured: docs/weights.md).
    for name in WEIGHT_NAMES:
        for text in DIRECTIVE_TEXTS[name]:
            assert len(text.split()) <= 12, text
            assert not text or text.endswith((".", '"')), text


def test_neutral_weights_send_the_agent_prompt_unchanged() -> None:
    request = compile_request(PROFILE, DEFAULT_WEIGHTS)
    assert request.directives == ()
    assert request.system_prompt == PROFILE.system_prompt
    assert directive_span(request) == (len(PROFILE.system_prompt), len(PROFILE.system_prompt))


def test_strongest_deviation_comes_last() -> None:
    weights = {"verbosity": 0.05, "formality": 0.7, "autonomy": 0.5, "initiative": 0.9}
    request = compile_request(PROFILE, weights)

    assert [d.weight for d in request.directives] == ["formality", "initiative", "verbosity"]
    assert request.system_prompt == (
        f"{PROFILE.system_prompt}\n\n"
        + "\n".join(
            [
                DIRECTIVE_TEXTS["formality"][3],
                DIRECTIVE_TEXTS["initiative"][4],
                DIRECTIVE_TEXTS["verbosity"][0],
            ]
        )
    )


def test_equally_strong_deviations_keep_the_documented_weight_order() -> None:
    request = compile_request(PROFILE, {"formality": 0.1, "verbosity": 0.9})
    assert [d.weight for d in request.directives] == ["verbosity", "formality"]


def test_system_prompt_is_base_prompt_then_directives_block() -> None:
    request = compile_request(PROFILE, {"verbosity": 0.12, "formality": 0.7})
    start, end = directive_span(request)

    assert request.system_prompt[:start].rstrip() == PROFILE.system_prompt
    assert request.system_prompt[start:end] == (
        f"{DIRECTIVE_TEXTS['formality'][3]}\n{DIRECTIVE_TEXTS['verbosity'][0]}"
    )
    assert end == len(request.system_prompt)


def test_the_values_line_is_shown_not_sent() -> None:
    request = compile_request(PROFILE, {"verbosity": 0.42, "formality": 0.7})
    assert request.settings_line() == (
        "Weights: verbosity 0.42, formality 0.7, autonomy 0.5, initiative 0.5,"
        " speed_vs_quality 0.5."
    )
    assert "0.42" not in request.system_prompt


def test_empty_base_prompt_gives_a_prompt_of_directives_only() -> None:
    profile = AgentProfile("bare", "", "m", "")
    request = compile_request(profile, with_weight("verbosity", 0.0))
    assert request.system_prompt == DIRECTIVE_TEXTS["verbosity"][0]
    assert directive_span(request) == (0, len(request.system_prompt))


@pytest.mark.parametrize(
    ("speed", "model"),
    [(0.0, "big-model"), (0.5, "big-model"), (0.51, "small-model"), (1.0, "small-model")],
)
def test_speed_vs_quality_chooses_fast_model_above_one_half(speed: float, model: str) -> None:
    request = compile_request(PROFILE, with_weight("speed_vs_quality", speed))
    assert request.model == model
    assert request.parameters()["model"] == model


def test_fast_weights_fall_back_to_primary_model_without_a_fast_model() -> None:
    profile = AgentProfile("solo", "", "only-model", "")
    assert compile_request(profile, with_weight("speed_vs_quality", 1.0)).model == "only-model"


@given(st.floats(0.0, 1.0), st.floats(0.0, 1.0), unit)
def test_max_tokens_grows_with_verbosity(low: float, high: float, speed: float) -> None:
    low, high = sorted((low, high))
    fewer = compile_request(PROFILE, {"verbosity": low, "speed_vs_quality": speed})
    more = compile_request(PROFILE, {"verbosity": high, "speed_vs_quality": speed})
    assert fewer.max_tokens <= more.max_tokens


def test_max_tokens_falls_with_speed_and_spans_its_range() -> None:
    def tokens(verbosity: float, speed: float) -> int:
        weights = {"verbosity": verbosity, "speed_vs_quality": speed}
        return compile_request(PROFILE, weights).max_tokens

    assert tokens(0.5, 0.0) > tokens(0.5, 0.5) > tokens(0.5, 1.0)
    assert tokens(1.0, 0.0) == 4096
    assert tokens(0.0, 1.0) == 64
    assert tokens(0.5, 0.5) == 724


def test_terse_budgets_are_a_real_lever() -> None:
    # Doubling every 0.2 of verbosity: a terse reply cannot run on for pages.
    assert token_budget(0.05, 0.5) < 160
    assert token_budget(0.95, 0.5) > 20 * token_budget(0.05, 0.5)


def test_below_the_neutral_band_the_budget_halves_every_fortieth() -> None:
    # Continuous at 0.4, then steep: "Be brief" gets room for a few sentences only.
    assert token_budget(0.4, 0.5) == 512
    assert token_budget(0.399, 0.5) < 512
    assert token_budget(0.35, 0.5) == 128
    assert token_budget(0.325, 0.5) == 64
    assert token_budget(0.3, 0.5) == 64
    assert token_budget(0.1, 0.5) == 64


def test_temperature_spans_its_range_by_formality_and_initiative() -> None:
    def temperature(formality: float, initiative: float) -> float:
        weights = {"formality": formality, "initiative": initiative}
        return compile_request(PROFILE, weights).temperature

    assert temperature(1.0, 0.0) == pytest.approx(0.2)
    assert temperature(0.0, 1.0) == pytest.approx(1.0)
    assert temperature(0.8, 0.5) < temperature(0.2, 0.5)
    assert temperature(0.5, 0.2) < temperature(0.5, 0.8)


def test_parameters_are_the_generation_parameters() -> None:
    request = compile_request(PROFILE, DEFAULT_WEIGHTS)
    assert request.parameters() == {
        "model": request.model,
        "max_tokens": request.max_tokens,
        "temperature": request.temperature,
    }


def _moved(weights: dict[str, float], name: str, delta: float) -> dict[str, float]:
    changed = dict(weights)
    moved = weights[name] + delta
    changed[name] = moved if moved <= 1.0 else weights[name] - delta
    if changed[name] < 0.0:
        changed[name] = 0.0 if weights[name] >= 0.01 else 1.0
    return changed


@given(weights_strategy, st.sampled_from(WEIGHT_NAMES), st.floats(0.01, 1.0))
def test_any_change_of_a_hundredth_changes_the_parameters_or_the_preview(
    weights: dict[str, float], name: str, delta: float
) -> None:
    before = compile_request(PROFILE, weights)
    after = compile_request(PROFILE, _moved(weights, name, delta))

    # What is sent (prompt or parameters) or what the preview shows (the values line).
    assert (before.system_prompt, before.parameters(), before.settings_line()) != (
        after.system_prompt,
        after.parameters(),
        after.settings_line(),
    )


@given(weights_strategy, st.sampled_from(WEIGHT_NAMES), st.floats(0.01, 1.0))
def test_any_change_of_band_changes_the_directives(
    weights: dict[str, float], name: str, delta: float
) -> None:
    changed = _moved(weights, name, delta)
    before = compile_request(PROFILE, weights)
    after = compile_request(PROFILE, changed)

    if band_of(weights[name]) != band_of(changed[name]):
        assert {d.text for d in before.directives} != {d.text for d in after.directives}
        assert before.system_prompt != after.system_prompt


@given(weights_strategy)
def test_compiling_is_deterministic(weights: dict[str, float]) -> None:
    assert compile_request(PROFILE, weights) == compile_request(PROFILE, dict(weights))


def test_bad_weights_are_rejected() -> None:
    with pytest.raises(InvalidInputError, match="verbosity"):
        compile_request(PROFILE, {"verbosity": 1.5})
    with pytest.raises(InvalidInputError, match="humour"):
        compile_request(PROFILE, {"humour": 0.5})


def test_documented_mapping_table_matches_the_code() -> None:
    docs = (Path(__file__).resolve().parents[2] / "docs" / "weights.md").read_text("utf-8")
    for name in WEIGHT_NAMES:
        for band, text in enumerate(DIRECTIVE_TEXTS[name]):
            assert f"| `{name}` | {band} " in docs
            assert f"| {text or '(none: the model’s default)'} |" in docs, text


def test_the_directives_are_repeated_right_before_the_reply() -> None:
    request = compile_request(PROFILE, {"verbosity": 0.05, "formality": 0.8})
    reminder = {
        "role": "system",
        "content": f"{DIRECTIVE_TEXTS['formality'][4]}\n{DIRECTIVE_TEXTS['verbosity'][0]}",
    }
    first_turn = [
        {"role": "system", "content": request.system_prompt},
        {"role": "user", "content": "hi"},
    ]
    assert with_reminder(first_turn, request) == [*first_turn, reminder]

    later = [
        *first_turn,
        {"role": "assistant", "content": "hello " * 300},
        {"role": "user", "content": "and?"},
    ]
    assert with_reminder(later, request) == [*later, reminder]
    neutral = compile_request(PROFILE, DEFAULT_WEIGHTS)
    assert with_reminder(first_turn, neutral) == first_turn
    assert with_reminder(later, neutral) == later
