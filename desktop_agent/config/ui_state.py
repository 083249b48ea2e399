"""What the window remembers between runs (geometry, panels, chosen agent and user, the
last conversation), typed, in one file: ui-state.json in the data dir.

Unlike settings, nothing here is worth an error: a missing or broken file means the
defaults (the window opens at its standard size)."""

from __future__ import annotations

import json
import logging
from dataclasses import asdict, dataclass, fields
from typing import TYPE_CHECKING

from desktop_agent.config.atomic import write_atomically

if TYPE_CHECKING:
    from pathlib import Path

log = logging.getLogger(__name__)

UI_STATE_NAME = "ui-state.json"
UI_STATE_SCHEMA_VERSION = 1


@dataclass
class UiState:
    """What the window restores at the next start (geometry, splitters, last session)."""

    schema_version: int = UI_STATE_SCHEMA_VERSION
    geometry: str = ""  # base64 of QMainWindow.saveGeometry()
    window_state: str = ""  # base64 of QMainWindow.saveState()
    splitter: str = ""  # base64 of the main splitter's saveState()
    weights_panel: bool = True
    agent: str = ""  # the agent new conversations talk to ("" = the default)
    user: str = ""  # whose learned weights they start from ("" = the default)
    last_session_id: str = ""


def ui_state_path(data_dir: Path) -> Path:
    return data_dir / UI_STATE_NAME


def load_ui_state(data_dir: Path) -> UiState | None:
    """The saved state; None when there is no file yet (first run, or before migration)."""
    path = ui_state_path(data_dir)
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        log.warning("ignoring unreadable %s: %s", path, exc)
        return UiState()
    return coerce_ui_state(raw)


def coerce_ui_state(raw: object) -> UiState:
    """Keep each value of the right type; anything else takes its default."""
    state = UiState()
    if not isinstance(raw, dict):
        return state
    for f in fields(UiState):
        value = raw.get(f.name)
        if f.name != "schema_version" and type(value) is type(getattr(state, f.name)):
            setattr(state, f.name, value)
    return state


def save_ui_state(data_dir: Path, state: UiState) -> None:
    text = json.dumps(asdict(state), indent=2, sort_keys=True)
    write_atomically(ui_state_path(data_dir), text.encode("utf-8"))
