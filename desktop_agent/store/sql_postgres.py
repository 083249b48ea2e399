"""The hot paths' fixed SQL in PostgreSQL's dialect (`%s` placeholders, RETURNING,
sequences, full-text search through da_search).

Same names, same parameters in the same order as store.sql_sqlite. psycopg sends text
parameters untyped, so a parameter only tested for NULL is cast to text.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Sequence

NO_LIMIT = None  # a LIMIT parameter meaning "all rows": PostgreSQL's (LIMIT NULL)
TOUCH_SESSION = (
    "UPDATE session SET updated_at = %s, message_count = message_count + %s,"
    " preview = CASE WHEN %s::text IS NULL THEN preview ELSE %s END,"
    " title = CASE WHEN %s::text IS NOT NULL AND title = %s THEN %s ELSE title END"
    " WHERE id = %s"
)
LAST_ACTIVE = (
    "SELECT id, seq FROM message WHERE session_id = %s AND active ORDER BY seq DESC LIMIT 1"
)
INSERT_MESSAGE = (
    "INSERT INTO message (session_id, seq, parent_id, active, role, content, status,"
    " status_reason, model, weights, created_at, updated_at)"
    " VALUES (%s, %s, %s, true, %s, %s, %s, %s, %s, %s, %s, %s) RETURNING id"
)
INSERT_MESSAGES = (
    "INSERT INTO message (id, session_id, seq, parent_id, active, role, content, status,"
    " status_reason, model, weights, created_at, updated_at)"
    " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, NULL, %s, %s)"
)
INSERT_FEEDBACK = (
    "INSERT INTO feedback (message_id, rating, tags, created_at) VALUES (%s, %s, %s, %s)"
)
SESSION_OF = "SELECT session_id FROM message WHERE id = %s"
UPDATE_CONTENT = "UPDATE message SET content = %s, updated_at = %s WHERE id = %s"
FINISH_MESSAGE = (
    "UPDATE message SET content = %s, status = %s, status_reason = %s, updated_at = %s"
    " WHERE id = %s"
)
# A streaming flush and a reply's end in one statement each (one round trip, its own
# transaction) instead of BEGIN, the message's session, two UPDATEs, COMMIT. No row: no
# such message (or not the member's).
_TOUCH_FROM_MESSAGE = (
    " UPDATE session AS s SET updated_at = %s, preview = COALESCE(%s::text, s.preview)"
    " FROM m WHERE s.id = m.session_id RETURNING s.id"
)
UPDATE_CONTENT_AND_TOUCH = (
    "WITH m AS (UPDATE message SET content = %s, updated_at = %s WHERE id = %s"
    f" RETURNING session_id){_TOUCH_FROM_MESSAGE}"
)
FINISH_MESSAGE_AND_TOUCH = (
    "WITH m AS (UPDATE message SET content = %s, status = %s, status_reason = %s,"
    f" updated_at = %s WHERE id = %s RETURNING session_id){_TOUCH_FROM_MESSAGE}"
)
SEARCH = "SELECT id, session_id, title, role, created_at, snippet FROM da_search(%s, %s, %s)"

_TOKEN = re.compile(r"\w+", re.UNICODE)


def insert_message(db: Any, params: Sequence[object]) -> int:
    """Run INSERT_MESSAGE; the new row's id."""
    return int(db.execute_sql(INSERT_MESSAGE, params).fetchone()[0])


def insert_messages(db: Any, rows: Sequence[Sequence[object]]) -> None:
    """Bulk insert of messages whose ids are already assigned, inside the caller's write
    transaction. Each row: (id, session_id, seq, parent_id, active, role, content,
    status, status_reason, model, created_at, updated_at)."""
    if rows:
        db.cursor().executemany(
            INSERT_MESSAGES, [(*row[:4], bool(row[4]), *row[5:]) for row in rows]
        )


# One append in one round trip (pg_schema.ROUTINES); no row: no such session.
APPEND_MESSAGE = (
    "SELECT new_id, new_seq, new_parent FROM da_append_message(%s, %s, %s, %s, %s, %s, %s,"
    " %s, %s, %s, %s)"
)


def append_message(db: Any, params: Sequence[object]) -> tuple[int, int, int | None] | None:
    """Run APPEND_MESSAGE: the new row's id, position and parent, or None."""
    row = db.execute_sql(APPEND_MESSAGE, params).fetchone()
    return None if row is None else (int(row[0]), int(row[1]), row[2])


def reserve_message_ids(db: Any, count: int) -> list[int]:
    """Ids for a bulk insert that links each row to the previous one: drawn from the
    sequence, since other members insert at the same time (and max(id) sees only ours)."""
    rows = db.execute_sql(
        "SELECT nextval(pg_get_serial_sequence('message', 'id')) FROM generate_series(1, %s)",
        (count,),
    ).fetchall()
    return [int(row[0]) for row in rows]


def tsquery(text: str, *, min_prefix_chars: int) -> str | None:
    """What a person types as a to_tsquery text: every word must match, the last one (of
    `min_prefix_chars`+ letters) as a prefix; the same rule as the SQLite FTS5 query.
    Words are runs of \\w only, so no tsquery operator can slip in."""
    words = _TOKEN.findall(text)
    if not words:
        return None
    quoted = [f"'{w}'" for w in words]
    if len(words[-1]) >= min_prefix_chars:
        quoted[-1] += ":*"
    return " & ".join(quoted)


# Imports (store/import_sources.py, store/session_trees.py).
INSERT_IMPORT_SOURCE_IF_NEW = (
    "INSERT INTO import_source (session_id, app, source_id, instructions,"
    " imported_at, updated_at) VALUES (%s, %s, %s, %s, %s, %s) ON CONFLICT DO NOTHING"
)
GREATEST = "GREATEST"  # the larger of two values
_INSERT_IMPORTED = (
    "INSERT INTO message (id, session_id, seq, parent_id, active, role, content, status,"
    " status_reason, model, weights, created_at, updated_at)"
    " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, '', %s, NULL, %s, %s)"
)


def executemany(db: Any, statement: str, rows: Sequence[Sequence[object]]) -> None:
    """One statement over many rows on the raw connection (inside the caller's
    transaction; errors come as the driver's, see driver_errors). Statements are
    written with SQLite's `?` placeholders where the SQL is otherwise the same."""
    from desktop_agent.store.team import pg_placeholders

    if "?" in statement:
        statement = pg_placeholders(statement)
    if rows:
        with db.connection().cursor() as cursor:
            cursor.executemany(statement, rows)


def insert_imported_messages(db: Any, rows: Sequence[Sequence[object]]) -> None:
    """Messages of an import, each (id, session_id, seq, parent_id, active, role, content,
    status, model, created_at): psycopg pipelines executemany, and the tsvector column
    needs no staging."""
    executemany(db, _INSERT_IMPORTED, [(*row, row[-1]) for row in rows])


def driver_errors() -> tuple[type[Exception], ...]:
    """The raw connection's refusals (peewee does not wrap what executemany raises)."""
    from desktop_agent.store.engine import load_psycopg

    psycopg = load_psycopg()
    return (psycopg.IntegrityError, psycopg.DataError)
