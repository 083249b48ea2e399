"""Switching between light and dark re-colours everything, live: rendered messages and
style-sheet-styled widgets included (both cache colours from the old palette)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QApplication, QLabel
from pytestqt.qtbot import QtBot

from desktop_agent.store import messages
from desktop_agent.ui.main_window import MainWindow
from desktop_agent.ui.theme import apply_palette, dark_palette, light_palette


@pytest.fixture
def light_again(qapp: QApplication) -> Iterator[None]:
    yield
    apply_palette(qapp, light_palette())


@pytest.mark.usefixtures("light_again")
def test_dark_mode_re_renders_messages_and_re_colours_styled_labels(
    qtbot: QtBot, qapp: QApplication, window: MainWindow
) -> None:
    apply_palette(qapp, light_palette())
    session = window.new_session()
    assert session is not None
    reply = messages.append_message(session.id, "assistant", "```\ncode()\n```")
    window.open_session(session)
    delegate = window.chat.view.message_delegate
    record = window.chat.model.record(window.chat.model.row_of_id(reply.id))
    light_doc = delegate.document(record, window.font(), window.palette())

    apply_palette(qapp, dark_palette())
    qapp.processEvents()

    dark_text = dark_palette().color(QPalette.ColorRole.WindowText)
    titles = [
        label
        for label in window.right_panel.findChildren(QLabel)
        if label.text() == "<b>Verbosity</b>"
    ]
    assert titles
    assert titles[0].palette().color(QPalette.ColorRole.WindowText) == dark_text
    dark_doc = delegate.document(record, window.font(), window.palette())
    assert dark_doc is not light_doc  # rendered again, with the dark code shading


def test_disabled_controls_look_disabled_in_both_palettes() -> None:
    for palette in (light_palette(), dark_palette()):
        for role in (QPalette.ColorRole.ButtonText, QPalette.ColorRole.Text):
            enabled = palette.color(QPalette.ColorGroup.Active, role)
            disabled = palette.color(QPalette.ColorGroup.Disabled, role)
            assert enabled != disabled
