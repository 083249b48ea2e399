"""Which database engine the store is bound to: the data dir's SQLite file (default) or
a PostgreSQL team store. One `DatabaseProxy` is the store's database for every model
and query; this module binds it at start-up and tells callers which dialect speaks."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from peewee import DatabaseProxy

if TYPE_CHECKING:
    from types import ModuleType

    from peewee import Database

database = DatabaseProxy()
# The data dir's SQLite database (store.db defines it and registers it at import).
_sqlite: Database | None = None
# On a team store, the PostgreSQL role connected: the member's user handle.
_team_role: str | None = None


def bind(target: Database, *, team_role: str | None = None) -> None:
    """Point every model and query at `target` (closing the previous engine first)."""
    global _team_role
    current = database.obj
    if current is not None and current is not target and not current.is_closed():
        current.close()
    database.initialize(target)
    _team_role = team_role


def team_role() -> str | None:
    """The member's role (= user handle) on a team store; None on SQLite."""
    return _team_role if is_postgres() else None


def register_sqlite(target: Database) -> None:
    """The default engine, bound until a team store is opened."""
    global _sqlite
    _sqlite = target
    bind(target)


def is_postgres() -> bool:
    return database.obj is not _sqlite


def load_psycopg() -> ModuleType:
    """Import the PostgreSQL driver that store/__init__ hid from peewee at start-up."""
    if sys.modules.get("psycopg", False) is None:
        del sys.modules["psycopg"]
    import psycopg

    return psycopg


def sql() -> ModuleType:
    """The fixed SQL of the hot paths, in the bound engine's dialect."""
    if is_postgres():
        from desktop_agent.store import sql_postgres

        return sql_postgres
    from desktop_agent.store import sql_sqlite

    return sql_sqlite


def use_sqlite() -> None:
    """Back to the data dir's SQLite file (closing the team store's connection)."""
    assert _sqlite is not None, "store.db registers the SQLite engine at import"
    bind(_sqlite)
