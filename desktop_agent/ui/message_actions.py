"""The per-message actions: painted as buttons by the delegate, run by the chat pane."""

from __future__ import annotations

from enum import StrEnum


class MessageAction(StrEnum):
    FEEDBACK_UP = "feedback_up"
    FEEDBACK_DOWN = "feedback_down"
    COPY = "copy"
    COPY_CODE = "copy_code"
    REGENERATE = "regenerate"
    EDIT = "edit"
    PREVIOUS_VERSION = "prev"
    VERSION = "version"  # the "2/3" label between ‹ and ›; not clickable
    NEXT_VERSION = "next"
    SELECT = "select"  # open the message on its own to select any part of it
