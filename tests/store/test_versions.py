"""Regenerate and edit-and-resend keep every version; switching shows a whole branch."""

from __future__ import annotations

from pathlib import Path

import pytest

from desktop_agent.domain.errors import InvalidInputError
from desktop_agent.store import messages, sessions, versions


def _shown(session_id: str) -> list[str]:
    return [m.content for m in messages.list_messages(session_id)]


def _conversation() -> tuple[str, list[int]]:
    session = sessions.create_session()
    ids = [
        messages.append_message(session.id, role, text).id
        for role, text in [("user", "q1"), ("assistant", "a1"), ("user", "q2"), ("assistant", "a2")]
    ]
    return session.id, ids


def test_regenerate_keeps_the_earlier_version(store: Path) -> None:
    sid, ids = _conversation()
    new = versions.start_regeneration(ids[3], model="m")
    assert (new.status, new.content, new.seq) == ("incomplete", "", 3)
    messages.finish_message(new.id, "a2 again", "complete")

    assert _shown(sid) == ["q1", "a1", "q2", "a2 again"]
    last = messages.list_messages(sid)[-1]
    assert (last.version_index, last.version_count) == (1, 2)
    assert [v.content for v in versions.versions_of(ids[3])] == ["a2", "a2 again"]
    assert sessions.get_session(sid).message_count == 4


def test_only_replies_regenerate_and_only_user_messages_are_edited(store: Path) -> None:
    _sid, ids = _conversation()
    with pytest.raises(InvalidInputError):
        versions.start_regeneration(ids[0])
    with pytest.raises(InvalidInputError):
        versions.edit_user_message(ids[1], "x")
    with pytest.raises(InvalidInputError, match="empty"):
        versions.edit_user_message(ids[0], "   ")


def test_edit_and_resend_keeps_the_old_branch(store: Path) -> None:
    sid, ids = _conversation()
    edited = versions.edit_user_message(ids[0], "q1 edited")
    assert _shown(sid) == ["q1 edited"]
    assert sessions.get_session(sid).message_count == 1
    messages.append_message(sid, "assistant", "a1 for the edit")
    assert _shown(sid) == ["q1 edited", "a1 for the edit"]
    first = messages.list_messages(sid)[0]
    assert (first.id, first.version_index, first.version_count) == (edited.id, 1, 2)

    # Back to the original version: its whole branch returns.
    versions.switch_version(ids[0])
    assert _shown(sid) == ["q1", "a1", "q2", "a2"]
    assert sessions.get_session(sid).message_count == 4
    assert messages.list_messages(sid)[0].version_index == 0

    versions.switch_version(edited.id)
    assert _shown(sid) == ["q1 edited", "a1 for the edit"]


def test_switch_version_restores_the_newest_branch_below(store: Path) -> None:
    sid, ids = _conversation()
    regen = versions.start_regeneration(ids[1])
    messages.finish_message(regen.id, "a1 v2", "complete")
    messages.append_message(sid, "user", "q2 on v2")
    newer = versions.start_regeneration(regen.id)  # a third version of the reply
    messages.finish_message(newer.id, "a1 v3", "complete")
    assert _shown(sid) == ["q1", "a1 v3"]

    shown = versions.switch_version(ids[1])
    assert [m.content for m in shown] == ["a1", "q2", "a2"]
    assert _shown(sid) == ["q1", "a1", "q2", "a2"]
    versions.switch_version(regen.id)
    assert _shown(sid) == ["q1", "a1 v2", "q2 on v2"]
    reply = messages.list_messages(sid)[1]
    assert (reply.version_index, reply.version_count) == (1, 3)
