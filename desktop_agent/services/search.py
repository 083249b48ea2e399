"""Full-text search over every message (kept apart: `sessions search` loads only this)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from desktop_agent.store import search

if TYPE_CHECKING:
    from desktop_agent.store.records import SearchHit


def search_messages(
    text: str, *, limit: int = 50, session_id: str | None = None
) -> list[SearchHit]:
    """Best matches first, each with a highlighted snippet; [] for a query with no words."""
    return search.search_messages(text, limit=limit, session_id=session_id)
