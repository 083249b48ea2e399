"""Hooks the weight UI into the main window: the Weights menu, the agent and user
switchers in the toolbar, dropping *.weights.json files on the window, opening a
message from the drift chart, and joining background work when the window closes."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, QSettings, Qt
from PySide6.QtGui import QAction, QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QComboBox, QInputDialog, QLabel, QMainWindow, QWidget

from desktop_agent.services import agents, sessions
from desktop_agent.ui.weights.common import USER_ERRORS
from desktop_agent.ui.weights.files import FILE_FILTER, is_snapshot_file

if TYPE_CHECKING:
    from desktop_agent.services.app_context import AppContext
    from desktop_agent.store.records import SessionRecord

PROFILE_FILE = "profiles.ini"
NEW_USER = "__new_user__"


class WeightsIntegration(QObject):
    """Owns the actions and switchers it adds; filters the window's drag-and-drop and close."""

    def __init__(self, window: QMainWindow, context: AppContext, panel: QWidget) -> None:
        super().__init__(window)
        self.window = window
        self.context = context
        self.panel = panel
        self._profiles = QSettings(str(context.data_dir / PROFILE_FILE), QSettings.Format.IniFormat)
        self.last_dialog: QWidget | None = None

        self.snapshots_action = QAction("&Snapshots…", window)
        self.snapshots_action.setShortcut("Ctrl+Shift+S")
        self.snapshots_action.triggered.connect(self.open_snapshots)
        self.experiments_action = QAction("&Experiments…", window)
        self.experiments_action.triggered.connect(self.open_experiments)
        self.agents_action = QAction("&Agents…", window)
        self.agents_action.triggered.connect(self.open_agents)
        self.import_action = QAction("&Import Snapshot…", window)
        self.import_action.triggered.connect(self.choose_import)
        menu = window.menuBar()
        help_action = next((a for a in menu.actions() if a.text().replace("&", "") == "Help"), None)
        weights_menu = menu.addMenu("&Weights")
        if help_action is not None:  # keep Help last, where users look for it
            menu.removeAction(weights_menu.menuAction())
            menu.insertMenu(help_action, weights_menu)
        weights_menu.addAction(self.snapshots_action)
        weights_menu.addAction(self.experiments_action)
        weights_menu.addAction(self.agents_action)
        weights_menu.addSeparator()
        weights_menu.addAction(self.import_action)
        self.menu = weights_menu

        self.agent_box = QComboBox()
        self.agent_box.setObjectName("agentSwitcher")
        self.agent_box.setToolTip("The agent new conversations talk to")
        self.user_box = QComboBox()
        self.user_box.setObjectName("userSwitcher")
        self.user_box.setToolTip("Whose learned weights new conversations start from")
        toolbar = getattr(window, "toolbar", None) or window.addToolBar("Profiles")
        toolbar.addSeparator()
        toolbar.addWidget(QLabel(" Agent "))
        toolbar.addWidget(self.agent_box)
        toolbar.addWidget(QLabel("  User "))
        toolbar.addWidget(self.user_box)
        self.load_profiles()
        self.agent_box.currentIndexChanged.connect(lambda _i: self._remember())
        self.user_box.activated.connect(self._on_user_chosen)

        # New conversations start for the chosen agent and user (and join their arm).
        window.current_profile = lambda: (self.current_agent(), self.current_user())  # type: ignore[attr-defined]

        message_requested = getattr(panel, "message_requested", None)
        if message_requested is not None:
            message_requested.connect(self.open_message)
        window.setAcceptDrops(True)
        window.installEventFilter(self)

    # -- profiles

    def load_profiles(self) -> None:
        agent = str(self._profiles.value("agent", agents.DEFAULT_AGENT))
        user = str(self._profiles.value("user", agents.DEFAULT_USER))
        for box in (self.agent_box, self.user_box):
            box.blockSignals(True)
            box.clear()
        for record in agents.list_agents():
            self.agent_box.addItem(record.name, record.name)
        for profile in agents.list_users():
            self.user_box.addItem(profile.display_name or profile.handle, profile.handle)
        self.user_box.addItem("New user…", NEW_USER)
        for box, wanted in ((self.agent_box, agent), (self.user_box, user)):
            index = box.findData(wanted)
            box.setCurrentIndex(max(index, 0))
            box.blockSignals(False)
        # The session list filters by the same agents and users.
        session_panel = getattr(self.window, "sessions", None)
        if session_panel is not None:
            session_panel.refresh_filters()

    def current_agent(self) -> str:
        return str(self.agent_box.currentData() or agents.DEFAULT_AGENT)

    def current_user(self) -> str:
        data = self.user_box.currentData()
        return str(data) if data and data != NEW_USER else agents.DEFAULT_USER

    def _remember(self) -> None:
        self._profiles.setValue("agent", self.current_agent())
        self._profiles.setValue("user", self.current_user())
        self._profiles.sync()

    def _on_user_chosen(self, index: int) -> None:
        if self.user_box.itemData(index) == NEW_USER:
            handle, ok = QInputDialog.getText(self.window, "New User", "Name of the new profile:")
            self.add_user(handle if ok else "")
        else:
            self._remember()

    def add_user(self, handle: str) -> bool:
        """Create (or pick) a local profile and switch to it; empty means cancel."""
        if handle.strip():
            try:
                created = agents.ensure_user(handle)
            except USER_ERRORS as exc:
                self._say(str(exc))
            else:
                self._profiles.setValue("user", created.handle)
        self.load_profiles()
        self._remember()
        return self.current_user() == handle.strip()

    # -- window hooks

    def new_session(self) -> SessionRecord | None:
        return self.window.new_session()  # type: ignore[attr-defined]

    def open_message(self, session_id: str, message_id: int) -> None:
        try:
            record = sessions.get_session(session_id)
        except USER_ERRORS:
            self._say("That conversation no longer exists.")
            return
        self.window.open_session(record, at_message=message_id or None)  # type: ignore[attr-defined]

    def current_session_id(self) -> str | None:
        session = getattr(self.panel, "session", None)
        return getattr(session, "id", None)

    def _reload_panel(self, *_args: object) -> None:
        reload = getattr(self.panel, "reload", None)
        if callable(reload):
            reload()

    def _say(self, text: str) -> None:
        self.window.statusBar().showMessage(text, 8000)

    # -- dialogs

    def _show(self, dialog: QWidget) -> QWidget:
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.last_dialog = dialog
        dialog.show()
        return dialog

    def open_snapshots(self) -> QWidget:
        from desktop_agent.ui.weights.snapshots_dialog import SnapshotsDialog

        dialog = SnapshotsDialog(self.context, self.current_session_id(), self.window)
        dialog.weightsApplied.connect(self._reload_panel)
        return self._show(dialog)

    def open_experiments(self) -> QWidget:
        from desktop_agent.ui.weights.experiments_dialog import ExperimentsDialog

        dialog = ExperimentsDialog(self.context, self.window)
        dialog.agentChanged.connect(self._reload_panel)
        return self._show(dialog)

    def open_agents(self) -> QWidget:
        from desktop_agent.ui.weights.agents_dialog import AgentsDialog

        dialog = AgentsDialog(self.window)
        dialog.agentsChanged.connect(self._reload_panel)
        dialog.agentsChanged.connect(self.load_profiles)
        return self._show(dialog)

    def import_file(self, path: str) -> QWidget | None:
        from desktop_agent.ui.weights.snapshots_dialog import open_import

        dialog = open_import(self.window, path)
        if dialog is not None:
            self.last_dialog = dialog
            dialog.accepted.connect(
                lambda: self._say(
                    f"Imported snapshot “{dialog.imported.snapshot.name}”."
                    if dialog.imported
                    else ""
                )
            )
        return dialog

    def choose_import(self) -> None:
        from PySide6.QtWidgets import QFileDialog

        path, _filter = QFileDialog.getOpenFileName(self.window, "Import Snapshot", "", FILE_FILTER)
        if path:
            self.import_file(path)

    # -- events

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind == QEvent.Type.DragEnter and isinstance(event, QDragEnterEvent):
            if self._dropped_files(event):
                event.acceptProposedAction()
                return True
        elif kind == QEvent.Type.Drop and isinstance(event, QDropEvent):
            paths = self._dropped_files(event)
            if paths:
                event.acceptProposedAction()
                for path in paths:
                    self.import_file(path)
                return True
        elif kind == QEvent.Type.Close and "desktop_agent.ui.weights.whatif_dialog" in sys.modules:
            # Join any live replay still running in a what-if dialog (if one was ever
            # opened: the dialog's module is imported on first use, off the start-up path).
            from desktop_agent.ui.weights.whatif_dialog import WhatIfDialog

            for dialog in self.window.findChildren(WhatIfDialog):
                dialog.runner.shutdown()
        return super().eventFilter(watched, event)

    @staticmethod
    def _dropped_files(event: QDropEvent | QDragEnterEvent) -> list[str]:
        mime = event.mimeData()
        if not mime.hasUrls():
            return []
        return [
            url.toLocalFile()
            for url in mime.urls()
            if url.isLocalFile() and is_snapshot_file(url.toLocalFile())
        ]


def install(window: QMainWindow, context: AppContext, right_panel: QWidget) -> WeightsIntegration:
    """Add the Weights menu, toolbar switchers and file drops to the main window."""
    integration = WeightsIntegration(window, context, right_panel)
    window.setProperty("weightsIntegration", True)
    return integration
