"""Database connections for work done off the UI thread: one per job, closed after it."""

from __future__ import annotations

from contextlib import contextmanager
from typing import TYPE_CHECKING

from desktop_agent.store.db import database

if TYPE_CHECKING:
    from collections.abc import Iterator


@contextmanager
def store_connection() -> Iterator[None]:
    """Give the calling thread its own connection for the block, and close it after.

    SQLite connections are per thread (peewee's default); a worker thread wraps its
    whole job in this so every use case it calls shares one connection, and the
    connection never outlives the thread.
    """
    with database.connection_context():
        yield
