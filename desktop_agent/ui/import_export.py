"""File → Import… (other apps' exports and session files, with progress and Cancel, then
a report) and File → Export Everything…, run on a worker thread; plus the daily backup.

After an import that wrote something, `StoreEvents.sessionsChanged` tells the views.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    QTimer,
    Slot,
)
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHeaderView,
    QLabel,
    QMessageBox,
    QProgressDialog,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desktop_agent.ui.worker import Worker, worker_pool

if TYPE_CHECKING:
    from desktop_agent.services.app_context import AppContext
    from desktop_agent.services.importing import ImportProgress, ImportReport
    from desktop_agent.ui.events import StoreEvents

IMPORT_FILTER = (
    "Exports and session files (*.zip *.json);;ChatGPT or Claude export (*.zip);;"
    "JSON files (*.json);;All files (*)"
)
_BACKUP_CHECK_MS = 60 * 60 * 1000  # look once an hour whether a daily copy is due
_FIRST_BACKUP_CHECK_MS = 2 * 60 * 1000  # …and two minutes after start-up


def run_import(paths: list[str], worker: Worker, learn_from_ratings: bool = False) -> ImportReport:
    """The job: app exports through the streaming importer, session files through the
    session-file importer; one report either way."""
    from desktop_agent.services.export_files import is_export_candidate
    from desktop_agent.services.importing import ConversationOutcome, ImportReport, import_exports
    from desktop_agent.services.transfer import SESSION_FILE_LIMIT, import_sessions

    exports = [p for p in paths if is_export_candidate(p)]
    report = (
        import_exports(
            exports,
            progress=worker.publish,
            cancelled=lambda: worker.cancelled,
            learn_from_ratings=learn_from_ratings,
        )
        if exports
        else ImportReport(files=[])
    )
    others = [p for p in paths if p not in exports]
    if others and not report.cancelled:
        from desktop_agent.services.files import read_user_file

        files = [(p, read_user_file(p, limit=SESSION_FILE_LIMIT)) for p in others]
        for done in import_sessions(files):
            report.files.append(done.source)
            title = Path(done.source).name
            report.conversations.append(
                ConversationOutcome(
                    "session-file", done.source, title, "new", done.session_id, done.messages
                )
            )
    return report


class ReportModel(QAbstractTableModel):
    """The per-conversation lines of an import report."""

    HEADERS = ("Result", "Conversation", "Messages added", "Why skipped")

    def __init__(self, report: ImportReport, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows = report.conversations

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.HEADERS)

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = 0) -> Any:
        if not index.isValid():
            return None
        row = self._rows[index.row()]
        if role == Qt.ItemDataRole.TextAlignmentRole and index.column() == 2:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return None
        values = (row.outcome, row.title, row.messages_added or "", row.reason)
        return values[index.column()]

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.HEADERS[section]
        return None


class ImportReportDialog(QDialog):
    def __init__(self, report: ImportReport, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Import finished" if not report.cancelled else "Import cancelled")
        self.resize(720, 420)
        layout = QVBoxLayout(self)
        from desktop_agent.domain.importers.formats import LABELS

        source = LABELS.get(report.app, "Session files" if not report.app else report.app)
        summary = QLabel(f"{source}: {report.summary()}")
        summary.setTextFormat(Qt.TextFormat.PlainText)
        summary.setWordWrap(True)
        summary.setObjectName("importSummary")
        layout.addWidget(summary)
        for problem in report.problems:
            label = QLabel(problem)
            label.setTextFormat(Qt.TextFormat.PlainText)
            label.setWordWrap(True)
            layout.addWidget(label)
        self.table = QTableView()
        self.table.setModel(ReportModel(report, self))
        self.table.verticalHeader().hide()
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self.table.setColumnWidth(1, 280)
        layout.addWidget(self.table)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)


class ImportExport(QObject):
    def __init__(self, window: QWidget, context: AppContext, events: StoreEvents) -> None:
        super().__init__(window)
        self._window = window
        self._context = context
        self._events = events
        self.progress_dialog: QProgressDialog | None = None
        self._export_path = Path()
        self.report_dialog: ImportReportDialog | None = None
        self.error_box: QMessageBox | None = None
        self.import_action = QAction("&Import…", self)
        self.import_action.setShortcut("Ctrl+I")
        self.import_action.setStatusTip(
            "Bring in conversations from ChatGPT, Claude.ai, Open WebUI or session files"
        )
        self.import_action.triggered.connect(self.choose_import)
        self.export_all_action = QAction("Export &Everything…", self)
        self.export_all_action.triggered.connect(self.choose_export_all)
        self._backup_timer = QTimer(self)
        self._backup_timer.timeout.connect(self.backup_if_due)
        self._backup_timer.start(_FIRST_BACKUP_CHECK_MS)

    # -- import

    @Slot()
    def choose_import(self) -> None:
        paths, _ = QFileDialog.getOpenFileNames(
            self._window, "Import conversations", str(Path.home()), IMPORT_FILTER
        )
        if paths:
            self.start_import(paths, learn_from_ratings=self._ask_to_learn(paths))

    def _ask_to_learn(self, paths: list[str]) -> bool:
        """Ratings from the other app move weights only if the person says so."""
        from desktop_agent.services.export_files import has_ratings

        if not has_ratings(paths):
            return False
        answer = QMessageBox.question(
            self._window,
            "Learn from your ratings?",
            "This export has your thumbs up and down on replies. They are kept on the "
            "imported replies either way.\n\nShould they also teach the agent, as if you "
            "had given them here?",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No,
        )
        return answer == QMessageBox.StandardButton.Yes

    def start_import(self, paths: list[str], *, learn_from_ratings: bool = False) -> Worker:
        dialog = QProgressDialog("Reading the export…", "Cancel", 0, 1000, self._window)
        dialog.setWindowTitle("Importing")
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.setMinimumDuration(300)
        dialog.setAutoClose(False)
        dialog.setAutoReset(False)
        self.progress_dialog = dialog
        worker = Worker(lambda w: run_import(paths, w, learn_from_ratings), name="import")
        worker.yielded.connect(self._on_progress)
        worker.returned.connect(self._on_imported)
        worker.errored.connect(self._on_failed)
        # Called here, on the UI thread: the worker object belongs to its own thread.
        dialog.canceled.connect(lambda: self._cancel_import(worker, dialog))
        self.import_action.setEnabled(False)
        return worker_pool().start(worker, owner=self)

    def _cancel_import(self, worker: Worker, dialog: QProgressDialog) -> None:
        worker.cancel()
        dialog.setLabelText("Finishing the conversation in hand…")

    @Slot(object)
    def _on_progress(self, progress: ImportProgress) -> None:
        if self.progress_dialog is None:
            return
        self.progress_dialog.setValue(int(progress.fraction * 1000))
        self.progress_dialog.setLabelText(
            f"{progress.conversations:,} conversations · {progress.messages:,} messages imported"
        )

    def _close_progress(self) -> None:
        if self.progress_dialog is not None:
            self.progress_dialog.blockSignals(True)  # closing it would emit canceled
            self.progress_dialog.reset()
            self.progress_dialog.close()
            self.progress_dialog.deleteLater()
            self.progress_dialog = None
        self.import_action.setEnabled(True)

    @Slot(object)
    def _on_imported(self, report: ImportReport) -> None:
        self._close_progress()
        if report.imported_anything:
            self._events.agentsChanged.emit()  # a session file may bring its agent
            self._events.sessionsChanged.emit()
        self.report_dialog = ImportReportDialog(report, self._window)
        self.report_dialog.open()

    @Slot(object)
    def _on_failed(self, error: Exception) -> None:
        self._close_progress()
        box = QMessageBox(QMessageBox.Icon.Warning, "Nothing was imported", "", parent=self._window)
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.setText(str(error) or type(error).__name__)
        box.open()
        self.error_box = box

    # -- export everything

    @Slot()
    def choose_export_all(self) -> None:
        suggested = Path.home() / f"desktop-agent-{time.strftime('%Y-%m-%d')}.dagent"
        path, _ = QFileDialog.getSaveFileName(
            self._window, "Export everything", str(suggested), "Desktop Agent archive (*.dagent)"
        )
        if path:
            self.start_export_all(Path(path))

    def start_export_all(self, path: Path) -> Worker:
        from desktop_agent.services.everything import export_everything

        self._export_path = path
        worker = Worker(lambda w: export_everything(path), name="export-all")
        worker.returned.connect(self._on_exported)
        worker.errored.connect(self._on_export_failed)
        return worker_pool().start(worker, owner=self)

    # Receivers are slots of this object (not lambdas), so Qt runs them on the UI thread.
    @Slot(object)
    def _on_exported(self, size: int) -> None:
        self._status(f"Exported everything to {self._export_path} ({size / 1e6:,.1f} MB)")

    @Slot(object)
    def _on_export_failed(self, error: Exception) -> None:
        self._status(f"Export failed: {error}")

    @Slot(object)
    def _on_backup_failed(self, error: Exception) -> None:
        self._status(f"The daily backup failed: {error}")

    # -- backups

    @Slot()
    def backup_if_due(self) -> Worker | None:
        from desktop_agent.services.backups import make_backup, newest_age_hours

        self._backup_timer.start(_BACKUP_CHECK_MS)
        if self._context.team_store is not None:
            return None  # the team server's backups are its administrator's
        settings = self._context.settings.backups
        age = newest_age_hours(self._context.data_dir)
        if age is not None and age < settings.every_hours:
            return None
        database, data_dir = self._context.database_path, self._context.data_dir
        worker = Worker(lambda w: make_backup(database, data_dir, keep=settings.keep), "backup")
        worker.errored.connect(self._on_backup_failed)
        return worker_pool().start(worker, owner=self)

    def _status(self, text: str) -> None:
        status_bar = getattr(self._window, "statusBar", None)
        if callable(status_bar):
            status_bar().showMessage(text, 8000)

    def busy(self) -> bool:
        return worker_pool().busy(self)

    def shutdown(self) -> None:
        """Stop the timer and ask a running import to stop after the conversation in
        hand (the pool joins the thread when the application quits)."""
        self._backup_timer.stop()
        worker_pool().cancel(self)
