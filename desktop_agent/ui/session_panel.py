"""The left side: search, filters, the session list (or the trash), and the undo bar."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QItemSelectionModel, QModelIndex, QPoint, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QMenu,
    QMessageBox,
    QPushButton,
    QStackedWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from desktop_agent.services import agents, sessions
from desktop_agent.ui import session_model
from desktop_agent.ui.banner import UndoBar
from desktop_agent.ui.plain import ask_plain
from desktop_agent.ui.search_model import SearchResultsModel
from desktop_agent.ui.session_delegate import SearchHitDelegate, SessionDelegate
from desktop_agent.ui.session_model import SessionFilter, SessionListModel
from desktop_agent.ui.worker import Worker, worker_pool

if TYPE_CHECKING:
    from desktop_agent.store.records import SearchHit, SessionRecord
    from desktop_agent.ui.events import StoreEvents

SEARCH_DELAY_MS = 180
SEARCH_LIMIT = 100


def _list_view(name: str) -> QListView:
    view = QListView()
    view.setObjectName(name)
    view.setUniformItemSizes(True)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
    view.setEditTriggers(QAbstractItemView.EditTrigger.EditKeyPressed)
    return view


class SessionPanel(QWidget):
    """Signals:
    sessionActivated(object): a SessionRecord was chosen (None: nothing is open).
    searchHitActivated(object): a SearchHit was chosen.
    sessionTrashed(str), sessionRestored(str): for the window to close/reopen it.

    Follows the StoreEvents hub: `sessionChanged` re-sorts the list, `agentsChanged`
    refills the agent and user filters.
    """

    sessionActivated = Signal(object)
    searchHitActivated = Signal(object)
    sessionTrashed = Signal(str)
    sessionRestored = Signal(str)

    def __init__(self, events: StoreEvents | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("sessionPanel")
        self.model = SessionListModel(self)
        self.search_model = SearchResultsModel(self)
        if events is not None:
            events.sessionChanged.connect(lambda _session_id: self.refresh())
            events.agentsChanged.connect(self.refresh_filters)
            events.sessionsChanged.connect(lambda: self.refresh())  # e.g. after an import
        self._search_serial = 0
        self._restoring_selection = False

        self.search = QLineEdit()
        self.search.setObjectName("searchBox")
        self.search.setPlaceholderText(self.tr("Search all messages  (Ctrl+F)"))
        self.search.setClearButtonEnabled(True)
        self.search.setAccessibleName(self.tr("Search all messages"))
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(self._run_search)
        self.search.textChanged.connect(self._on_search_text)
        self.search.returnPressed.connect(self._open_first_hit)

        self.agent_filter = QComboBox()
        self.agent_filter.setToolTip(self.tr("Show the sessions of one agent"))
        self.agent_filter.setAccessibleName(self.tr("Agent filter"))
        self.user_filter = QComboBox()
        self.user_filter.setToolTip(self.tr("Show the sessions of one user"))
        self.user_filter.setAccessibleName(self.tr("User filter"))
        self.trash_toggle = QToolButton()
        self.trash_toggle.setText(self.tr("Trash"))
        self.trash_toggle.setCheckable(True)
        self.trash_toggle.setToolTip(
            self.tr("Show the trash, to restore or delete sessions for good")
        )
        self.trash_toggle.toggled.connect(self._apply_filter)
        self.agent_filter.currentIndexChanged.connect(self._apply_filter)
        self.user_filter.currentIndexChanged.connect(self._apply_filter)

        self.list = _list_view("sessionList")
        self.list.setAccessibleName(self.tr("Conversations"))
        self.list.setModel(self.model)
        self.list.setItemDelegate(SessionDelegate(self.list))
        self.list.selectionModel().currentChanged.connect(self._on_current_changed)
        self.list.customContextMenuRequested.connect(self._context_menu)
        self.hits = _list_view("searchResults")
        self.hits.setAccessibleName(self.tr("Search results"))
        self.hits.setModel(self.search_model)
        self.hits.setItemDelegate(SearchHitDelegate(self.hits))
        self.hits.clicked.connect(self._open_hit)
        self.hits.activated.connect(self._open_hit)
        self.empty_label = QLabel()
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_label.setWordWrap(True)
        self.empty_label.setObjectName("emptyLabel")
        self.stack = QStackedWidget()
        self.stack.addWidget(self.list)
        self.stack.addWidget(self.hits)
        self.stack.addWidget(self.empty_label)

        self.restore_button = QPushButton(self.tr("Restore"))
        self.purge_button = QPushButton(self.tr("Delete Forever…"))
        self.restore_button.clicked.connect(self.restore_current)
        self.purge_button.clicked.connect(self.purge_current)
        trash_row = QHBoxLayout()
        trash_row.addWidget(self.restore_button)
        trash_row.addWidget(self.purge_button)
        self.trash_buttons = QWidget()
        self.trash_buttons.setLayout(trash_row)
        trash_row.setContentsMargins(0, 0, 0, 0)
        self.trash_buttons.hide()

        self.undo_bar = UndoBar()
        self.undo_bar.actionRequested.connect(self.undo_trash)

        self.rename_action = QAction(self.tr("&Rename…"), self)
        self.rename_action.setShortcut(QKeySequence(Qt.Key.Key_F2))
        self.rename_action.triggered.connect(self.rename_current)
        self.pin_action = QAction(self.tr("&Pin"), self)
        self.pin_action.setShortcut(QKeySequence("Ctrl+Shift+P"))
        self.pin_action.triggered.connect(self.toggle_pin_current)
        self.trash_action = QAction(self.tr("Move to &Trash"), self)
        self.trash_action.setShortcut(QKeySequence(QKeySequence.StandardKey.Delete))
        self.trash_action.triggered.connect(self.trash_current)
        self.undo_action = QAction(self.tr("&Undo Move to Trash"), self)
        self.undo_action.setShortcut(QKeySequence(QKeySequence.StandardKey.Undo))
        self.undo_action.triggered.connect(self.undo_trash)
        self.find_action = QAction(self.tr("&Find in Messages"), self)
        self.find_action.setShortcut(QKeySequence(QKeySequence.StandardKey.Find))
        self.find_action.triggered.connect(self.focus_search)
        self.trash_view_action = QAction(self.tr("Show T&rash"), self)
        self.trash_view_action.setCheckable(True)
        self.trash_view_action.toggled.connect(self.trash_toggle.setChecked)
        self.trash_toggle.toggled.connect(self.trash_view_action.setChecked)
        # Delete and F2 act on the list only, so they never eat keys in the composer.
        for action in (self.rename_action, self.trash_action):
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            self.list.addAction(action)

        filters = QHBoxLayout()
        filters.setContentsMargins(0, 0, 0, 0)
        filters.addWidget(self.agent_filter, 1)
        filters.addWidget(self.user_filter, 1)
        filters.addWidget(self.trash_toggle)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 4, 8)
        layout.setSpacing(6)
        layout.addWidget(self.search)
        layout.addLayout(filters)
        layout.addWidget(self.stack, 1)
        layout.addWidget(self.trash_buttons)
        layout.addWidget(self.undo_bar)

    # -- loading

    def load(self) -> None:
        """Fill the filters and the first page of sessions."""
        self.refresh_filters()
        self.model.reload()
        self._update_empty_state()

    def refresh_filters(self) -> None:
        """Refill the agent and user filters (agents and profiles can be added any time)."""
        for combo, label, items in (
            (self.agent_filter, "All agents", [(a.name, a.id) for a in agents.list_agents()]),
            (self.user_filter, "All users", [(u.handle, u.id) for u in agents.list_users()]),
        ):
            current = combo.currentData()
            combo.blockSignals(True)
            combo.clear()
            combo.addItem(label, None)
            for name, key in items:
                combo.addItem(name, key)
            position = combo.findData(current)
            combo.setCurrentIndex(max(0, position))
            combo.blockSignals(False)

    @Slot()
    def _apply_filter(self) -> None:
        trashed = self.trash_toggle.isChecked()
        self.model.set_filter(
            SessionFilter(
                trashed=trashed,
                agent_id=self.agent_filter.currentData(),
                user_id=self.user_filter.currentData(),
            )
        )
        self.trash_buttons.setVisible(trashed)
        self._update_empty_state()

    def _update_empty_state(self) -> None:
        if self.search.text().strip():
            return
        if self.model.rowCount() == 0:
            self.empty_label.setText(
                "The trash is empty."
                if self.model.filter.trashed
                else "No conversations yet.\nPress Ctrl+N to start one."
            )
            self.stack.setCurrentWidget(self.empty_label)
        else:
            self.stack.setCurrentWidget(self.list)

    def refresh(self, keep: str | None = None) -> None:
        """Re-sort after activity, keeping the selection on `keep` (or the current)."""
        keep = keep or self.current_id()
        self._restoring_selection = True
        try:
            self.model.reload()
            self.select(keep)
        finally:
            self._restoring_selection = False
        self._update_empty_state()

    def update_record(self, record: SessionRecord) -> None:
        self.model.update_record(record)

    # -- selection

    def current_id(self) -> str | None:
        index = self.list.currentIndex()
        return None if not index.isValid() else str(index.data(session_model.IdRole))

    def current_record(self) -> SessionRecord | None:
        index = self.list.currentIndex()
        return None if not index.isValid() else self.model.record(index.row())

    def select(self, session_id: str | None, *, activate: bool = False) -> bool:
        if session_id is None:
            return False
        row = self.model.row_of(session_id)
        if row < 0:
            return False
        self._restoring_selection = True
        try:
            self.list.selectionModel().setCurrentIndex(
                self.model.index(row, 0), QItemSelectionModel.SelectionFlag.ClearAndSelect
            )
        finally:
            self._restoring_selection = False
        self.list.scrollTo(self.model.index(row, 0))
        if activate:
            self.sessionActivated.emit(self.model.record(row))
        return True

    @Slot(QModelIndex, QModelIndex)
    def _on_current_changed(self, current: QModelIndex, previous: QModelIndex) -> None:
        if self._restoring_selection:
            return
        self.sessionActivated.emit(self.model.record(current.row()) if current.isValid() else None)

    # -- session actions

    @Slot()
    def rename_current(self) -> None:
        index = self.list.currentIndex()
        if index.isValid() and not self.model.filter.trashed:
            self.list.edit(index)

    @Slot()
    def toggle_pin_current(self) -> None:
        record = self.current_record()
        if record is None or record.trashed:
            return
        sessions.pin_session(record.id, not record.pinned)
        self.refresh(record.id)

    @Slot()
    def trash_current(self) -> None:
        record = self.current_record()
        if record is None or record.trashed:
            return
        sessions.trash_session(record.id)
        self.model.remove_id(record.id)
        self.undo_bar.offer(record.id, record.title)
        self.sessionTrashed.emit(record.id)
        self._update_empty_state()

    @Slot()
    def undo_trash(self) -> None:
        session_id = self.undo_bar.session_id
        if session_id is None:
            return
        self.undo_bar.dismiss()
        sessions.restore_session(session_id)
        self.refresh(session_id)
        self.select(session_id, activate=True)
        self.sessionRestored.emit(session_id)

    @Slot()
    def restore_current(self) -> None:
        record = self.current_record()
        if record is None or not record.trashed:
            return
        sessions.restore_session(record.id)
        if self.undo_bar.session_id == record.id:
            self.undo_bar.dismiss()  # nothing left to undo: it is back already
        self.model.remove_id(record.id)
        self._update_empty_state()
        self.sessionRestored.emit(record.id)

    @Slot()
    def purge_current(self, *, confirm: bool = True) -> None:
        record = self.current_record()
        if record is None or not record.trashed:
            return
        if confirm:
            answer = ask_plain(
                self,
                "Delete Forever",
                f"Delete “{record.title}” and its {record.message_count} messages for good?"
                " This cannot be undone.",
                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
                QMessageBox.StandardButton.Cancel,
            )
            if answer != QMessageBox.StandardButton.Yes:
                return
        sessions.purge_session(record.id)
        self.model.remove_id(record.id)
        self._update_empty_state()

    @Slot(QPoint)
    def _context_menu(self, pos: QPoint) -> None:
        index = self.list.indexAt(pos)
        if not index.isValid():
            return
        self.list.setCurrentIndex(index)
        menu = QMenu(self)
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        if self.model.filter.trashed:
            menu.addAction(self.tr("Restore"), self.restore_current)
            menu.addAction(self.tr("Delete Forever…"), self.purge_current)
        else:
            record = self.model.record(index.row())
            self.pin_action.setText(self.tr("Unpin") if record.pinned else "Pin")
            menu.addAction(self.rename_action)
            menu.addAction(self.pin_action)
            menu.addSeparator()
            menu.addAction(self.trash_action)
        menu.popup(self.list.viewport().mapToGlobal(pos))

    # -- search

    @Slot()
    def focus_search(self) -> None:
        self.search.setFocus()
        self.search.selectAll()

    @Slot(str)
    def _on_search_text(self, text: str) -> None:
        if not text.strip():
            self._search_timer.stop()
            self._search_serial += 1
            self.search_model.set_hits("", [])
            self._update_empty_state()
            return
        self._search_timer.start()

    @Slot()
    def _run_search(self) -> None:
        query = self.search.text().strip()
        if not query:
            return
        self._search_serial += 1
        serial = self._search_serial

        def job(worker: Worker) -> tuple[int, str, list[SearchHit]]:
            from desktop_agent.services.search import search_messages

            return serial, query, search_messages(query, limit=SEARCH_LIMIT)

        worker = Worker(job, "search")
        worker.returned.connect(self._on_search_done)
        worker.errored.connect(self._on_search_failed)
        worker_pool().start(worker, owner=self)

    @Slot(object)
    def _on_search_done(self, result: tuple[int, str, list[SearchHit]]) -> None:
        serial, query, hits = result
        if serial != self._search_serial:
            return  # a newer query is on its way
        self.search_model.set_hits(query, hits)
        if hits:
            self.stack.setCurrentWidget(self.hits)
        else:
            self.empty_label.setText(f"No messages match “{query}”.")
            self.stack.setCurrentWidget(self.empty_label)

    @Slot(object)
    def _on_search_failed(self, exc: BaseException) -> None:
        self.empty_label.setText(f"Search failed: {exc}")
        self.stack.setCurrentWidget(self.empty_label)

    @Slot(QModelIndex)
    def _open_hit(self, index: QModelIndex) -> None:
        if index.isValid():
            self.searchHitActivated.emit(self.search_model.hit(index.row()))

    @Slot()
    def _open_first_hit(self) -> None:
        if self.search_model.rowCount():
            self._open_hit(self.search_model.index(0, 0))

    def shutdown(self) -> None:
        self._search_timer.stop()
        self.undo_bar.dismiss()
        worker_pool().cancel(self)
