"""A/B experiments: create one from two snapshots with a split, read each arm's report
(approval with its interval, p-value, winner), stop it and promote the winner."""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QItemSelectionModel, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from desktop_agent.domain.experiments import arm_line, verdict_line
from desktop_agent.services import agents, experiments
from desktop_agent.services import snapshots as snapshot_store
from desktop_agent.services.snapshots import stored_verdict
from desktop_agent.ui.weights import common
from desktop_agent.ui.weights.approval_chart import ApprovalChart
from desktop_agent.ui.weights.common import USER_ERRORS, ErrorLabel
from desktop_agent.ui.weights.experiment_model import ExperimentModel

if TYPE_CHECKING:
    from desktop_agent.services.app_context import AppContext
    from desktop_agent.services.experiments import ExperimentResult


class NewExperimentDialog(QDialog):
    """Name, agent, the two snapshots (of that agent) and the share of users in arm a."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("New Experiment"))
        self.setObjectName("newExperimentDialog")
        self.created: Any = None
        self.name = QLineEdit()
        self.name.setPlaceholderText(self.tr("e.g. shorter-answers"))
        self.agent = QComboBox()
        for record in agents.list_agents():
            self.agent.addItem(record.name, record.name)
        self.snapshot_a = QComboBox()
        self.snapshot_b = QComboBox()
        self.split = QDoubleSpinBox()
        self.split.setRange(0.05, 0.95)
        self.split.setSingleStep(0.05)
        self.split.setValue(0.5)
        self.split.setToolTip(self.tr("Share of users placed in arm a; the rest get arm b"))
        self.error = ErrorLabel()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.buttons.addButton("Start", QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.accepted.connect(self.start_experiment)
        self.buttons.rejected.connect(self.reject)
        form = QFormLayout(self)
        form.addRow("Name", self.name)
        form.addRow("Agent", self.agent)
        form.addRow("Arm a", self.snapshot_a)
        form.addRow("Arm b", self.snapshot_b)
        form.addRow("Share in arm a", self.split)
        form.addRow(self.error)
        form.addRow(self.buttons)
        self.agent.currentIndexChanged.connect(lambda _index: self._load_snapshots())
        self._load_snapshots()

    def _load_snapshots(self) -> None:
        records = snapshot_store.list_snapshots(agent_name=self.agent.currentData())
        for box in (self.snapshot_a, self.snapshot_b):
            box.clear()
            for record in records:
                verdict = stored_verdict(record) or "not validated"
                box.addItem(f"{record.name} ({verdict})", record.id)
        if len(records) > 1:
            self.snapshot_b.setCurrentIndex(1)

    def start_experiment(self) -> None:
        self.error.clear_error()
        try:
            self.created = experiments.create_experiment(
                name=self.name.text().strip(),
                agent=str(self.agent.currentData()),
                snapshot_a=str(self.snapshot_a.currentData()),
                snapshot_b=str(self.snapshot_b.currentData()),
                split=self.split.value(),
            )
        except USER_ERRORS as exc:
            self.error.show_error(str(exc))
            return
        self.accept()


class ExperimentsDialog(QDialog):
    """Signals:
    agentChanged(): promoting changed an agent's baseline.
    experimentsChanged(): an experiment was created, stopped or promoted.
    """

    agentChanged = Signal()
    experimentsChanged = Signal()

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Experiments"))
        self.setObjectName("experimentsDialog")
        self.resize(940, 520)
        self.context = context
        self.report: ExperimentResult | None = None
        self.child: QDialog | None = None
        self.model = ExperimentModel(self)
        self.view = common.record_table(
            self.model, "experimentTable", QAbstractItemView.SelectionMode.SingleSelection
        )
        header = self.view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self.chart = ApprovalChart()
        self.title = QLabel()
        self.title.setWordWrap(True)
        self.arm_labels = {arm: QLabel() for arm in ("a", "b")}
        for arm, label in self.arm_labels.items():
            label.setObjectName(f"arm{arm.upper()}Figures")
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.verdict_label = QLabel()
        self.verdict_label.setObjectName("experimentVerdict")
        self.error = ErrorLabel()
        self.new_button = QPushButton(self.tr("New Experiment…"))
        self.stop_button = QPushButton(self.tr("Stop"))
        self.promote_button = QPushButton(self.tr("Promote Winner"))
        self.promote_button.setToolTip(
            self.tr("Apply the winning arm's snapshot to the agent's baseline")
        )
        self.new_button.clicked.connect(self.open_new)
        self.stop_button.clicked.connect(self.stop)
        self.promote_button.clicked.connect(self.promote)

        report = QWidget()
        report_layout = QVBoxLayout(report)
        report_layout.addWidget(self.title)
        report_layout.addWidget(self.chart, 1)
        for label in self.arm_labels.values():
            report_layout.addWidget(label)
        report_layout.addWidget(self.verdict_label)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self.view)
        splitter.addWidget(report)
        splitter.setSizes([520, 420])
        actions = QHBoxLayout()
        actions.addWidget(self.new_button)
        actions.addWidget(self.stop_button)
        actions.addWidget(self.promote_button)
        actions.addStretch(1)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(actions)
        layout.addWidget(splitter, 1)
        layout.addWidget(self.error)
        layout.addWidget(close)
        self.view.selectionModel().selectionChanged.connect(lambda *_args: self.show_report())
        self.reload()

    def reload(self, select: str | None = None) -> None:
        self.model.load()
        row = self.model.row_of(select) if select else (0 if self.model.rowCount() else None)
        if row is not None:
            self.view.selectionModel().select(
                self.model.index(row, 0),
                QItemSelectionModel.SelectionFlag.ClearAndSelect
                | QItemSelectionModel.SelectionFlag.Rows,
            )
        self.show_report()

    def selected_name(self) -> str | None:
        rows = self.view.selectionModel().selectedRows()
        return self.model.record(rows[0].row()).name if rows else None

    def show_report(self) -> None:
        name = self.selected_name()
        self.error.clear_error()
        self.report = experiments.report(name) if name else None
        self.chart.set_report(self.report.report if self.report else None)
        running = bool(self.report and self.report.experiment.status == "running")
        self.stop_button.setEnabled(running)
        self.promote_button.setEnabled(bool(self.report and self.report.report.winner and running))
        if self.report is None:
            self.title.setText(self.tr("No experiment selected."))
            for label in self.arm_labels.values():
                label.clear()
            self.verdict_label.clear()
            return
        experiment, report = self.report.experiment, self.report.report
        self.title.setText(
            f"<b>{escape(experiment.name)}</b> ({experiment.status}), agent "
            f"{escape(experiment.agent_name)}, {experiment.split:.0%} of users in arm a"
        )
        for arm, label in self.arm_labels.items():
            label.setText(arm_line(arm, report.arms[arm]))
        self.verdict_label.setText(verdict_line(report))

    def open_new(self) -> NewExperimentDialog:
        dialog = NewExperimentDialog(self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(lambda: self._created(dialog))
        self.child = dialog
        dialog.open()
        return dialog

    def _created(self, dialog: NewExperimentDialog) -> None:
        self.reload(dialog.created.name if dialog.created else None)
        if dialog.created:
            self.experimentsChanged.emit()

    def stop(self) -> None:
        name = self.selected_name()
        if name is None:
            return
        experiments.stop(name)
        self.reload(name)
        self.experimentsChanged.emit()

    def promote(self) -> bool:
        name = self.selected_name()
        winner = self.report.report.winner if self.report else None
        if name is None or self.report is None or winner is None:
            return False
        snapshot = snapshot_store.get_snapshot(self.report.report.arms[winner].snapshot_id)
        force = stored_verdict(snapshot) == "fail"
        if force and not common.confirm(
            self,
            "Promote a failing snapshot?",
            f"The winner's snapshot “{snapshot.name}” failed validation. Promote it anyway?",
        ):
            return False
        try:
            experiments.promote(name, force=force)
        except USER_ERRORS as exc:
            self.error.show_error(str(exc))
            return False
        self.reload(name)
        self.experimentsChanged.emit()
        self.agentChanged.emit()
        return True
