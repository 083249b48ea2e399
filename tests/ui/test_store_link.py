"""The window on a team store whose server goes away and comes back: the status bar says
which store is used and when it is offline, a send waits with the text kept, and a probe
off the UI thread turns writing back on by itself — on a real PostgreSQL cluster."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from pytestqt.qtbot import QtBot

from desktop_agent.store import messages
from desktop_agent.ui import store_link
from desktop_agent.ui.main_window import MainWindow
from tests.support.fake_openai import FakeOpenAIServer
from tests.support.postgres import TeamStore
from tests.ui.helpers import TIMEOUT_MS, rows, send, wait_idle

pytestmark = pytest.mark.slow


@pytest.fixture
def team_window(
    qtbot: QtBot,
    team_store: TeamStore,
    provider: FakeOpenAIServer,
    monkeypatch: pytest.MonkeyPatch,
    request: pytest.FixtureRequest,
) -> MainWindow:
    monkeypatch.setattr(store_link, "OFFLINE_PROBE_MS", 200)
    monkeypatch.setenv("DESKTOP_AGENT_STORE_URL", team_store.url("alice"))
    return request.getfixturevalue("window")


def test_the_status_bar_names_the_local_store(window: MainWindow) -> None:
    assert window.store_link.label.text() == "Store: this computer"
    assert window.store_link.label.toolTip() == str(window.context.database_path)
    assert window.store_link.refusal() == ""


def test_offline_refuses_sends_keeps_the_text_and_recovers_by_itself(
    qtbot: QtBot, team_window: MainWindow, team_store: TeamStore
) -> None:
    window, server = team_window, team_store.server
    link = window.store_link
    assert link.label.text() == f"Team store: {server.host}/{team_store.database}"
    window.new_session()
    send(qtbot, window, "before the outage")
    window.grab().save("/tmp/pgwindow-online.png")

    server.pause()
    try:
        link.probe()  # the timer's job, without waiting for it
        qtbot.waitUntil(lambda: not link.online, timeout=TIMEOUT_MS)
        assert link.label.text() == f"Offline — {server.host}:{server.port} unreachable, retrying…"
        assert f"{server.host}:{server.port}" in link.label.toolTip()
        assert window.read_only_bar.isVisible()
        assert not window.new_action.isEnabled()
        assert not window.sessions.trash_action.isEnabled()
        assert window.settings_action.isEnabled()  # to choose another store

        pane = window.chat
        pane.composer.setPlainText("typed while offline")
        pane.send_action.trigger()
        assert pane.error_bar.isVisible()
        where = f"{server.host}:{server.port}/{team_store.database}"
        assert f"the team store at {where} is offline" in pane.error_bar.label.text()
        assert pane.composer.toPlainText() == "typed while offline"
        assert not window.chat.controller.busy
        window.grab().save("/tmp/pgwindow-offline.png")
        # A store call on the UI thread (a click) while offline: the offline state, not
        # a crash dialog.
        reply_id = rows(window)[1].id
        QTimer.singleShot(0, lambda: messages.set_feedback(reply_id, 1))
        qtbot.wait(100)
        assert not link.online
    finally:
        server.resume()

    # The probe (every OFFLINE_PROBE_MS, off the UI thread) notices the server is back.
    qtbot.waitUntil(lambda: link.online, timeout=TIMEOUT_MS)
    assert link.label.text() == f"Team store: {server.host}/{team_store.database}"
    assert not window.read_only_bar.isVisible()
    assert window.new_action.isEnabled()
    assert window.sessions.trash_action.isEnabled()
    window.chat.send_action.trigger()
    wait_idle(qtbot, window)
    assert [r.content for r in rows(window)] == [
        "before the outage",
        "Echo: before the outage",
        "typed while offline",
        "Echo: typed while offline",
    ]
    assert window.chat.composer.toPlainText() == ""
    stored = messages.list_messages(window.chat.session.id)
    assert stored[-1].content == "Echo: typed while offline"
    assert stored[1].feedback is None  # the offline click changed nothing


def test_a_restart_between_two_window_actions_goes_unnoticed(
    qtbot: QtBot, team_window: MainWindow, team_store: TeamStore
) -> None:
    window = team_window
    window.new_session()
    send(qtbot, window, "first")
    team_store.server.pause()
    team_store.server.resume()
    send(qtbot, window, "second")
    assert [r.content for r in rows(window)][-2:] == ["second", "Echo: second"]
    assert window.store_link.online


def test_export_everything_and_backups_leave_a_team_store_alone(
    qtbot: QtBot, team_window: MainWindow, tmp_path: Path
) -> None:
    """The archive and the daily backup are this computer's store's: on a team store the
    export says why not and names the way out, and no backup is attempted (it failed
    every day with an SQLite error before)."""
    window = team_window
    assert window.import_export.backup_if_due() is None
    target = tmp_path / "all.dagent"
    window.import_export.start_export_all(target)
    qtbot.waitUntil(
        lambda: "Export failed" in window.statusBar().currentMessage(), timeout=TIMEOUT_MS
    )
    message = window.statusBar().currentMessage()
    assert "works on this computer's store, not on a team store" in message
    assert "store copy --from URL" in message
    assert not target.exists()
    assert not (window.context.data_dir / "backups").exists()
