"""The bulk constructor builds the very record the dataclass does (a store record here)."""

from __future__ import annotations

import dataclasses

import pytest

from desktop_agent.domain.bulk import bulk_constructor
from desktop_agent.store.records import FeedbackRecord, MessageRecord

VALUES = (7, "s", 3, 6, "assistant", "hi", "complete", "", "m", {"verbosity": 0.5}, 1.0, 2.0)
DETAILS = (True, FeedbackRecord(1, ("too_long",), 3.0), 1, 2)


def test_the_bulk_constructor_builds_an_equal_frozen_record() -> None:
    built = bulk_constructor(MessageRecord)(*VALUES, *DETAILS)
    expected = MessageRecord(*VALUES, *DETAILS)
    assert built == expected
    assert repr(built) == repr(expected)
    assert type(built) is MessageRecord
    with pytest.raises(dataclasses.FrozenInstanceError):
        built.content = "changed"  # type: ignore[misc]


def test_the_bulk_constructor_wants_every_field() -> None:
    with pytest.raises(ValueError, match="zip"):
        bulk_constructor(MessageRecord)(*VALUES)
