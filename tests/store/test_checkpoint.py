"""Checkpoints run on their own thread: commits only append to the WAL, the background
pass copies it into the database, and closing leaves one complete file."""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path

import pytest

from desktop_agent.store import agents, checkpoint, db, messages, sessions


def _fill(count: int) -> str:
    sid = sessions.create_session().id
    for number in range(count):
        messages.append_message(sid, "user", f"message {number} " + "lorem ipsum " * 60)
    return sid


def _count_in_file_alone(path: Path, copy: Path, session_id: str) -> int:
    copy.write_bytes(path.read_bytes())
    conn = sqlite3.connect(copy)
    try:
        return int(
            conn.execute(
                "SELECT COUNT(*) FROM message WHERE session_id = ?", (session_id,)
            ).fetchone()[0]
        )
    except sqlite3.Error:  # the session row may not be copied yet either
        return 0
    finally:
        conn.close()


def _threads() -> list[str]:
    return [t.name for t in threading.enumerate() if t.name == "desktop-agent-checkpoint"]


def test_commits_leave_copying_the_wal_to_the_background(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(checkpoint, "INTERVAL_S", 3600.0)  # the thread stays idle
    path = tmp_path / "store.sqlite3"
    db.open_database(path)
    agents.ensure_defaults()
    before = path.read_bytes()
    # ~300 commits of ~15 pages: SQLite's default (1,000 pages) would have checkpointed
    # inside several of these commits, rewriting the database file.
    sid = _fill(300)
    assert path.read_bytes() == before
    assert Path(f"{path}-wal").stat().st_size > 4_000_000
    db.close_database()  # the last connection checkpoints what is left

    assert not Path(f"{path}-wal").exists()
    assert path.read_bytes() != before
    assert not _threads()
    db.open_database(path)
    try:
        assert messages.count_messages(sid) == 300
        assert db.database.execute_sql("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        db.close_database()


def test_the_background_pass_copies_committed_pages_while_the_store_is_open(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(checkpoint, "INTERVAL_S", 0.02)
    path = tmp_path / "store.sqlite3"
    db.open_database(path)
    try:
        agents.ensure_defaults()
        assert _threads() == ["desktop-agent-checkpoint"]
        sid = _fill(100)
        # Another reader of the database file alone (no WAL) sees the messages once the
        # background pass has copied them; nothing here closes or checkpoints the store.
        deadline = time.monotonic() + 30
        while _count_in_file_alone(path, tmp_path / "copy.sqlite3", sid) < 100:
            assert time.monotonic() < deadline, "the background pass never ran"
            time.sleep(0.05)  # a plain thread, no event loop to wait on: poll its output
    finally:
        db.close_database()
    assert not _threads()


def test_reopening_replaces_the_thread_rather_than_adding_one(tmp_path: Path) -> None:
    db.open_database(tmp_path / "a.sqlite3")
    db.open_database(tmp_path / "b.sqlite3")
    try:
        assert _threads() == ["desktop-agent-checkpoint"]
    finally:
        db.close_database()
    assert not _threads()
