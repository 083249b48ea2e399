"""Fixtures registered for every test (see tests/conftest.py)."""

from __future__ import annotations

from tests.support.fake_openai import fake_openai  # noqa: F401
from tests.support.postgres import postgres_server, team_store  # noqa: F401
from tests.support.stores import chat_app, store  # noqa: F401

pytest_plugins = ["tests.support.engines"]
