"""The right-hand panel: a placeholder until the weight editor (desktop_agent/ui/weights/)
replaces what `build_right_panel` returns."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

if TYPE_CHECKING:
    from desktop_agent.services.app_context import AppContext


def build_right_panel(context: AppContext, parent: QWidget | None = None) -> QWidget:
    """The panel beside the chat. The main window calls `set_session(session_id | None)`
    on it when the open session changes, and `weights_changed(session_id)` after learning,
    if the returned widget has those methods."""
    panel = QWidget(parent)
    panel.setObjectName("rightPanel")
    label = QLabel("Weights\n\nThe weight editor and snapshots will appear here.")
    label.setAlignment(Qt.AlignmentFlag.AlignCenter)
    label.setWordWrap(True)
    label.setEnabled(False)
    layout = QVBoxLayout(panel)
    layout.addWidget(label)
    return panel
