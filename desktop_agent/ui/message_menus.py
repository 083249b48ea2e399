"""The chat's menus for one message: right-click actions, thumbs-down reasons, and which
code block to copy."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QMenu, QWidget

from desktop_agent.ui.formatting import feedback_tags, tag_label
from desktop_agent.ui.markdown import code_blocks
from desktop_agent.ui.message_actions import MessageAction

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from desktop_agent.store.records import MessageRecord

    GiveFeedback = Callable[[int, int, Sequence[str]], None]


def _tr(text: str) -> str:
    return QCoreApplication.translate("MessageMenus", text)


def _popup_menu(parent: QWidget) -> QMenu:
    menu = QMenu(parent)
    menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    return menu


def feedback_menu(
    parent: QWidget, record: MessageRecord, give_feedback: GiveFeedback, menu: QMenu | None = None
) -> QMenu:
    """Thumbs down with a reason: each tag teaches the agent something specific."""
    menu = menu if menu is not None else _popup_menu(parent)
    menu.setObjectName("feedbackMenu")
    current = set(record.feedback.tags) if record.feedback else set()
    header = menu.addAction(_tr("What was wrong?"))
    header.setEnabled(False)
    for tag in feedback_tags():
        action = menu.addAction(tag_label(tag))
        action.setCheckable(True)
        action.setChecked(tag in current)
        action.triggered.connect(lambda _checked=False, t=tag: give_feedback(record.id, -1, [t]))
    menu.addSeparator()
    plain = menu.addAction(_tr("Just not good (no reason)"))
    plain.triggered.connect(lambda: give_feedback(record.id, -1, ()))
    return menu


def code_blocks_menu(parent: QWidget, blocks: Sequence[str]) -> QMenu:
    """One entry per code block (named by its first line); choosing one copies it."""
    menu = _popup_menu(parent)
    for number, block in enumerate(blocks, 1):
        first = next((ln.strip() for ln in block.splitlines() if ln.strip()), "")
        action = menu.addAction(_tr("Block %d: %s") % (number, first[:48]))
        action.triggered.connect(
            lambda _checked=False, b=block: QGuiApplication.clipboard().setText(b)
        )
    return menu


def message_context_menu(
    parent: QWidget,
    record: MessageRecord,
    run: Callable[[MessageAction], None],
    give_feedback: GiveFeedback,
) -> QMenu:
    """The right-click menu: the same actions as the message's buttons, and more."""
    menu = _popup_menu(parent)
    entries = [
        (MessageAction.COPY, _tr("Copy Message")),
        (MessageAction.SELECT, _tr("Select Text…")),
    ]
    if code_blocks(record.content):
        entries.append((MessageAction.COPY_CODE, _tr("Copy Code")))
    if record.role == "assistant":
        entries += [
            (MessageAction.FEEDBACK_UP, _tr("Good Reply")),
            (MessageAction.REGENERATE, _tr("Regenerate")),
        ]
    elif record.role == "user":
        entries.append((MessageAction.EDIT, _tr("Edit and Resend")))
    for action, label in entries:
        item = menu.addAction(label)
        item.triggered.connect(lambda _c=False, a=action: run(a))
    if record.role == "assistant":
        feedback_menu(parent, record, give_feedback, menu.addMenu(_tr("Bad Reply")))
    return menu
