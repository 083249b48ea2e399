"""The snapshot library: list with verdicts and lineage, details, and save, compare,
what-if, apply, export and import."""

from __future__ import annotations

from html import escape
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QItemSelectionModel, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QMenu,
    QPushButton,
    QSplitter,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from desktop_agent.config.atomic import write_atomically
from desktop_agent.domain.timestamps import to_iso
from desktop_agent.services import sessions, whatif
from desktop_agent.services import snapshots as snapshot_service
from desktop_agent.ui.plain import plain_label
from desktop_agent.ui.weights import snapshot_dialogs
from desktop_agent.ui.weights.common import USER_ERRORS, ErrorLabel, record_table
from desktop_agent.ui.weights.files import FILE_FILTER, SNAPSHOT_SUFFIX, read_snapshot_file
from desktop_agent.ui.weights.report_html import validation_html
from desktop_agent.ui.weights.snapshot_dialogs import (
    DiffDialog,
    ImportDialog,
    SaveSnapshotDialog,
    owners_of,
)
from desktop_agent.ui.weights.snapshot_model import SnapshotModel
from desktop_agent.ui.weights.whatif_dialog import WhatIfDialog

if TYPE_CHECKING:
    from desktop_agent.services.app_context import AppContext
    from desktop_agent.services.weights import Owner
    from desktop_agent.store.records import SessionRecord, SnapshotRecord


class SnapshotsDialog(QDialog):
    """Signals:
    weightsApplied(str): a snapshot was applied ("session", "user" or "agent").
    """

    weightsApplied = Signal(str)

    def __init__(
        self, context: AppContext, session_id: str | None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Snapshots"))
        self.setObjectName("snapshotsDialog")
        self.resize(980, 620)
        self.context = context
        self.session_id = session_id
        self.child: QDialog | None = None  # the dialog opened last (tests drive it)
        self.model = SnapshotModel(self)
        self.view = record_table(
            self.model, "snapshotTable", QAbstractItemView.SelectionMode.ExtendedSelection
        )
        self.view.setAlternatingRowColors(True)
        header = self.view.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column in range(1, 5):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        self.details = QTextBrowser()
        self.details.setObjectName("snapshotDetails")
        self.error = ErrorLabel()
        self.status = plain_label()
        self.status.setWordWrap(True)

        self.save_button = QPushButton(self.tr("Save Current…"))
        self.compare_button = QPushButton(self.tr("Compare"))
        self.compare_button.setToolTip(self.tr("Select two snapshots to compare them side by side"))
        self.whatif_button = QPushButton(self.tr("What If…"))
        self.whatif_file_button = QPushButton(self.tr("What If File…"))
        self.apply_button = QPushButton(self.tr("Apply To"))
        self.export_button = QPushButton(self.tr("Export…"))
        self.import_button = QPushButton(self.tr("Import…"))
        self.apply_menu = QMenu(self)
        self.apply_button.setMenu(self.apply_menu)
        self.save_button.clicked.connect(self.open_save)
        self.compare_button.clicked.connect(self.open_compare)
        self.whatif_button.clicked.connect(self.open_whatif)
        self.whatif_file_button.clicked.connect(self.choose_whatif_file)
        self.export_button.clicked.connect(self.choose_export)
        self.import_button.clicked.connect(self.choose_import)
        actions = QHBoxLayout()
        for button in (
            self.save_button,
            self.compare_button,
            self.whatif_button,
            self.whatif_file_button,
            self.apply_button,
            self.export_button,
            self.import_button,
        ):
            actions.addWidget(button)
        actions.addStretch(1)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self.view)
        splitter.addWidget(self.details)
        splitter.setSizes([600, 360])
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(actions)
        layout.addWidget(splitter, 1)
        layout.addWidget(self.error)
        layout.addWidget(self.status)
        layout.addWidget(close)
        self.view.selectionModel().selectionChanged.connect(lambda *_args: self._on_selection())
        self.reload()

    # -- state

    def session(self) -> SessionRecord | None:
        if self.session_id is None or not sessions.session_exists(self.session_id):
            return None
        return sessions.get_session(self.session_id)

    def reload(self, select: str | None = None) -> None:
        self.model.load()
        row = self.model.row_of(select) if select else (0 if self.model.rowCount() else None)
        if row is not None:
            self.select_rows([row])
        self._on_selection()

    def select_rows(self, rows: list[int]) -> None:
        selection = self.view.selectionModel()
        selection.clearSelection()
        for row in rows:
            selection.select(
                self.model.index(row, 0),
                QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows,
            )

    def selected(self) -> list[SnapshotRecord]:
        rows = sorted({index.row() for index in self.view.selectionModel().selectedRows()})
        return [self.model.record(row) for row in rows]

    def _on_selection(self) -> None:
        chosen = self.selected()
        session = self.session()
        one = len(chosen) == 1
        self.compare_button.setEnabled(len(chosen) == 2)
        self.whatif_button.setEnabled(one and session is not None)
        self.whatif_file_button.setEnabled(session is not None)
        self.save_button.setEnabled(session is not None)
        self.apply_button.setEnabled(one and session is not None)
        self.export_button.setEnabled(one)
        self.apply_menu.clear()
        if session is not None:
            for label, owner in owners_of(session):
                action = self.apply_menu.addAction(label)
                action.triggered.connect(lambda _checked=False, o=owner: self.apply_selected(o))
        self.details.setHtml(self._details_html(chosen[0]) if one else "")

    def _details_html(self, record: SnapshotRecord) -> str:
        weights = "".join(
            f"<tr><td>{escape(name)}</td><td align='right'>{value:.3f}</td></tr>"
            for name, value in record.weights.items()
        )
        parent = self.model.lineage(record)
        return (
            f"<h3>{escape(record.name)}</h3>"
            f"<p>agent <b>{escape(record.agent_name)}</b> · saved "
            f"{to_iso(record.created_at)}<br>id {record.id}<br>parent {escape(parent)}"
            + (
                f"<br>from session {record.source_session_id[:8]}"
                if record.source_session_id
                else ""
            )
            + f"</p><table>{weights}"
            f"<tr><td>learning rate</td><td align='right'>{record.learning_rate:.3f}</td></tr>"
            f"<tr><td>decay</td><td align='right'>{record.decay:.3f}</td></tr></table>"
            + (f"<p>{escape(record.notes)}</p>" if record.notes else "")
            + "<p><b>Validation when saved</b></p>"
            + validation_html(record.validation)
        )

    def _show_child(self, dialog: QDialog) -> QDialog:
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.child = dialog
        dialog.open()
        return dialog

    # -- actions

    def open_save(self) -> SaveSnapshotDialog | None:
        session = self.session()
        if session is None:
            return None
        dialog = SaveSnapshotDialog(self.context, session, self)

        def saved() -> None:
            if dialog.saved is not None:
                self.status.setText(
                    f"Saved “{dialog.saved.name}” "
                    f"({snapshot_service.stored_verdict(dialog.saved) or 'not validated'})."
                )
                self.reload(dialog.saved.id)

        dialog.accepted.connect(saved)
        self._show_child(dialog)
        return dialog

    def open_compare(self) -> DiffDialog | None:
        chosen = self.selected()
        if len(chosen) != 2:
            return None
        older, newer = sorted(chosen, key=lambda record: record.created_at)
        dialog = DiffDialog(self.context, older, newer, self)
        self._show_child(dialog)
        return dialog

    def open_whatif(self) -> WhatIfDialog | None:
        chosen = self.selected()
        if len(chosen) != 1 or self.session_id is None:
            return None
        dialog = WhatIfDialog(
            self.context, self.session_id, chosen[0].weights, f"snapshot {chosen[0].name}", self
        )
        self._show_child(dialog)
        return dialog

    def whatif_file(self, path: str | Path) -> WhatIfDialog | None:
        if self.session_id is None:
            return None
        self.error.clear_error()
        try:
            raw = read_snapshot_file(path)
            candidate = whatif.candidate_from_file(raw, self.session_id)
        except USER_ERRORS as exc:
            self.error.show_error(str(exc))
            return None
        dialog = WhatIfDialog(self.context, self.session_id, candidate, Path(path).name, self)
        self._show_child(dialog)
        return dialog

    def choose_whatif_file(self) -> None:
        path, _filter = QFileDialog.getOpenFileName(self, "What If File", "", FILE_FILTER)
        if path:
            self.whatif_file(path)

    def apply_selected(self, owner: Owner) -> bool:
        chosen = self.selected()
        if len(chosen) != 1:
            return False
        snapshot = chosen[0]
        target = {"session": "this conversation", "user": "the user", "agent": "the agent"}[
            owner.scope
        ]
        failed = snapshot_service.stored_verdict(snapshot) == "fail"
        if failed and not snapshot_dialogs.confirm_fail(self, snapshot, target):
            self.status.setText(self.tr("Nothing was applied."))
            return False
        self.error.clear_error()
        try:
            events = snapshot_service.apply_snapshot(snapshot.id, owner, force=failed)
        except USER_ERRORS as exc:
            self.error.show_error(str(exc))
            return False
        self.status.setText(
            f"Applied “{snapshot.name}” to {target}: {len(events)} weight(s) changed."
        )
        self.weightsApplied.emit(owner.scope)
        return True

    def export_to(self, path: str | Path) -> bool:
        chosen = self.selected()
        if len(chosen) != 1:
            return False
        target = Path(path)
        self.error.clear_error()
        try:
            data = snapshot_service.export_snapshot(chosen[0].id)
            write_atomically(target, data)  # never a half-written file under the real name
        except USER_ERRORS as exc:
            self.error.show_error(f"Could not export: {exc}")
            return False
        self.status.setText(f"Exported “{chosen[0].name}” to {target}.")
        return True

    def choose_export(self) -> None:
        chosen = self.selected()
        if len(chosen) != 1:
            return
        suggested = f"{chosen[0].name}{SNAPSHOT_SUFFIX}"
        path, _filter = QFileDialog.getSaveFileName(self, "Export Snapshot", suggested, FILE_FILTER)
        if path:
            if not path.endswith(SNAPSHOT_SUFFIX) and not path.endswith(".json"):
                path += SNAPSHOT_SUFFIX
            self.export_to(path)

    def import_file(self, path: str | Path) -> ImportDialog | None:
        """Preview importing `path`; the dialog stores it only on Import."""
        dialog = open_import(self, path)
        if dialog is None:
            return None
        dialog.accepted.connect(lambda: self._imported(dialog))
        self.child = dialog
        return dialog

    def _imported(self, dialog: ImportDialog) -> None:
        if dialog.imported is not None:
            self.status.setText(f"Imported “{dialog.imported.snapshot.name}”.")
            self.reload(dialog.imported.snapshot.id)

    def choose_import(self) -> None:
        path, _filter = QFileDialog.getOpenFileName(self, "Import Snapshot", "", FILE_FILTER)
        if path:
            self.import_file(path)


def open_import(parent: QWidget, path: str | Path) -> ImportDialog | None:
    """Open the import preview for a file (also when it is unreadable: the dialog says why)."""
    name = Path(path).name
    try:
        raw = read_snapshot_file(path)
    except USER_ERRORS as exc:
        dialog = ImportDialog(b"", name, parent)
        dialog.error.show_error(str(exc))
    else:
        dialog = ImportDialog(raw, name, parent)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.open()
    return dialog
