"""The empty state and first-run welcome: what the app does and how to set it up."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

if TYPE_CHECKING:
    from desktop_agent.services.app_context import AppContext

_INTRO = """
<h2>Welcome to Desktop Agent</h2>
<p>Conversations with AI agents that remember. Every conversation, and what the agent
learns from your feedback, is saved as you go and survives restarts.</p>
<ul>
<li><b>Talk</b> — start a conversation with <b>Ctrl+N</b>; send with <b>Ctrl+Enter</b>,
stop a reply with <b>Esc</b>.</li>
<li><b>Teach</b> — rate replies <i>Good</i> or <i>Bad</i> (with a reason such as
“too long”); the agent adjusts its behaviour.</li>
<li><b>Find</b> — <b>Ctrl+F</b> searches every message you have ever exchanged.</li>
</ul>
"""

_SETUP = """
<p><b>Set up a provider to chat.</b> Open <b>Settings</b> and enter an OpenAI API key, or
the address of a local OpenAI-compatible server (Ollama: <code>http://localhost:11434/v1</code>,
LM Studio: <code>http://localhost:1234/v1</code>). Everything except chatting works without
one: browsing, search, weights and snapshots.</p>
"""

_READY = "<p>Your provider is set up. Pick a conversation on the left or start a new one.</p>"
_BUILTIN = (
    "<p>Replies come from the <b>built-in model</b>, which runs on this computer, offline. "
    "For a larger model, choose a GGUF file or a server in <b>Settings → Provider</b>.</p>"
)


class WelcomePage(QWidget):
    """Signals:
    newSessionRequested(), settingsRequested(): the two buttons.
    """

    newSessionRequested = Signal()
    settingsRequested = Signal()

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("welcome")
        self._context = context
        self.text = QLabel()
        self.text.setWordWrap(True)
        self.text.setTextFormat(Qt.TextFormat.RichText)
        self.text.setMaximumWidth(620)
        self.new_button = QPushButton(self.tr("Start a Conversation"))
        self.new_button.setDefault(True)
        self.settings_button = QPushButton(self.tr("Settings…"))
        self.new_button.clicked.connect(self.newSessionRequested)
        self.settings_button.clicked.connect(self.settingsRequested)
        buttons = QHBoxLayout()
        buttons.addWidget(self.new_button)
        buttons.addWidget(self.settings_button)
        buttons.addStretch(1)
        column = QVBoxLayout()
        column.addStretch(1)
        column.addWidget(self.text)
        column.addSpacing(12)
        column.addLayout(buttons)
        column.addStretch(2)
        outer = QHBoxLayout(self)
        outer.setContentsMargins(32, 24, 32, 24)
        outer.addStretch(1)
        outer.addLayout(column, 4)
        outer.addStretch(1)
        self.refresh()

    def refresh(self) -> None:
        provider = self._context.provider()
        ready = _BUILTIN if provider.builtin else _READY
        self.text.setText(_INTRO + (ready if provider.configured else _SETUP))
