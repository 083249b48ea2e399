"""The hot paths' fixed SQL in SQLite's dialect (`?` placeholders, lastrowid).

Same names, same parameters in the same order as store.sql_postgres; store.engine.sql()
picks the module of the bound engine.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Sequence

NO_LIMIT = -1  # a LIMIT parameter meaning "all rows": SQLite's
TOUCH_SESSION = (
    "UPDATE session SET updated_at = ?, message_count = message_count + ?,"
    " preview = CASE WHEN ? IS NULL THEN preview ELSE ? END,"
    " title = CASE WHEN ? IS NOT NULL AND title = ? THEN ? ELSE title END"
    " WHERE id = ?"
)
LAST_ACTIVE = (
    "SELECT id, seq FROM message WHERE session_id = ? AND active ORDER BY seq DESC LIMIT 1"
)
INSERT_MESSAGE = (
    "INSERT INTO message (session_id, seq, parent_id, active, role, content, status,"
    " status_reason, model, weights, created_at, updated_at)"
    " VALUES (?, ?, ?, 1, ?, ?, ?, ?, ?, ?, ?, ?)"
)
# Bulk inserts go through a per-connection temporary table and reach `message` in one
# INSERT … SELECT, so the full-text trigger runs inside one statement: row by row, each
# row's statement savepoint makes FTS5 flush a new index segment (see
# store.import_sources, where this was measured: 21-25 → 6-8 µs of index work per row).
# The trigger still indexes every row, and the temporary table is part of the caller's
# transaction, so a rollback leaves nothing behind in either table.
_BULK_STAGING = (
    "CREATE TEMP TABLE IF NOT EXISTS message_staging (id INTEGER PRIMARY KEY,"
    " session_id TEXT, seq INTEGER, parent_id INTEGER, active INTEGER, role TEXT,"
    " content TEXT, status TEXT, status_reason TEXT, model TEXT, created_at REAL,"
    " updated_at REAL)"
)
_BULK_STAGE_MESSAGE = "INSERT INTO temp.message_staging VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
_BULK_INSERT_STAGED = (
    "INSERT INTO message (id, session_id, seq, parent_id, active, role, content, status,"
    " status_reason, model, weights, created_at, updated_at)"
    " SELECT id, session_id, seq, parent_id, active, role, content, status, status_reason,"
    " model, NULL, created_at, updated_at FROM temp.message_staging ORDER BY id"
)
INSERT_FEEDBACK = "INSERT INTO feedback (message_id, rating, tags, created_at) VALUES (?, ?, ?, ?)"
SESSION_OF = "SELECT session_id FROM message WHERE id = ?"
UPDATE_CONTENT = "UPDATE message SET content = ?, updated_at = ? WHERE id = ?"
FINISH_MESSAGE = (
    "UPDATE message SET content = ?, status = ?, status_reason = ?, updated_at = ? WHERE id = ?"
)


def insert_message(db: Any, params: Sequence[object]) -> int:
    """Run INSERT_MESSAGE; the new row's id."""
    return int(db.execute_sql(INSERT_MESSAGE, params).lastrowid or 0)


def reserve_message_ids(db: Any, count: int) -> list[int]:
    """Ids for a bulk insert that links each row to the previous one (inside the
    caller's write transaction, which holds SQLite's one write lock). AUTOINCREMENT
    never reuses an id, so start past both the largest id and the highest handed out."""
    top = db.execute_sql(
        "SELECT MAX(COALESCE((SELECT MAX(id) FROM message), 0),"
        " COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'message'), 0))"
    ).fetchone()[0]
    return list(range(int(top) + 1, int(top) + 1 + count))


def insert_messages(db: Any, rows: Sequence[Sequence[object]]) -> None:
    """Bulk insert of messages whose ids are already assigned, inside the caller's write
    transaction. Each row: (id, session_id, seq, parent_id, active, role, content,
    status, status_reason, model, created_at, updated_at)."""
    if not rows:
        return
    connection = db.connection()
    connection.execute(_BULK_STAGING)
    connection.execute("DELETE FROM temp.message_staging")
    connection.executemany(_BULK_STAGE_MESSAGE, rows)
    connection.execute(_BULK_INSERT_STAGED)
    connection.execute("DELETE FROM temp.message_staging")


# Imports (store/import_sources.py, store/session_trees.py).
INSERT_IMPORT_SOURCE_IF_NEW = (
    "INSERT OR IGNORE INTO import_source (session_id, app, source_id, instructions,"
    " imported_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)"
)
GREATEST = "MAX"  # the larger of two values (SQLite's scalar max)
# A conversation's messages go through a per-connection temporary table and reach
# `message` in one INSERT … SELECT. The full-text trigger then runs inside one statement:
# a row-by-row INSERT opens a statement savepoint per row, and FTS5 flushes its pending
# terms into a new index segment at every savepoint (measured: 21-25 µs per message of
# index work row by row, 6-8 µs through the staging table; the triggers still index every
# row, so the external-content index cannot disagree with the text).
_STAGING = (
    "CREATE TEMP TABLE IF NOT EXISTS import_staging (id INTEGER PRIMARY KEY, session_id TEXT,"
    " seq INTEGER, parent_id INTEGER, active INTEGER, role TEXT, content TEXT, status TEXT,"
    " model TEXT, created_at REAL)"
)
_STAGE_MESSAGE = "INSERT INTO temp.import_staging VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
_INSERT_STAGED = (
    "INSERT INTO message (id, session_id, seq, parent_id, active, role, content, status,"
    " status_reason, model, weights, created_at, updated_at)"
    " SELECT id, session_id, seq, parent_id, active, role, content, status, '', model, NULL,"
    " created_at, created_at FROM temp.import_staging ORDER BY id"
)


# A new conversation's rows are staged before its write transaction: the temporary
# table belongs to this connection's own temp database, so filling it takes no lock on
# the store, and the transaction only copies them across (ids offset past the largest).
# Rows are numbered from 1 ("rel"); a parent is named by its number.
_PRESTAGING = (
    "CREATE TEMP TABLE IF NOT EXISTS import_prestage (rel INTEGER PRIMARY KEY,"
    " session_id TEXT, seq INTEGER, parent_rel INTEGER, active INTEGER, role TEXT,"
    " content TEXT, status TEXT, model TEXT, created_at REAL, source_key TEXT, kind TEXT,"
    " reasoning TEXT)"
)
_PRESTAGE = "INSERT INTO temp.import_prestage VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
_INSERT_PRESTAGED = (
    "INSERT INTO message (id, session_id, seq, parent_id, active, role, content, status,"
    " status_reason, model, weights, created_at, updated_at)"
    " SELECT rel + ?1, session_id, seq, parent_rel + ?1, active, role, content, status, '',"
    " model, NULL, created_at, created_at FROM temp.import_prestage"
    " WHERE rel BETWEEN ?2 AND ?3 ORDER BY rel"
)
_LINK_PRESTAGED = (
    "INSERT INTO import_message (message_id, session_id, source_key, kind, reasoning)"
    " SELECT rel + ?1, session_id, source_key, kind, reasoning FROM temp.import_prestage"
    " WHERE rel BETWEEN ?2 AND ?3 ORDER BY rel"
)


def prestage_imported(db: Any, rows: Sequence[Sequence[object]]) -> None:
    """Replace the staged rows with `rows`, each (rel, session_id, seq, parent_rel,
    active, role, content, status, model, created_at, source_key, kind, reasoning).
    Call outside any transaction: only the temp database is written."""
    connection = db.connection()
    connection.execute(_PRESTAGING)
    if connection.in_transaction:  # a caller's transaction: the rows go into it
        connection.execute("DELETE FROM temp.import_prestage")
        connection.executemany(_PRESTAGE, rows)
        return
    connection.execute("BEGIN")  # deferred: it never asks for the store's write lock
    try:
        connection.execute("DELETE FROM temp.import_prestage")
        connection.executemany(_PRESTAGE, rows)
    except BaseException:
        connection.execute("ROLLBACK")
        raise
    connection.execute("COMMIT")


def insert_prestaged(db: Any, first: int, last: int, first_id: int) -> None:
    """Staged rows `first`..`last` into `message` and `import_message`, the first as
    `first_id` (inside the caller's write transaction)."""
    connection = db.connection()
    params = (first_id - first, first, last)
    connection.execute(_INSERT_PRESTAGED, params)
    connection.execute(_LINK_PRESTAGED, params)


def clear_prestaged(db: Any) -> None:
    connection = db.connection()
    connection.execute(_PRESTAGING)
    connection.execute("DELETE FROM temp.import_prestage")


def next_message_id(db: Any) -> int:
    """The id the next message may take (inside the write transaction; see
    reserve_message_ids)."""
    return reserve_message_ids(db, 1)[0]


def executemany(db: Any, statement: str, rows: Sequence[Sequence[object]]) -> None:
    """One statement over many rows on the raw connection (inside the caller's
    transaction; errors come as the driver's, see driver_errors)."""
    if rows:
        db.connection().executemany(statement, rows)


def insert_imported_messages(db: Any, rows: Sequence[Sequence[object]]) -> None:
    """Messages of an import, each (id, session_id, seq, parent_id, active, role, content,
    status, model, created_at), in one INSERT … SELECT (see _STAGING)."""
    connection = db.connection()
    connection.execute(_STAGING)
    connection.execute("DELETE FROM temp.import_staging")  # whatever a failure may have left
    connection.executemany(_STAGE_MESSAGE, rows)
    connection.execute(_INSERT_STAGED)
    connection.execute("DELETE FROM temp.import_staging")


def driver_errors() -> tuple[type[Exception], ...]:
    """The raw connection's refusals (peewee does not wrap what executemany raises)."""
    import sqlite3

    return (sqlite3.IntegrityError, sqlite3.DataError)
