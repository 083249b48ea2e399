"""Small shared pieces of the weight UI: the errors a user can cause, an inline error
strip, verdict colours, confirmation prompts that tests can answer, record tables."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtGui import QColor
from PySide6.QtWidgets import QAbstractItemView, QLabel, QMessageBox, QTableView, QWidget

from desktop_agent.domain.errors import InvalidInputError
from desktop_agent.store.errors import ConflictError, NotFoundError
from desktop_agent.ui.plain import ask_plain

if TYPE_CHECKING:
    from PySide6.QtCore import QAbstractItemModel

# What a user's action can raise with a message worth showing them as it is.
USER_ERRORS: tuple[type[Exception], ...] = (
    InvalidInputError,
    ConflictError,
    NotFoundError,
    OSError,
)

VERDICT_COLOURS: dict[str, QColor] = {
    "pass": QColor("#1a7f37"),
    "warn": QColor("#bf8700"),
    "fail": QColor("#cf222e"),
}
VERDICT_LABELS = {"pass": "✔ pass", "warn": "▲ warn", "fail": "✖ fail"}


def verdict_html(verdict: str | None) -> str:
    if verdict is None:
        return "<i>not validated</i>"
    colour = VERDICT_COLOURS.get(verdict, QColor("#6e7781")).name()
    return f'<b style="color:{colour}">{VERDICT_LABELS.get(verdict, verdict)}</b>'


class ErrorLabel(QLabel):
    """A red, selectable, word-wrapped message that names what went wrong (hidden when empty)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("inlineError")
        self.setWordWrap(True)
        self.setStyleSheet(
            "#inlineError { color: #cf222e; background: rgba(207, 34, 46, 0.08);"
            " border: 1px solid rgba(207, 34, 46, 0.4); border-radius: 4px; padding: 4px; }"
        )
        self.hide()

    def show_error(self, text: str) -> None:
        self.setText(text)
        self.setVisible(bool(text))

    def clear_error(self) -> None:
        self.show_error("")


def confirm(parent: QWidget | None, title: str, text: str) -> bool:
    """Ask a yes/no question (module-level so tests can answer it with monkeypatch)."""
    answer = ask_plain(
        parent,
        title,
        text,
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
        QMessageBox.StandardButton.Cancel,
    )
    return answer == QMessageBox.StandardButton.Yes


def record_table(
    model: QAbstractItemModel, name: str, selection: QAbstractItemView.SelectionMode
) -> QTableView:
    """A table with one record a row: whole rows are selected, no row numbers, no grid."""
    view = QTableView()
    view.setObjectName(name)
    view.setModel(model)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(selection)
    view.verticalHeader().hide()
    view.setShowGrid(False)
    return view
