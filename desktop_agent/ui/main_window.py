"""The main window: sessions | chat | weights, with menus, toolbar and status bar."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray, QModelIndex, QSettings, Qt, Slot
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import QLabel, QMainWindow, QSplitter, QToolBar

from desktop_agent import APP_NAME
from desktop_agent.domain.errors import InvalidInputError
from desktop_agent.services.sessions import start_session
from desktop_agent.store import agents, sessions
from desktop_agent.store.errors import NotFoundError
from desktop_agent.ui.chat_pane import ChatPane
from desktop_agent.ui.right_panel import build_right_panel
from desktop_agent.ui.session_panel import SessionPanel
from desktop_agent.ui.weights.integration import install

if TYPE_CHECKING:
    from collections.abc import Callable

    from desktop_agent.services.app_context import AppContext
    from desktop_agent.store.records import SearchHit, SessionRecord

WINDOW_STATE_NAME = "window.ini"
DEFAULT_SPLITTER = [280, 740, 340]  # the weights panel needs ~310 px for its controls


class MainWindow(QMainWindow):
    def __init__(self, context: AppContext) -> None:
        super().__init__()
        self.setObjectName("mainWindow")
        self.context = context
        self.setWindowTitle(APP_NAME)
        self.resize(1360, 860)
        self._state = QSettings(
            str(context.data_dir / WINDOW_STATE_NAME), QSettings.Format.IniFormat
        )

        self.sessions = SessionPanel()
        self.chat = ChatPane(context)
        self.right_panel = build_right_panel(context)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setObjectName("mainSplitter")
        self.splitter.setChildrenCollapsible(False)
        self.splitter.addWidget(self.sessions)
        self.splitter.addWidget(self.chat)
        self.splitter.addWidget(self.right_panel)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes(DEFAULT_SPLITTER)
        self.sessions.setMinimumWidth(200)
        self.chat.setMinimumWidth(360)
        self.right_panel.setMinimumWidth(180)
        self.setCentralWidget(self.splitter)

        self.provider_label = QLabel()
        self.provider_label.setObjectName("providerStatus")
        self.save_label = QLabel("All changes saved")
        self.save_label.setObjectName("saveStatus")
        for label in (self.provider_label, self.save_label):
            label.setContentsMargins(10, 0, 10, 0)
            self.statusBar().addPermanentWidget(label)

        # (agent, user) for new conversations; the weights integration's switchers
        # replace this.
        self.current_profile: Callable[[], tuple[str, str]] = lambda: (
            agents.DEFAULT_AGENT,
            agents.DEFAULT_USER,
        )
        self._build_actions()
        self._connect()
        self.weights_integration = install(self, context, self.right_panel)
        self.update_provider_status()
        self.sessions.load()
        self._restore_state()

    # -- construction

    def _build_actions(self) -> None:
        self.new_action = QAction("&New Conversation", self)
        self.new_action.setShortcut(QKeySequence(QKeySequence.StandardKey.New))
        self.new_action.triggered.connect(self.new_session)
        self.settings_action = QAction("&Settings…", self)
        self.settings_action.setShortcuts(
            [QKeySequence("Ctrl+,"), QKeySequence(QKeySequence.StandardKey.Preferences)]
        )
        self.settings_action.setMenuRole(QAction.MenuRole.PreferencesRole)
        self.settings_action.triggered.connect(self.open_settings)
        self.quit_action = QAction("&Quit", self)
        self.quit_action.setShortcut(QKeySequence(QKeySequence.StandardKey.Quit))
        self.quit_action.setMenuRole(QAction.MenuRole.QuitRole)
        self.quit_action.triggered.connect(self.close)
        self.about_action = QAction(f"&About {APP_NAME}", self)
        self.about_action.setMenuRole(QAction.MenuRole.AboutRole)
        self.about_action.triggered.connect(self.show_about)
        self.weights_action = QAction("&Weights Panel", self)
        self.weights_action.setCheckable(True)
        self.weights_action.setChecked(True)
        self.weights_action.setShortcut(QKeySequence("Ctrl+Shift+W"))
        self.weights_action.toggled.connect(self.right_panel.setVisible)

        panel, chat = self.sessions, self.chat
        menu = self.menuBar()
        file_menu = menu.addMenu("&File")
        file_menu.addAction(self.new_action)
        file_menu.addSeparator()
        file_menu.addAction(self.settings_action)
        file_menu.addSeparator()
        file_menu.addAction(self.quit_action)
        edit_menu = menu.addMenu("&Edit")
        edit_menu.addAction(panel.undo_action)
        edit_menu.addSeparator()
        edit_menu.addAction(panel.find_action)
        conversation = menu.addMenu("&Conversation")
        conversation.addAction(chat.send_action)
        conversation.addAction(chat.stop_action)
        conversation.addAction(chat.regenerate_action)
        conversation.addSeparator()
        conversation.addAction(panel.rename_action)
        conversation.addAction(panel.pin_action)
        conversation.addAction(panel.trash_action)
        view_menu = menu.addMenu("&View")
        view_menu.addAction(panel.trash_view_action)
        view_menu.addAction(self.weights_action)
        help_menu = menu.addMenu("&Help")
        help_menu.addAction(self.about_action)
        for action in (
            chat.send_action,
            chat.stop_action,
            chat.regenerate_action,
            panel.undo_action,
            panel.find_action,
            panel.pin_action,
        ):
            self.addAction(action)

        toolbar = QToolBar("Main")
        toolbar.setObjectName("mainToolbar")
        toolbar.setMovable(False)
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        toolbar.addAction(self.new_action)
        toolbar.addAction(panel.find_action)
        toolbar.addSeparator()
        toolbar.addAction(chat.stop_action)
        toolbar.addAction(chat.regenerate_action)
        toolbar.addSeparator()
        toolbar.addAction(self.settings_action)
        self.addToolBar(toolbar)
        self.toolbar = toolbar
        for action in (
            self.new_action,
            panel.find_action,
            chat.stop_action,
            chat.regenerate_action,
            self.settings_action,
        ):
            shortcut = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
            action.setToolTip(f"{action.text().replace('&', '')} ({shortcut})")

    def _connect(self) -> None:
        self.sessions.sessionActivated.connect(self.open_session)
        self.sessions.searchHitActivated.connect(self.open_hit)
        self.sessions.sessionTrashed.connect(self._on_trashed)
        self.sessions.sessionRestored.connect(self._on_restored)
        # An in-place rename (F2) changes only the list's row; the header must follow.
        self.sessions.model.dataChanged.connect(self._on_list_rows_changed)
        self.chat.newSessionRequested.connect(self.new_session)
        self.chat.settingsRequested.connect(self.open_settings)
        self.chat.sessionUpdated.connect(self._on_session_updated)
        controller = self.chat.controller
        controller.sessionTouched.connect(self._on_session_touched)
        controller.notice.connect(lambda text: self.statusBar().showMessage(text, 6000))
        controller.busyChanged.connect(self._on_busy)
        controller.weightsChanged.connect(self._on_weights_changed)

    # -- sessions

    @Slot()
    def new_session(self) -> SessionRecord | None:
        """Start a conversation for the chosen agent and user (joining their experiment
        arm, if one runs); the profile switchers set `current_profile`."""
        agent, user = self.current_profile()
        try:
            record = start_session(agent=agent, user=user)
        except (InvalidInputError, NotFoundError) as exc:
            self.statusBar().showMessage(str(exc), 8000)
            return None
        if self.sessions.trash_toggle.isChecked():
            self.sessions.trash_toggle.setChecked(False)
        self.sessions.search.clear()
        self.sessions.refresh(record.id)
        self.open_session(record)
        self.chat.composer.setFocus()
        return record

    @Slot(object)
    def open_session(self, record: SessionRecord | None, at_message: int | None = None) -> None:
        if record is not None and self.sessions.current_id() != record.id:
            self.sessions.select(record.id)
        self.chat.open_session(record, at_message=at_message)
        self.setWindowTitle(f"{record.title} — {APP_NAME}" if record else APP_NAME)
        set_session = getattr(self.right_panel, "set_session", None)
        if callable(set_session):
            set_session(record.id if record else None)

    @Slot(object)
    def open_hit(self, hit: SearchHit) -> None:
        try:
            record = sessions.get_session(hit.session_id)
        except NotFoundError:
            self.statusBar().showMessage("That conversation no longer exists.", 6000)
            return
        self.open_session(record, at_message=hit.message_id)

    @Slot(str)
    def _on_trashed(self, session_id: str) -> None:
        if self.chat.session is not None and self.chat.session.id == session_id:
            current = self.sessions.current_record()
            self.open_session(current if current and current.id != session_id else None)

    @Slot(str)
    def _on_restored(self, session_id: str) -> None:
        if self.chat.session is not None and self.chat.session.id == session_id:
            self.chat.refresh_session()

    @Slot(QModelIndex, QModelIndex)
    def _on_list_rows_changed(self, top_left: QModelIndex, bottom_right: QModelIndex) -> None:
        open_session = self.chat.session
        if open_session is None:
            return
        for row in range(top_left.row(), bottom_right.row() + 1):
            record = self.sessions.model.record(row)
            if record.id == open_session.id and record.title != open_session.title:
                self.chat.refresh_session()
                self.setWindowTitle(f"{record.title} — {APP_NAME}")
                return

    @Slot(object)
    def _on_session_updated(self, record: SessionRecord) -> None:
        self.sessions.update_record(record)
        self.setWindowTitle(f"{record.title} — {APP_NAME}")

    @Slot(str)
    def _on_session_touched(self, session_id: str) -> None:
        self.sessions.refresh()
        if self.chat.session is not None and self.chat.session.id == session_id:
            self.chat.refresh_session()

    @Slot(str)
    def _on_weights_changed(self, session_id: str) -> None:
        weights_changed = getattr(self.right_panel, "weights_changed", None)
        if callable(weights_changed):
            weights_changed(session_id)

    @Slot(bool)
    def _on_busy(self, busy: bool) -> None:
        self.save_label.setText("Saving the reply as it arrives…" if busy else "All changes saved")

    # -- dialogs

    @Slot()
    def open_settings(self) -> None:
        from desktop_agent.ui.settings_dialog import SettingsDialog

        dialog = SettingsDialog(self.context, self)
        if dialog.exec():
            self.update_provider_status()
            self.chat.welcome.refresh()
            self.chat.error_bar.dismiss()
        dialog.deleteLater()

    @Slot()
    def show_about(self) -> None:
        from desktop_agent.ui.about import about_box

        box = about_box(self.context, self)
        box.exec()
        box.deleteLater()

    def update_provider_status(self) -> None:
        provider = self.context.provider()
        self.provider_label.setToolTip("")
        if provider.builtin:
            from desktop_agent.services.builtin_model import builtin_model_name

            self.provider_label.setText(f"Built-in model · {builtin_model_name(provider)}")
            self.provider_label.setToolTip("Runs on this computer, offline (Settings → Provider)")
        elif provider.configured:
            from desktop_agent.llm.errors import display_url

            self.provider_label.setText(f"{display_url(provider.base_url)} · {provider.model}")
        else:
            self.provider_label.setText("No provider set up — Settings (Ctrl+,)")

    # -- state

    def _restore_state(self) -> None:
        geometry = self._state.value("geometry")
        if isinstance(geometry, QByteArray):
            self.restoreGeometry(geometry)
        state = self._state.value("windowState")
        if isinstance(state, QByteArray):
            self.restoreState(state)
        splitter = self._state.value("splitter")
        if isinstance(splitter, QByteArray):
            self.splitter.restoreState(splitter)
        self.weights_action.setChecked(self._state.value("weightsPanel", "true") != "false")
        last = self.context.settings.last_session_id
        if last:
            try:
                record = sessions.get_session(last)
            except NotFoundError:
                return
            if not record.trashed:
                self.open_session(record)

    def save_state(self) -> None:
        self._state.setValue("geometry", self.saveGeometry())
        self._state.setValue("windowState", self.saveState())
        self._state.setValue("splitter", self.splitter.saveState())
        self._state.setValue("weightsPanel", "true" if self.weights_action.isChecked() else "false")
        self._state.sync()
        last = self.chat.session.id if self.chat.session is not None else ""
        if last != self.context.settings.last_session_id:
            self.context.settings.last_session_id = last
            try:
                self.context.save_settings()
            except OSError as exc:
                self.statusBar().showMessage(f"Could not save the settings: {exc}")

    def closeEvent(self, event: QCloseEvent) -> None:
        """Mid-stream, the partial reply is saved (marked incomplete) and threads joined."""
        self.save_state()
        self.chat.shutdown()
        self.sessions.shutdown()
        super().closeEvent(event)
