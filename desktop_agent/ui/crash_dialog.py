"""The crash dialog: an uncaught exception (from any thread) is logged with its traceback,
then shown on the UI thread with its message and a "Copy details" button."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, Signal, Slot
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

if TYPE_CHECKING:
    from pathlib import Path


class CrashReporter(QObject):
    """Lives on the UI thread; `report()` may be called from any thread (the signal is
    queued onto the UI thread).

    Signals:
        crashed(str, str): a summary and the full, redacted traceback.
    """

    crashed = Signal(str, str)

    def __init__(self, log_file: Path | None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._log_file = log_file
        self._showing = False
        self.last_dialog: QMessageBox | None = None
        self.crashed.connect(self._show)

    def report(self, summary: str, details: str) -> None:
        self.crashed.emit(summary, details)

    @Slot(str, str)
    def _show(self, summary: str, details: str) -> None:
        if self._showing:  # one dialog at a time; every crash is in the log anyway
            return
        self._showing = True
        try:
            box = crash_box(summary, details, self._log_file, QApplication.activeWindow())
            self.last_dialog = box
            box.exec()
        finally:
            self._showing = False
            self.last_dialog = None


def crash_box(
    summary: str, details: str, log_file: Path | None, parent: QWidget | None = None
) -> QMessageBox:
    box = QMessageBox(parent)
    box.setObjectName("crashDialog")
    box.setIcon(QMessageBox.Icon.Critical)
    box.setWindowTitle(box.tr("Something went wrong"))
    box.setTextFormat(Qt.TextFormat.PlainText)  # exception text may quote user input
    box.setText(box.tr("Desktop Agent hit an unexpected error:\n%s") % summary)
    where = box.tr("Details are in the log: %s") % log_file if log_file else ""
    box.setInformativeText(
        box.tr("Your conversations are saved as you go; nothing already stored is lost.")
        + ("\n" + where if where else "")
    )
    box.setDetailedText(details)
    copy = box.addButton(box.tr("Copy details"), QMessageBox.ButtonRole.ActionRole)
    copy.setAccessibleName(box.tr("Copy the error details to the clipboard"))
    # An ActionRole button would close the box; copying should leave it open.
    copy.clicked.disconnect()
    copy.clicked.connect(lambda: QGuiApplication.clipboard().setText(f"{summary}\n\n{details}"))
    box.addButton(QMessageBox.StandardButton.Close)
    return box
