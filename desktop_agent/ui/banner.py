"""Non-modal bars above the composer: an error with Retry, and "moved to trash" with Undo."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QToolButton, QWidget

UNDO_SECONDS = 12


class MessageBar(QFrame):
    """A coloured strip with a message, an optional action button and a close button.

    Signals:
        actionRequested(): the action button (Retry, Undo) was pressed.
    """

    actionRequested = Signal()

    def __init__(self, kind: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(f"{kind}Bar")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        colours = {
            "error": ("rgba(192, 57, 43, 0.14)", "rgba(192, 57, 43, 0.55)"),
            "undo": ("rgba(52, 120, 200, 0.12)", "rgba(52, 120, 200, 0.45)"),
        }[kind]
        self.setStyleSheet(
            f"#{kind}Bar {{ background: {colours[0]}; border: 1px solid {colours[1]};"
            " border-radius: 6px; }"
        )
        layout = QHBoxLayout(self)
        layout.setContentsMargins(10, 6, 6, 6)
        self.label = QLabel()
        self.label.setWordWrap(True)
        self.label.setTextFormat(Qt.TextFormat.PlainText)  # messages quote user text
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.action_button = QPushButton()
        self.action_button.clicked.connect(self.actionRequested)
        close = QToolButton()
        close.setText("✕")
        close.setAutoRaise(True)
        close.setToolTip(self.tr("Dismiss"))
        close.setAccessibleName(self.tr("Dismiss"))
        close.clicked.connect(self.dismiss)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.action_button)
        layout.addWidget(close)
        self.hide()

    def show_message(self, text: str, action: str = "") -> None:
        self.label.setText(text)
        self.action_button.setText(action)
        self.action_button.setVisible(bool(action))
        self.show()

    def dismiss(self) -> None:
        self.hide()


class UndoBar(MessageBar):
    """Shows "… moved to the trash [Undo]" for a while; Ctrl+Z works as long as it shows."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("undo", parent)
        self.session_id: str | None = None
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(UNDO_SECONDS * 1000)
        self._timer.timeout.connect(self.dismiss)

    def offer(self, session_id: str, title: str) -> None:
        self.session_id = session_id
        self.show_message(self.tr("“%s” was moved to the trash.") % title, self.tr("Undo"))
        self._timer.start()

    def dismiss(self) -> None:
        self._timer.stop()
        self.session_id = None
        super().dismiss()
