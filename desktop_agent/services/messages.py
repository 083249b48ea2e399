"""A conversation's messages: reading pages of them, and the versions of a message
(editing a message of yours, switching which version is shown)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from desktop_agent.store import versions

# Reads: the store's queries, returning plain records.
from desktop_agent.store.messages import count_messages as count_messages
from desktop_agent.store.messages import get_message as get_message
from desktop_agent.store.messages import list_messages as list_messages
from desktop_agent.store.versions import versions_of as versions_of

if TYPE_CHECKING:
    from desktop_agent.store.records import MessageRecord


def edit_user_message(message_id: int, content: str) -> MessageRecord:
    """A new version of a user message; what followed the old version stays on its branch."""
    return versions.edit_user_message(message_id, content)


def switch_version(message_id: int) -> list[MessageRecord]:
    """Show version `message_id` and the newest branch below it; returns that tail."""
    return versions.switch_version(message_id)
