"""Start-up: --smoke, clear errors instead of tracebacks, state restored across runs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QApplication, QLabel, QWidget
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


def test_the_weights_panel_is_built_after_the_first_paint(qtbot: QtBot) -> None:
    context = open_app()
    try:
        window = MainWindow(context)
        qtbot.addWidget(window)
        assert window._weight_panel is None  # not needed for the first frame
        window.show()
        qtbot.waitUntil(lambda: window._weight_panel is not None, timeout=5_000)
        assert window.splitter.widget(2) is window.right_panel
        assert window.right_panel.isVisible()
        window.close()
    finally:
        context.close()


def test_the_old_state_files_move_into_ui_state_json_once(qtbot: QtBot, tmp_path: Path) -> None:
    import json

    from PySide6.QtCore import QSettings

    from desktop_agent.config.ui_state import load_ui_state

    context = open_app()
    try:
        record = sessions.create_session()
        data = context.data_dir
        before = MainWindow(context)
        qtbot.addWidget(before)
        before.resize(700, 500)
        geometry = before.saveGeometry()
        before.close()
        (data / "ui-state.json").unlink()
        old_window = QSettings(str(data / "window.ini"), QSettings.Format.IniFormat)
        old_window.setValue("geometry", geometry)
        old_window.setValue("weightsPanel", "false")
        old_window.sync()
        old_profiles = QSettings(str(data / "profiles.ini"), QSettings.Format.IniFormat)
        old_profiles.setValue("user", "maria")
        old_profiles.sync()
        from desktop_agent.store import agents

        agents.ensure_user("maria")
        (data / "settings.json").write_text(json.dumps({"last_session_id": record.id}))

        window = MainWindow(context)
        qtbot.addWidget(window)
        assert not (data / "window.ini").exists()
        assert not (data / "profiles.ini").exists()
        state = load_ui_state(data)
        assert state is not None
        assert (state.user, state.weights_panel, state.last_session_id) == (
            "maria",
            False,
            record.id,
        )
        assert window.profiles.current_user() == "maria"
        assert not window.weights_action.isChecked()
        assert window.chat.session is not None
        assert window.chat.session.id == record.id
        assert (window.width(), window.height()) == (700, 500)
        window.close()
    finally:
        context.close()


def test_a_broken_ui_state_file_means_the_default_layout(qtbot: QtBot) -> None:
    context = open_app()
    try:
        (context.data_dir / "ui-state.json").write_text("{not json", encoding="utf-8")
        window = MainWindow(context)
        qtbot.addWidget(window)
        assert window.weights_action.isChecked()
        window.close()
    finally:
        context.close()


class _PaintLog(QObject):
    """Notes, in order, each first paint of a main window (before and after attach)."""

    def __init__(self, events: list[str]) -> None:
        super().__init__()
        self.events = events

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint and isinstance(watched, QWidget):
            window = watched.window()
            if isinstance(window, MainWindow):
                name = "content painted" if window.attached else "frame painted"
                if name not in self.events:
                    self.events.append(name)
        return False


def test_the_window_frame_paints_before_the_store_is_opened(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from desktop_agent.services import app_context

    events: list[str] = []
    real_open_app = app_context.open_app

    def open_app_noting_when(*args: Any, **kwargs: Any) -> app_context.AppContext:
        events.append("store opened")
        return real_open_app(*args, **kwargs)

    monkeypatch.setattr(app_context, "open_app", open_app_noting_when)
    log = _PaintLog(events)
    app = QApplication.instance()
    assert app is not None
    app.installEventFilter(log)
    try:
        assert run_gui(str(tmp_path / "data"), smoke=True) == 0
    finally:
        app.removeEventFilter(log)
    assert events == ["frame painted", "store opened", "content painted"]
    assert capsys.readouterr().out.strip().endswith("smoke ok")


def test_the_frame_has_the_remembered_geometry_and_the_menus(qtbot: QtBot) -> None:
    context = open_app()
    try:
        first = MainWindow(context)
        qtbot.addWidget(first)
        first.show()
        first.resize(771, 521)
        first.close()

        frame = MainWindow(data_dir=context.data_dir)
        qtbot.addWidget(frame)
        frame.show()
        assert not frame.attached
        assert (frame.width(), frame.height()) == (771, 521)
        menus = [action.text() for action in frame.menuBar().actions()]
        assert menus == ["&File", "&Edit", "&Conversation", "&View", "&Weights", "&Help"]
        assert frame.findChild(QLabel, "loadingLabel") is not None

        frame.attach(context)
        assert frame.attached
        qtbot.waitUntil(lambda: frame.findChild(QLabel, "loadingLabel") is None)
        assert [action.text() for action in frame.menuBar().actions()] == menus
        assert frame.menuBar().actions()[0].menu().actions()  # filled, not added twice
        frame.close()
    finally:
        context.close()
