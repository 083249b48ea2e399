"""The item model of A/B experiments: name, agent, status, created, promoted arm."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt

from desktop_agent.domain.timestamps import to_iso
from desktop_agent.services import experiments

if TYPE_CHECKING:
    from desktop_agent.store.records import ExperimentRecord
    from desktop_agent.ui.qt_types import AnyIndex

RecordRole = Qt.ItemDataRole.UserRole + 1
COLUMNS = ("Name", "Agent", "Status", "Started", "Promoted")


class ExperimentModel(QAbstractTableModel):
    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._records: list[ExperimentRecord] = []

    def load(self) -> None:
        self.beginResetModel()
        self._records = experiments.list_experiments()
        self.endResetModel()

    def record(self, row: int) -> ExperimentRecord:
        return self._records[row]

    def row_of(self, name: str) -> int | None:
        for row, record in enumerate(self._records):
            if name in (record.name, record.id):
                return row
        return None

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._records)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if (
            orientation == Qt.Orientation.Horizontal
            and role == Qt.ItemDataRole.DisplayRole
            and 0 <= section < len(COLUMNS)
        ):
            return COLUMNS[section]
        return None

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._records):
            return None
        record = self._records[index.row()]
        if role == RecordRole:
            return record
        if role == Qt.ItemDataRole.DisplayRole:
            values = (
                record.name,
                record.agent_name,
                record.status,
                to_iso(record.created_at).replace("T", " ").rstrip("Z"),
                f"arm {record.promoted}" if record.promoted else "—",
            )
            return values[index.column()] if 0 <= index.column() < len(values) else None
        return None
