"""Full-text search hits as an item model (filled by a search worker)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QAbstractListModel, QModelIndex, QObject, Qt

from desktop_agent.ui.plain import safe_tooltip

if TYPE_CHECKING:
    from desktop_agent.store.records import SearchHit
    from desktop_agent.ui.qt_types import AnyIndex

HitRole = Qt.ItemDataRole.UserRole + 1
SessionIdRole = Qt.ItemDataRole.UserRole + 2
MessageIdRole = Qt.ItemDataRole.UserRole + 3
SpansRole = Qt.ItemDataRole.UserRole + 4
SessionTitleRole = Qt.ItemDataRole.UserRole + 5


class SearchResultsModel(QAbstractListModel):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._hits: list[SearchHit] = []
        self.query = ""

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008 - Qt idiom
        return 0 if parent.isValid() else len(self._hits)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._hits):
            return None
        hit = self._hits[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return hit.snippet
        if role == Qt.ItemDataRole.ToolTipRole:
            return safe_tooltip(
                f"{hit.session_title} — {'you' if hit.role == 'user' else hit.role}"
            )
        return {
            HitRole: hit,
            SessionIdRole: hit.session_id,
            MessageIdRole: hit.message_id,
            SpansRole: hit.spans,
            SessionTitleRole: hit.session_title,
        }.get(role)

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def set_hits(self, query: str, hits: list[SearchHit]) -> None:
        self.beginResetModel()
        self.query = query
        self._hits = list(hits)
        self.endResetModel()

    def hit(self, row: int) -> SearchHit:
        return self._hits[row]
