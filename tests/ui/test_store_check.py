"""After an unclean exit the store's integrity check runs after the first paint, off the
UI thread; a damaged store turns the window read-only instead of refusing to open."""

from __future__ import annotations

from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from desktop_agent.config.paths import database_path, resolve_data_dir
from desktop_agent.services.app_context import open_app
from desktop_agent.store import db, sessions
from desktop_agent.ui.main_window import MainWindow
from tests.support.damaged_stores import damage_a_data_page, dead_pid, filled_store

TIMEOUT_MS = 20_000


def _store_left_open_by_a_dead_process(damaged: bool) -> Path:
    path = database_path(resolve_data_dir())
    filled_store(path)
    if damaged:
        damage_a_data_page(path)
    path.with_name(f"{path.name}.open-by-{dead_pid()}").touch()
    return path


def test_a_damaged_store_opens_read_only_and_says_why(qtbot: QtBot) -> None:
    _store_left_open_by_a_dead_process(damaged=True)
    context = open_app(defer_check=True)  # would raise StoreError without deferring
    try:
        assert context.check_owed
        window = MainWindow(context)
        qtbot.addWidget(window)
        with qtbot.waitSignal(window.events.storeHealthChanged, timeout=TIMEOUT_MS) as health:
            window.show()
        assert health.args[0] is False
        assert "damaged" in health.args[1]
        assert window.read_only_bar.isVisible()
        assert "damaged" in window.read_only_bar.label.text()
        assert not window.chat.composer.isEnabled()
        assert not window.new_action.isEnabled()
        with pytest.raises(Exception, match="readonly"):
            sessions.create_session()
        window.close()
    finally:
        context.close()


def test_a_sound_store_is_checked_and_stays_writable(qtbot: QtBot) -> None:
    _store_left_open_by_a_dead_process(damaged=False)
    context = open_app(defer_check=True)
    try:
        assert context.check_owed
        window = MainWindow(context)
        qtbot.addWidget(window)
        with qtbot.waitSignal(window.events.storeHealthChanged, timeout=TIMEOUT_MS) as health:
            window.show()
        assert health.args == [True, ""]
        assert not context.check_owed
        assert not window.read_only_bar.isVisible()
        assert window.new_session() is not None
        window.close()
    finally:
        context.close()


def test_a_big_store_closed_cleanly_owes_no_check(monkeypatch: pytest.MonkeyPatch) -> None:
    _store_left_open_by_a_dead_process(damaged=False)
    monkeypatch.setattr(db, "ALWAYS_CHECK_BYTES", 0)  # every store counts as big
    open_app(defer_check=True).close()  # the dead process's marker is cleared
    context = open_app(defer_check=True)
    try:
        assert not context.check_owed
    finally:
        context.close()
