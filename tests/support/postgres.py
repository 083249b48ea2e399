"""Fixtures over a real, throwaway PostgreSQL 15 cluster for the team-store tests
(tests/support/pg_cluster.py): started once per test session, stopped at the end. Every
test gets a fresh database copied from one `store init` made, with alice and bob as
members.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from desktop_agent.store.engine import load_psycopg
from tests.support.pg_cluster import (
    INITIALISED,
    MEMBERS,
    OWNER,
    PASSWORD,
    PASSWORD_ROLE,
    PostgresMissing,
    PostgresServer,
    start_server,
)

__all__ = ["OWNER", "PASSWORD", "PASSWORD_ROLE", "PostgresServer", "TeamStore"]


@dataclass
class TeamStore:
    """A fresh database initialised by `store init`, with alice and bob as members."""

    server: PostgresServer
    database: str

    def url(self, role: str) -> str:
        return self.server.url(role, self.database)

    def sql(self, statement: str, role: str, params: tuple = ()) -> list:
        """Raw SQL as `role`, as a member with psql would run it (autocommit)."""
        psycopg = load_psycopg()

        with psycopg.connect(self.url(role), autocommit=True) as conn:
            cursor = conn.execute(statement, params)
            return cursor.fetchall() if cursor.description else []


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    try:
        server = start_server()
    except PostgresMissing as exc:
        pytest.skip(str(exc))
    try:
        yield server
    finally:
        server.stop()
        shutil.rmtree(server.directory, ignore_errors=True)


@pytest.fixture
def team_store(postgres_server: PostgresServer) -> Iterator[TeamStore]:
    name = postgres_server.new_database(INITIALISED)
    try:
        yield TeamStore(postgres_server, name)
    finally:
        from desktop_agent.store.db import close_database

        close_database()
        postgres_server.sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def open_team_store_as_member(request: pytest.FixtureRequest) -> Iterator[Path]:
    """For the `store` fixture: a fresh team store, opened as member alice."""
    from desktop_agent.store import agents
    from desktop_agent.store.team import open_team_store

    global _member_url
    team: TeamStore = request.getfixturevalue("team_store")
    _member_url = team.url(MEMBERS[0])
    open_team_store(_member_url)
    agents.ensure_defaults()
    try:
        yield Path(_member_url)
    finally:
        _member_url = None


_member_url: str | None = None
TABLES = (
    "agent",
    "user_profile",
    "learned_state",
    "session",
    "message",
    "feedback",
    "weight_event",
    "compaction",
    "snapshot",
    "experiment",
    "experiment_assignment",
)


def dump_team_store() -> list[str]:
    """Every row the `store` fixture's member sees, through a second connection."""
    assert _member_url is not None, "no team store is open"
    psycopg = load_psycopg()
    out: list[str] = []
    with psycopg.connect(_member_url, autocommit=True) as conn:
        for table in TABLES:
            rows = conn.execute(f"SELECT * FROM {table} ORDER BY 1, 2").fetchall()
            out.extend(f"{table}: {row!r}" for row in rows)
    return out
