"""The active conversation of one session as an item model, loaded a page at a time.

A session opens with its newest page only; older pages are prepended when the view
scrolls to the top (`fetch_older`), newer ones appended through canFetchMore/fetchMore
(after opening at a search hit). Streamed text updates only the last row, at most
every STREAM_REPAINT_MS.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import (
    QAbstractListModel,
    QModelIndex,
    QObject,
    Qt,
    QTimer,
    Signal,
)

from desktop_agent.services import messages

if TYPE_CHECKING:
    from desktop_agent.store.records import MessageRecord
    from desktop_agent.ui.qt_types import AnyIndex

PAGE_SIZE = 60
STREAM_REPAINT_MS = 33  # ~30 repaints/s while a reply streams

IdRole = Qt.ItemDataRole.UserRole + 1
RecordRole = Qt.ItemDataRole.UserRole + 2
RoleNameRole = Qt.ItemDataRole.UserRole + 3
StatusRole = Qt.ItemDataRole.UserRole + 4
StatusReasonRole = Qt.ItemDataRole.UserRole + 5
VersionIndexRole = Qt.ItemDataRole.UserRole + 6
VersionCountRole = Qt.ItemDataRole.UserRole + 7
FeedbackRole = Qt.ItemDataRole.UserRole + 8
StreamingRole = Qt.ItemDataRole.UserRole + 9


def with_reasoning(content: str, reasoning: str) -> str:
    """A reply shown with the thoughts it was imported with, marked as such above it."""
    if not reasoning:
        return content
    # Two trailing spaces keep each line of the thoughts on its own line in Markdown.
    quoted = "\n".join(f"> {line}  " if line else ">" for line in reasoning.splitlines())
    return f"> *Reasoning — imported, never sent to the model*\n>\n{quoted}\n\n{content}"


class MessageListModel(QAbstractListModel):
    """Signals:
    olderLoaded(int): this many rows were prepended (the view keeps its place).
    """

    olderLoaded = Signal(int)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._session_id: str | None = None
        self._rows: list[MessageRecord] = []
        self._first = 0  # position of row 0 in the conversation
        self._total = 0
        self._streaming_id: int | None = None
        self._pending: list[str] = []
        self._reasoning: dict[int, str] = {}  # message id -> imported thoughts ("" if none)
        self._flush_timer = QTimer(self)
        self._flush_timer.setSingleShot(True)
        self._flush_timer.setInterval(STREAM_REPAINT_MS)
        self._flush_timer.timeout.connect(self.flush_stream)

    # -- Qt model API

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008 - Qt idiom
        return 0 if parent.isValid() else len(self._rows)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        record = self._rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return self.display_text(record)
        if role == Qt.ItemDataRole.EditRole:
            return record.content
        return {
            IdRole: record.id,
            RecordRole: record,
            RoleNameRole: record.role,
            StatusRole: record.status,
            StatusReasonRole: record.status_reason,
            VersionIndexRole: record.version_index,
            VersionCountRole: record.version_count,
            FeedbackRole: None if record.feedback is None else record.feedback.rating,
            StreamingRole: record.id == self._streaming_id,
        }.get(role)

    def display_text(self, record: MessageRecord) -> str:
        """What the view shows: the words, below any reasoning kept from an import."""
        return with_reasoning(record.content, self._reasoning_of(record.id))

    def _reasoning_of(self, message_id: int) -> str:
        """Thoughts kept with an imported reply, looked up once per loaded page."""
        if message_id not in self._reasoning:
            from desktop_agent.services.importing import reasoning_of

            missing = [r.id for r in self._rows if r.id not in self._reasoning]
            found = reasoning_of(missing)
            self._reasoning.update({i: found.get(i, "") for i in missing})
        return self._reasoning.get(message_id, "")

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def canFetchMore(self, parent: AnyIndex) -> bool:
        """Newer messages not loaded yet (only after opening at an older search hit)."""
        return not parent.isValid() and self._first + len(self._rows) < self._total

    def fetchMore(self, parent: AnyIndex) -> None:
        if not self.canFetchMore(parent):
            return
        start = self._first + len(self._rows)
        page = messages.list_messages(self._session_id or "", offset=start, limit=PAGE_SIZE)
        if not page:
            self._total = start
            return
        self.beginInsertRows(QModelIndex(), len(self._rows), len(self._rows) + len(page) - 1)
        self._rows.extend(page)
        self.endInsertRows()

    # -- loading

    @property
    def session_id(self) -> str | None:
        return self._session_id

    @property
    def total(self) -> int:
        return self._total

    @property
    def first_position(self) -> int:
        return self._first

    def has_older(self) -> bool:
        return self._first > 0

    def load_session(self, session_id: str | None, *, around_position: int | None = None) -> None:
        """Show a session: its newest page, or the page around `around_position`."""
        self.beginResetModel()
        self._stop_stream_state()
        self._session_id = session_id
        if session_id is None:
            self._rows, self._first, self._total = [], 0, 0
        else:
            self._total = messages.count_messages(session_id)
            if around_position is None:
                self._first = max(0, self._total - PAGE_SIZE)
            else:
                self._first = max(0, min(around_position - PAGE_SIZE // 2, self._total - 1))
            self._rows = messages.list_messages(session_id, offset=self._first, limit=PAGE_SIZE)
        self.endResetModel()

    def fetch_older(self) -> int:
        """Prepend the page before the first loaded row; returns how many rows came."""
        if not self._first or self._session_id is None:
            return 0
        start = max(0, self._first - PAGE_SIZE)
        page = messages.list_messages(self._session_id, offset=start, limit=self._first - start)
        if not page:
            return 0
        self.beginInsertRows(QModelIndex(), 0, len(page) - 1)
        self._rows[:0] = page
        self._first = start
        self.endInsertRows()
        self.olderLoaded.emit(len(page))
        return len(page)

    def ensure_tail_loaded(self) -> None:
        """Before appending, the newest messages must be the ones loaded."""
        while self.canFetchMore(QModelIndex()):
            self.fetchMore(QModelIndex())

    def row_of_id(self, message_id: int) -> int:
        for row in range(len(self._rows) - 1, -1, -1):
            if self._rows[row].id == message_id:
                return row
        return -1

    def record(self, row: int) -> MessageRecord:
        return self._rows[row]

    def records(self) -> list[MessageRecord]:
        return list(self._rows)

    # -- changes the chat pane reports

    def append_record(self, record: MessageRecord) -> None:
        if record.session_id != self._session_id:
            return
        self.ensure_tail_loaded()
        row = len(self._rows)
        self.beginInsertRows(QModelIndex(), row, row)
        self._rows.append(record)
        self._total += 1
        self.endInsertRows()

    def replace_from(self, record: MessageRecord) -> None:
        """A new version at `record.seq` replaced that message and everything after it."""
        if record.session_id != self._session_id:
            return
        self.ensure_tail_loaded()
        self.truncate_from(record.seq)
        self.append_record(record)

    def truncate_from(self, seq: int) -> None:
        keep = max(0, seq - self._first)
        if keep < len(self._rows):
            self.beginRemoveRows(QModelIndex(), keep, len(self._rows) - 1)
            removed = len(self._rows) - keep
            del self._rows[keep:]
            self._total -= removed
            self.endRemoveRows()

    def replace_tail(self, records: list[MessageRecord]) -> None:
        """After switching versions: the branch from records[0].seq onwards is new."""
        if not records:
            return
        self.truncate_from(records[0].seq)
        start = len(self._rows)
        self.beginInsertRows(QModelIndex(), start, start + len(records) - 1)
        self._rows.extend(records)
        self._total += len(records)
        self.endInsertRows()

    def update_record(self, record: MessageRecord) -> None:
        row = self.row_of_id(record.id)
        if row < 0:
            return
        self._rows[row] = record
        index = self.index(row, 0)
        self.dataChanged.emit(index, index)

    # -- streaming

    @property
    def streaming_id(self) -> int | None:
        return self._streaming_id

    def begin_stream(self, record: MessageRecord) -> None:
        """The reply row exists (empty, `incomplete`); deltas go into it from now on."""
        self._pending.clear()
        self._streaming_id = record.id
        if self.row_of_id(record.id) >= 0:
            self.update_record(record)
        elif record.version_count > 1 or record.version_index > 0:
            self.replace_from(record)
        else:
            self.append_record(record)

    def resume_stream(self, record: MessageRecord, text: str) -> None:
        """Show a reply that kept streaming while another session was open: its row gets
        everything received so far (`text`), and deltas flow into it again."""
        row = self.row_of_id(record.id)
        if record.session_id != self._session_id or row < 0:
            return
        self._pending.clear()
        self._streaming_id = record.id
        self._rows[row] = replace(self._rows[row], content=text, status="incomplete")
        index = self.index(row, 0)
        self.dataChanged.emit(index, index)

    def add_delta(self, text: str) -> None:
        if self._streaming_id is None:
            return
        self._pending.append(text)
        if not self._flush_timer.isActive():
            self._flush_timer.start()

    def flush_stream(self) -> None:
        """Apply the buffered deltas to the streaming row: one dataChanged for that row."""
        if self._streaming_id is None or not self._pending:
            return
        row = self.row_of_id(self._streaming_id)
        if row < 0:
            self._pending.clear()
            return
        record = self._rows[row]
        self._rows[row] = replace(record, content=record.content + "".join(self._pending))
        self._pending.clear()
        index = self.index(row, 0)
        self.dataChanged.emit(index, index)

    def end_stream(self, final: MessageRecord | None = None) -> None:
        self.flush_stream()
        self._stop_stream_state()
        if final is not None:
            if self.row_of_id(final.id) >= 0:
                self.update_record(final)
            else:
                self.append_record(final)

    def _stop_stream_state(self) -> None:
        self._flush_timer.stop()
        self._pending.clear()
        self._streaming_id = None
