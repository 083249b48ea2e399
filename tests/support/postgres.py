"""A real, throwaway PostgreSQL 15 cluster for the team-store tests.

Started once per test session (`initdb` + `pg_ctl` in a temporary directory, on a free
port of 127.0.0.1), stopped at the end. PostgreSQL refuses to run as root, so as root the
server runs as the `postgres` system user through `runuser`. Every test gets a fresh
database initialised by `store init` and its own member roles.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from desktop_agent.store.engine import load_psycopg

PG_BIN = Path(os.environ.get("DESKTOP_AGENT_PG_BIN", "/usr/lib/postgresql/15/bin"))
SUPERUSER = "da_super"
OWNER = "team_owner"  # owns every test database and runs `store init`
MEMBERS = ("alice", "bob", "carol")
PASSWORD_ROLE = "pat"  # the one role that logs in with a password (wrong-password tests)
PASSWORD = "correct horse"
INITIALISED = "team_initialised"  # the template every test's team store is copied from


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _as_server_user(args: list[str]) -> list[str]:
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *args]
    return args


@dataclass
class PostgresServer:
    """A running cluster: connection URLs per role and a superuser SQL helper."""

    host: str
    port: int
    directory: Path

    def url(self, role: str, database: str = "postgres") -> str:
        return f"postgresql://{role}@{self.host}:{self.port}/{database}"

    def sql(self, statement: str, *, database: str = "postgres", role: str = SUPERUSER) -> list:
        psycopg = load_psycopg()

        with psycopg.connect(self.url(role, database), autocommit=True) as conn:
            cursor = conn.execute(statement)
            return cursor.fetchall() if cursor.description else []

    def new_database(self, template: str = "template0") -> str:
        name = f"team_{uuid.uuid4().hex[:10]}"
        self.sql(f'CREATE DATABASE "{name}" OWNER "{OWNER}" TEMPLATE "{template}"')
        return name

    def stop(self) -> None:
        subprocess.run(
            _as_server_user(
                [
                    str(PG_BIN / "pg_ctl"),
                    "-D",
                    str(self.directory / "data"),
                    "-m",
                    "immediate",
                    "-w",
                    "stop",
                ]
            ),
            check=False,
            capture_output=True,
        )


def start_server(*, durable: bool = False) -> PostgresServer:
    """`durable`: fsync and synchronous commit on, as a real server (benchmarks)."""
    if not (PG_BIN / "initdb").exists():
        pytest.skip(f"PostgreSQL 15 is not installed ({PG_BIN}); run scripts/postgres.sh as root")
    directory = Path(tempfile.mkdtemp(prefix="desktop-agent-pg-"))
    if os.geteuid() == 0:
        shutil.chown(directory, "postgres")
    data = directory / "data"
    subprocess.run(
        _as_server_user(
            [
                str(PG_BIN / "initdb"),
                "-D",
                str(data),
                "-U",
                SUPERUSER,
                "--auth=trust",
                "-E",
                "UTF8",
                "--locale=C.UTF-8",
                "--no-sync",
            ]
        ),
        check=True,
        capture_output=True,
    )
    # Every role but one logs in without a password over loopback; PASSWORD_ROLE needs
    # its password (scram), so a wrong one can be tested against the real server.
    hba = data / "pg_hba.conf"
    hba_text = (
        f"host all {PASSWORD_ROLE} 127.0.0.1/32 scram-sha-256\n"
        "host all all 127.0.0.1/32 trust\n"
        "local all all trust\n"
    )
    subprocess.run(
        _as_server_user(["sh", "-c", f"cat > {hba}"]), input=hba_text.encode(), check=True
    )
    port = _free_port()
    options = f"-p {port} -c listen_addresses=127.0.0.1 -k {directory} -c max_connections=60"
    if not durable:  # tests: nothing here must survive a power cut
        options += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
    subprocess.run(
        _as_server_user(
            [
                str(PG_BIN / "pg_ctl"),
                "-D",
                str(data),
                "-o",
                options,
                "-l",
                str(directory / "server.log"),
                "-w",
                "start",
            ]
        ),
        check=True,
        capture_output=True,
    )
    server = PostgresServer("127.0.0.1", port, directory)
    server.sql(f'CREATE ROLE "{OWNER}" LOGIN CREATEROLE')
    for member in MEMBERS:
        server.sql(f'CREATE ROLE "{member}" LOGIN')
    server.sql(f"CREATE ROLE \"{PASSWORD_ROLE}\" LOGIN PASSWORD '{PASSWORD}'")
    # Each test copies a database `store init` made once: a file copy, ~20x faster.
    from desktop_agent.store.team import init_team_store

    server.sql(f'CREATE DATABASE "{INITIALISED}" OWNER "{OWNER}" TEMPLATE template0')
    init_team_store(server.url(OWNER, INITIALISED))
    server.sql(f'GRANT desktop_agent_members TO "{MEMBERS[0]}", "{MEMBERS[1]}"')
    return server


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
    server = start_server()
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
