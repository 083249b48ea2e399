"""A start while the team store's server is down: the window opens offline (named server,
writes refused) and fills itself once the server is back, on a real PostgreSQL cluster;
a refused login or a newer schema is still a start-up error."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from desktop_agent.config.paths import resolve_data_dir
from desktop_agent.config.ui_state import save_ui_state
from desktop_agent.services.app_context import open_app
from desktop_agent.services.sessions import start_session
from desktop_agent.store import agents, messages
from desktop_agent.store.db import close_database
from desktop_agent.store.errors import StoreError, StoreOfflineError
from desktop_agent.store.team import open_team_store
from desktop_agent.ui import store_link
from desktop_agent.ui.main import run_gui
from desktop_agent.ui.main_window import MainWindow
from desktop_agent.ui.window_state import read_ui_state
from desktop_agent.ui.worker import worker_pool
from tests.support.fake_openai import FakeOpenAIServer
from tests.support.pg_cluster import OWNER, PASSWORD_ROLE
from tests.support.postgres import TeamStore
from tests.ui.helpers import TIMEOUT_MS, rows, wait_idle

pytestmark = pytest.mark.slow

SCREENSHOT = os.environ.get("DESKTOP_AGENT_SCREENSHOT", "/tmp/team-offline-start.png")


def _earlier_conversation(url: str) -> str:
    """Alice's conversation from an earlier run, the last one her window showed."""
    open_team_store(url)
    agents.ensure_defaults()
    session = start_session()
    messages.append_message(session.id, "user", "from yesterday")
    close_database()
    data_dir = resolve_data_dir(None)
    data_dir.mkdir(parents=True, exist_ok=True)
    state = read_ui_state(data_dir)
    state.last_session_id = session.id
    save_ui_state(data_dir, state)
    return session.id


def test_a_start_while_the_server_is_down_opens_offline_and_recovers_by_itself(
    qtbot: QtBot,
    team_store: TeamStore,
    provider: FakeOpenAIServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(store_link, "OFFLINE_PROBE_MS", 200)
    url = team_store.url("alice")
    monkeypatch.setenv("DESKTOP_AGENT_STORE_URL", url)
    earlier = _earlier_conversation(url)
    server = team_store.server
    where = f"{server.host}:{server.port}/{team_store.database}"

    server.pause()
    try:
        with pytest.raises(StoreOfflineError, match=f"team store at {where} cannot be reached"):
            open_app()  # the command line fails fast
        context = open_app(offline_ok=True)
        window = MainWindow(context)
        qtbot.addWidget(window)
        window.show()
        qtbot.waitExposed(window)
        link = window.store_link
        assert f"the team store at {where} cannot be reached" in context.offline_reason
        assert not link.online
        assert link.label.text() == f"Offline — {server.host}:{server.port} unreachable, retrying…"
        assert where in link.label.toolTip()
        assert window.read_only_bar.isVisible()
        banner = window.read_only_bar.label.text()
        assert where in banner
        assert "Check that the server is running" in banner
        assert not window.new_action.isEnabled()
        assert not window.import_export.import_action.isEnabled()
        assert not window.sessions.trash_action.isEnabled()
        assert not window.menuBar().actions()[4].isEnabled()  # Weights
        assert window.settings_action.isEnabled()  # to choose another store
        assert window.sessions.model.rowCount() == 0
        assert window.new_session() is None  # the welcome page's button: refused
        assert "offline" in window.statusBar().currentMessage()
        qtbot.wait(600)  # a few probes meet the server still down
        assert not link.online
        window.grab().save(SCREENSHOT)
    finally:
        server.resume()

    # The probe (off the UI thread) sees the server: the store opens, the window fills.
    qtbot.waitUntil(lambda: link.online, timeout=TIMEOUT_MS)
    assert context.offline_reason == ""
    assert link.label.text() == f"Team store: {server.host}/{team_store.database}"
    assert not window.read_only_bar.isVisible()
    assert window.new_action.isEnabled()
    assert window.sessions.model.rowCount() == 1
    assert window.sessions.model.record(0).id == earlier
    assert window.chat.session is not None
    assert window.chat.session.id == earlier
    assert window.profiles.current_user() == "alice"
    window.chat.composer.setPlainText("after the outage")
    window.chat.send_action.trigger()
    wait_idle(qtbot, window)
    assert [r.content for r in rows(window)] == [
        "from yesterday",
        "after the outage",
        "Echo: after the outage",
    ]
    window.close()
    assert not worker_pool().join(timeout_ms=10_000)
    context.close()


def test_closing_while_offline_keeps_the_last_conversation_for_the_next_start(
    qtbot: QtBot, team_store: TeamStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = team_store.url("alice")
    monkeypatch.setenv("DESKTOP_AGENT_STORE_URL", url)
    earlier = _earlier_conversation(url)
    team_store.server.pause()
    try:
        context = open_app(offline_ok=True)
        window = MainWindow(context)
        qtbot.addWidget(window)
        window.save_state()
        window.close()
        assert not worker_pool().join(timeout_ms=10_000)
        context.close()
    finally:
        team_store.server.resume()
    assert read_ui_state(resolve_data_dir(None)).last_session_id == earlier


@pytest.mark.parametrize("fault", ["password", "schema"])
def test_a_refused_login_or_a_newer_schema_is_still_a_start_up_error(
    fault: str,
    team_store: TeamStore,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    if fault == "password":
        monkeypatch.setenv("PGPASSWORD", "not the password")
        url, expected = (
            team_store.url(PASSWORD_ROLE),
            f"refused the password of role {PASSWORD_ROLE!r}",
        )
    else:
        team_store.server.sql(
            "UPDATE desktop_agent_schema SET version = version + 1",
            database=team_store.database,
            role=OWNER,
        )
        url, expected = team_store.url("alice"), "written by a newer Desktop Agent"
    monkeypatch.setenv("DESKTOP_AGENT_STORE_URL", url)
    with pytest.raises(StoreError) as raised:
        open_app(offline_ok=True)
    assert not isinstance(raised.value, StoreOfflineError)
    assert run_gui(str(tmp_path / "data"), smoke=True) == 1
    err = capsys.readouterr().err
    assert expected in err
    assert team_store.database in err
