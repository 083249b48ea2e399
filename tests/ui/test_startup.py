"""Start-up: --smoke, clear errors instead of tracebacks, state restored across runs."""

from __future__ import annotations

from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from desktop_agent.services.app_context import open_app
from desktop_agent.store import sessions
from desktop_agent.ui.main import run_gui
from desktop_agent.ui.main_window import MainWindow


def test_smoke_paints_and_exits_zero(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert run_gui(str(tmp_path / "smoke"), smoke=True) == 0
    assert capsys.readouterr().out.strip().endswith("smoke ok")


def test_a_broken_settings_file_is_a_message_not_a_traceback(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    data = tmp_path / "broken"
    data.mkdir()
    (data / "settings.json").write_text("{not json", encoding="utf-8")
    assert run_gui(str(data), smoke=True) == 1
    err = capsys.readouterr().err
    assert "settings" in err
    assert "Traceback" not in err


def test_a_damaged_database_is_a_message(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    data = tmp_path / "damaged"
    data.mkdir()
    (data / "desktop-agent.sqlite3").write_bytes(b"this is not sqlite" * 100)
    assert run_gui(str(data), smoke=True) == 1
    assert "damaged" in capsys.readouterr().err


def test_geometry_splitters_and_last_session_are_restored(qtbot: QtBot) -> None:
    context = open_app()
    try:
        first = MainWindow(context)
        qtbot.addWidget(first)
        first.show()
        record = first.new_session()
        first.resize(771, 521)  # fits the offscreen screen (800x600)
        first.splitter.setSizes([250, 600, 200])
        sizes = first.splitter.sizes()
        first.close()

        second = MainWindow(context)
        qtbot.addWidget(second)
        second.show()
        assert second.chat.session is not None
        assert second.chat.session.id == record.id
        assert (second.width(), second.height()) == (771, 521)
        assert second.splitter.sizes() == sizes
        assert second.sessions.current_id() == record.id
        second.close()
    finally:
        context.close()


def test_first_run_shows_the_welcome_and_the_built_in_model(qtbot: QtBot) -> None:
    context = open_app()
    try:
        window = MainWindow(context)
        qtbot.addWidget(window)
        window.show()
        assert window.chat.stack.currentWidget() is window.chat.welcome
        assert "Settings" in window.chat.welcome.text.text()
        # Nothing set up: the built-in model answers, and the status bar says so.
        assert window.provider_label.text().startswith("Built-in model · SmolLM2-135M")
        assert sessions.count_sessions() == 0
        window.close()
    finally:
        context.close()
