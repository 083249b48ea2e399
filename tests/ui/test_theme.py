"""Switching between light and dark re-colours everything, live: rendered messages and
style-sheet-styled widgets included (both cache colours from the old palette)."""

from __future__ import annotations

import struct
from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QImage, QPalette, QTextDocument
from PySide6.QtWidgets import QApplication, QLabel, QWidget
from pytestqt.qtbot import QtBot

from desktop_agent.store import messages
from desktop_agent.ui.main_window import MainWindow
from desktop_agent.ui.theme import apply_palette, dark_palette, light_palette


@pytest.fixture
def light_again(qapp: QApplication) -> Iterator[None]:
    yield
    apply_palette(qapp, light_palette())


def _code_shading(document: QTextDocument) -> QColor:
    block = document.begin()
    while block.isValid():
        background = block.blockFormat().background()
        if background.style() != Qt.BrushStyle.NoBrush:
            return background.color()
        block = block.next()
    raise AssertionError("no shaded code block in the rendered message")


def _pixels_of(widget: QWidget, colour: QColor) -> int:
    """How many pixels of `widget`, painted now, have exactly `colour`."""
    image = widget.grab().toImage().convertToFormat(QImage.Format.Format_RGB32)
    pixel = struct.pack("=I", colour.rgb())  # Format_RGB32 holds 0xffRRGGBB words
    return bytes(image.constBits()).count(pixel)


@pytest.mark.usefixtures("light_again")
def test_dark_mode_re_renders_messages_and_re_colours_styled_labels(
    qtbot: QtBot, qapp: QApplication, window: MainWindow
) -> None:
    apply_palette(qapp, light_palette())
    session = window.new_session()
    assert session is not None
    reply = messages.append_message(session.id, "assistant", "```\ncode()\n```")
    window.open_session(session)
    view = window.chat.view
    delegate = view.message_delegate
    record = window.chat.model.record(window.chat.model.row_of_id(reply.id))
    light_shading = _code_shading(delegate.document(record, view.font(), view.palette()))
    assert light_shading.lightness() > 128
    assert _pixels_of(view.viewport(), light_shading) > 100  # the code block, on screen

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
    # What is painted now: the code block is shaded dark, and no light shading is left.
    dark_shading = _code_shading(delegate.document(record, view.font(), view.palette()))
    assert dark_shading.lightness() < 128
    assert _pixels_of(view.viewport(), dark_shading) > 100
    assert _pixels_of(view.viewport(), light_shading) == 0


def test_disabled_controls_look_disabled_in_both_palettes() -> None:
    for palette in (light_palette(), dark_palette()):
        for role in (QPalette.ColorRole.ButtonText, QPalette.ColorRole.Text):
            enabled = palette.color(QPalette.ColorGroup.Active, role)
            disabled = palette.color(QPalette.ColorGroup.Disabled, role)
            assert enabled != disabled
