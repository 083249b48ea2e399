"""The Weights menu: snapshots, experiments, agents and snapshot import. The dialogs'
committed changes are announced on the StoreEvents hub."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, Signal, Slot
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QFileDialog, QMenu, QWidget

if TYPE_CHECKING:
    from collections.abc import Callable

    from desktop_agent.services.app_context import AppContext
    from desktop_agent.ui.events import StoreEvents
    from desktop_agent.ui.weights.agents_dialog import AgentsDialog
    from desktop_agent.ui.weights.experiments_dialog import ExperimentsDialog
    from desktop_agent.ui.weights.snapshot_dialogs import ImportDialog
    from desktop_agent.ui.weights.snapshot_manager import SnapshotsDialog


class WeightsMenu(QObject):
    """Owns the Weights menu's actions and opens its dialogs (imported on first use,
    off the start-up path).

    Signals:
        notice(str): something worth a line in the status bar.
    """

    notice = Signal(str)

    def __init__(
        self,
        context: AppContext,
        events: StoreEvents,
        open_session_id: Callable[[], str | None],
        window: QWidget,
    ) -> None:
        super().__init__(window)
        self._context = context
        self._events = events
        self._open_session_id = open_session_id
        self._window = window
        self.last_dialog: QWidget | None = None

        self.snapshots_action = QAction(self.tr("&Snapshots…"), window)
        self.snapshots_action.setShortcut(QKeySequence("Ctrl+Shift+S"))
        self.snapshots_action.triggered.connect(self.open_snapshots)
        self.experiments_action = QAction(self.tr("&Experiments…"), window)
        self.experiments_action.triggered.connect(self.open_experiments)
        self.agents_action = QAction(self.tr("&Agents…"), window)
        self.agents_action.triggered.connect(self.open_agents)
        self.import_action = QAction(self.tr("&Import Snapshot…"), window)
        self.import_action.triggered.connect(self.choose_import)

    def build_menu(self, menu: QMenu) -> QMenu:
        menu.addAction(self.snapshots_action)
        menu.addAction(self.experiments_action)
        menu.addAction(self.agents_action)
        menu.addSeparator()
        menu.addAction(self.import_action)
        self.menu = menu
        return menu

    def _show(self, dialog: QWidget) -> None:
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.last_dialog = dialog
        dialog.show()

    @Slot()
    def open_snapshots(self) -> SnapshotsDialog:
        from desktop_agent.ui.weights.snapshot_manager import SnapshotsDialog

        dialog = SnapshotsDialog(self._context, self._open_session_id(), self._window)
        dialog.weightsApplied.connect(self._on_applied)
        self._events.snapshotsChanged.connect(dialog.reload)
        self._show(dialog)
        return dialog

    @Slot(str)
    def _on_applied(self, scope: str) -> None:
        """A snapshot moved the open session's weights, or an agent's or a user's."""
        if scope == "agent":
            self._events.agentsChanged.emit()
        session_id = self._open_session_id() if scope == "session" else None
        self._events.weightsChanged.emit(session_id or "")

    @Slot()
    def open_experiments(self) -> ExperimentsDialog:
        from desktop_agent.ui.weights.experiments_dialog import ExperimentsDialog

        dialog = ExperimentsDialog(self._context, self._window)
        dialog.agentChanged.connect(self._events.agentsChanged)  # a promoted baseline
        dialog.experimentsChanged.connect(self._events.experimentsChanged)
        self._show(dialog)
        return dialog

    @Slot()
    def open_agents(self) -> AgentsDialog:
        from desktop_agent.ui.weights.agents_dialog import AgentsDialog

        dialog = AgentsDialog(self._window)
        dialog.agentsChanged.connect(self._events.agentsChanged)
        self._show(dialog)
        return dialog

    def import_file(self, path: str) -> QWidget | None:
        from desktop_agent.ui.weights.snapshot_manager import open_import

        dialog = open_import(self._window, path)
        if dialog is not None:
            self.last_dialog = dialog
            dialog.accepted.connect(lambda: self._imported(dialog))
        return dialog

    def _imported(self, dialog: ImportDialog) -> None:
        if dialog.imported is None:
            return
        self._events.snapshotsChanged.emit()
        self.notice.emit(self.tr("Imported snapshot “%s”.") % dialog.imported.snapshot.name)

    @Slot()
    def choose_import(self) -> None:
        from desktop_agent.ui.weights.files import FILE_FILTER

        path, _filter = QFileDialog.getOpenFileName(
            self._window, self.tr("Import Snapshot"), "", FILE_FILTER
        )
        if path:
            self.import_file(path)
