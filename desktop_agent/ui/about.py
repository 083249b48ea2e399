"""The About box: version, data location, and where the key is kept."""

from __future__ import annotations

import html
import platform
from typing import TYPE_CHECKING

from PySide6 import __version__ as pyside_version
from PySide6.QtWidgets import QMessageBox, QWidget

from desktop_agent import APP_NAME, __version__

if TYPE_CHECKING:
    from desktop_agent.services.app_context import AppContext


def about_text(context: AppContext) -> str:
    key = context.secrets.status()
    where = "the system keyring" if key.backend == "keyring" else "a file readable only by you"
    return (
        f"<h3>{APP_NAME} {__version__}</h3>"
        "<p>Conversations with LLM agents whose history and learned behaviour survive "
        "every restart.</p>"
        f"<p><b>Data folder:</b> {html.escape(str(context.data_dir))}<br>"
        f"<b>Database:</b> {html.escape(context.database_path.name)}<br>"
        f"<b>API key:</b> kept in {where}, never in the database.</p>"
        f"<p style='color:gray'>Python {platform.python_version()} · Qt for Python "
        f"{pyside_version}</p>"
    )


def about_box(context: AppContext, parent: QWidget | None) -> QMessageBox:
    box = QMessageBox(parent)
    box.setObjectName("aboutBox")
    box.setWindowTitle(f"About {APP_NAME}")
    box.setText(about_text(context))
    box.setStandardButtons(QMessageBox.StandardButton.Close)
    return box
