"""Telling a team store connection the server dropped (restart, pg_terminate_backend, a
cut network) from a statement the server refused."""

from __future__ import annotations

import select
from typing import Any

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
    # The server's host cannot be found or routed to: a network that is down.
    "could not translate host name",
    "network is unreachable",
    "no route to host",
)


# A connection the server answered and refused: libpq's text says "connection failed"
# too, but retrying will not help and the person has something to fix (store/team.py's
# problem_message says what), so it is no lost connection.
_REFUSED = (
    "password authentication failed",
    "no password supplied",
    "does not exist",
    "pg_hba.conf",
    "permission denied",
)


def is_connection_lost(exc: BaseException) -> bool:
    """Whether `exc` says the server connection is gone or cannot be made (not a refused
    statement or login)."""
    text = " ".join(str(exc).split()).lower()
    if any(fragment in text for fragment in _REFUSED):
        return False
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
