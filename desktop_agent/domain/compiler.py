"""The behaviour compiler: weights in, the effective chat request (prompt and parameters) out."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from desktop_agent.domain.weights import WEIGHT_NAMES, check_weights

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

BAND_COUNT = 5
"""Bands split [0, 1] into [0,.2), [.2,.4), [.4,.6), [.6,.8) and [.8,1]."""
NEUTRAL_BAND = 2
"""A weight in the neutral band [.4,.6) adds no directive: the model's default behaviour."""

SETTINGS_PREFIX = "Weights: "

MIN_TOKENS = 64
TERSE_BELOW = NEUTRAL_BAND / BAND_COUNT
"""Below the neutral band (0.4) the token budget falls steeply: see token_budget."""
MAX_TOKENS = 4096
MIN_TEMPERATURE = 0.2
MAX_TEMPERATURE = 1.0

# Measured on SmolLM2-135M-Instruct (see docs/weights.md): a small model follows one
# short imperative sentence and ignores a long list of nuanced ones, so each band says
# one thing plainly, the neutral band says nothing, and the strongest deviation comes
# last (nearest the conversation, where a weak model attends most).
DIRECTIVE_TEXTS: Mapping[str, tuple[str, str, str, str, str]] = {
    "verbosity": (
        "Reply in one short sentence.",
        "Be brief: reply in one or two short sentences.",
        "",
        "Give a detailed answer with examples.",
        "Give a long, thorough answer: explain step by step, with examples.",
    ),
    "formality": (
        "Talk casually, like a friend: use contractions and plain words.",
        "Keep the tone relaxed and friendly.",
        "",
        "Use a professional tone.",
        "Write in a formal, academic style. Never use contractions.",
    ),
    "autonomy": (
        "Do not answer yet. Ask the user what they need.",
        "If the request is unclear, ask a clarifying question first.",
        "",
        "Make reasonable assumptions instead of asking questions.",
        "Never ask questions. Decide yourself and state your assumptions.",
    ),
    "initiative": (
        "Answer only the question. No suggestions, no extra tips.",
        "Stick to the question.",
        "",
        "Suggest a next step at the end.",
        'End with suggestions for next steps, starting "You could also".',
    ),
    "speed_vs_quality": (
        "Be careful and accurate; say when you are unsure.",
        "Check your facts before answering.",
        "",
        "Answer quickly and directly.",
        "Give the quickest answer you can.",
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
    """One behaviour sentence chosen by the band a weight falls in (never the neutral one)."""

    weight: str
    band: int
    text: str
    strength: float = 0.0  # distance of the weight from the neutral 0.5


@dataclass(frozen=True)
class CompiledRequest:
    """The effective request: what the GUI previews and the LLM layer sends."""

    base_prompt: str
    directives: tuple[Directive, ...]  # weakest first: the strongest deviation comes last
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

    def settings_line(self) -> str:
        """The exact weight values, shown beside the prompt in the preview (not sent)."""
        return settings_line(dict(self.weights)) if self.weights else ""


def band_of(value: float) -> int:
    """The band index 0..4 of a weight value in [0, 1]; 1.0 belongs to the top band."""
    return min(int(value * BAND_COUNT), BAND_COUNT - 1)


def format_weight(value: float) -> str:
    """A weight as shown in the settings line: at most three decimals, no trailing zeros."""
    # Three decimals so that any change of 0.01 or more is visible in the preview.
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
    """max_tokens: 128·32^verbosity (doubling every 0.2) from the neutral band up, and
    below it 2^(40·verbosity − 7) (halving every 0.025: 512 at 0.4, 128 at 0.35, 64
    from 0.325 down), times 1.25 at full accuracy down to 0.75 at full speed, kept within 64..4096.

    The steep low end is measured (see docs/weights.md): under "Be brief" the built-in
    model still wrote 218 words on a list-like question with a 390-token budget, and 61
    with 74 tokens, so a terse band soon gets a budget that fits two short sentences."""
    if verbosity >= TERSE_BELOW:
        by_verbosity = MIN_TOKENS * 2 * 32.0**verbosity
    else:
        by_verbosity = 2.0 ** (40 * verbosity - 7)
    budget = by_verbosity * (1.25 - 0.5 * speed_vs_quality)
    return max(MIN_TOKENS, min(MAX_TOKENS, round(budget)))


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
    Only weights outside the neutral band add a directive, weakest first, one per line.
    """
    checked = check_weights(weights)
    chosen = [
        Directive(name, band, DIRECTIVE_TEXTS[name][band], round(abs(checked[name] - 0.5), 6))
        for name in WEIGHT_NAMES
        if (band := band_of(checked[name])) != NEUTRAL_BAND
    ]
    # Stable sort: equal strengths keep the weights' documented order.
    directives = tuple(sorted(chosen, key=lambda directive: directive.strength))
    block = "\n".join(directive.text for directive in directives)  # see directives_text
    base = profile.system_prompt.rstrip()
    system_prompt = f"{_prompt_prefix(base)}{block}" if block else base
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
    """The [start, end) character range of the directives block inside system_prompt
    (empty at the end of the prompt when every weight is neutral)."""
    if not request.directives:
        return len(request.system_prompt), len(request.system_prompt)
    return len(_prompt_prefix(request.base_prompt.rstrip())), len(request.system_prompt)


def with_reminder(
    messages: Sequence[Mapping[str, Any]], request: CompiledRequest
) -> list[dict[str, Any]]:
    """The messages to send: the directives are repeated in a last system message, right
    before the reply, whenever there are any.

    Measured on the built-in model: "Reply in one short sentence." in the system prompt
    gives a median of 28 words on a first turn, but 146-213 words after a few long
    replies in the history, which a small model imitates instead; and a directive to
    ask the user first was followed in 0 of 6 first turns from the system prompt alone,
    but in 3 of 6 with the reminder after the user's message.
    """
    sent = [dict(message) for message in messages]
    if request.directives:
        sent.append({"role": "system", "content": directives_text(request)})
    return sent


def directives_text(request: CompiledRequest) -> str:
    """The directives block alone, one sentence per line (empty when all are neutral)."""
    return "\n".join(directive.text for directive in request.directives)
