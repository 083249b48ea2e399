"""Pages of the shown branch are key ranges (`seq`), right across versions and branches,
and schema version 2 gives them their index without losing anything stored at version 1."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from desktop_agent.store import agents, messages, sessions, versions
from desktop_agent.store.db import close_database, database, open_database
from desktop_agent.store.schema import MIGRATIONS


def _ids(records: list) -> list[int]:
    return [r.id for r in records]


def _branchy_session() -> tuple[str, dict[str, int]]:
    """q0 a0 … q9 a9; then q5 edited, a new a5 and q6, and that a6 regenerated twice."""
    sid = sessions.create_session().id
    ids: dict[str, int] = {}
    for turn in range(10):
        ids[f"q{turn}"] = messages.append_message(sid, "user", f"question {turn}").id
        ids[f"a{turn}"] = messages.append_message(sid, "assistant", f"answer {turn}").id
    ids["q5.1"] = versions.edit_user_message(ids["q5"], "question 5, put better").id
    ids["a5.1"] = messages.append_message(sid, "assistant", "answer 5 v2").id
    ids["q6.1"] = messages.append_message(sid, "user", "question 6 v2").id
    ids["a6.1"] = messages.append_message(sid, "assistant", "answer 6 v2").id
    for again in range(2):
        reply = versions.start_regeneration(ids["a6.1"])
        done = messages.finish_message(reply.id, f"answer 6 v2 take {again + 2}", "complete")
        ids[f"a6.1.{again + 1}"] = done.id
    return sid, ids


def test_pages_tile_the_shown_branch_across_versions(store: Path) -> None:
    sid, ids = _branchy_session()
    whole = messages.list_messages(sid)
    shown = [ids[k] for k in ["q0", "a0", "q1", "a1", "q2", "a2", "q3", "a3", "q4", "a4"]]
    assert _ids(whole) == [*shown, ids["q5.1"], ids["a5.1"], ids["q6.1"], ids["a6.1.2"]]
    assert [m.seq for m in whole] == list(range(14))
    assert messages.count_messages(sid) == 14 == sessions.get_session(sid).message_count
    pages = [messages.list_messages(sid, offset=start, limit=5) for start in range(0, 14, 5)]
    assert [len(p) for p in pages] == [5, 5, 4]
    assert _ids([m for page in pages for m in page]) == _ids(whole)
    # positions past the end give nothing; a limit larger than what is left gives the rest
    assert messages.list_messages(sid, offset=14, limit=5) == []
    assert _ids(messages.list_messages(sid, offset=12, limit=60)) == [ids["q6.1"], ids["a6.1.2"]]
    # version positions travel with the page
    a6 = messages.list_messages(sid, offset=13, limit=1)[0]
    assert (a6.content, a6.version_index, a6.version_count) == ("answer 6 v2 take 3", 2, 3)
    q5 = messages.list_messages(sid, offset=10, limit=1)[0]
    assert (q5.version_index, q5.version_count) == (1, 2)
    assert messages.get_message(ids["a6.1"]).version_index == 0


def test_switching_back_pages_the_other_branch(store: Path) -> None:
    sid, ids = _branchy_session()
    versions.switch_version(ids["q5"])  # back to the first q5, and what grew from it
    whole = messages.list_messages(sid)
    assert _ids(whole[10:]) == [ids[f"{r}{t}"] for t in range(5, 10) for r in "qa"]
    assert messages.count_messages(sid) == 20 == sessions.get_session(sid).message_count
    assert [m.seq for m in whole] == list(range(20))
    newest = messages.list_messages(sid, offset=messages.count_messages(sid) - 3, limit=60)
    assert [m.content for m in newest] == ["answer 8", "question 9", "answer 9"]
    assert messages.list_messages(sid, offset=10, limit=1)[0].version_index == 0


def test_pages_of_one_session_never_include_another(store: Path) -> None:
    first, _ = _branchy_session()
    other = sessions.create_session().id
    messages.append_message(other, "user", "elsewhere")
    assert messages.count_messages(other) == 1
    assert {m.session_id for m in messages.list_messages(first, offset=0, limit=100)} == {first}
    assert messages.count_messages("no-such-session") == 0


def test_the_newest_page_is_a_seek_on_the_covering_index(store: Path) -> None:
    plan = " ".join(
        row[-1]
        for row in database.execute_sql(
            "EXPLAIN QUERY PLAN SELECT seq FROM message AS m"
            " WHERE m.session_id = ? AND m.active ORDER BY m.seq DESC LIMIT 1",
            ("x",),
        ).fetchall()
    )
    assert "COVERING INDEX message_active" in plan


def _index_names(path: Path) -> set[str]:
    with sqlite3.connect(path) as conn:
        rows = conn.execute("SELECT name FROM sqlite_master WHERE type = 'index'").fetchall()
    conn.close()
    return {r[0] for r in rows}


def test_version_2_upgrades_a_version_1_store_and_keeps_its_data(tmp_path: Path) -> None:
    path = tmp_path / "store.sqlite3"
    open_database(path, migrations=MIGRATIONS[:1])
    agents.ensure_defaults()
    sid, ids = _branchy_session()
    before = messages.list_messages(sid)
    hits_before = database.execute_sql(
        "SELECT rowid FROM message_fts WHERE message_fts MATCH 'better'"
    ).fetchall()
    close_database()
    assert "message_conversation" in _index_names(path)

    backups: list[Path] = []
    open_database(path, migrations=MIGRATIONS[:2], on_backup=backups.append)  # v3 is imports'
    try:
        assert database.execute_sql("PRAGMA user_version").fetchone()[0] == 2
        assert messages.list_messages(sid) == before
        assert messages.count_messages(sid) == 14
        assert database.execute_sql("PRAGMA integrity_check").fetchone()[0] == "ok"
        hits = database.execute_sql(
            "SELECT rowid FROM message_fts WHERE message_fts MATCH 'better'"
        ).fetchall()
        assert hits == hits_before == [(ids["q5.1"],)]
        messages.append_message(sid, "user", "after the upgrade")
        assert messages.list_messages(sid, offset=14)[0].content == "after the upgrade"
    finally:
        close_database()
    names = _index_names(path)
    assert "message_active" in names
    assert "message_conversation" not in names
    assert len(backups) == 1
    assert "message_conversation" in _index_names(backups[0])
