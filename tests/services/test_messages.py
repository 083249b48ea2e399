"""Message use cases on a real SQLite file: pages of the conversation, editing a message
into a new version, switching versions (committed), and full-text search."""

from __future__ import annotations

from pathlib import Path

import pytest

from desktop_agent.domain.errors import InvalidInputError
from desktop_agent.services import messages, sessions
from desktop_agent.services.search import search_messages
from desktop_agent.store.messages import append_message


def test_pages_and_counts_of_the_conversation(store: Path) -> None:
    session = sessions.start_session()
    ids = [append_message(session.id, "user", f"line {n}").id for n in range(5)]
    assert messages.count_messages(session.id) == 5
    page = messages.list_messages(session.id, offset=1, limit=2)
    assert [m.id for m in page] == ids[1:3]
    assert messages.get_message(ids[4]).content == "line 4"


def test_editing_a_message_makes_a_version_and_switching_shows_the_old_branch(
    store: Path,
) -> None:
    session = sessions.start_session()
    asked = append_message(session.id, "user", "first question")
    answer = append_message(session.id, "assistant", "first answer")
    edited = messages.edit_user_message(asked.id, "better question")
    assert [m.content for m in messages.list_messages(session.id)] == ["better question"]
    assert [m.id for m in messages.versions_of(asked.id)] == [asked.id, edited.id]
    tail = messages.switch_version(asked.id)
    assert [m.id for m in tail] == [asked.id, answer.id]
    assert [m.content for m in messages.list_messages(session.id)] == [
        "first question",
        "first answer",
    ]
    with pytest.raises(InvalidInputError, match="only yours"):
        messages.edit_user_message(answer.id, "not mine to edit")


def test_search_finds_words_in_any_session(store: Path) -> None:
    first = sessions.start_session()
    second = sessions.start_session()
    append_message(first.id, "user", "the quarterly budget review")
    hit = append_message(second.id, "assistant", "a budget for the garden")
    assert {h.session_id for h in search_messages("budget")} == {first.id, second.id}
    assert [h.message_id for h in search_messages("budget", session_id=second.id)] == [hit.id]
    assert search_messages("***") == []
