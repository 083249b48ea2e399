"""Text from users, files and models, shown as text: never interpreted as HTML.

QLabel, QMessageBox and tooltips guess: a string that looks like markup is rendered as
rich text, and an `<img src="/dev/zero">` in a session title then makes Qt read a device
until memory runs out. Labels and message boxes get `PlainText`; a tooltip cannot be
told, so its text is escaped inside an explicit rich-text wrapper.
"""

from __future__ import annotations

import html

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QMessageBox, QWidget


def plain_label(text: str = "", parent: QWidget | None = None) -> QLabel:
    """A QLabel that shows `text` literally, whatever it contains."""
    label = QLabel(parent)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setText(text)
    return label


def make_plain(*labels: QLabel) -> None:
    """Existing labels that will show user text: literal from now on."""
    for label in labels:
        label.setTextFormat(Qt.TextFormat.PlainText)


def safe_tooltip(text: str) -> str:
    """A tooltip string that Qt shows literally (line breaks kept)."""
    if not text:
        return ""
    return "<qt>" + html.escape(text).replace("\n", "<br>") + "</qt>"


def ask_plain(
    parent: QWidget | None,
    title: str,
    text: str,
    buttons: QMessageBox.StandardButton = (
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel
    ),
    default: QMessageBox.StandardButton = QMessageBox.StandardButton.Cancel,
) -> QMessageBox.StandardButton:
    """`QMessageBox.question`, with the text shown literally."""
    box = QMessageBox(QMessageBox.Icon.Question, title, text, buttons, parent)
    box.setTextFormat(Qt.TextFormat.PlainText)
    box.setDefaultButton(default)
    return QMessageBox.StandardButton(box.exec())


def show_plain_error(parent: QWidget | None, title: str, text: str) -> None:
    """`QMessageBox.critical`, with the text shown literally."""
    box = QMessageBox(QMessageBox.Icon.Critical, title, text, QMessageBox.StandardButton.Ok, parent)
    box.setTextFormat(Qt.TextFormat.PlainText)
    box.exec()
