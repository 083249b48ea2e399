"""Real stores for tests: a fresh SQLite file, or the whole app on the loopback provider."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from desktop_agent.services.app_context import AppContext, open_app
from desktop_agent.store import agents
from desktop_agent.store.db import close_database, open_database
from tests.support.fake_openai import FakeOpenAIServer
from tests.support.postgres import open_team_store_as_member


@pytest.fixture
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Path]:
    """Open `tmp_path/store.sqlite3` with the real schema and default agent and user.

    Yields the database path so tests can open a second connection to the same file.
    Modules listed in tests/support/engines.py run again on a PostgreSQL team store
    (as member alice; the path then names no file).
    """
    if getattr(request, "param", "sqlite") == "postgres":
        yield from open_team_store_as_member(request)
        return
    path = tmp_path / "store" / "store.sqlite3"
    open_database(path)
    agents.ensure_defaults()
    try:
        yield path
    finally:
        close_database()


@pytest.fixture
def chat_app(
    fake_openai: FakeOpenAIServer, monkeypatch: pytest.MonkeyPatch
) -> Iterator[AppContext]:
    """The app opened on the test's data dir, its provider pointed at the loopback server.

    Retries are off so each scripted behaviour answers exactly one call; tests adjust
    `chat_app.settings.provider` before asking for `chat_app.chat_service()`.
    """
    monkeypatch.setenv("OPENAI_BASE_URL", fake_openai.base_url)
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-key")
    app = open_app()
    app.settings.provider.model = "fake-model"
    app.settings.provider.fast_model = "fake-fast-model"
    app.settings.provider.max_retries = 0
    app.settings.provider.timeout_seconds = 10.0
    try:
        yield app
    finally:
        app.close()
