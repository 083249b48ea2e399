"""A real, throwaway PostgreSQL 15 cluster (no pytest here: benchmarks use it too).

`initdb` + `pg_ctl` in a temporary directory, on a free port of 127.0.0.1. PostgreSQL
refuses to run as root, so as root the server runs as the `postgres` system user
through `runuser`.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path

from desktop_agent.store.engine import load_psycopg


class PostgresMissing(RuntimeError):
    """PostgreSQL 15's server binaries are not installed."""


def _server_binaries() -> Path:
    """PostgreSQL 15 (Debian 12's), else the newest server installed (Ubuntu ships 14/16)."""
    chosen = os.environ.get("DESKTOP_AGENT_PG_BIN")
    if chosen:
        return Path(chosen)
    preferred = Path("/usr/lib/postgresql/15/bin")
    if (preferred / "initdb").exists():
        return preferred
    installed = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/initdb"),
        key=lambda p: int(p.parent.parent.name) if p.parent.parent.name.isdigit() else 0,
    )
    return installed[-1].parent if installed else preferred


PG_BIN = _server_binaries()
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
    options: str = ""  # the server's command-line options (pg_ctl -o), for resume()

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

    def pause(self) -> None:
        """Stop the server as an administrator would (`pg_ctl stop -m fast`: every
        backend is told "terminating connection"); `resume()` starts it again."""
        self._pg_ctl("-m", "fast", "-w", "stop")

    def resume(self) -> None:
        self._pg_ctl("-o", self.options, "-l", str(self.directory / "server.log"), "-w", "start")

    def _pg_ctl(self, *args: str) -> None:
        command = [str(PG_BIN / "pg_ctl"), "-D", str(self.directory / "data"), *args]
        subprocess.run(_as_server_user(command), check=True, capture_output=True)

    def terminate_backends(self, role: str, database: str) -> int:
        """`pg_terminate_backend` every connection of `role` to `database` (as an
        administrator kicking a session); returns how many were ended."""
        rows = self.sql(
            "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) FROM pg_stat_activity"
            f" WHERE usename = '{role}' AND datname = '{database}'"
        )
        return int(rows[0][0])

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
        raise PostgresMissing(
            f"PostgreSQL 15 is not installed ({PG_BIN}); run scripts/postgres.sh as root"
        )
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
    server = PostgresServer("127.0.0.1", port, directory, options)
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
