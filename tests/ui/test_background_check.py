"""Every start runs the full integrity check in the background: damage quick_check misses
turns the window read-only with a Repair button, and text that is not valid UTF-8 is
shown replaced with a note in the status bar."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from pytestqt.qtbot import QtBot

from desktop_agent.config.paths import database_path, resolve_data_dir
from desktop_agent.services.app_context import open_app
from desktop_agent.store import agents, messages, sessions
from desktop_agent.store.db import close_database, open_database
from desktop_agent.ui.main_window import MainWindow

TIMEOUT_MS = 20_000


def _store(turns: int = 40) -> tuple[Path, str]:
    path = database_path(resolve_data_dir())
    open_database(path)
    agents.ensure_defaults()
    session = sessions.create_session(title="checked")
    messages.append_many(session.id, [{"role": "user", "content": f"m{i}"} for i in range(turns)])
    close_database()
    return path, session.id


def test_index_damage_found_after_start_offers_a_repair(qtbot: QtBot) -> None:
    path, _session_id = _store()
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("CREATE INDEX hostile_idx ON message(role) WHERE id < 0")
    conn.execute("PRAGMA writable_schema = ON")
    conn.execute(
        "UPDATE sqlite_master SET sql = 'CREATE INDEX hostile_idx ON message(role)' "
        "WHERE name = 'hostile_idx'"
    )
    conn.close()
    context = open_app(defer_check=True)  # a clean open: quick_check alone sees nothing
    try:
        window = MainWindow(context)
        qtbot.addWidget(window)
        with qtbot.waitSignal(window.events.storeHealthChanged, timeout=TIMEOUT_MS) as health:
            window.show()
        assert health.args[0] is False
        assert "missing from index" in health.args[1]
        bar = window.read_only_bar
        assert bar.isVisible()
        assert bar.action_button.isVisible()
        with qtbot.waitSignal(window.store_check.repairFinished, timeout=TIMEOUT_MS) as done:
            bar.action_button.click()
        assert "Recovered" in done.args[0]
        assert list(path.parent.glob(f"{path.name}.repaired-*"))
        assert "Recovered" in bar.label.text()
        window.grab().save("/tmp/hostile-repair-bar.png")
        window.close()
    finally:
        context.close()


def test_invalid_utf8_is_shown_replaced_and_the_status_bar_says_so(qtbot: QtBot) -> None:
    path, session_id = _store(turns=300)
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute(
        "UPDATE message SET content = CAST(X'6F6BFF' AS TEXT) WHERE seq = 150 AND session_id = ?",
        (session_id,),
    )
    conn.close()
    context = open_app(defer_check=True)
    try:
        window = MainWindow(context)
        qtbot.addWidget(window)
        with qtbot.waitSignal(window.events.storeHealthChanged, timeout=TIMEOUT_MS) as health:
            window.show()
        assert health.args[0] is True
        assert "replacement characters" in window.statusBar().currentMessage()
        window.open_session(sessions.get_session(session_id))
        shown = [m.content for m in messages.list_messages(session_id)]
        assert "ok\ufffd" in shown
        assert not window.read_only_bar.isVisible()
        window.close()
    finally:
        context.close()
