"""The behaviour compiler: weights in, the effective chat request (prompt and parameters) out."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from desktop_agent.domain.weights import WEIGHT_NAMES, check_weights

if TYPE_CHECKING:
    from collections.abc import Mapping

BAND_COUNT = 5
"""Bands split [0, 1] into [0,.2), [.2,.4), [.4,.6), [.6,.8) and [.8,1]."""

DIRECTIVES_HEADER = "Behaviour directives (set by this agent's weights):"
SETTINGS_PREFIX = "Behaviour settings: "

MIN_TOKENS_AT_FULL_SPEED = 128
MIN_TOKENS = 256
MAX_TOKENS = 4096
MIN_TEMPERATURE = 0.2
MAX_TEMPERATURE = 1.0

DIRECTIVE_TEXTS: Mapping[str, tuple[str, str, str, str, str]] = {
    "verbosity": (
        "Answer in as few words as possible: one or two sentences, no preamble, no recap.",
        "Keep answers short: give the answer and only the essential context.",
        "Give answers of moderate length: enough detail to be useful, without padding.",
        "Give detailed answers: explain the reasoning and include relevant examples.",
        "Give thorough, in-depth answers: cover background, reasoning, examples and edge cases.",
    ),
    "formality": (
        "Use a casual, friendly, conversational tone; contractions and plain words are welcome.",
        "Use a relaxed, conversational tone while staying clear.",
        "Use a neutral, clear tone.",
        "Use a professional tone and organise answers with a clear structure.",
        "Use a formal, professional register; structure answers with headings or numbered"
        " points where useful.",
    ),
    "autonomy": (
        "Always ask for confirmation before taking any action or making any assumption.",
        "Ask before acting on anything not clearly requested; ask clarifying questions when"
        " in doubt.",
        "Ask for confirmation only before significant or irreversible actions; otherwise proceed.",
        "Act independently on reasonable interpretations and state the assumptions you made.",
        "Take independent action without asking for confirmation; state your assumptions"
        " briefly and proceed.",
    ),
    "initiative": (
        "Answer only what was asked; do not offer suggestions or next steps.",
        "Stick to the question; mention a suggestion only when it is essential.",
        "Offer a suggestion or next step when it is clearly useful.",
        "Proactively suggest improvements, alternatives and next steps.",
        "Be proactive: anticipate needs and suggest next steps, alternatives and related"
        " improvements.",
    ),
    "speed_vs_quality": (
        "Prioritise accuracy over speed: reason carefully, check your work and flag uncertainty.",
        "Favour accuracy: think the problem through and verify key facts before answering.",
        "Balance speed and care.",
        "Favour speed: answer promptly and skip lengthy deliberation.",
        "Prioritise speed: answer immediately with the most likely answer.",
    ),
}


@dataclass(frozen=True)
class AgentProfile:
    """What the compiler needs to know about an agent."""

    name: str
    system_prompt: str
    primary_model: str
    fast_model: str


@dataclass(frozen=True)
class Directive:
    """One behaviour sentence chosen by the band a weight falls in."""

    weight: str
    band: int
    text: str


@dataclass(frozen=True)
class CompiledRequest:
    """The effective request: what the GUI previews and the LLM layer sends."""

    base_prompt: str
    directives: tuple[Directive, ...]
    system_prompt: str  # base prompt + the directives block
    model: str
    max_tokens: int
    temperature: float
    # The weights the request was compiled from, in WEIGHT_NAMES order.
    weights: tuple[tuple[str, float], ...] = ()

    def parameters(self) -> dict[str, object]:
        """The generation parameters, ready to pass to a chat-completions call."""
        return {
            "model": self.model,
            "max_tokens": self.max_tokens,
            "temperature": self.temperature,
        }


def band_of(value: float) -> int:
    """The band index 0..4 of a weight value in [0, 1]; 1.0 belongs to the top band."""
    return min(int(value * BAND_COUNT), BAND_COUNT - 1)


def format_weight(value: float) -> str:
    """A weight as shown in the settings line: at most three decimals, no trailing zeros."""
    # Three decimals so that any change of 0.01 or more is visible in the prompt text.
    return f"{round(value, 3):g}"


def settings_line(weights: Mapping[str, float]) -> str:
    """The compact line listing every weight's exact value."""
    listed = ", ".join(f"{name} {format_weight(weights[name])}" for name in WEIGHT_NAMES)
    return f"{SETTINGS_PREFIX}{listed}."


def choose_model(profile: AgentProfile, speed_vs_quality: float) -> str:
    """The fast model once speed_vs_quality leans towards speed (above 0.5), when the
    agent has one. The neutral default 0.5 keeps the primary model."""
    if speed_vs_quality > 0.5 and profile.fast_model:
        return profile.fast_model
    return profile.primary_model


def token_budget(verbosity: float, speed_vs_quality: float) -> int:
    """max_tokens: 256..4096 by verbosity, cut by up to half as speed_vs_quality rises."""
    by_verbosity = MIN_TOKENS + (MAX_TOKENS - MIN_TOKENS) * verbosity
    return round(by_verbosity * (1.0 - 0.5 * speed_vs_quality))


def temperature_for(formality: float, initiative: float) -> float:
    """0.2..1.0: casual and proactive agents sample more freely than formal, reactive ones."""
    span = MAX_TEMPERATURE - MIN_TEMPERATURE
    return round(MIN_TEMPERATURE + span * (0.5 * (1.0 - formality) + 0.5 * initiative), 3)


def _prompt_prefix(base_prompt: str) -> str:
    stripped = base_prompt.rstrip()
    return f"{stripped}\n\n" if stripped else ""


def compile_request(profile: AgentProfile, weights: Mapping[str, float]) -> CompiledRequest:
    """Compile an agent and its weights into the effective request.

    Weights missing from `weights` take the default 0.5; bad names or values raise
    InvalidInputError. The result is deterministic: equal inputs give equal requests.
    """
    checked = check_weights(weights)
    directives = tuple(
        Directive(name, band_of(checked[name]), DIRECTIVE_TEXTS[name][band_of(checked[name])])
        for name in WEIGHT_NAMES
    )
    lines = [DIRECTIVES_HEADER]
    lines.extend(f"- {directive.text}" for directive in directives)
    lines.append(settings_line(checked))
    system_prompt = _prompt_prefix(profile.system_prompt) + "\n".join(lines)
    return CompiledRequest(
        base_prompt=profile.system_prompt,
        directives=directives,
        system_prompt=system_prompt,
        model=choose_model(profile, checked["speed_vs_quality"]),
        max_tokens=token_budget(checked["verbosity"], checked["speed_vs_quality"]),
        temperature=temperature_for(checked["formality"], checked["initiative"]),
        weights=tuple((name, checked[name]) for name in WEIGHT_NAMES),
    )


def directive_span(request: CompiledRequest) -> tuple[int, int]:
    """The [start, end) character range of the directives block inside system_prompt."""
    return len(_prompt_prefix(request.base_prompt)), len(request.system_prompt)
