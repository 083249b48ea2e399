"""Helpers for driving the real widgets: type, send, wait for the reply to end."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from desktop_agent.store.records import MessageRecord
from desktop_agent.ui.main_window import MainWindow

TIMEOUT_MS = 10_000


def send(qtbot: QtBot, window: MainWindow, text: str) -> None:
    """Type `text` and press Ctrl+Enter, then wait until the reply has ended."""
    pane = window.chat
    pane.composer.setPlainText(text)
    with qtbot.waitSignal(pane.controller.busyChanged, timeout=TIMEOUT_MS):
        pane.send_action.trigger()
    wait_idle(qtbot, window)


def wait_idle(qtbot: QtBot, window: MainWindow) -> None:
    qtbot.waitUntil(lambda: not window.chat.controller.busy, timeout=TIMEOUT_MS)


def rows(window: MainWindow) -> list[MessageRecord]:
    return window.chat.model.records()
