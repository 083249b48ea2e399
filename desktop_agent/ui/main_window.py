"""The main window: sessions | chat | weights, with menus, toolbar and status bar.

The window owns the StoreEvents hub and the parts that subscribe to it; the weights
panel is built just after the first paint (it is not needed to show the window)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QModelIndex, Qt, QTimer, Slot
from PySide6.QtGui import QAction, QCloseEvent, QDragEnterEvent, QDropEvent, QKeySequence
from PySide6.QtWidgets import QLabel, QMainWindow, QSplitter, QToolBar, QVBoxLayout, QWidget

from desktop_agent import APP_NAME
from desktop_agent.config.ui_state import save_ui_state
from desktop_agent.domain.errors import InvalidInputError
from desktop_agent.store.errors import NotFoundError
from desktop_agent.ui.plain import plain_label
from desktop_agent.ui.window_state import capture_layout, read_ui_state, restore_layout

# Everything that reaches the store (services, and through them peewee) is imported in
# attach(): the window's frame paints before the store is opened (cold start).
if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from PySide6.QtGui import QPaintEvent

    from desktop_agent.services.app_context import AppContext
    from desktop_agent.store.records import SearchHit, SessionRecord
    from desktop_agent.ui.banner import MessageBar
    from desktop_agent.ui.chat_pane import ChatPane
    from desktop_agent.ui.events import StoreEvents
    from desktop_agent.ui.import_export import ImportExport
    from desktop_agent.ui.profile_switcher import ProfileSwitcher
    from desktop_agent.ui.session_panel import SessionPanel
    from desktop_agent.ui.store_check import StoreCheck
    from desktop_agent.ui.weights.menu import WeightsMenu
    from desktop_agent.ui.weights.panel import WeightPanel

DEFAULT_SPLITTER = [280, 740, 340]  # the weights panel needs ~310 px for its controls
RIGHT_PANEL_MIN_WIDTH = 180


class _PanelSlot(QWidget):
    """Holds the weights panel's place until the window has painted once, then asks for
    the panel (a zero-timer runs after that paint pass)."""

    def __init__(self, build: Callable[[], object]) -> None:
        super().__init__()
        self.setObjectName("rightPanelSlot")
        self.setMinimumWidth(RIGHT_PANEL_MIN_WIDTH)
        self._build = build
        self._asked = False

    def paintEvent(self, event: QPaintEvent) -> None:
        if not self._asked:
            self._asked = True
            QTimer.singleShot(0, self._build)


class MainWindow(QMainWindow):
    """Built in two steps so a cold start paints before the store is open: the frame
    (geometry, menus, toolbar, a "Loading…" pane) needs only the data dir; attach()
    adds everything that reads the store. MainWindow(context) does both at once."""

    def __init__(self, context: AppContext | None = None, *, data_dir: Path | None = None) -> None:
        super().__init__()
        self.setObjectName("mainWindow")
        self.setWindowTitle(APP_NAME)
        self.resize(1360, 860)
        directory = context.data_dir if context is not None else data_dir
        if directory is None:
            raise ValueError("MainWindow needs a context or a data dir")
        self.ui_state = read_ui_state(directory)
        self._attached = False
        menu = self.menuBar()
        self._menus = {
            "file": menu.addMenu(self.tr("&File")),
            "edit": menu.addMenu(self.tr("&Edit")),
            "conversation": menu.addMenu(self.tr("&Conversation")),
            "view": menu.addMenu(self.tr("&View")),
            "weights": menu.addMenu(self.tr("&Weights")),
            "help": menu.addMenu(self.tr("&Help")),
        }
        self.toolbar = QToolBar(self.tr("Main"))
        self.toolbar.setObjectName("mainToolbar")
        self.toolbar.setMovable(False)
        self.toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        # A disabled stand-in keeps the toolbar at its full height: no jump on attach().
        self.toolbar.addAction(self.tr("&New Conversation")).setEnabled(False)
        self.addToolBar(self.toolbar)
        self.save_label = QLabel()
        self.save_label.setObjectName("saveStatus")
        self.save_label.setContentsMargins(10, 0, 10, 0)
        self.statusBar().addPermanentWidget(self.save_label)
        self.splitter = self._loading_splitter()
        self.setCentralWidget(self.splitter)
        restore_layout(self.ui_state, self, self.splitter)
        if context is not None:
            self.attach(context)

    def _loading_splitter(self) -> QSplitter:
        """The frame's panes at their remembered sizes, the chat pane saying "Loading…"."""
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.setObjectName("mainSplitter")
        splitter.setChildrenCollapsible(False)
        loading = QLabel(self.tr("Loading…"))
        loading.setObjectName("loadingLabel")
        loading.setAlignment(Qt.AlignmentFlag.AlignCenter)
        loading.setEnabled(False)  # drawn in the disabled (grey) text colour
        right = QWidget()
        right.setVisible(self.ui_state.weights_panel)
        for minimum, pane in ((200, QWidget()), (360, loading), (RIGHT_PANEL_MIN_WIDTH, right)):
            pane.setMinimumWidth(minimum)
            splitter.addWidget(pane)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes(DEFAULT_SPLITTER)
        return splitter

    @property
    def attached(self) -> bool:
        """True once the store-backed parts are built (attach() has run)."""
        return self._attached

    def attach(self, context: AppContext) -> None:
        """Build what reads the store: session list, chat, profiles, menus' actions; fill
        them, and reopen the last conversation."""
        from desktop_agent.ui.banner import MessageBar
        from desktop_agent.ui.chat_pane import ChatPane
        from desktop_agent.ui.events import StoreEvents
        from desktop_agent.ui.import_export import ImportExport
        from desktop_agent.ui.profile_switcher import ProfileSwitcher
        from desktop_agent.ui.session_panel import SessionPanel
        from desktop_agent.ui.store_check import StoreCheck
        from desktop_agent.ui.weights.menu import WeightsMenu

        self.context = context
        self.events: StoreEvents = StoreEvents(self)

        self.sessions: SessionPanel = SessionPanel(self.events)
        self.chat: ChatPane = ChatPane(context, self.events)
        self._weight_panel: WeightPanel | None = None
        self._panel_slot = _PanelSlot(self._after_first_paint)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setObjectName("mainSplitter")
        self.splitter.setChildrenCollapsible(False)
        self.splitter.addWidget(self.sessions)
        self.splitter.addWidget(self.chat)
        self.splitter.addWidget(self._panel_slot)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes(DEFAULT_SPLITTER)
        self.sessions.setMinimumWidth(200)
        self.chat.setMinimumWidth(360)
        self.read_only_bar: MessageBar = MessageBar("error")
        self.read_only_bar.setObjectName("readOnlyBar")
        self.read_only_bar.hide()
        central = QWidget()
        column = QVBoxLayout(central)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(0)
        column.addWidget(self.read_only_bar)
        column.addWidget(self.splitter, 1)
        self.setCentralWidget(central)  # deletes the frame's loading panes

        self.provider_label = plain_label()
        self.provider_label.setObjectName("providerStatus")
        self.provider_label.setContentsMargins(10, 0, 10, 0)
        self.statusBar().insertPermanentWidget(0, self.provider_label)
        self.save_label.setText(self.tr("All changes saved"))
        from desktop_agent.ui.store_link import StoreLink

        self.store_link = StoreLink(context, self)
        self.statusBar().insertPermanentWidget(0, self.store_link.label)
        self.store_link.onlineChanged.connect(self._on_store_online)
        self.chat.controller.store_link = self.store_link

        self.profiles: ProfileSwitcher = ProfileSwitcher(self.ui_state, self.events, self)
        self.weights_menu: WeightsMenu = WeightsMenu(
            context, self.events, self._open_session_id, self
        )
        self.store_check: StoreCheck = StoreCheck(context, self.events, self)
        from desktop_agent.ui.disk_watch import DiskWatch

        self.disk_watch = DiskWatch(context.database_path, self)
        self.disk_watch.spaceChanged.connect(self._on_disk_space)
        self._writable_actions: list[QAction] = []  # what a full disk disabled
        self._offline_actions: list[QAction] = []  # what an unreachable team store disabled
        self.chat.controller.disk_watch = self.disk_watch
        self.import_export: ImportExport = ImportExport(self, context, self.events)
        self._build_actions()
        self._connect()
        self.setAcceptDrops(True)
        self.update_provider_status()
        self._attached = True
        self._loaded = False  # whether the store's contents are shown (_load_from_store)
        state = self.ui_state
        restore_layout(state, self, self.splitter)
        self.weights_action.setChecked(state.weights_panel)
        if self.store_link.online:
            self._load_from_store()
        else:  # the team store was unreachable at start-up: offline until it answers
            self._on_store_online(False, self.store_link.offline_message)

    def _load_from_store(self) -> None:
        """Show what is stored: the profiles, the session list, the last conversation."""
        self.profiles.load_profiles()
        self.sessions.load()
        self._loaded = True
        self._reopen_last_session()

    # -- construction

    def _build_actions(self) -> None:
        self.new_action = QAction(self.tr("&New Conversation"), self)
        self.new_action.setShortcut(QKeySequence(QKeySequence.StandardKey.New))
        self.new_action.triggered.connect(self.new_session)
        self.settings_action = QAction(self.tr("&Settings…"), self)
        self.settings_action.setShortcuts(
            [QKeySequence("Ctrl+,"), QKeySequence(QKeySequence.StandardKey.Preferences)]
        )
        self.settings_action.setMenuRole(QAction.MenuRole.PreferencesRole)
        self.settings_action.triggered.connect(self.open_settings)
        self.quit_action = QAction(self.tr("&Quit"), self)
        self.quit_action.setShortcut(QKeySequence(QKeySequence.StandardKey.Quit))
        self.quit_action.setMenuRole(QAction.MenuRole.QuitRole)
        self.quit_action.triggered.connect(self.close)
        self.about_action = QAction(self.tr("&About %s") % APP_NAME, self)
        self.about_action.setMenuRole(QAction.MenuRole.AboutRole)
        self.about_action.triggered.connect(self.show_about)
        self.weights_action = QAction(self.tr("&Weights Panel"), self)
        self.weights_action.setCheckable(True)
        self.weights_action.setChecked(True)
        self.weights_action.setShortcut(QKeySequence("Ctrl+Shift+W"))
        self.weights_action.toggled.connect(self._show_weights)

        panel, chat = self.sessions, self.chat
        menus = self._menus
        file_menu = menus["file"]
        file_menu.addAction(self.new_action)
        file_menu.addSeparator()
        file_menu.addAction(self.import_export.import_action)
        file_menu.addAction(self.import_export.export_all_action)
        file_menu.addSeparator()
        file_menu.addAction(self.settings_action)
        file_menu.addSeparator()
        file_menu.addAction(self.quit_action)
        edit_menu = menus["edit"]
        edit_menu.addAction(panel.undo_action)
        edit_menu.addSeparator()
        edit_menu.addAction(panel.find_action)
        conversation = menus["conversation"]
        conversation.addAction(chat.send_action)
        conversation.addAction(chat.stop_action)
        conversation.addAction(chat.regenerate_action)
        conversation.addSeparator()
        conversation.addAction(chat.previous_version_action)
        conversation.addAction(chat.next_version_action)
        conversation.addSeparator()
        conversation.addAction(panel.rename_action)
        conversation.addAction(panel.pin_action)
        conversation.addAction(panel.trash_action)
        view_menu = menus["view"]
        view_menu.addAction(panel.trash_view_action)
        view_menu.addAction(self.weights_action)
        self.weights_menu.build_menu(menus["weights"])
        help_menu = menus["help"]
        help_menu.addAction(self.about_action)
        for action in (
            chat.send_action,
            chat.stop_action,
            chat.regenerate_action,
            chat.previous_version_action,
            chat.next_version_action,
            panel.undo_action,
            panel.find_action,
            panel.pin_action,
        ):
            self.addAction(action)

        toolbar = self.toolbar
        for stand_in in toolbar.actions():
            toolbar.removeAction(stand_in)
            stand_in.deleteLater()
        toolbar.addAction(self.new_action)
        toolbar.addAction(panel.find_action)
        toolbar.addSeparator()
        toolbar.addAction(chat.stop_action)
        toolbar.addAction(chat.regenerate_action)
        toolbar.addSeparator()
        toolbar.addAction(self.settings_action)
        self.profiles.add_to(toolbar)
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
        controller.notice.connect(self.say)
        controller.busyChanged.connect(self._on_busy)
        self.profiles.profileChosen.connect(self._save_ui_state)
        self.profiles.problem.connect(self.say)
        self.weights_menu.notice.connect(self.say)
        self.events.storeHealthChanged.connect(self._on_store_health)
        self.read_only_bar.actionRequested.connect(self.store_check.repair)
        self.store_check.repairFinished.connect(self.read_only_bar.show_message)

    @Slot()
    def _after_first_paint(self) -> None:
        """What the first paint did not need: the weights panel, the deferred store check."""
        self._build_weight_panel()
        self.store_check.start()

    @property
    def right_panel(self) -> WeightPanel:
        """The weights panel (built now if the first paint has not asked for it yet)."""
        return self._build_weight_panel()

    @Slot()
    def _build_weight_panel(self) -> WeightPanel:
        if self._weight_panel is not None:
            return self._weight_panel
        from desktop_agent.ui.weights.panel import WeightPanel

        panel = WeightPanel(self.context, self.events)
        panel.setMinimumWidth(RIGHT_PANEL_MIN_WIDTH)
        panel.message_requested.connect(self.open_message)
        panel.setEnabled(self._panel_slot.isEnabled())
        self._weight_panel = panel
        self.splitter.replaceWidget(2, panel)
        panel.setVisible(self.weights_action.isChecked())
        self._panel_slot.deleteLater()
        if self.chat.session is not None:
            panel.set_session(self.chat.session.id)
        return panel

    @Slot(bool)
    def _show_weights(self, visible: bool) -> None:
        (self._weight_panel or self._panel_slot).setVisible(visible)

    def _open_session_id(self) -> str | None:
        return self.chat.session.id if self.chat.session is not None else None

    @Slot(str)
    def say(self, text: str) -> None:
        self.statusBar().showMessage(text, 8000)

    # -- sessions

    @Slot()
    def new_session(self) -> SessionRecord | None:
        """Start a conversation for the chosen agent and user (joining their experiment
        arm, if one runs), chosen in the toolbar's profile switcher."""
        if not self.store_link.online:  # the welcome page's button stays on meanwhile
            self.say(
                self.tr(
                    "The team store is offline: a new conversation can start once the "
                    "status bar says it is back."
                )
            )
            return None
        agent, user = self.profiles.current()
        try:
            from desktop_agent.services.sessions import start_session  # not needed to paint

            record = start_session(agent=agent, user=user)
        except (InvalidInputError, NotFoundError) as exc:
            self.say(str(exc))
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
        if self._weight_panel is not None:
            self._weight_panel.set_session(record.id if record else None)

    @Slot(str, int)
    def open_message(self, session_id: str, message_id: int) -> None:
        """Open a conversation at a message (0: at its end), e.g. from the drift chart."""
        try:
            record = _get_session(session_id)
        except NotFoundError:
            self.say(self.tr("That conversation no longer exists."))
            return
        self.open_session(record, at_message=message_id or None)

    @Slot(object)
    def open_hit(self, hit: SearchHit) -> None:
        try:
            record = _get_session(hit.session_id)
        except NotFoundError:
            self.say(self.tr("That conversation no longer exists."))
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

    @Slot(bool)
    def _on_busy(self, busy: bool) -> None:
        self.save_label.setText(
            self.tr("Saving the reply as it arrives…") if busy else self.tr("All changes saved")
        )

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
            self.provider_label.setText(self.tr("No provider set up — Settings (Ctrl+,)"))

    # -- the store's health (the integrity check deferred past the first paint)

    @Slot(bool, str)
    def _on_store_health(self, healthy: bool, problem: str) -> None:
        if healthy:
            if problem:  # sound, but some stored text is shown with replacement characters
                self.statusBar().showMessage(problem)
            return
        self.read_only_bar.show_message(
            self.tr("Read-only — nothing more will be written to this store. %s") % problem,
            self.tr("Repair…"),
        )
        self.chat.set_writable(False)
        (self._weight_panel or self._panel_slot).setEnabled(False)
        self.new_action.setEnabled(False)

    @Slot(bool, str)
    def _on_disk_space(self, room: bool, message: str) -> None:
        """A full disk: read-only until the watch sees space again (nothing is lost).
        The composer is disabled, not cleared: its text waits for the space."""
        self.chat.set_writable(room)
        (self._weight_panel or self._panel_slot).setEnabled(room)
        self._menus["weights"].setEnabled(room)
        if not room:
            self._writable_actions = [a for a in self._write_actions() if a.isEnabled()]
            for action in self._writable_actions:
                action.setEnabled(False)
        else:
            for action in self._writable_actions:
                action.setEnabled(True)
            self._writable_actions = []
        if room:
            self.read_only_bar.dismiss()
            self.statusBar().showMessage(message, 10_000)
        else:
            self.read_only_bar.show_message(
                self.tr("Read-only until there is space again. %s") % message
            )

    @Slot(bool, str)
    def _on_store_online(self, online: bool, message: str) -> None:
        """A team store's server unreachable: the composer keeps whatever is typed (a
        send says why it waits); everything else that writes is off until it is back."""
        (self._weight_panel or self._panel_slot).setEnabled(online)
        self._menus["weights"].setEnabled(online)
        # Send stays on to say why it waits; Settings stays on to choose another store.
        keep = (self.chat.send_action, self.settings_action)
        if not online:
            self._offline_actions = [
                a for a in self._write_actions() if a.isEnabled() and a not in keep
            ]
            for action in self._offline_actions:
                action.setEnabled(False)
        else:
            for action in self._offline_actions:
                action.setEnabled(True)
            self._offline_actions = []
        if online:
            self.read_only_bar.dismiss()
            self.statusBar().showMessage(message, 10_000)
            if not self._loaded:  # offline since the start: nothing was shown yet
                self._load_from_store()
        else:
            self.read_only_bar.show_message(
                self.tr("Offline — nothing can be saved until the team store is back. %s")
                % (message[:1].upper() + message[1:])  # the reason starts a sentence here
            )

    def _write_actions(self) -> list[QAction]:
        """The actions that write (to the store, or a file beside it)."""
        panel, chat = self.sessions, self.chat
        return [
            self.new_action,
            self.settings_action,
            self.import_export.import_action,
            panel.rename_action,
            panel.pin_action,
            panel.trash_action,
            panel.undo_action,
            chat.send_action,
            chat.regenerate_action,
        ]

    # -- state

    def _reopen_last_session(self) -> None:
        state = self.ui_state
        if state.last_session_id:
            try:
                record = _get_session(state.last_session_id)
            except NotFoundError:
                return
            if not record.trashed:
                self.open_session(record)

    def save_state(self) -> None:
        if not self._attached:  # closed before the store opened: nothing has changed
            return
        state = self.ui_state
        capture_layout(state, self, self.splitter)
        state.weights_panel = self.weights_action.isChecked()
        if self._loaded:  # else the last conversation was never shown: still the last one
            state.last_session_id = self.chat.session.id if self.chat.session else ""
        self._save_ui_state()

    @Slot()
    def _save_ui_state(self) -> None:
        try:
            save_ui_state(self.context.data_dir, self.ui_state)
        except OSError as exc:
            if not self.disk_watch.report(exc):
                self.say(self.tr("Could not save the window state: %s") % exc)

    # -- files dropped on the window

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if _dropped_snapshot_files(event):
            event.acceptProposedAction()
        else:
            super().dragEnterEvent(event)

    def dropEvent(self, event: QDropEvent) -> None:
        paths = _dropped_snapshot_files(event)
        if not paths:
            super().dropEvent(event)
            return
        event.acceptProposedAction()
        for path in paths:
            self.weights_menu.import_file(path)

    def closeEvent(self, event: QCloseEvent) -> None:
        """Mid-stream, the reply is cancelled (the worker saves the partial reply, marked
        incomplete); the worker pool joins every thread when the application quits."""
        if not self._attached:
            super().closeEvent(event)
            return
        self.save_state()
        self.store_link.shutdown()
        self.chat.shutdown()
        self.sessions.shutdown()
        self.import_export.shutdown()
        super().closeEvent(event)


def _get_session(session_id: str) -> SessionRecord:
    from desktop_agent.services import sessions  # imported after the first paint

    return sessions.get_session(session_id)


def _dropped_snapshot_files(event: QDropEvent | QDragEnterEvent) -> list[str]:
    mime = event.mimeData()
    if not mime.hasUrls():
        return []
    from desktop_agent.ui.weights.files import is_snapshot_file  # not needed to paint

    paths = [url.toLocalFile() for url in mime.urls() if url.isLocalFile()]
    return [path for path in paths if is_snapshot_file(path)]
