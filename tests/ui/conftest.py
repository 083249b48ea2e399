"""UI fixtures: the app context on the per-test data dir, the main window, leak checks."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pytestqt.qtbot import QtBot

from desktop_agent.services.app_context import AppContext, open_app
from desktop_agent.ui.main_window import MainWindow
from desktop_agent.ui.worker import live_threads
from tests.support.fake_openai import FakeOpenAIServer
from tests.support.qt_leaks import _no_leaked_timers, _no_leaked_windows  # noqa: F401


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # The offscreen platform warns that it cannot resize windows to their size hints
    # (a no-op there, harmless); every other Qt warning still fails the test.
    for item in items:
        if "tests/ui/" in str(item.fspath).replace("\\", "/"):
            item.add_marker(pytest.mark.qt_log_ignore("does not support propagateSizeHints"))


@pytest.fixture(autouse=True)
def _no_thread_leaks(qapp: object) -> Iterator[None]:
    """A test that leaves a worker thread running (not quit and joined) fails."""
    yield
    leaked = [t.objectName() for t in live_threads()]
    assert not leaked, f"worker threads left running: {leaked}"


@pytest.fixture
def provider(fake_openai: FakeOpenAIServer, monkeypatch: pytest.MonkeyPatch) -> FakeOpenAIServer:
    monkeypatch.setenv("OPENAI_BASE_URL", fake_openai.base_url)
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
    return fake_openai


@pytest.fixture
def context() -> Iterator[AppContext]:
    ctx = open_app()
    yield ctx
    ctx.close()


@pytest.fixture
def window(qtbot: QtBot, context: AppContext) -> Iterator[MainWindow]:
    win = MainWindow(context)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    yield win
    win.close()
