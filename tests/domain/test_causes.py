"""Weight-change causes: stored text in, parts and on-screen labels out; the learning
rule, the sliders' notes and the drift chart read causes through this one type."""

from __future__ import annotations

import pytest

from desktop_agent.domain.causes import DECAY, MANUAL, REINFORCE, RESET, Cause, CauseKind
from desktop_agent.domain.plasticity import Plasticity, Signal, WeightChange, apply_signal
from desktop_agent.domain.weights import DEFAULT_WEIGHTS


@pytest.mark.parametrize(
    ("cause", "kind", "detail", "label", "reason"),
    [
        (
            Cause.feedback("too_long"),
            CauseKind.FEEDBACK,
            "too_long",
            "feedback: too_long",
            "too_long",
        ),
        (
            Cause.cue("too_formal"),
            CauseKind.CUE,
            "too_formal",
            "correction cue: too_formal",
            "too_formal (from your message)",
        ),
        (REINFORCE, CauseKind.REINFORCE, "", "thumbs up reinforced recent learning", "reinforce"),
        (DECAY, CauseKind.DECAY, "", "decay toward the baseline", "decay"),
        (MANUAL, CauseKind.MANUAL, "", "set by hand", "manual"),
        (RESET, CauseKind.RESET, "", "reset to the baseline", "reset"),
        (
            Cause.snapshot("0123456789abcdef"),
            CauseKind.SNAPSHOT,
            "0123456789abcdef",
            "snapshot 01234567 applied",
            "snapshot",
        ),
        (
            Cause.session("fedcba9876543210"),
            CauseKind.SESSION,
            "fedcba9876543210",
            "learned in session fedcba98",
            "session",
        ),
        (Cause.revert(42), CauseKind.REVERT, "42", "revert of event 42", "revert"),
    ],
)
def test_each_kind_has_its_parts_and_labels(
    cause: Cause, kind: CauseKind, detail: str, label: str, reason: str
) -> None:
    assert (cause.kind, cause.detail, cause.label, cause.reason) == (kind, detail, label, reason)
    # The stored text is the cause itself, and reads back as the same cause.
    assert Cause(str(cause)) == cause
    assert Cause(str(cause)).label == label


def test_stored_text_keeps_its_historic_form() -> None:
    assert Cause.feedback("too_long") == "feedback:too_long"
    assert Cause.session("abc") == "session:abc"
    assert Cause.revert(7) == "revert:7"
    assert MANUAL == "manual"


def test_learned_and_signal_kinds() -> None:
    learned = {kind for kind in CauseKind if kind.learned}
    assert learned == {CauseKind.FEEDBACK, CauseKind.CUE, CauseKind.REINFORCE, CauseKind.DECAY}
    assert {kind for kind in CauseKind if kind.signal} == {CauseKind.FEEDBACK, CauseKind.CUE}
    assert Cause.cue("x").learned
    assert Cause.cue("x").signal
    assert REINFORCE.learned
    assert not REINFORCE.signal
    assert not MANUAL.learned
    assert not Cause.snapshot("s").learned


def test_an_unknown_cause_still_reads_as_itself() -> None:
    cause = Cause("imported:chatgpt")
    assert cause.kind is None
    assert (cause.label, cause.reason, cause.learned) == ("imported:chatgpt", "imported", False)


def test_the_learning_rule_produces_causes() -> None:
    changes = apply_signal(
        DEFAULT_WEIGHTS,
        DEFAULT_WEIGHTS,
        Signal(-1, ("too_long",)),
        Plasticity(learning_rate=0.2, decay=0.1),
    )
    assert [c.cause.kind for c in changes if isinstance(c.cause, Cause)] == [CauseKind.FEEDBACK] + [
        CauseKind.DECAY
    ] * (len(changes) - 1)
    # A change built from stored text (the event log) carries a Cause too.
    assert isinstance(WeightChange("verbosity", 0.5, 0.4, "cue:too_long").cause, Cause)
