"""plan_context: newest turns within the budget, system prompt always first, summaries."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from desktop_agent.domain.context import (
    SUMMARY_PREFIX,
    Summary,
    Turn,
    plan_context,
    summary_prompt,
)


def chars(text: str) -> int:
    return len(text)


def _turns(*texts: str) -> list[Turn]:
    return [Turn(i, "user" if i % 2 == 0 else "assistant", t) for i, t in enumerate(texts)]


def test_everything_fits_when_the_budget_allows() -> None:
    plan = plan_context("sys", _turns("a", "b", "c"), budget=1000, reply_tokens=10, estimate=chars)
    assert plan.messages[0] == {"role": "system", "content": "sys"}
    assert [m["content"] for m in plan.messages[1:]] == ["a", "b", "c"]
    assert (plan.omitted, plan.first_kept_seq, plan.compact_upto_seq) == (0, 0, None)
    assert not plan.summary_used


def test_the_newest_turns_are_kept_and_the_cut_is_reported() -> None:
    turns = _turns("x" * 10, "y" * 10, "z" * 10, "w" * 10)
    # sys costs 3+4, reply 20: room for two 14-token turns in 64.
    plan = plan_context("sys", turns, budget=7 + 20 + 28, reply_tokens=20, estimate=chars)
    assert [m["content"][0] for m in plan.messages[1:]] == ["z", "w"]
    assert (plan.omitted, plan.first_kept_seq, plan.compact_upto_seq) == (2, 2, 1)
    assert plan.estimated_tokens == 7 + 28


def test_the_newest_turn_is_sent_even_alone_over_budget() -> None:
    plan = plan_context("sys", _turns("a" * 500), budget=10, reply_tokens=5, estimate=chars)
    assert [m["content"] for m in plan.messages] == ["sys", "a" * 500]


def test_a_summary_stands_in_for_the_turns_it_covers() -> None:
    turns = _turns("a", "b", "c", "d")
    plan = plan_context(
        "sys", turns, budget=1000, reply_tokens=10, estimate=chars, summary=Summary(1, "S")
    )
    assert plan.messages[1] == {"role": "system", "content": SUMMARY_PREFIX + "S"}
    assert [m["content"] for m in plan.messages[2:]] == ["c", "d"]
    assert plan.summary_used
    assert plan.compact_upto_seq is None


def test_summary_prompt_carries_the_previous_summary_and_new_turns() -> None:
    prompt = summary_prompt(Summary(3, "Earlier facts."), [Turn(4, "user", "New fact")])
    assert prompt[0]["role"] == "system"
    assert "Earlier facts." in prompt[1]["content"]
    assert "USER: New fact" in prompt[1]["content"]


@given(
    texts=st.lists(st.text(min_size=1, max_size=50), min_size=1, max_size=20),
    budget=st.integers(0, 400),
    reply=st.integers(0, 100),
)
def test_plans_always_keep_order_system_first_and_the_last_turn(
    texts: list[str], budget: int, reply: int
) -> None:
    turns = _turns(*texts)
    plan = plan_context("system!", turns, budget=budget, reply_tokens=reply, estimate=chars)
    assert plan.messages[0]["content"] == "system!"
    sent = [m["content"] for m in plan.messages[1:]]
    assert sent == texts[len(texts) - len(sent) :]  # a suffix: newest turns, in order
    assert sent[-1] == texts[-1]
    assert plan.omitted == len(texts) - len(sent)
    if len(sent) > 1:
        assert plan.estimated_tokens <= budget - reply
