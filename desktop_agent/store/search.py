"""Full-text search over every message in the conversations as shown (SQLite FTS5):
newest hits first, with snippets. Versions replaced by a regenerate or an edit are left
out, since opening such a hit could not show it."""

from __future__ import annotations

import re

from desktop_agent.store import engine
from desktop_agent.store.db import database
from desktop_agent.store.records import SearchHit

# Private-use characters mark hits inside snippets; they cannot occur in a query term.
_OPEN, _CLOSE = "\ue000", "\ue001"
_TOKEN = re.compile(r"\w+", re.UNICODE)
MIN_PREFIX_CHARS = 3
_MARKUP = frozenset("*`")

_SQL = f"""
SELECT m.id, m.session_id, s.title, m.role, m.created_at,
       snippet(message_fts, 0, '{_OPEN}', '{_CLOSE}', '…', 16)
FROM message_fts
JOIN message AS m ON m.id = message_fts.rowid
JOIN session AS s ON s.id = m.session_id
WHERE message_fts MATCH ? AND s.trashed_at IS NULL AND m.active {{extra}}
ORDER BY message_fts.rowid DESC
LIMIT ?
"""


def fts_query(text: str) -> str | None:
    """Turn what a person types into a safe FTS5 query: every word must match, the
    last one (of 3+ letters) as a prefix, for search-as-you-type. None when there is
    nothing to search."""
    words = _TOKEN.findall(text)
    if not words:
        return None
    quoted = [f'"{w}"' for w in words]
    # A one- or two-letter prefix matches thousands of terms and costs tens of ms on
    # a big store; from three letters on it is cheap and useful while typing.
    if len(words[-1]) >= MIN_PREFIX_CHARS:
        quoted[-1] += "*"
    return " ".join(quoted)


def _spans(marked: str) -> tuple[str, tuple[tuple[int, int], ...]]:
    plain: list[str] = []
    spans: list[tuple[int, int]] = []
    start = 0
    length = 0
    for ch in marked:
        if ch == _OPEN:
            start = length
        elif ch == _CLOSE:
            spans.append((start, length))
        elif ch in _MARKUP:
            continue  # a snippet is a preview: show the words, not the Markdown
        else:
            plain.append(ch)
            length += 1
    return "".join(plain), tuple(spans)


def search_messages(
    text: str, *, limit: int = 50, session_id: str | None = None
) -> list[SearchHit]:
    if engine.is_postgres():  # PostgreSQL's own full-text search (store.pg_schema)
        from desktop_agent.store import sql_postgres

        pg_query = sql_postgres.tsquery(text, min_prefix_chars=MIN_PREFIX_CHARS)
        if pg_query is None:
            return []
        cursor = database.execute_sql(sql_postgres.SEARCH, (pg_query, limit, session_id))
    else:
        query = fts_query(text)
        if query is None:
            return []
        params: list[object] = [query]
        extra = ""
        if session_id is not None:
            extra = "AND m.session_id = ?"
            params.append(session_id)
        params.append(limit)
        cursor = database.execute_sql(_SQL.format(extra=extra), params)
    hits = []
    for message_id, sid, title, role, created_at, snippet in cursor.fetchall():
        plain, spans = _spans(snippet or "")
        hits.append(SearchHit(message_id, sid, title, role, plain, spans, created_at))
    return hits
