"""The live "effective request" preview: the system prompt with the weight-compiled
directives highlighted, and the generation parameters."""

from __future__ import annotations

from PySide6.QtGui import QColor, QFontDatabase, QTextCharFormat, QTextCursor
from PySide6.QtWidgets import QFormLayout, QPlainTextEdit, QTextEdit, QVBoxLayout, QWidget

from desktop_agent.domain.compiler import SETTINGS_PREFIX, CompiledRequest, directive_span
from desktop_agent.ui.plain import plain_label

HIGHLIGHT = QColor(47, 111, 214, 46)


class RequestPreview(QWidget):
    """Shows a CompiledRequest; `show_request` is cheap enough to call on every slider step."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("requestPreview")
        self.request: CompiledRequest | None = None
        self.model_label = plain_label("—")
        self.tokens_label = plain_label("—")
        self.temperature_label = plain_label("—")
        # The exact values: shown here, not sent (a small model echoes or ignores them).
        self.values_label = plain_label("—")
        self.values_label.setWordWrap(True)
        self.values_label.setToolTip(
            "The exact weights; the prompt gets a directive only for "
            "weights outside the neutral band 0.4–0.6."
        )
        for label in (
            self.model_label,
            self.tokens_label,
            self.temperature_label,
            self.values_label,
        ):
            label.setObjectName("requestParameter")
        parameters = QFormLayout()
        parameters.setContentsMargins(6, 4, 6, 0)
        parameters.addRow("Model", self.model_label)
        parameters.addRow("Token budget", self.tokens_label)
        parameters.addRow("Temperature", self.temperature_label)
        parameters.addRow("Weights", self.values_label)
        self.prompt = QPlainTextEdit()
        self.prompt.setObjectName("requestPrompt")
        self.prompt.setReadOnly(True)
        self.prompt.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.prompt.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        self.prompt.setToolTip(
            "The system prompt sent with each request; the highlighted part is compiled "
            "from the weights."
        )
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(parameters)
        layout.addWidget(self.prompt, 1)

    def show_request(self, request: CompiledRequest | None) -> None:
        if request == self.request:
            return
        self.request = request
        if request is None:
            self.prompt.setPlainText("")
            for label in (
                self.model_label,
                self.tokens_label,
                self.temperature_label,
                self.values_label,
            ):
                label.setText("—")
            return
        self.model_label.setText(request.model or "(provider default)")
        self.tokens_label.setText(f"{request.max_tokens} tokens")
        self.temperature_label.setText(f"{request.temperature:g}")
        self.values_label.setText(request.settings_line().removeprefix(SETTINGS_PREFIX) or "—")
        # Keep the reader's scroll position while the text follows the slider.
        bar = self.prompt.verticalScrollBar()
        position = bar.value()
        self.prompt.setPlainText(request.system_prompt)
        bar.setValue(position)
        self.prompt.setExtraSelections([self._directive_selection(request)])

    def _directive_selection(self, request: CompiledRequest) -> QTextEdit.ExtraSelection:
        start, end = directive_span(request)
        cursor = QTextCursor(self.prompt.document())
        cursor.setPosition(start)
        cursor.setPosition(end, QTextCursor.MoveMode.KeepAnchor)
        selection = QTextEdit.ExtraSelection()
        selection.cursor = cursor
        fmt = QTextCharFormat()
        fmt.setBackground(HIGHLIGHT)
        selection.format = fmt
        return selection

    def highlighted_text(self) -> str:
        """The text the directive highlight covers (what a user sees marked)."""
        selections = self.prompt.extraSelections()
        return selections[0].cursor.selectedText().replace("\u2029", "\n") if selections else ""
