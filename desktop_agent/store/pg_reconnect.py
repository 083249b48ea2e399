"""A PostgreSQL database (peewee) that survives its server dropping the connection: a
restart, `pg_terminate_backend`, a cut network.

A dropped connection is replaced before the next statement is sent, when nothing is
open on it; an outermost BEGIN and a plain read the connection dropped under are sent
once more on a fresh one. A write whose outcome is unknown raises StoreOfflineError:
applying it twice could duplicate it, so the caller decides (an idempotent one, like a
streamed reply's flush, just retries).
"""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING, Any

from peewee import DatabaseError, PostgresqlDatabase

from desktop_agent.store.errors import StoreOfflineError
from desktop_agent.store.pg_driver import connection_dropped, is_connection_lost, is_read

if TYPE_CHECKING:
    from collections.abc import Callable


class ReconnectingPostgres(PostgresqlDatabase):
    # peewee's per-thread connection state and hooks (not in its type stubs).
    _state: Any
    _initialize_connection: Callable[[Any], None]

    address: Any = None  # set by the subclass: where the server is, for its messages

    def _offline(self, exc: BaseException) -> StoreOfflineError:
        """The error a dropped connection becomes (the subclass names the server)."""
        return StoreOfflineError(" ".join(str(exc).split()))

    def _connect(self) -> Any:
        try:
            return super()._connect()  # type: ignore[misc]
        except Exception as exc:
            if self.address is not None and is_connection_lost(exc):
                raise self._offline(exc) from exc
            raise

    def cursor(self, named_cursor: Any = None) -> Any:
        if not self.is_closed() and not self.in_transaction():
            self._replace_if_dropped()
        return super().cursor(named_cursor)

    def begin(self, *args: Any, **kwargs: Any) -> None:
        # A BEGIN sent on a connection the server just dropped did nothing: the
        # outermost one is safely sent again on a fresh connection.
        try:
            super().begin(*args, **kwargs)
        except DatabaseError as exc:
            if not is_connection_lost(exc):
                raise
            if self.in_transaction():
                raise self._offline(exc) from exc
            self._reconnect()
            try:
                super().begin(*args, **kwargs)
            except DatabaseError as again:
                if is_connection_lost(again):
                    raise self._offline(again) from again
                raise

    def rollback(self) -> None:
        conn = None if self.is_closed() else self._state.conn
        if conn is not None and (conn.closed or conn.broken):
            return  # the server discarded the transaction together with the connection
        super().rollback()

    def commit(self) -> None:
        try:
            super().commit()
        except DatabaseError as exc:
            if is_connection_lost(exc):
                raise self._offline(exc) from exc  # committed or not: unknown
            raise

    def _replace_if_dropped(self) -> None:
        """Reconnect when the server has closed this idle connection (its socket has
        the server's goodbye, or EOF, waiting: an idle connection gets nothing else)."""
        if connection_dropped(self._state.conn):
            self._reconnect()

    def _reconnect(self) -> None:
        """Swap this thread's dead connection for a fresh one. Only the connection is
        swapped: peewee's per-thread state (connection contexts) stays as it is. When the
        server cannot be reached the dead one stays, to be replaced by the next call."""
        with contextlib.suppress(Exception):
            self._state.conn.close()
        try:
            fresh = self._connect()
            self._initialize_connection(fresh)
        except StoreOfflineError:
            raise
        except Exception as exc:
            raise self._offline(exc) from exc
        self._state.conn = fresh

    def _after_drop(
        self, exc: DatabaseError, sql: str, params: Any, *args: Any, **kwargs: Any
    ) -> Any:
        # Inside a transaction the transaction's own rollback meets the closed
        # connection, and the next statement after it replaces the connection.
        if self.in_transaction() or not is_read(sql):
            raise self._offline(exc) from exc
        self._reconnect()
        try:
            return super().execute_sql(sql, params, *args, **kwargs)
        except DatabaseError as again:
            if is_connection_lost(again):
                raise self._offline(again) from again
            raise
