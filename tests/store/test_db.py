"""Opening the store: schema version, idempotent reopen, refusal of newer or damaged files,
migrations in one transaction after a backup, integrity after use."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from peewee import SqliteDatabase

from desktop_agent.store import agents, messages, sessions
from desktop_agent.store.db import (
    StoreError,
    close_database,
    database,
    latest_version,
    open_database,
    schema_version,
)
from desktop_agent.store.schema import MIGRATIONS, Migration


@pytest.fixture(autouse=True)
def _closed_afterwards() -> Iterator[None]:
    yield
    close_database()


def _user_version(path: Path) -> int:
    with sqlite3.connect(path) as conn:
        version = int(conn.execute("PRAGMA user_version").fetchone()[0])
    conn.close()
    return version


def _tables(path: Path) -> set[str]:
    with sqlite3.connect(path) as conn:
        rows = conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()
    conn.close()
    return {r[0] for r in rows}


def _make_store_with_a_session(path: Path) -> str:
    open_database(path)
    agents.ensure_defaults()
    session = sessions.create_session()
    messages.append_message(session.id, "user", "remember the blue teapot " * 40)
    close_database()
    return session.id


def test_new_store_gets_the_latest_schema_version(tmp_path: Path) -> None:
    path = tmp_path / "a" / "store.sqlite3"
    open_database(path)
    assert schema_version() == latest_version(MIGRATIONS) >= 1
    close_database()
    assert _user_version(path) == latest_version(MIGRATIONS)
    assert {"session", "message", "message_fts", "weight_event"} <= _tables(path)


def test_reopening_keeps_data_and_makes_no_backup(tmp_path: Path) -> None:
    path = tmp_path / "store.sqlite3"
    session_id = _make_store_with_a_session(path)
    for _ in range(2):
        open_database(path)
        agents.ensure_defaults()
        assert sessions.get_session(session_id).message_count == 1
        assert len(agents.list_agents()) == 1
        close_database()
    assert not list(tmp_path.glob("*.backup-v*"))


def test_a_store_from_a_newer_version_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "store.sqlite3"
    _make_store_with_a_session(path)
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA user_version = 99")
    conn.close()
    before = path.read_bytes()

    with pytest.raises(StoreError, match=r"newer version.*schema 99.*upgrade") as info:
        open_database(path)

    assert str(path) in str(info.value)
    assert path.read_bytes() == before
    assert database.is_closed()


def test_garbage_bytes_are_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "store.sqlite3"
    path.write_bytes(b"these are not the bytes you are looking for\x00\xff" * 50)
    before = path.read_bytes()

    with pytest.raises(StoreError, match="not an SQLite database") as info:
        open_database(path)

    assert "damaged" in str(info.value)
    assert "Nothing was changed" in str(info.value)
    assert path.read_bytes() == before


def test_a_corrupted_store_names_the_problem_and_the_backup(tmp_path: Path) -> None:
    path = tmp_path / "store.sqlite3"
    _make_store_with_a_session(path)
    backup = tmp_path / "store.sqlite3.backup-v1-20260101-000000"
    backup.write_bytes(path.read_bytes())
    data = bytearray(path.read_bytes())
    page = 4096
    assert len(data) > 3 * page
    # Scribble over every page after the first: the header still says SQLite.
    for offset in range(page, len(data), page):
        data[offset : offset + 200] = b"\xa5" * 200
    path.write_bytes(bytes(data))
    before = path.read_bytes()

    with pytest.raises(StoreError) as info:
        open_database(path)

    message = str(info.value)
    assert "is damaged" in message
    assert str(backup) in message
    assert path.read_bytes() == before


def test_a_truncated_store_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "store.sqlite3"
    _make_store_with_a_session(path)
    path.write_bytes(path.read_bytes()[: 4096 * 2 + 100])
    before = path.read_bytes()

    with pytest.raises(StoreError, match="is damaged") as info:
        open_database(path)

    assert "restore it from your own backup" in str(info.value)  # no backup exists here
    assert path.read_bytes() == before


# --- migrations, with a fake two-step schema -----------------------------------------


def _v1(db: SqliteDatabase) -> None:
    db.execute_sql("CREATE TABLE note (id INTEGER PRIMARY KEY, text TEXT NOT NULL)")


def _v2(db: SqliteDatabase) -> None:
    db.execute_sql("ALTER TABLE note ADD COLUMN pinned INTEGER NOT NULL DEFAULT 0")
    db.execute_sql("CREATE TABLE tag (id INTEGER PRIMARY KEY, name TEXT)")


def _v2_failing(db: SqliteDatabase) -> None:
    db.execute_sql("CREATE TABLE tag (id INTEGER PRIMARY KEY, name TEXT)")
    db.execute_sql("ALTER TABLE note ADD COLUMN pinned INTEGER NOT NULL DEFAULT 0")
    db.execute_sql("INSERT INTO no_such_table VALUES (1)")  # fails after two changes


V1_ONLY: tuple[Migration, ...] = ((1, _v1),)


def _make_v1(path: Path) -> None:
    open_database(path, migrations=V1_ONLY)
    database.execute_sql("INSERT INTO note (text) VALUES ('kept across upgrades')")
    close_database()
    assert _user_version(path) == 1


def test_upgrade_runs_after_a_backup_and_keeps_data(tmp_path: Path) -> None:
    path = tmp_path / "store.sqlite3"
    _make_v1(path)
    backups: list[Path] = []

    open_database(path, migrations=((1, _v1), (2, _v2)), on_backup=backups.append)

    assert schema_version() == 2
    rows = database.execute_sql("SELECT text, pinned FROM note").fetchall()
    assert rows == [("kept across upgrades", 0)]
    close_database()
    assert len(backups) == 1
    assert backups[0].exists()
    assert backups[0].name.startswith("store.sqlite3.backup-v1-")
    assert _user_version(backups[0]) == 1
    assert _tables(backups[0]) == {"note"}
    assert {"note", "tag"} <= _tables(path)


def test_a_failing_upgrade_leaves_the_previous_schema_and_the_backup(tmp_path: Path) -> None:
    path = tmp_path / "store.sqlite3"
    _make_v1(path)

    with pytest.raises(StoreError, match="no_such_table"):
        open_database(path, migrations=((1, _v1), (2, _v2_failing)))

    assert database.is_closed()
    assert _user_version(path) == 1
    assert _tables(path) == {"note"}  # the table made before the failure was rolled back
    with sqlite3.connect(path) as conn:
        columns = [r[1] for r in conn.execute("PRAGMA table_info(note)")]
        texts = conn.execute("SELECT text FROM note").fetchall()
    conn.close()
    assert columns == ["id", "text"]
    assert texts == [("kept across upgrades",)]
    backups = list(tmp_path.glob("store.sqlite3.backup-v1-*"))
    assert len(backups) == 1
    assert _user_version(backups[0]) == 1
    # The store still opens at v1 afterwards.
    open_database(path, migrations=V1_ONLY)
    assert schema_version() == 1


def test_integrity_check_is_ok_after_a_mix_of_operations(store: Path) -> None:
    from desktop_agent.store import versions
    from desktop_agent.store.weights import Owner, set_weights

    keep = sessions.create_session()
    gone = sessions.create_session()
    for sid in (keep.id, gone.id):
        messages.append_message(sid, "user", "question about integrity")
        reply = messages.append_message(sid, "assistant", "an answer")
        messages.set_feedback(reply.id, -1, ["too_long"])
        versions.start_regeneration(reply.id)
        set_weights(Owner.session(sid), {"verbosity": 0.2})
    sessions.purge_session(gone.id)
    result = database.execute_sql("PRAGMA integrity_check").fetchall()
    assert result == [("ok",)]
    fk = database.execute_sql("PRAGMA foreign_key_check").fetchall()
    assert fk == []
