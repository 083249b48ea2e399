"""A message on its own, for selecting and copying any part of it (the chat view paints
messages with a delegate, which keeps 10,000-message sessions instant but has no caret)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtGui import QDesktopServices, QTextOption
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QPlainTextEdit,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from desktop_agent.ui.long_text import PIECE_CHARS, needs_plain_view, plain_pieces
from desktop_agent.ui.markdown import SafeTextDocument, is_openable_link, render_markdown
from desktop_agent.ui.plain import plain_label

if TYPE_CHECKING:
    from PySide6.QtCore import QUrl

    from desktop_agent.store.records import MessageRecord


class MessageViewer(QDialog):
    """Read-only, selectable rendering of one message; remote resources stay refused and
    links open in the system browser only when clicked."""

    def __init__(self, record: MessageRecord, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        who = {"user": "You", "assistant": "Assistant"}.get(record.role, record.role.title())
        self.setWindowTitle(f"{who} — message #{record.id}")
        self.resize(720, 520)
        self.document = SafeTextDocument()
        self.browser = QTextBrowser(self)
        self.browser.setOpenLinks(False)
        self.browser.anchorClicked.connect(self._open)
        layout = QVBoxLayout(self)
        self.plain: QPlainTextEdit | None = None
        if needs_plain_view(record.content):
            # Huge or unbreakable text: plain pieces that are laid out as they scroll in.
            self.plain = QPlainTextEdit(self)
            self.plain.setReadOnly(True)
            self.plain.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
            self.plain.setWordWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
            self.plain.setPlainText(plain_pieces(record.content))
            note = plain_label(
                self.tr(
                    "This message is very long (%s characters): it is shown as plain text, "
                    "with lines longer than %s characters shown in pieces."
                )
                % (f"{len(record.content):,}", f"{PIECE_CHARS:,}")
            )
            note.setWordWrap(True)
            layout.addWidget(note)
            self.browser.hide()
        else:
            render_markdown(
                self.document, record.content, self.font(), self.palette(), self.width() - 40
            )
            self.document.setTextWidth(-1)  # the browser lays it out to its own width
            self.document.setDocumentMargin(12)  # the chat packs messages tight; here, air
            self.browser.setDocument(self.document)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, parent=self)
        buttons.rejected.connect(self.reject)
        layout.addWidget(self.plain if self.plain is not None else self.browser)
        layout.addWidget(buttons)
        (self.plain if self.plain is not None else self.browser).setFocus()

    def _open(self, url: QUrl) -> None:
        if is_openable_link(url.toString()):
            QDesktopServices.openUrl(url)
