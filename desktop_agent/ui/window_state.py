"""Reads and writes the window's remembered state (config/ui_state.py), moving the
older window.ini / profiles.ini / settings.json's last session into it once."""

from __future__ import annotations

import json
import logging
from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray

from desktop_agent.config.ui_state import UiState, load_ui_state, save_ui_state

if TYPE_CHECKING:
    from pathlib import Path

    from PySide6.QtWidgets import QMainWindow, QSplitter

log = logging.getLogger(__name__)

LEGACY_WINDOW_FILE = "window.ini"
LEGACY_PROFILES_FILE = "profiles.ini"


def to_text(data: QByteArray) -> str:
    return bytes(data.toBase64().data()).decode("ascii")


def to_bytes(text: str) -> QByteArray | None:
    if not text:
        return None
    return QByteArray.fromBase64(QByteArray(text.encode("ascii")))


def restore_layout(state: UiState, window: QMainWindow, splitter: QSplitter) -> None:
    """Geometry, toolbars and splitter as they were (each left alone if never saved)."""
    geometry = to_bytes(state.geometry)
    if geometry is not None:
        window.restoreGeometry(geometry)
    window_state = to_bytes(state.window_state)
    if window_state is not None:
        window.restoreState(window_state)
    sizes = to_bytes(state.splitter)
    if sizes is not None:
        splitter.restoreState(sizes)


def capture_layout(state: UiState, window: QMainWindow, splitter: QSplitter) -> None:
    state.geometry = to_text(window.saveGeometry())
    state.window_state = to_text(window.saveState())
    state.splitter = to_text(splitter.saveState())


def read_ui_state(data_dir: Path) -> UiState:
    """The remembered state; on the first run after an upgrade, the legacy files'."""
    state = load_ui_state(data_dir)
    if state is not None:
        return state
    state = _migrate_legacy(data_dir)
    if state != UiState():
        try:
            save_ui_state(data_dir, state)
        except OSError as exc:
            log.warning("could not save the window state: %s", exc)
            return state
    for name in (LEGACY_WINDOW_FILE, LEGACY_PROFILES_FILE):
        (data_dir / name).unlink(missing_ok=True)
    return state


def _migrate_legacy(data_dir: Path) -> UiState:
    state = UiState()
    window = data_dir / LEGACY_WINDOW_FILE
    profiles = data_dir / LEGACY_PROFILES_FILE
    if window.exists() or profiles.exists():
        # Qt's own INI dialect (@ByteArray(...)): only QSettings reads it faithfully.
        from PySide6.QtCore import QSettings

        if window.exists():
            old = QSettings(str(window), QSettings.Format.IniFormat)
            for key, attribute in (
                ("geometry", "geometry"),
                ("windowState", "window_state"),
                ("splitter", "splitter"),
            ):
                value = old.value(key)
                if isinstance(value, QByteArray):
                    setattr(state, attribute, to_text(value))
            state.weights_panel = old.value("weightsPanel", "true") != "false"
        if profiles.exists():
            old = QSettings(str(profiles), QSettings.Format.IniFormat)
            state.agent = str(old.value("agent", ""))
            state.user = str(old.value("user", ""))
    try:
        raw = json.loads((data_dir / "settings.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raw = None
    if isinstance(raw, dict) and isinstance(raw.get("last_session_id"), str):
        state.last_session_id = raw["last_session_id"]
    return state
