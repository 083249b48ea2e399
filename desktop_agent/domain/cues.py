"""Correction cues: feedback tags inferred from the user's next message ("shorter please")."""

from __future__ import annotations

import re
from dataclasses import dataclass

from desktop_agent.domain.plasticity import FEEDBACK_TAGS

# Where a correction starts: the message start, or after a clause break or a filler word.
_LEAD = r"(?:^|[.,;:!?]\s*|\b(?:please|pls|ok|okay|hmm|no|nope|and|but|also|again|just)\s+)"
# Who the complaint is about, when a phrase such as "too long" needs one to be a cue.
_ABOUT_REPLY = (
    r"(?:^|[.,;:!?]\s*)(?:(?:that|this|it|your (?:answer|reply|response))"
    r"(?:'s| is| was)\s+|you(?:'re| are)(?: being)?\s+)?"
)
_INTENSIFIER = r"(?:(?:way|far|much|a bit|a little|a lot|kind of|kinda|still)\s+)?"
_NEGATION = re.compile(r"(?:\bnot|n't|\bnever|\bno longer)\s+(?:\w+\s+)?$")
_MAX_CUE_WORDS = 40
"""Longer messages are new requests, not corrections; the cost of a false cue is higher."""


@dataclass(frozen=True)
class CuePattern:
    """A phrase in the user's reply that reads as feedback with the tag `tag`."""

    tag: str
    pattern: re.Pattern[str]
    negatable: bool  # a "not"/"n't" just before the phrase cancels it


def _cue(tag: str, regex: str, *, negatable: bool = True) -> CuePattern:
    return CuePattern(tag, re.compile(regex), negatable)


CUE_PATTERNS: tuple[CuePattern, ...] = (
    # verbosity down
    _cue(
        "too_long",
        _ABOUT_REPLY + _INTENSIFIER + r"(?:too|so|overly) (?:long|verbose|wordy|lengthy)\b(?! ago)",
    ),
    _cue(
        "too_long",
        r"\b(?:make it|keep it|be|much|a bit|way|even|answer|reply)"
        r" (?:shorter|briefer|more (?:concise|brief))\b",
    ),
    _cue(
        "too_long", _LEAD + r"(?:shorter|briefer|more concise|less verbose)\b(?!\s+(?:than|or)\b)"
    ),
    _cue("too_long", r"\b(?:shorter|briefer|more concise),? please\b"),
    _cue("too_long", r"\b(?:keep it|be) (?:short|brief|concise)\b"),
    _cue("too_long", r"(?:^|[.!?]\s*)tl;?dr\b(?!\s*:)"),
    _cue("too_long", r"\b(?:get|come) to the point\b|\bstop rambling\b|\btoo much text\b"),
    _cue("too_long", r"\b(?:fewer|less) words\b"),
    # verbosity up
    _cue("too_short", _ABOUT_REPLY + _INTENSIFIER + r"too (?:short|brief|terse)\b"),
    _cue(
        "too_short",
        r"\b(?:more|further) details?\b|\bmore detailed\b|\bin (?:more )?(?:depth|detail)\b",
    ),
    _cue("too_short", _LEAD + r"(?:can you |could you |would you )?(?:please )?elaborate\b"),
    _cue(
        "too_short",
        r"\b(?:explain|tell me|say) (?:a bit |a little |some )?more\b(?!\s+(?:about|of|on|than)\b)",
    ),
    _cue("too_short", r"\b(?:go|dig) deeper\b|\b(?:longer|more thorough),? please\b"),
    # formality down
    _cue(
        "too_formal", _ABOUT_REPLY + _INTENSIFIER + r"(?:too|so|overly) (?:formal|stiff|robotic)\b"
    ),
    _cue(
        "too_formal",
        r"\b(?:be|sound|write|keep it|make it|tone|talk|a bit|way|much)"
        r" (?:less formal|more (?:casual|relaxed|friendly|informal|conversational))\b",
    ),
    _cue("too_formal", _LEAD + r"(?:less formal|more casual)\b"),
    _cue("too_formal", r"\b(?:loosen up|relax the tone)\b"),
    # formality up
    _cue(
        "too_casual",
        _ABOUT_REPLY + _INTENSIFIER + r"(?:too|so|overly) (?:casual|informal|chatty|familiar)\b",
    ),
    _cue(
        "too_casual",
        r"\b(?:be|sound|write|keep it|make it|tone|talk|a bit|way|much)"
        r" (?:less casual|more (?:formal|professional))\b",
    ),
    _cue("too_casual", _LEAD + r"(?:more formal|more professional|less casual)\b"),
    _cue("too_casual", r"\bbe professional\b"),
    # autonomy up
    _cue("asked_too_much", r"\bdon't ask,? just do it\b|\bstop asking\b", negatable=False),
    _cue("asked_too_much", r"(?:^|[.,;:!?]\s*|\bplease\s+)just do it\b", negatable=False),
    _cue(
        "asked_too_much",
        r"\b(?:no|don't|you don't) need to (?:ask|check with me|confirm)\b",
        negatable=False,
    ),
    _cue(
        "asked_too_much",
        r"\bdon't ask (?:me )?(?:for (?:permission|confirmation)|first|every time|questions)\b",
        negatable=False,
    ),
    _cue(
        "asked_too_much",
        r"\b(?:too many|so many|enough) questions\b|\bquit asking\b",
        negatable=False,
    ),
    _cue("asked_too_much", r"\bwithout asking (?:me )?(?:first|again)?\s*[.!]*$", negatable=False),
    # autonomy down
    _cue(
        "acted_without_asking",
        r"\bask (?:me )?(?:first|before (?:you|doing|changing|making|acting|deleting|sending))"
        r"\b(?! thing)",
    ),
    _cue(
        "acted_without_asking",
        r"\bcheck with me (?:first|before)\b|\bconfirm with me\b|\balways ask\b",
    ),
    _cue(
        "acted_without_asking",
        r"\byou should(?:'ve| have) asked\b|\bwithout asking me\b(?! first)",
        negatable=False,
    ),
    _cue("acted_without_asking", r"\bi didn't (?:ask|tell) you to\b", negatable=False),
    # initiative up
    _cue(
        "want_suggestions",
        r"(?:^|[.!?]\s*)any (?:other )?(?:suggestions|ideas|recommendations|tips)\s*\??\s*$",
    ),
    _cue("want_suggestions", r"\b(?:more|some) suggestions,? please\b|\bfeel free to suggest\b"),
    _cue("want_suggestions", r"\bsuggest (?:some )?next steps\b|\bbe (?:more )?proactive\b"),
    _cue(
        "want_suggestions",
        r"\bwhat would you (?:suggest|recommend)\s*\??\s*$|\bwhat (?:should i|do i) do next\b",
    ),
    # initiative down
    _cue(
        "unwanted_suggestions",
        r"\bno (?:more )?(?:suggestions|recommendations|unsolicited advice)\b",
        negatable=False,
    ),
    _cue(
        "unwanted_suggestions",
        r"\b(?:stop|quit) (?:suggesting|recommending|offering)\b|\bdon't suggest\b",
        negatable=False,
    ),
    _cue(
        "unwanted_suggestions",
        r"\bi didn't ask for (?:suggestions|advice|recommendations|alternatives)\b",
        negatable=False,
    ),
    _cue("unwanted_suggestions", _LEAD + r"just answer\b|\bjust (?:the|answer the) question\b"),
    # speed up
    _cue(
        "too_slow",
        _LEAD + r"(?:be |answer |respond |reply |go |a bit |much )?(?:faster|quicker)"
        r"\b(?!\s+(?:than|or)\b)",
    ),
    _cue(
        "too_slow",
        r"(?:^|[.,;:!?]\s*)(?:you(?:'re| are) |that was |that's |this is |way |far |much )?"
        r"(?:too|so) slow\b",
    ),
    _cue("too_slow", r"\b(?:took|takes|taking) (?:way |far )?(?:too long|forever)\b"),
    _cue("too_slow", r"\bspeed it up\b|(?:^|[.,;:!?]\s*)hurry(?: up)?\b"),
    # care up
    _cue(
        "not_careful_enough",
        r"\bbe more (?:careful|precise|thorough|accurate)\b|\bbe careful\s*[.!]*$",
    ),
    _cue(
        "not_careful_enough",
        r"(?:^|[.,;:!?]\s*|\b(?:please|you|can you|could you)\s+)double[- ]?check\b",
    ),
    _cue(
        "not_careful_enough",
        r"\bdouble[- ]?check (?:your|that|this|it|the answer)\b"
        r"|\bcheck your (?:work|answer|facts|math)\b",
    ),
    _cue(
        "not_careful_enough",
        r"\btake your time\b|\bthink (?:harder|more carefully|it through|step by step)\b",
    ),
    _cue(
        "not_careful_enough",
        r"\b(?:that's|that is|this is|it's) (?:wrong|incorrect|not (?:right|correct))\b",
        negatable=False,
    ),
)

_TAG_ORDER = {tag: index for index, tag in enumerate(FEEDBACK_TAGS)}


def normalise(text: str) -> str:
    """Lower case, straight apostrophes, single spaces: the form the patterns expect."""
    text = text.replace("\u2019", "'").replace("\u2018", "'").lower()
    return " ".join(text.split())


def _negated(text: str, start: int) -> bool:
    return _NEGATION.search(text, 0, start) is not None


def detect_cues(text: str) -> tuple[str, ...]:
    """Feedback tags a user's message implies about the previous reply, in tag order.

    English only, case-insensitive, on word boundaries. Deliberately conservative: a
    phrase counts only in correction-like positions ("too long" about the reply, not
    "the file is too long to open"), a "not"/"n't" just before it cancels it, and
    messages over 40 words are treated as new requests rather than corrections.
    """
    normalised = normalise(text)
    if not normalised or len(normalised.split()) > _MAX_CUE_WORDS:
        return ()
    found: set[str] = set()
    for cue in CUE_PATTERNS:
        if cue.tag in found:
            continue
        for match in cue.pattern.finditer(normalised):
            if not (cue.negatable and _negated(normalised, match.start())):
                found.add(cue.tag)
                break
    return tuple(sorted(found, key=_TAG_ORDER.__getitem__))
