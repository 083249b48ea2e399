"""Agents: a list and a form for each agent's name, system prompt, models and learning
settings; new and delete (soft: its conversations keep working)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QAbstractListModel, QModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QListView,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop_agent.services import agents
from desktop_agent.ui.plain import safe_tooltip
from desktop_agent.ui.weights import common
from desktop_agent.ui.weights.common import USER_ERRORS, ErrorLabel

if TYPE_CHECKING:
    from desktop_agent.store.records import AgentRecord
    from desktop_agent.ui.qt_types import AnyIndex

RecordRole = Qt.ItemDataRole.UserRole + 1


class AgentModel(QAbstractListModel):
    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._records: list[AgentRecord] = []

    def load(self) -> None:
        self.beginResetModel()
        self._records = agents.list_agents()
        self.endResetModel()

    def record(self, row: int) -> AgentRecord:
        return self._records[row]

    def row_of(self, agent_id: int) -> int | None:
        for row, record in enumerate(self._records):
            if record.id == agent_id:
                return row
        return None

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._records)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._records):
            return None
        record = self._records[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return record.name
        if role == RecordRole:
            return record
        if role == Qt.ItemDataRole.ToolTipRole:
            return safe_tooltip(record.system_prompt)
        return None


class AgentsDialog(QDialog):
    """Signals:
    agentsChanged(): an agent was created, edited or deleted.
    """

    agentsChanged = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Agents"))
        self.setObjectName("agentsDialog")
        self.resize(760, 480)
        self.model = AgentModel(self)
        self.view = QListView()
        self.view.setObjectName("agentList")
        self.view.setModel(self.model)
        self.name = QLineEdit()
        self.prompt = QPlainTextEdit()
        self.prompt.setObjectName("agentPrompt")
        self.primary_model = QLineEdit()
        self.primary_model.setPlaceholderText(self.tr("the provider's default model"))
        self.fast_model = QLineEdit()
        self.fast_model.setPlaceholderText(self.tr("the provider's fast model, else the primary"))
        self.learning_rate = QDoubleSpinBox()
        self.decay = QDoubleSpinBox()
        for box in (self.learning_rate, self.decay):
            box.setRange(0.0, 1.0)
            box.setSingleStep(0.01)
            box.setDecimals(2)
        self.learning_rate.setToolTip(
            self.tr("How far one piece of feedback moves a weight; 0 = off")
        )
        self.decay.setToolTip(
            self.tr("How fast learned weights drift back to the baseline; 0 = never")
        )
        self.error = ErrorLabel()
        self.new_button = QPushButton(self.tr("New Agent"))
        self.save_button = QPushButton(self.tr("Save"))
        self.save_button.setDefault(True)
        self.delete_button = QPushButton(self.tr("Delete"))
        self.new_button.clicked.connect(self.new_agent)
        self.save_button.clicked.connect(self.save)
        self.delete_button.clicked.connect(self.delete)

        form = QFormLayout()
        form.addRow("Name", self.name)
        form.addRow("System prompt", self.prompt)
        form.addRow("Model", self.primary_model)
        form.addRow("Fast model", self.fast_model)
        form.addRow("Learning rate", self.learning_rate)
        form.addRow("Decay", self.decay)
        buttons = QHBoxLayout()
        buttons.addWidget(self.new_button)
        buttons.addWidget(self.delete_button)
        buttons.addStretch(1)
        buttons.addWidget(self.save_button)
        right = QVBoxLayout()
        right.addLayout(form, 1)
        right.addWidget(self.error)
        right.addLayout(buttons)
        body = QHBoxLayout()
        body.addWidget(self.view, 1)
        body.addLayout(right, 2)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(body, 1)
        layout.addWidget(close)
        self.view.selectionModel().currentChanged.connect(lambda *_args: self._show_current())
        self.reload()

    def reload(self, select: int | None = None) -> None:
        self.model.load()
        row = self.model.row_of(select) if select is not None else 0
        if row is not None and self.model.rowCount():
            self.view.setCurrentIndex(self.model.index(row))
        self._show_current()

    def current(self) -> AgentRecord | None:
        index = self.view.currentIndex()
        return self.model.record(index.row()) if index.isValid() else None

    def _show_current(self) -> None:
        record = self.current()
        self.error.clear_error()
        self.delete_button.setEnabled(record is not None and record.name != agents.DEFAULT_AGENT)
        if record is None:
            return
        self.name.setText(record.name)
        self.prompt.setPlainText(record.system_prompt)
        self.primary_model.setText(record.primary_model)
        self.fast_model.setText(record.fast_model)
        self.learning_rate.setValue(record.learning_rate)
        self.decay.setValue(record.decay)

    def save(self) -> bool:
        record = self.current()
        if record is None:
            return False
        try:
            saved = agents.update_agent(
                record.id,
                name=self.name.text(),
                system_prompt=self.prompt.toPlainText(),
                primary_model=self.primary_model.text().strip(),
                fast_model=self.fast_model.text().strip(),
                learning_rate=self.learning_rate.value(),
                decay=self.decay.value(),
            )
        except USER_ERRORS as exc:
            self.error.show_error(str(exc))
            return False
        self.reload(saved.id)
        self.agentsChanged.emit()
        return True

    def new_agent(self, name: str | None = None) -> AgentRecord | None:
        taken = {record.name for record in agents.list_agents(include_deleted=True)}
        candidate = name or next(f"agent {n}" for n in range(1, 1000) if f"agent {n}" not in taken)
        try:
            record = agents.create_agent(candidate)
        except USER_ERRORS as exc:
            self.error.show_error(str(exc))
            return None
        self.reload(record.id)
        self.name.setFocus()
        self.name.selectAll()
        self.agentsChanged.emit()
        return record

    def delete(self) -> bool:
        record = self.current()
        if record is None or not common.confirm(
            self,
            "Delete agent?",
            f"Delete “{record.name}”? Its conversations stay and keep working.",
        ):
            return False
        try:
            agents.delete_agent(record.id)
        except USER_ERRORS as exc:
            self.error.show_error(str(exc))
            return False
        self.reload()
        self.agentsChanged.emit()
        return True
