"""The crash dialog: the message, the full details behind a button, and Copy details
that copies without closing the dialog."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from desktop_agent.ui.crash_dialog import crash_box


def test_copy_details_copies_and_keeps_the_dialog_open(qtbot: QtBot, tmp_path: Path) -> None:
    details = 'Traceback (most recent call last):\n  File "x.py"\nKeyError: <b>bold</b>'
    box = crash_box("KeyError: <b>bold</b>", details, tmp_path / "logs" / "desktop-agent.log")
    qtbot.addWidget(box)
    box.show()
    assert "KeyError: <b>bold</b>" in box.text()  # shown as typed, never as HTML
    assert "desktop-agent.log" in box.informativeText()
    assert box.detailedText() == details
    copy = next(b for b in box.buttons() if b.text() == "Copy details")
    copy.click()
    assert QGuiApplication.clipboard().text() == f"KeyError: <b>bold</b>\n\n{details}"
    assert box.isVisible()
    box.button(QMessageBox.StandardButton.Close).click()
    assert not box.isVisible()
