"""Rows follow the chat's width: narrowing or widening the pane (the weights panel
appearing, a splitter drag, a window resize) lays the messages out again, so a long
message never overflows its bubble nor leaves a gap below it."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QStyleOptionViewItem
from pytestqt.qtbot import QtBot

from desktop_agent.store import messages, sessions
from desktop_agent.ui.chat_view import ChatView
from desktop_agent.ui.main_window import MainWindow

PARAGRAPH = (
    "Rows in the chat must be as tall as the text they hold at the width they are "
    "shown at, whatever the width was when they were first laid out. "
)


def _open_long_conversation(qtbot: QtBot, window: MainWindow) -> ChatView:
    session = sessions.create_session(title="Long replies")
    messages.append_message(session.id, "user", "Tell me everything.")
    messages.append_message(session.id, "assistant", PARAGRAPH * 100)  # ~15,000 characters
    messages.append_message(session.id, "user", "And in paragraphs?")
    messages.append_message(session.id, "assistant", "\n\n".join([PARAGRAPH * 3] * 6))
    window.open_session(sessions.get_session(session.id))
    view = window.chat.view
    qtbot.waitUntil(lambda: view.model().rowCount() == 4)
    qtbot.wait(50)
    return view


def _assert_rows_fit(view: ChatView) -> None:
    """Every row is exactly as tall as the delegate says it must be at today's width."""
    option = QStyleOptionViewItem()
    view.initViewItemOption(option)
    viewport = view.viewport().rect()
    model = view.model()
    # What is laid out now, read before visualRect(), which would run a pending layout.
    hints = [
        view.itemDelegate().sizeHint(option, model.index(r, 0)) for r in range(model.rowCount())
    ]
    laid_out = view.verticalScrollBar().maximum() + viewport.height()
    assert laid_out == sum(hint.height() for hint in hints), (viewport.width(), laid_out)
    for row in range(model.rowCount()):
        index = model.index(row, 0)
        rect = view.visualRect(index)
        if not rect.intersects(viewport) and row != 1:
            continue
        hint = view.itemDelegate().sizeHint(option, index)
        assert rect.height() == hint.height(), (row, view.viewport().width(), rect, hint)
        assert rect.width() <= view.viewport().width()


def _change_width(qtbot: QtBot, view: ChatView, change: Callable[[], object]) -> None:
    before = view.viewport().width()
    change()
    qtbot.waitUntil(lambda: view.viewport().width() != before)
    # The next frames must already be right: no 100 ms of overflowing bubbles first.
    qtbot.wait(10)


def test_narrowing_the_chat_lays_long_messages_out_again(qtbot: QtBot, window: MainWindow) -> None:
    window.resize(1400, 900)
    view = _open_long_conversation(qtbot, window)
    _assert_rows_fit(view)
    window.grab().save("/tmp/chat-resize-wide.png")

    sizes = window.splitter.sizes()
    narrower = [sizes[0], sizes[1] - 400, sizes[2] + 400]
    _change_width(qtbot, view, lambda: window.splitter.setSizes(narrower))
    window.grab().save("/tmp/chat-resize-narrow.png")
    _assert_rows_fit(view)
    assert view.at_bottom()  # the newest reply stays in view, its buttons included
    view.scrollTo(view.model().index(1, 0), ChatView.ScrollHint.PositionAtTop)
    qtbot.wait(20)
    window.grab().save("/tmp/chat-resize-narrow-long.png")
    _assert_rows_fit(view)


def test_widening_the_window_lays_rows_out_again(qtbot: QtBot, window: MainWindow) -> None:
    window.resize(1000, 800)
    view = _open_long_conversation(qtbot, window)
    _change_width(qtbot, view, lambda: window.resize(1600, 800))
    _assert_rows_fit(view)
    _change_width(qtbot, view, lambda: window.resize(1000, 800))
    _assert_rows_fit(view)


def test_hiding_and_showing_the_weights_panel_lays_rows_out_again(
    qtbot: QtBot, window: MainWindow
) -> None:
    window.resize(1400, 900)
    view = _open_long_conversation(qtbot, window)
    _change_width(qtbot, view, lambda: window.weights_action.setChecked(False))
    _assert_rows_fit(view)
    _change_width(qtbot, view, lambda: window.weights_action.setChecked(True))
    _assert_rows_fit(view)
    assert view.at_bottom()
