"""Opening a PostgreSQL team store (`postgresql://ROLE@HOST:PORT/DB`) and `store init`.

The password never passes through here in a URL: libpq reads PGPASSWORD and ~/.pgpass
itself, and the caller may hand over one from the OS keyring. Every failure becomes a
StoreError whose message names the server and says what to do.
"""

from __future__ import annotations

import functools
import re
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlsplit

from peewee import DatabaseError

from desktop_agent.domain.errors import InvalidInputError
from desktop_agent.store import engine, pg_schema
from desktop_agent.store.errors import ConflictError, StoreError, StoreOfflineError
from desktop_agent.store.pg_driver import is_connection_lost
from desktop_agent.store.pg_reconnect import ReconnectingPostgres

if TYPE_CHECKING:
    from collections.abc import Callable

STORE_URL_ENV = "DESKTOP_AGENT_STORE_URL"
CONNECT_TIMEOUT_SECONDS = 5


@dataclass(frozen=True)
class StoreAddress:
    """Where a team store is and who connects: the role is the member's user handle."""

    url: str
    role: str
    host: str
    port: int
    database: str

    @property
    def server(self) -> str:
        return f"{self.host}:{self.port}/{self.database}"

    @property
    def display(self) -> str:
        """What messages and the window show (never a password)."""
        return f"postgresql://{self.role}@{self.server}"


def parse_store_url(url: str) -> StoreAddress:
    """Check a team store URL; a password in it is refused (it would end up in settings,
    shell history and logs)."""
    text = url.strip()
    parts = urlsplit(text)
    if parts.scheme not in ("postgresql", "postgres"):
        raise InvalidInputError(
            f"a team store URL starts with postgresql://, got {text[:40]!r} "
            "(expected postgresql://ROLE@HOST:PORT/DB)"
        )
    if parts.password is not None:
        raise InvalidInputError(
            "the team store URL contains a password: leave it out and use PGPASSWORD, "
            "~/.pgpass or Settings → Storage (the OS keyring) instead"
        )
    role = unquote(parts.username or "")
    database = unquote(parts.path.lstrip("/"))
    if not role or not database or not parts.hostname:
        raise InvalidInputError(
            f"a team store URL needs a role, a host and a database: "
            f"postgresql://ROLE@HOST:PORT/DB (got {text!r})"
        )
    try:
        port = parts.port or 5432
    except ValueError as exc:
        raise InvalidInputError(f"the team store URL has a bad port: {exc}") from exc
    clean = f"postgresql://{parts.netloc}/{parts.path.lstrip('/')}"
    return StoreAddress(clean, role, parts.hostname, port, database)


class TeamDatabase(ReconnectingPostgres):
    """PostgresqlDatabase on psycopg 3, which store/__init__ hides from peewee's import
    (so peewee's own driver detection found nothing): the adapter is bound here.

    A dropped connection is replaced as store/pg_reconnect.py says; what cannot be
    retried raises StoreOfflineError naming the server.
    """

    # Whether `store init` created da_append_message (one round trip per append); a store
    # initialised by an older build lacks it until its owner runs store init again.
    append_function = False
    # Why the server could not be reached when this store was bound without connecting
    # (bind_unreachable_team_store): every statement fails at once with it instead of
    # waiting on the network (up to the connect timeout) on the caller's thread; the
    # window's probe, on a connection of its own, notices the server coming back.
    unreachable = ""

    def init(self, database: str | None, **kwargs: Any) -> None:  # type: ignore[override]
        super().init(database, **kwargs)
        self._adapter = _psycopg3_adapter()
        self.address: StoreAddress | None = None

    def _connect(self) -> Any:
        if self.unreachable:
            raise StoreOfflineError(self.unreachable)
        return super()._connect()

    def _offline(self, exc: BaseException) -> StoreOfflineError:
        if self.address is None:
            return StoreOfflineError(" ".join(str(exc).split()))
        return StoreOfflineError(problem_message(self.address, exc))

    def execute_sql(self, sql: str, params: Any = None, *args: Any, **kwargs: Any) -> Any:
        # Fixed SQL that is the same on both engines but for its placeholders is written
        # once, in SQLite's `?` style (store/message_rows.py...); what differs more
        # (RETURNING, sequences, booleans, full-text search) is in store.sql_postgres.
        if params and "?" in sql:
            sql = pg_placeholders(sql)
        try:
            return super().execute_sql(sql, params, *args, **kwargs)
        except DatabaseError as exc:
            psycopg = engine.load_psycopg()
            causes = (exc.__cause__, exc.__context__, *exc.args)
            if is_connection_lost(exc):
                return self._after_drop(exc, sql, params, *args, **kwargs)
            if any(isinstance(c, psycopg.errors.InsufficientPrivilege) for c in causes):
                detail = " ".join(str(exc).split())
                # Row-level security or a missing grant: say whose rule it is.
                raise ConflictError(
                    f"the team store refused this change ({detail}): on a team store, "
                    "another member's rows cannot be changed, and a shared agent, snapshot "
                    "or experiment only as docs/team-store.md says"
                ) from exc
            raise


_PLACEHOLDER_TOKENS = re.compile(r"'(?:[^']|'')*'|\?|%")


@functools.lru_cache(maxsize=512)
def pg_placeholders(sql: str) -> str:
    """SQLite's `?` placeholders as psycopg's `%s`; a `?` in a quoted string stays, and
    every literal % is doubled (psycopg reads % everywhere once parameters are passed)."""

    def swap(match: re.Match[str]) -> str:
        token = match.group(0)
        return {"?": "%s", "%": "%%"}.get(token) or token.replace("%", "%%")

    return _PLACEHOLDER_TOKENS.sub(swap, sql)


def _psycopg3_adapter() -> Any:
    import peewee

    psycopg = engine.load_psycopg()
    from psycopg.pq import TransactionStatus
    from psycopg.types.json import Json, Jsonb

    class Adapter(peewee.Psycopg3Adapter):
        txn_idle = TransactionStatus.IDLE
        txn_inerror = TransactionStatus.INERROR
        txn_unknown = TransactionStatus.UNKNOWN

        def __init__(self) -> None:
            super().__init__()
            self.json_type, self.jsonb_type = Json, Jsonb

        def check_driver(self) -> None:
            return None

        def get_binary_type(self) -> Any:
            return psycopg.Binary

        def connect(self, db: Any, **params: Any) -> Any:
            return psycopg.connect(db.database, **params)

        def server_side_cursor(self, conn: Any) -> Any:
            in_txn = self.txn_status(conn) == TransactionStatus.INTRANS
            return conn.cursor(name=uuid.uuid1().hex, withhold=not in_txn)

    return Adapter()


def connect_params(password: str | None) -> dict[str, Any]:
    params: dict[str, Any] = {
        "connect_timeout": CONNECT_TIMEOUT_SECONDS,
        "application_name": "desktop-agent",
        # A dead server or a cut network is noticed within ~20 s instead of hanging.
        "keepalives": 1,
        "keepalives_idle": 10,
        "keepalives_interval": 5,
        "keepalives_count": 2,
    }
    if password:
        params["password"] = password
    return params


def problem_message(address: StoreAddress, exc: BaseException) -> str:
    """What went wrong with the team store and what the person can do about it."""
    detail = " ".join(str(exc).split())
    low = detail.lower()
    where = f"the team store at {address.server}"
    if "password authentication failed" in low or "no password supplied" in low:
        return (
            f"{where} refused the password of role {address.role!r}: set PGPASSWORD, add "
            "the password to ~/.pgpass, or save it in Settings → Storage"
        )
    if "role" in low and "does not exist" in low:
        return (
            f"{where} has no role {address.role!r}: ask the store's owner to create it "
            f"(CREATE ROLE ... LOGIN; GRANT {pg_schema.MEMBERS_ROLE} TO ...)"
        )
    if "database" in low and "does not exist" in low:
        return f"{where} does not exist: check the database name, or ask the owner to create it"
    if "permission denied" in low or "insufficient privilege" in low:
        return (
            f"role {address.role!r} has no rights on {where}: ask the store's owner to run "
            f'GRANT {pg_schema.MEMBERS_ROLE} TO "{address.role}"'
        )
    if any(
        word in low
        for word in (
            "connection refused",
            "could not connect",
            "timeout",
            "timed out",
            "could not translate host",
            "server closed",
            "connection is lost",
            "terminating connection",
            "connection failed",
            "consuming input failed",
            "the connection is closed",
        )
    ):
        return (
            f"{where} cannot be reached ({detail}). Check that the server is running and "
            "the network is up; nothing you wrote is lost, and the app retries by itself"
        )
    return f"{where} reported a problem: {detail}"


def open_team_store(url: str, *, password: str | None = None) -> StoreAddress:
    """Connect as the URL's role, check the schema, and bind the store to it."""
    db, address = _connect_checked(url, password)
    engine.bind(db, team_role=address.role)
    return address


def bind_unreachable_team_store(url: str, reason: StoreOfflineError) -> StoreAddress:
    """Bind the store to the team store at `url` without connecting: its server could not
    be reached at start-up (`reason`), and the window opens offline all the same. Every
    statement raises StoreOfflineError(reason) until open_team_store binds the store
    again, once the server answers (checking the role and schema as any start does)."""
    address = parse_store_url(url)
    db = TeamDatabase(address.url)
    db.address = address
    db.unreachable = str(reason)
    engine.bind(db, team_role=address.role)
    return address


def check_team_store(url: str, *, password: str | None = None) -> StoreAddress:
    """Whether the team store at `url` can be opened now (reachable, the role let in, a
    schema this version uses), on a connection of its own that is closed after. Raises
    StoreOfflineError (unreachable) or StoreError naming what is wrong."""
    db, address = _connect_checked(url, password)
    db.close()
    return address


def _connect_checked(url: str, password: str | None) -> tuple[TeamDatabase, StoreAddress]:
    address = parse_store_url(url)
    db = TeamDatabase(address.url, **connect_params(password))
    db.address = address
    try:
        db.connect()
        version = _schema_version(db, address)
    except StoreError:
        db.close()
        raise
    except (DatabaseError, ConflictError) as exc:  # ConflictError: no rights (execute_sql)
        db.close()
        raise StoreError(problem_message(address, exc)) from exc
    latest = pg_schema.latest_version()
    if version > latest:
        db.close()
        raise StoreError(
            f"the team store at {address.server} has schema {version}, written by a newer "
            f"Desktop Agent (this one knows up to {latest}). Nothing was changed: please "
            "upgrade Desktop Agent"
        )
    if version < latest:
        db.close()
        raise StoreError(
            f"the team store at {address.server} has schema {version}; this Desktop Agent "
            f"needs {latest}. Ask the store's owner to run: desktop-agent store init "
            f"{address.display}"
        )
    db.append_function = _has_append_function(db)
    return db, address


def _has_append_function(db: TeamDatabase) -> bool:
    row = db.execute_sql(
        "SELECT to_regprocedure('da_append_message(text, text, text, text, text, text, text,"
        " double precision, text, text, text)') IS NOT NULL"
    ).fetchone()
    return bool(row[0])


def _schema_version(db: TeamDatabase, address: StoreAddress) -> int:
    psycopg = engine.load_psycopg()
    try:
        row = db.execute_sql(f"SELECT max(version) FROM {pg_schema.VERSION_TABLE}").fetchone()
    except DatabaseError as exc:
        # peewee re-raises the driver's error with the original as its argument.
        causes = (exc.__cause__, exc.__context__, *exc.args)
        if any(isinstance(c, psycopg.errors.UndefinedTable) for c in causes):
            raise StoreError(
                f"{address.server} is not a Desktop Agent team store yet: its owner "
                f"creates one with: desktop-agent store init {address.display}"
            ) from exc
        raise
    return int(row[0] or 0)


def init_team_store(
    url: str, *, password: str | None = None, progress: Callable[[str], None] | None = None
) -> int:
    """Create or upgrade the team store's schema, in one transaction. Returns the version.

    Run by the role that owns the database. A newer schema is refused unchanged.
    """
    address = parse_store_url(url)
    db = TeamDatabase(address.url, **connect_params(password))
    try:
        db.connect()
        with db.atomic():
            schema = db.execute_sql("SELECT current_schema()").fetchone()[0]
            _ensure_members_role(db, address)
            db.execute_sql(
                f"CREATE TABLE IF NOT EXISTS {pg_schema.VERSION_TABLE} (version integer NOT NULL)"
            )
            # One init at a time: a second one waits here, then sees the new version.
            db.execute_sql(f"LOCK TABLE {pg_schema.VERSION_TABLE} IN EXCLUSIVE MODE")
            current = int(
                db.execute_sql(f"SELECT max(version) FROM {pg_schema.VERSION_TABLE}").fetchone()[0]
                or 0
            )
            latest = pg_schema.latest_version()
            if current > latest:
                raise StoreError(
                    f"the team store at {address.server} has schema {current}, written by a "
                    f"newer Desktop Agent (this one knows up to {latest}). Nothing was changed"
                )
            for version, script in pg_schema.MIGRATIONS:
                if version > current:
                    if progress is not None:
                        progress(f"schema {version}")
                    db.execute_sql(pg_schema.render(script, schema))
            db.execute_sql(pg_schema.render(pg_schema.ROUTINES, schema))
            _ensure_default_agent(db)
            if current < latest:
                db.execute_sql(f"DELETE FROM {pg_schema.VERSION_TABLE}")
                db.execute_sql(
                    f"INSERT INTO {pg_schema.VERSION_TABLE} (version) VALUES (%s)", (latest,)
                )
            return latest
    except StoreError:
        raise
    except (DatabaseError, ConflictError) as exc:
        raise StoreError(problem_message(address, exc)) from exc
    finally:
        db.close()


def _ensure_members_role(db: TeamDatabase, address: StoreAddress) -> None:
    exists = db.execute_sql(
        "SELECT 1 FROM pg_roles WHERE rolname = %s", (pg_schema.MEMBERS_ROLE,)
    ).fetchone()
    if exists:
        return
    try:
        with db.atomic():
            db.execute_sql(f'CREATE ROLE "{pg_schema.MEMBERS_ROLE}" NOLOGIN')
    except DatabaseError as exc:
        raise StoreError(
            f"the team store at {address.server} needs the group role "
            f"{pg_schema.MEMBERS_ROLE!r}, and role {address.role!r} may not create roles: "
            f"ask an administrator to run CREATE ROLE {pg_schema.MEMBERS_ROLE} NOLOGIN, then "
            "run store init again"
        ) from exc


def _ensure_default_agent(db: TeamDatabase) -> None:
    """The default agent belongs to the owner, so no member can change it for the team."""
    import json

    from desktop_agent.domain.weights import DEFAULT_WEIGHTS
    from desktop_agent.store.agents import DEFAULT_AGENT, DEFAULT_SYSTEM_PROMPT
    from desktop_agent.store.clock import now

    db.execute_sql(
        "INSERT INTO agent (name, system_prompt, baseline, created_at) VALUES (%s, %s, %s, %s)"
        " ON CONFLICT (name) DO NOTHING",
        (DEFAULT_AGENT, DEFAULT_SYSTEM_PROMPT, json.dumps(dict(DEFAULT_WEIGHTS)), now()),
    )
