"""Fit a conversation into a model's context budget: newest turns kept, system prompt
always kept, and an optional stored summary standing in for the turns left out."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

SUMMARY_PREFIX = "Summary of the earlier part of this conversation:\n"


@dataclass(frozen=True)
class Turn:
    """One message as the context builder sees it."""

    seq: int
    role: str
    content: str


@dataclass(frozen=True)
class Summary:
    """A compaction's summary of the turns up to `upto_seq`."""

    upto_seq: int  # covers every turn with seq <= upto_seq
    text: str


@dataclass(frozen=True)
class ContextPlan:
    """What one request sends: the messages, and which turns were summarised or dropped."""

    messages: tuple[dict[str, str], ...]  # what is sent, system prompt first
    first_kept_seq: int | None  # oldest turn sent verbatim (None: no turns)
    omitted: int  # turns not sent verbatim
    summary_used: bool
    # Turns are left out that no summary covers: compacting up to this seq would help.
    compact_upto_seq: int | None
    estimated_tokens: int


def plan_context(
    system_prompt: str,
    turns: Sequence[Turn],
    *,
    budget: int,
    reply_tokens: int,
    estimate: Callable[[str], int],
    summary: Summary | None = None,
    per_message_overhead: int = 4,
) -> ContextPlan:
    """Keep the newest turns that fit in `budget - reply_tokens`.

    The newest turn is always sent, even alone over budget: refusing to send the
    person's own message would be worse than a provider's context error.
    """

    def cost(text: str) -> int:
        return estimate(text) + per_message_overhead

    available = budget - reply_tokens - cost(system_prompt)
    usable_summary = summary
    if usable_summary is not None:
        available -= cost(SUMMARY_PREFIX + usable_summary.text)

    # Turns a summary already covers are never sent verbatim beside it.
    candidates = [t for t in turns if usable_summary is None or t.seq > usable_summary.upto_seq]
    kept: list[Turn] = []
    used = 0
    for turn in reversed(candidates):
        c = cost(turn.content)
        if kept and used + c > available:
            break
        kept.append(turn)
        used += c
    kept.reverse()

    first_kept = kept[0].seq if kept else None
    left_out = [t for t in candidates if first_kept is None or t.seq < first_kept]
    compact_upto = left_out[-1].seq if left_out else None

    messages: list[dict[str, str]] = [{"role": "system", "content": system_prompt}]
    if usable_summary is not None:
        messages.append({"role": "system", "content": SUMMARY_PREFIX + usable_summary.text})
    messages.extend({"role": t.role, "content": t.content} for t in kept)
    total = cost(system_prompt) + used
    if usable_summary is not None:
        total += cost(SUMMARY_PREFIX + usable_summary.text)
    return ContextPlan(
        messages=tuple(messages),
        first_kept_seq=first_kept,
        omitted=len(turns) - len(kept),
        summary_used=usable_summary is not None,
        compact_upto_seq=compact_upto,
        estimated_tokens=total,
    )


def summary_prompt(previous: Summary | None, turns: Sequence[Turn]) -> list[dict[str, str]]:
    """The request that asks the fast model for a new running summary."""
    lines = []
    if previous is not None:
        lines.append(f"Earlier summary:\n{previous.text}\n")
    lines.append("Conversation to add:")
    lines.extend(f"{t.role.upper()}: {t.content}" for t in turns)
    return [
        {
            "role": "system",
            "content": (
                "You maintain a running summary of a conversation so it can continue "
                "after older turns are dropped. Keep facts, decisions, names, numbers, "
                "open questions and the user's preferences. Write compact plain prose."
            ),
        },
        {"role": "user", "content": "\n".join(lines)},
    ]
