"""Fixtures registered for every test (see tests/conftest.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.fake_openai import FakeOpenAIServer
from tests.support.postgres import postgres_server, team_store  # noqa: F401
from tests.support.stores import chat_app, store  # noqa: F401

pytest_plugins = ["tests.support.engines"]


@pytest.fixture
def fake_openai() -> Iterator[FakeOpenAIServer]:
    """A started fake OpenAI server on 127.0.0.1, closed (threads joined) after the test."""
    with FakeOpenAIServer() as server:
        yield server
