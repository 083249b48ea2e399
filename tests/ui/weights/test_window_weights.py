"""The weight parts of the real main window: Weights menu, user and agent switchers that
new conversations follow, dropping a snapshot file opens the import preview, the drift
chart opens a message, and the agents dialog edits agents."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from desktop_agent.services.app_context import AppContext
from desktop_agent.store import agents, messages
from desktop_agent.store import snapshots as snapshot_store
from desktop_agent.ui.main_window import MainWindow
from desktop_agent.ui.weights import common
from desktop_agent.ui.weights.agents_dialog import AgentModel, AgentsDialog
from desktop_agent.ui.weights.menu import WeightsMenu
from desktop_agent.ui.weights.snapshot_dialogs import ImportDialog
from desktop_agent.ui.weights.snapshot_manager import SnapshotsDialog
from desktop_agent.ui.window_state import read_ui_state


@pytest.fixture
def hooked(window: MainWindow) -> WeightsMenu:
    return window.weights_menu


def test_the_weights_menu_sits_before_help(hooked: WeightsMenu, window: MainWindow) -> None:
    titles = [a.text().replace("&", "") for a in window.menuBar().actions()]
    assert titles[-2:] == ["Weights", "Help"]
    texts = [a.text().replace("&", "") for a in hooked.menu.actions() if a.text()]
    assert texts == ["Snapshots…", "Experiments…", "Agents…", "Import Snapshot…"]


def test_new_conversations_follow_the_user_switcher(
    qtbot: QtBot, window: MainWindow, context: AppContext
) -> None:
    profiles = window.profiles
    assert profiles.add_user("maria")
    window.new_action.trigger()
    assert window.chat.session is not None
    assert window.chat.session.user_handle == "maria"
    # Remembered for the next start, in the one UI state file.
    profiles.user_box.setCurrentIndex(0)
    profiles.load_profiles()
    assert profiles.current_user() == "maria"
    assert read_ui_state(context.data_dir).user == "maria"


def test_dropping_a_snapshot_file_opens_the_preview(
    qtbot: QtBot, hooked: WeightsMenu, window: MainWindow, tmp_path: Path
) -> None:
    path = tmp_path / "dropped.weights.json"
    path.write_text(json.dumps({"verbosity": 0.2}))
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path))])
    drop = QDropEvent(
        QPointF(20, 20),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    enter = QDragEnterEvent(
        QPoint(20, 20),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    # The offscreen platform cannot run a real drag; hand the events to the window's
    # handlers as Qt's drag-and-drop would.
    enter.setAccepted(False)
    window.dragEnterEvent(enter)
    assert enter.isAccepted()
    window.dropEvent(drop)
    preview = hooked.last_dialog
    assert isinstance(preview, ImportDialog)
    assert "0.200" in preview.summary.toPlainText()
    preview.import_button.click()
    assert [s.weights["verbosity"] for s in snapshot_store.list_snapshots()] == [0.2]


def test_a_drift_point_opens_its_message(qtbot: QtBot, window: MainWindow) -> None:
    first = window.new_session()
    messages.append_message(first.id, "user", "hello")
    reply = messages.append_message(first.id, "assistant", "hi there", model="m")
    window.new_session()
    window.right_panel.message_requested.emit(first.id, reply.id)
    assert window.chat.session is not None
    assert window.chat.session.id == first.id


def test_snapshots_menu_opens_for_the_open_session(
    qtbot: QtBot, hooked: WeightsMenu, window: MainWindow
) -> None:
    session = window.new_session()
    hooked.snapshots_action.trigger()
    dialog = hooked.last_dialog
    assert isinstance(dialog, SnapshotsDialog)
    assert dialog.session_id == session.id
    dialog.close()


def test_agents_dialog_edits_creates_and_deletes(
    qtbot: QtBot, qtmodeltester: ModelTester, window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    dialog = AgentsDialog()
    qtbot.addWidget(dialog)
    qtmodeltester.check(dialog.model)
    created = dialog.new_agent("support")
    assert created is not None
    dialog.prompt.setPlainText("You answer support tickets.")
    dialog.fast_model.setText("small-model")
    dialog.learning_rate.setValue(0.3)
    assert dialog.save()
    stored = agents.get_agent("support")
    assert (stored.system_prompt, stored.fast_model, stored.learning_rate) == (
        "You answer support tickets.",
        "small-model",
        0.3,
    )
    dialog.name.setText("assistant")  # taken
    assert not dialog.save()
    assert "already exists" in dialog.error.text()
    monkeypatch.setattr(common, "confirm", lambda *_args: True)
    dialog.reload(stored.id)
    assert dialog.delete()
    assert [a.name for a in agents.list_agents()] == ["assistant"]
    model = AgentModel()
    model.load()
    qtmodeltester.check(model)
