"""The centre of the window: session title and goal, the conversation, errors, composer."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QPoint, Qt, QUrl, Signal, Slot
from PySide6.QtGui import QAction, QDesktopServices, QGuiApplication, QKeySequence
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMenu,
    QPlainTextEdit,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from desktop_agent.services import sessions
from desktop_agent.store.errors import NotFoundError
from desktop_agent.ui.banner import MessageBar
from desktop_agent.ui.chat_controller import ChatController
from desktop_agent.ui.chat_view import ChatView
from desktop_agent.ui.errors import ErrorKind
from desktop_agent.ui.markdown import code_blocks
from desktop_agent.ui.message_actions import MessageAction
from desktop_agent.ui.message_menus import code_blocks_menu, feedback_menu, message_context_menu
from desktop_agent.ui.message_model import MessageListModel
from desktop_agent.ui.welcome import WelcomePage

if TYPE_CHECKING:
    from desktop_agent.services.app_context import AppContext
    from desktop_agent.store.records import MessageRecord, SessionRecord
    from desktop_agent.ui.events import StoreEvents
    from desktop_agent.ui.message_viewer import MessageViewer


class ChatPane(QWidget):
    """Signals:
    newSessionRequested(): the welcome page's "Start a conversation".
    settingsRequested(): the welcome page's or the error bar's way to Settings.
    sessionUpdated(object): the open session's record changed (goal, title).

    Follows `sessionChanged` on the StoreEvents hub (the open session's header).
    """

    newSessionRequested = Signal()
    settingsRequested = Signal()
    sessionUpdated = Signal(object)

    def __init__(
        self, context: AppContext, events: StoreEvents, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._context = context
        self.session: SessionRecord | None = None
        self._editing_id: int | None = None
        self._error_kind = ErrorKind.FAILED
        self.model = MessageListModel(self)
        self.controller = ChatController(context, self.model, events, self)
        events.sessionChanged.connect(self._on_session_changed)

        self.title = QLabel()
        self.title.setObjectName("sessionTitle")
        font = self.title.font()
        font.setPointSizeF(font.pointSizeF() * 1.25)
        font.setBold(True)
        self.title.setFont(font)
        self.title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.title.setTextFormat(Qt.TextFormat.PlainText)  # a title is whatever a user typed
        self.goal = QLineEdit()
        self.goal.setPlaceholderText(
            "Goal for this session (optional) — e.g. “Ship the migration plan”"
        )
        self.goal.setClearButtonEnabled(True)
        self.goal.setAccessibleName(self.tr("Session goal"))
        self.goal.editingFinished.connect(self._save_goal)

        self.view = ChatView(self.model)
        self.welcome = WelcomePage(context)
        self.welcome.newSessionRequested.connect(self.newSessionRequested)
        self.welcome.settingsRequested.connect(self.settingsRequested)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.welcome)
        self.stack.addWidget(self.view)

        self.error_bar = MessageBar("error")
        self.error_bar.actionRequested.connect(self._on_error_action)
        self.edit_bar = QLabel()
        self.edit_bar.setObjectName("editBar")
        self.edit_bar.setTextFormat(Qt.TextFormat.PlainText)
        self.edit_bar.hide()

        self.composer = QPlainTextEdit()
        self.composer.setObjectName("composer")
        self.composer.setAccessibleName(self.tr("Message"))
        self.composer.setPlaceholderText(self.tr("Message — Ctrl+Enter to send"))
        self.composer.setTabChangesFocus(True)
        line = self.composer.fontMetrics().lineSpacing()
        self.composer.setFixedHeight(int(line * 4.2) + 12)
        self.send_button = QPushButton(self.tr("Send"))
        self.send_button.setDefault(True)
        self.send_button.setToolTip(self.tr("Send (Ctrl+Enter)"))
        self.stop_button = QPushButton(self.tr("Stop"))
        self.stop_button.setToolTip(self.tr("Stop the reply and keep what arrived (Esc)"))
        self.send_button.clicked.connect(self.send)
        self.stop_button.clicked.connect(self.controller.stop)

        self.send_action = QAction(self.tr("&Send"), self)
        self.send_action.setShortcuts([QKeySequence("Ctrl+Return"), QKeySequence("Ctrl+Enter")])
        self.send_action.triggered.connect(self.send)
        self.stop_action = QAction(self.tr("S&top Reply"), self)
        self.stop_action.setShortcut(QKeySequence(Qt.Key.Key_Escape))
        self.stop_action.triggered.connect(self._escape)
        self.stop_action.setEnabled(False)  # greyed in the menu and toolbar until a reply runs
        # Esc while no reply runs: cancel an edit, or dismiss the error bar. Only one of the
        # two holds the key at a time (two enabled actions on one key would both be dead).
        self.escape_action = QAction(self)
        self.escape_action.setShortcut(QKeySequence(Qt.Key.Key_Escape))
        self.escape_action.triggered.connect(self._escape)
        self.addAction(self.escape_action)
        self.regenerate_action = QAction(self.tr("&Regenerate Last Reply"), self)
        self.regenerate_action.setShortcut(QKeySequence("Ctrl+R"))
        self.regenerate_action.triggered.connect(self.regenerate_last)
        # The ‹ › version switch without a mouse (and for screen readers, which cannot
        # reach the painted buttons): on the selected message, else the last one that has
        # other versions.
        self.previous_version_action = QAction(self.tr("Pre&vious Version"), self)
        self.previous_version_action.setShortcut(QKeySequence("Ctrl+Alt+Left"))
        self.previous_version_action.triggered.connect(lambda: self.switch_version(-1))
        self.next_version_action = QAction(self.tr("Ne&xt Version"), self)
        self.next_version_action.setShortcut(QKeySequence("Ctrl+Alt+Right"))
        self.next_version_action.triggered.connect(lambda: self.switch_version(1))
        for action in (
            self.send_action,
            self.stop_action,
            self.escape_action,
            self.regenerate_action,
            self.previous_version_action,
            self.next_version_action,
        ):
            action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)

        header = QVBoxLayout()
        header.setContentsMargins(18, 12, 18, 6)
        header.setSpacing(6)
        header.addWidget(self.title)
        header.addWidget(self.goal)
        self.header = QWidget()
        self.header.setLayout(header)

        buttons = QVBoxLayout()
        buttons.addWidget(self.send_button)
        buttons.addWidget(self.stop_button)
        buttons.addStretch(1)
        composer_row = QHBoxLayout()
        composer_row.addWidget(self.composer, 1)
        composer_row.addLayout(buttons)
        bottom = QVBoxLayout()
        bottom.setContentsMargins(18, 6, 18, 12)
        bottom.addWidget(self.error_bar)
        bottom.addWidget(self.edit_bar)
        bottom.addLayout(composer_row)
        self.bottom = QWidget()
        self.bottom.setLayout(bottom)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.header)
        layout.addWidget(self.stack, 1)
        layout.addWidget(self.bottom)

        delegate = self.view.message_delegate
        delegate.actionTriggered.connect(self._on_message_action)
        delegate.linkActivated.connect(self._open_link)
        self.view.customContextMenuRequested.connect(self._context_menu)
        # Double-click a message to select any part of it.
        self.view.doubleClicked.connect(
            lambda index: self.view_message(self.model.record(index.row()))
        )
        self.controller.busyChanged.connect(self._on_busy)
        self.controller.errorRaised.connect(self.show_error)
        self.controller.userPosted.connect(self._on_user_posted)
        self._on_busy(False)
        self.open_session(None)

    # -- sessions

    def open_session(self, record: SessionRecord | None, *, at_message: int | None = None) -> None:
        self._save_goal()  # a goal still being typed belongs to the conversation it was typed in
        self.session = record
        self._cancel_edit()
        self.error_bar.dismiss()
        if record is None:
            self.model.load_session(None)
            self.stack.setCurrentWidget(self.welcome)
            self.header.hide()
            self.bottom.hide()
            return
        position = None
        if at_message is not None:
            from desktop_agent.services.messages import get_message

            message = get_message(at_message)
            position = message.seq if message.active else None
        self.model.load_session(record.id, around_position=position)
        self.controller.reattach_stream()
        self.view.message_delegate.agent_label = record.agent_name.capitalize()
        self.header.show()
        self.bottom.show()
        self.stack.setCurrentWidget(self.view)
        self.goal.setText(record.goal)  # even while focused: the old text was the old session's
        self._show_record(record)
        if position is not None and at_message is not None:
            row = self.model.row_of_id(at_message)
            index = self.model.index(row, 0)
            self.view._stick_to_bottom = False
            self.view.setCurrentIndex(index)
            self.view.scrollTo(index, ChatView.ScrollHint.PositionAtCenter)
        else:
            self.view.scroll_to_end()
        self.composer.setEnabled(not record.trashed)
        self.composer.setFocus()

    def _show_record(self, record: SessionRecord) -> None:
        self.title.setText(record.title + ("   (in the trash)" if record.trashed else ""))
        if not self.goal.hasFocus():
            self.goal.setText(record.goal)

    @Slot(str)
    def _on_session_changed(self, session_id: str) -> None:
        if self.session is not None and self.session.id == session_id:
            self.refresh_session()

    def refresh_session(self) -> None:
        if self.session is not None:
            try:
                self.session = sessions.get_session(self.session.id)
            except NotFoundError:  # deleted for good elsewhere (e.g. the CLI)
                self.open_session(None)
                return
            self._show_record(self.session)

    @Slot()
    def _save_goal(self) -> None:
        if self.session is None or self.goal.text().strip() == self.session.goal:
            return
        try:
            self.session = sessions.set_goal(self.session.id, self.goal.text())
        except NotFoundError:
            self.show_error(
                self.tr("This conversation was deleted elsewhere; the goal was not saved."),
                ErrorKind.FAILED,
            )
            return
        self.sessionUpdated.emit(self.session)

    # -- sending

    @Slot()
    def send(self) -> None:
        if self.session is None:
            return
        if self.controller.busy:
            # One reply at a time: say so rather than ignore the key press.
            self.controller.notice.emit(
                "A reply is still being written; wait for it, or stop it with Esc."
            )
            return
        text = self.composer.toPlainText()
        if not text.strip():
            return
        self.error_bar.dismiss()
        if self._editing_id is not None:
            started = self.controller.edit_and_resend(self._editing_id, text)
        else:
            started = self.controller.send(self.session.id, text)
        if started:
            self.view.scroll_to_end()

    @Slot(object)
    def _on_user_posted(self, record: MessageRecord) -> None:
        self._cancel_edit()
        self.composer.clear()
        self.refresh_session()
        if self.session is not None:
            self.sessionUpdated.emit(self.session)

    @Slot()
    def _escape(self) -> None:
        if self.controller.busy:
            self.controller.stop()
        elif self._editing_id is not None:
            self._cancel_edit()
        elif self.error_bar.isVisible():
            self.error_bar.dismiss()

    @Slot()
    def regenerate_last(self) -> None:
        for record in reversed(self.model.records()):
            if record.role == "assistant":
                self.error_bar.dismiss()
                self.controller.regenerate(record.id)
                return

    def set_writable(self, writable: bool) -> None:
        """A full disk: the composer keeps its text but is off, the goal is read-only and
        the message actions that write (feedback, regenerate, edit) are greyed."""
        self.bottom.setEnabled(writable)
        self.goal.setReadOnly(not writable)
        self.view.message_delegate.writable = writable
        self.view.viewport().update()

    @Slot(bool)
    def _on_busy(self, busy: bool) -> None:
        self.send_button.setEnabled(not busy)
        self.stop_button.setEnabled(busy)
        self.stop_action.setEnabled(busy)
        self.escape_action.setEnabled(not busy)
        self.regenerate_action.setEnabled(not busy)

    # -- errors

    @Slot(str, object)
    def show_error(self, message: str, kind: ErrorKind) -> None:
        self._error_kind = kind
        action = {
            ErrorKind.NOT_CONFIGURED: self.tr("Settings…"),
            ErrorKind.RETRYABLE: self.tr("Retry"),
        }.get(kind, "")
        self.error_bar.show_message(message, action)

    @Slot()
    def _on_error_action(self) -> None:
        if self._error_kind is ErrorKind.NOT_CONFIGURED:
            self.settingsRequested.emit()
            return
        self.error_bar.dismiss()
        self.controller.retry()

    # -- per-message actions

    @Slot(int, object, object)
    def _on_message_action(self, message_id: int, action: MessageAction, where: QPoint) -> None:
        row = self.model.row_of_id(message_id)
        if row < 0:
            return
        record = self.model.record(row)
        if action is MessageAction.COPY:
            QGuiApplication.clipboard().setText(record.content)
            self.controller.notice.emit(self.tr("Message copied."))
        elif action is MessageAction.COPY_CODE:
            self._copy_code(record, where)
        elif action is MessageAction.FEEDBACK_UP:
            self.controller.give_feedback(record.id, 1)
        elif action is MessageAction.FEEDBACK_DOWN:
            self.feedback_menu(record).popup(where)
        elif action is MessageAction.REGENERATE:
            self.error_bar.dismiss()
            self.controller.regenerate(record.id)
        elif action is MessageAction.EDIT:
            self.start_edit(record)
        elif action in (MessageAction.PREVIOUS_VERSION, MessageAction.NEXT_VERSION):
            step = -1 if action is MessageAction.PREVIOUS_VERSION else 1
            self.controller.switch_version(record.id, step)
        elif action is MessageAction.SELECT:
            self.view_message(record)

    def _version_target(self) -> MessageRecord | None:
        current = self.view.currentIndex()
        if current.isValid():
            record = self.model.record(current.row())
            if record.version_count > 1:
                return record
        for record in reversed(self.model.records()):
            if record.version_count > 1:
                return record
        return None

    def switch_version(self, step: int) -> bool:
        """Show the previous (-1) or next (+1) version; says which one is shown."""
        record = self._version_target()
        if record is None or self.controller.busy:
            self.controller.notice.emit(self.tr("No message here has other versions."))
            return False
        if not self.controller.switch_version(record.id, step):
            self.controller.notice.emit(
                self.tr("This is the first version.")
                if step < 0
                else self.tr("This is the last version.")
            )
            return False
        # The switched message heads the replaced tail, at the same position.
        rows = range(self.model.rowCount() - 1, -1, -1)
        row = next((r for r in rows if self.model.record(r).seq == record.seq), -1)
        if row >= 0:
            shown = self.model.record(row)
            self.view.setCurrentIndex(self.model.index(row, 0))
            self.controller.notice.emit(
                self.tr("Version %d of %d") % (shown.version_index + 1, shown.version_count)
            )
        return True

    def view_message(self, record: MessageRecord) -> MessageViewer:
        """Open the message on its own, where any part of it can be selected."""
        from desktop_agent.ui.message_viewer import MessageViewer

        viewer = MessageViewer(record, self)
        viewer.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        viewer.show()
        return viewer

    def feedback_menu(self, record: MessageRecord, menu: QMenu | None = None) -> QMenu:
        return feedback_menu(self, record, self.controller.give_feedback, menu)

    def _copy_code(self, record: MessageRecord, where: QPoint) -> None:
        blocks = code_blocks(record.content)
        if len(blocks) == 1:
            QGuiApplication.clipboard().setText(blocks[0])
            self.controller.notice.emit(self.tr("Code copied."))
        else:
            code_blocks_menu(self, blocks).popup(where)

    def start_edit(self, record: MessageRecord) -> None:
        """Edit-and-resend: the earlier version and its replies stay switchable."""
        self._editing_id = record.id
        self.composer.setPlainText(record.content)
        self.composer.setFocus()
        self.edit_bar.setText(
            self.tr("Editing your message — Send makes a new version (Esc cancels).")
        )
        self.edit_bar.show()

    def _cancel_edit(self) -> None:
        if self._editing_id is not None:
            self._editing_id = None
            self.composer.clear()
        self.edit_bar.hide()

    @Slot(QPoint)
    def _context_menu(self, pos: QPoint) -> None:
        index = self.view.indexAt(pos)
        if not index.isValid():
            return
        record = self.model.record(index.row())
        where = self.view.viewport().mapToGlobal(pos)
        menu = message_context_menu(
            self,
            record,
            lambda action: self._on_message_action(record.id, action, where),
            self.controller.give_feedback,
        )
        menu.popup(where)

    @Slot(str)
    def _open_link(self, url: str) -> None:
        QDesktopServices.openUrl(QUrl(url))

    def shutdown(self) -> None:
        self.controller.shutdown()
