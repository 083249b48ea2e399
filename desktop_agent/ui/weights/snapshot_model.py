"""The item model of stored snapshots: name, agent, verdict (coloured), created, lineage."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt

from desktop_agent.domain.timestamps import to_iso
from desktop_agent.services import snapshots as snapshot_store
from desktop_agent.services.snapshots import stored_reasons, stored_verdict
from desktop_agent.ui.weights.common import VERDICT_COLOURS, VERDICT_LABELS

if TYPE_CHECKING:
    from desktop_agent.store.records import SnapshotRecord
    from desktop_agent.ui.qt_types import AnyIndex

RecordRole = Qt.ItemDataRole.UserRole + 1
VerdictRole = Qt.ItemDataRole.UserRole + 2
COLUMNS = ("Name", "Agent", "Verdict", "Created", "Parent")


class SnapshotModel(QAbstractTableModel):
    """One row per snapshot, newest first (the order the store lists them)."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._records: list[SnapshotRecord] = []
        self._names: dict[str, str] = {}

    def load(self, agent_name: str | None = None) -> None:
        self.beginResetModel()
        self._records = snapshot_store.list_snapshots(agent_name=agent_name)
        self._names = {record.id: record.name for record in self._records}
        self.endResetModel()

    def records(self) -> list[SnapshotRecord]:
        return list(self._records)

    def record(self, row: int) -> SnapshotRecord:
        return self._records[row]

    def row_of(self, snapshot_id: str) -> int | None:
        for row, record in enumerate(self._records):
            if record.id == snapshot_id:
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

    def lineage(self, record: SnapshotRecord) -> str:
        if record.parent_id is None:
            return "—"
        name = self._names.get(record.parent_id)
        return f"↳ {name}" if name else f"↳ {record.parent_id[:8]}"

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._records):
            return None
        record = self._records[index.row()]
        column = index.column()
        verdict = stored_verdict(record)
        if role == RecordRole:
            return record
        if role == VerdictRole:
            return verdict
        if role == Qt.ItemDataRole.DisplayRole:
            values = (
                record.name,
                record.agent_name,
                VERDICT_LABELS.get(verdict or "", "—"),
                to_iso(record.created_at).replace("T", " ").rstrip("Z"),
                self.lineage(record),
            )
            return values[column] if 0 <= column < len(values) else None
        if role == Qt.ItemDataRole.ForegroundRole and column == 2 and verdict is not None:
            return VERDICT_COLOURS.get(verdict)
        if role == Qt.ItemDataRole.ToolTipRole:
            lines = [f"{record.name} ({record.id})", *stored_reasons(record)]
            if record.notes:
                lines.append(record.notes)
            return "\n".join(lines)
        return None
