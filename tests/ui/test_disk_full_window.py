"""With the disk full, the window says so (and where), turns read-only instead of
failing each write, and turns writing back on by itself once space returns. Needs root
for the small file system (see tests/cli/test_disk_full.py); skipped otherwise."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from desktop_agent.services.app_context import open_app
from desktop_agent.store import sessions
from desktop_agent.ui.main_window import MainWindow
from tests.cli.test_disk_full import fill, small_disk  # noqa: F401 - the fixture
from tests.support.fake_openai import FakeOpenAIServer

pytestmark = pytest.mark.slow


def test_the_window_goes_read_only_on_a_full_disk_and_back_with_space(
    qtbot: QtBot,
    small_disk: Path,  # noqa: F811
    fake_openai: FakeOpenAIServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("OPENAI_BASE_URL", fake_openai.base_url)
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
    data_dir = small_disk / "data"
    context = open_app(data_dir)
    try:
        session = sessions.create_session(title="on a small disk")
        window = MainWindow(context)
        qtbot.addWidget(window)
        window.show()
        window.open_session(sessions.get_session(session.id))
        filler = fill(small_disk)
        with qtbot.waitSignal(window.disk_watch.spaceChanged, timeout=20_000) as full:
            window.chat.controller.send(session.id, "hello " + "x" * 200_000)
        assert full.args[0] is False
        assert "is full" in full.args[1]
        assert str(data_dir) in full.args[1]
        assert window.read_only_bar.isVisible()
        assert "Read-only until there is space again" in window.read_only_bar.label.text()
        assert not window.chat.bottom.isEnabled()
        assert "damaged" not in window.read_only_bar.label.text()
        window.grab().save("/tmp/hostile-disk-full.png")
        os.unlink(filler)
        with qtbot.waitSignal(window.disk_watch.spaceChanged, timeout=20_000) as back:
            pass
        assert back.args[0] is True
        assert window.chat.bottom.isEnabled()
        assert not window.read_only_bar.isVisible()
        window.close()
    finally:
        context.close()
