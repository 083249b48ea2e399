"""No message carries the API key, whole or cut at the edge of a shortened server text."""

from __future__ import annotations

from desktop_agent.llm.errors import redact

KEY = "sk-proj-abcdefghijklmnopqrstuvwxyz0123456789"


def test_the_whole_key_is_replaced() -> None:
    assert redact(f"bad key {KEY} given", KEY) == "bad key [redacted] given"


def test_a_key_cut_by_shortening_is_still_replaced() -> None:
    cut = f"Incorrect API key provided: {KEY[:20]}…"
    assert KEY[:20] not in redact(cut, KEY)
    assert redact(cut, KEY) == "Incorrect API key provided: [redacted]…"


def test_ordinary_text_is_left_alone() -> None:
    text = "Rate limited; retry in 12 s (abc)."
    assert redact(text, KEY) == text
    assert redact(text, None) == text
