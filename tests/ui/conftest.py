"""UI fixtures: the app context on the per-test data dir, the main window, leak checks."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pytestqt.qtbot import QtBot

from desktop_agent.services.app_context import AppContext, open_app
from desktop_agent.ui.main_window import MainWindow
from desktop_agent.ui.worker import live_threads, worker_pool
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
    """Every worker is joined at the end of a test, as the app joins them on quit; a
    worker that does not stop when cancelled fails the test."""
    yield
    stuck = worker_pool().join(timeout_ms=10_000)
    assert not stuck, f"worker threads that did not stop: {stuck}"
    assert not live_threads()


@pytest.fixture
def provider(fake_openai: FakeOpenAIServer, monkeypatch: pytest.MonkeyPatch) -> FakeOpenAIServer:
    monkeypatch.setenv("OPENAI_BASE_URL", fake_openai.base_url)
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
    return fake_openai


@pytest.fixture
def context(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> Iterator[AppContext]:
    if getattr(request, "param", "sqlite") == "postgres":  # tests/support/engines.py
        team = request.getfixturevalue("team_store")
        monkeypatch.setenv("DESKTOP_AGENT_STORE_URL", team.url("alice"))
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
    # What aboutToQuit does in the app: the reply's worker saves its partial text, then
    # its thread is joined, before the store closes.
    assert not worker_pool().join(timeout_ms=10_000)
