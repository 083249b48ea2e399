"""The right-hand panel beside the chat: the weight editor (desktop_agent/ui/weights/)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from desktop_agent.ui.weights.panel import WeightPanel

if TYPE_CHECKING:
    from PySide6.QtWidgets import QWidget

    from desktop_agent.services.app_context import AppContext


def build_right_panel(context: AppContext, parent: QWidget | None = None) -> WeightPanel:
    """The panel beside the chat. The main window calls `set_session(session_id | None)`
    on it when the open session changes, and `weights_changed(session_id)` after learning."""
    return WeightPanel(context, parent)
