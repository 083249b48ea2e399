"""Dialogs over one or two snapshots: save (with its validation report first), diff side
by side, and import (a dry-run preview, then store or cancel)."""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTableWidget,
    QTableWidgetItem,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from desktop_agent.domain.weights import WEIGHT_NAMES
from desktop_agent.services import agents
from desktop_agent.services import snapshots as snapshot_service
from desktop_agent.services.weights import Owner
from desktop_agent.ui.plain import plain_label
from desktop_agent.ui.weights.common import USER_ERRORS, ErrorLabel, confirm, verdict_html
from desktop_agent.ui.weights.report_html import changes_html, request_diff_html, validation_html

if TYPE_CHECKING:
    from desktop_agent.services.app_context import AppContext
    from desktop_agent.services.snapshots import ImportResult
    from desktop_agent.store.records import SessionRecord, SnapshotRecord

CHANGED = QColor(191, 135, 0, 60)


def owners_of(session: SessionRecord) -> list[tuple[str, Owner]]:
    """Where weights can be saved from or applied to, for the open session."""
    return [
        ("This conversation", Owner("session", session.agent_id, session.user_id, session.id)),
        (f"{session.user_handle}'s learned weights", Owner.user(session.user_id, session.agent_id)),
        (f"{session.agent_name}'s baseline", Owner.agent(session.agent_id)),
    ]


class SaveSnapshotDialog(QDialog):
    """Name a snapshot of the session's, the user's or the agent's weights; the validation
    report and verdict show before anything is saved."""

    def __init__(self, context: AppContext, session: SessionRecord, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(self.tr("Save Snapshot"))
        self.setObjectName("saveSnapshotDialog")
        self.resize(520, 560)
        self.context = context
        self.saved: SnapshotRecord | None = None
        self.scope = QComboBox()
        for label, owner in owners_of(session):
            self.scope.addItem(label, owner)
        self.name = QLineEdit()
        self.name.setPlaceholderText(self.tr("e.g. support-v3"))
        self.notes = QLineEdit()
        self.notes.setPlaceholderText(self.tr("optional"))
        self.report = QTextBrowser()
        self.report.setObjectName("validationReport")
        self.error = ErrorLabel()
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        form = QFormLayout()
        form.addRow("Weights of", self.scope)
        form.addRow("Name", self.name)
        form.addRow("Notes", self.notes)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(QLabel(self.tr("Validation against the recorded feedback:")))
        layout.addWidget(self.report, 1)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self.scope.currentIndexChanged.connect(lambda _index: self.validate())
        self.name.textChanged.connect(lambda _text: self._update_button())
        self.validate()
        self._update_button()

    def owner(self) -> Owner:
        owner = self.scope.currentData()
        assert isinstance(owner, Owner)
        return owner

    def _update_button(self) -> None:
        button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        button.setEnabled(bool(self.name.text().strip()))

    def validate(self) -> None:
        thresholds = snapshot_service.thresholds_from(self.context.settings.validation)
        try:
            result = snapshot_service.validate_owner(self.owner(), thresholds=thresholds)
        except USER_ERRORS as exc:
            self.report.setHtml("")
            self.error.show_error(str(exc))
            return
        self.verdict = result.verdict
        self.report.setHtml(validation_html(result.to_json()))

    def save(self) -> None:
        self.error.clear_error()
        try:
            self.saved = snapshot_service.save_snapshot(
                self.owner(),
                self.name.text(),
                notes=self.notes.text(),
                thresholds=snapshot_service.thresholds_from(self.context.settings.validation),
            )
        except USER_ERRORS as exc:
            self.error.show_error(str(exc))
            return
        self.accept()


class DiffDialog(QDialog):
    """Two snapshots side by side; the rows that differ are highlighted."""

    def __init__(
        self,
        context: AppContext,
        a: SnapshotRecord,
        b: SnapshotRecord,
        parent: QWidget | None = None,
    ):
        super().__init__(parent)
        self.setWindowTitle(f"Compare {a.name} and {b.name}")
        self.setObjectName("diffDialog")
        self.resize(640, 520)
        service = context.chat_service()
        self.diff = snapshot_service.diff_snapshots(a, b, service)
        service.close()
        rows = [(name, a.weights[name], b.weights[name]) for name in WEIGHT_NAMES]
        rows += [
            ("learning rate", a.learning_rate, b.learning_rate),
            ("decay", a.decay, b.decay),
        ]
        self.table = QTableWidget(len(rows), 3)
        self.table.setObjectName("diffTable")
        self.table.setHorizontalHeaderLabels(["", f"A: {a.name}", f"B: {b.name}"])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.changed_rows: list[str] = []
        for row, (name, left, right) in enumerate(rows):
            changed = abs(left - right) > 1e-9
            if changed:
                self.changed_rows.append(name)
            items = [
                QTableWidgetItem(name),
                QTableWidgetItem(f"{left:.3f}"),
                QTableWidgetItem(
                    f"{right:.3f}{'  ▲' if right > left else '  ▼' if changed else ''}"
                ),
            ]
            for column, item in enumerate(items):
                if column:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                if changed:
                    item.setBackground(QBrush(CHANGED))
                    font = item.font()
                    font.setBold(True)
                    item.setFont(font)
                self.table.setItem(row, column, item)
        verdict_a = verdict_html(snapshot_service.stored_verdict(a))
        verdict_b = verdict_html(snapshot_service.stored_verdict(b))
        header = QLabel(
            f"A: <b>{escape(a.name)}</b> ({escape(a.agent_name)}) {verdict_a}"
            f" &nbsp;&nbsp; B: <b>{escape(b.name)}</b> ({escape(b.agent_name)}) {verdict_b}"
        )
        request = QTextBrowser()
        request.setObjectName("requestDiff")
        request.setHtml(
            "<p><b>What changes in the request from A to B</b></p>"
            + request_diff_html(self.diff.request_diff)
        )
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(header)
        layout.addWidget(self.table, 2)
        layout.addWidget(request, 1)
        layout.addWidget(buttons)


class ImportDialog(QDialog):
    """A dry run of importing a file: what would be stored and how it differs from the
    agent's baseline. Import stores it; Cancel (or a bad file) changes nothing."""

    def __init__(self, raw: bytes, source: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(f"Import {source}")
        self.setObjectName("importDialog")
        self.resize(540, 480)
        self.raw = raw
        self.source = source
        self.preview: ImportResult | None = None
        self.imported: ImportResult | None = None
        self.agent = QComboBox()
        self.agent.addItem(self.tr("As named in the file"), None)
        for record in agents.list_agents():
            self.agent.addItem(record.name, record.name)
        self.name = QLineEdit()
        self.name.setPlaceholderText(self.tr("keep the file's name"))
        self.summary = QTextBrowser()
        self.summary.setObjectName("importPreview")
        self.error = ErrorLabel()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.import_button = self.buttons.addButton(
            "Import", QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.buttons.accepted.connect(self.store)
        self.buttons.rejected.connect(self.reject)
        form = QFormLayout()
        form.addRow("File", plain_label(source))
        form.addRow("For agent", self.agent)
        form.addRow("Name", self.name)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.summary, 1)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self.agent.currentIndexChanged.connect(lambda _index: self.refresh())
        self.name.editingFinished.connect(self.refresh)
        self.refresh()

    def _run(self, *, dry_run: bool) -> ImportResult:
        agent = self.agent.currentData()
        return snapshot_service.import_snapshot_file(
            self.raw,
            agent=agent if isinstance(agent, str) else None,
            name=self.name.text().strip() or None,
            dry_run=dry_run,
        )

    def refresh(self) -> None:
        """Run the dry run again with the chosen agent and name."""
        self.error.clear_error()
        try:
            self.preview = self._run(dry_run=True)
        except USER_ERRORS as exc:
            self.preview = None
            self.summary.setHtml("<p><b>This file cannot be imported.</b> Nothing was changed.</p>")
            self.error.show_error(str(exc))
            self.import_button.setEnabled(False)
            return
        data = self.preview.snapshot
        validation = data.validation if isinstance(data.validation, dict) else None
        notes = "".join(f"<p><i>{escape(n)}</i></p>" for n in self.preview.notes)
        self.summary.setHtml(
            f"<p>Would store snapshot <b>{escape(data.name)}</b> for agent "
            f"<b>{escape(data.agent)}</b>.</p>"
            "<p><b>Difference from the agent's baseline</b></p>"
            + changes_html(self.preview.changes)
            + "<p><b>Validation</b></p>"
            + validation_html(validation)
            + notes
        )
        self.import_button.setEnabled(True)

    def store(self) -> None:
        if self.preview is None:
            return
        try:
            self.imported = self._run(dry_run=False)
        except USER_ERRORS as exc:
            self.error.show_error(str(exc))
            return
        self.accept()


def confirm_fail(parent: QWidget | None, snapshot: SnapshotRecord, target: str) -> bool:
    """A snapshot that failed validation is applied only after the user says so."""
    listed = "\n".join(f"• {reason}" for reason in snapshot_service.stored_reasons(snapshot))
    return confirm(
        parent,
        "Apply a failing snapshot?",
        f"“{snapshot.name}” failed validation:\n{listed}\n\nApply it to {target} anyway?",
    )
