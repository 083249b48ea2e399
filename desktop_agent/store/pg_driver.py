"""psycopg 3 under peewee for the team store: the adapter, and telling a connection the
server dropped (restart, pg_terminate_backend, a cut network) from a refused statement."""

from __future__ import annotations

import select
import uuid
from typing import Any

from desktop_agent.store import engine


def psycopg3_adapter() -> Any:
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


_CONNECTION_LOST = (
    "server closed the connection",
    "terminating connection",
    "the connection is closed",
    "the connection is lost",
    "connection is lost",
    "consuming input failed",
    "connection refused",
    "could not connect",
    "connection failed",
    "connection timeout",
    "ssl syscall error",
    "broken pipe",
    "connection reset",
)


def is_connection_lost(exc: BaseException) -> bool:
    """Whether `exc` says the server connection is gone (not a refused statement)."""
    text = " ".join(str(exc).split()).lower()
    return any(fragment in text for fragment in _CONNECTION_LOST)


def connection_dropped(conn: Any) -> bool:
    """Whether an idle psycopg connection was closed by the server (checked without a
    round trip: a poll of its socket)."""
    if conn.closed or conn.broken:
        return True
    try:
        ready, _, _ = select.select([conn.fileno()], [], [], 0)
    except (OSError, ValueError):
        return True
    if not ready:
        return False
    pgconn = conn.pgconn
    try:
        pgconn.consume_input()
    except Exception:  # noqa: BLE001 - any failure to read from it means it is gone
        return True
    from psycopg.pq import ConnStatus

    return bool(pgconn.status == ConnStatus.BAD)


def is_read(sql: str) -> bool:
    words = sql.lstrip().split(None, 1)
    if not words or words[0].upper() not in ("SELECT", "SHOW"):
        return False
    upper = sql.upper()
    return not any(word in upper for word in ("INSERT ", "UPDATE ", "DELETE ", "NEXTVAL("))
