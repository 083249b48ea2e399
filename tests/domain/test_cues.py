"""Correction cues found in the user's next message, and ordinary sentences left alone."""

from __future__ import annotations

import pytest

from desktop_agent.domain.cues import detect_cues
from desktop_agent.domain.plasticity import FEEDBACK_TAGS

CUES: list[tuple[str, str | None]] = [
    ("Shorter please", "too_long"),
    ("too long", "too_long"),
    ("That's way too long.", "too_long"),
    ("Your answer was too verbose", "too_long"),
    ("tl;dr", "too_long"),
    ("TLDR?", "too_long"),
    ("Make it shorter", "too_long"),
    ("ok, more concise", "too_long"),
    ("Keep it brief.", "too_long"),
    ("Get to the point", "too_long"),
    ("More detail please", "too_short"),
    ("can you elaborate?", "too_short"),
    ("Elaborate.", "too_short"),
    ("That's too short", "too_short"),
    ("Explain more", "too_short"),
    ("Go deeper on the second point", "too_short"),
    ("less formal", "too_formal"),
    ("Be more casual", "too_formal"),
    ("You're being too formal", "too_formal"),
    ("Hmm, that sounds so stiff", None),  # "sounds" is not a complaint form we trust
    ("more professional please", "too_casual"),
    ("That was too casual for a client email", "too_casual"),
    ("Please make it more formal", "too_casual"),
    ("Don't ask, just do it", "asked_too_much"),
    ("Stop asking me questions", "asked_too_much"),
    ("No need to ask, go ahead", "asked_too_much"),
    ("Just do it.", "asked_too_much"),
    ("Ask me first next time", "acted_without_asking"),
    ("You should have asked before deleting that", "acted_without_asking"),
    ("Check with me before sending anything", "acted_without_asking"),
    ("Any suggestions?", "want_suggestions"),
    ("Feel free to suggest improvements", "want_suggestions"),
    ("What would you recommend?", "want_suggestions"),
    ("No suggestions please", "unwanted_suggestions"),
    ("Stop suggesting things", "unwanted_suggestions"),
    ("Just answer the question.", "unwanted_suggestions"),
    ("just answer", "unwanted_suggestions"),
    ("Faster", "too_slow"),
    ("Be quicker next time", "too_slow"),
    ("That took way too long", "too_slow"),
    ("You're too slow", "too_slow"),
    ("Be more careful", "not_careful_enough"),
    ("Please double-check that", "not_careful_enough"),
    ("double check your math", "not_careful_enough"),
    ("Think it through step by step", "not_careful_enough"),
    ("That's wrong, take your time", "not_careful_enough"),
]

ORDINARY = [
    "How long does it take to boil an egg?",
    "The meeting ran too long yesterday, can you summarise the notes?",
    "My file name is too long for Windows, how do I fix it?",
    "Which river is shorter, the Rhine or the Danube?",
    "Is it faster to take the train or the bus?",
    "Faster than light travel: is it possible?",
    "Write a long story about dragons.",
    "What is the dress code for a formal dinner?",
    "Is 'Dear Sir' more formal than 'Hello'?",
    "Don't ask me why, but I love cats.",
    "I'll just do it myself tomorrow.",
    "Any suggestions for a birthday gift for my dad?",
    "I asked my boss for suggestions yesterday.",
    "My laptop is too slow, what should I upgrade?",
    "I always double-check my bags at the airport.",
    "Tell me more about the Roman empire.",
    "tl;dr: my build fails with a linker error",
    "Ask me first thing tomorrow about the report.",
    "Translate 'good morning' into French.",
    "Thanks, that's great!",
    "That wasn't too long, it was fine.",
    "It's not too formal, keep it.",
    "Can you explain how photosynthesis works?",
    "",
]


@pytest.mark.parametrize(("message", "tag"), CUES)
def test_correction_cue_is_detected(message: str, tag: str | None) -> None:
    expected = (tag,) if tag else ()
    assert detect_cues(message) == expected


@pytest.mark.parametrize("message", ORDINARY)
def test_ordinary_sentence_has_no_cue(message: str) -> None:
    assert detect_cues(message) == ()


def test_every_tag_has_at_least_one_cue() -> None:
    covered = {tag for _, tag in CUES if tag}
    assert covered == set(FEEDBACK_TAGS)


def test_several_cues_come_back_in_tag_order() -> None:
    assert detect_cues("Less formal, and shorter please!") == ("too_long", "too_formal")


def test_curly_apostrophes_and_case_do_not_matter() -> None:
    assert detect_cues("DON\u2019T ASK, JUST DO IT") == ("asked_too_much",)


def test_long_messages_are_requests_not_corrections() -> None:
    long_request = "Please write shorter " + " ".join(["word"] * 60)
    assert detect_cues(long_request) == ()
