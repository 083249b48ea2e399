"""export-all / import-all and automatic backups, on real SQLite files."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from desktop_agent.domain.errors import InvalidInputError
from desktop_agent.services import backups
from desktop_agent.services.importing import import_exports
from desktop_agent.store import agents, archive, messages, sessions, snapshots, versions
from desktop_agent.store.db import close_database, database, open_database
from desktop_agent.store.weights import Owner, set_weights
from tests.support.export_fixtures import gpt_branched, write_json

_SKIP = ("archive_info", "sqlite_sequence")


def _fill(tmp_path: Path) -> str:
    """A store with a bit of everything: versions, feedback, weights, snapshot, import."""
    agents.create_agent("support", system_prompt="Be kind.")
    session = sessions.create_session(agent="support", title="Kept")
    messages.append_message(session.id, "user", "Hello")
    reply = messages.append_message(session.id, "assistant", "Hi!")
    again = versions.start_regeneration(reply.id)
    messages.finish_message(again.id, "Hello there!", "complete")
    messages.set_feedback(again.id, 1, ["too_long"])
    set_weights(Owner.session(session.id), {"verbosity": 0.2})
    snapshots.save_snapshot(
        name="calm", agent_name="support", weights={"verbosity": 0.3}, learning_rate=0.1, decay=0
    )
    import_exports([write_json(tmp_path / "conversations.json", [gpt_branched()])])
    return session.id


def _dump(path: Path) -> dict[str, list[tuple[object, ...]]]:
    conn = sqlite3.connect(path)
    try:
        tables = [
            r[0]
            for r in conn.execute(
                "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'message_fts%'"
            )
            if r[0] not in _SKIP
        ]
        return {t: sorted(conn.execute(f"SELECT * FROM {t}").fetchall(), key=repr) for t in tables}
    finally:
        conn.close()


def test_export_then_import_into_an_empty_store_is_exact(store: Path, tmp_path: Path) -> None:
    _fill(tmp_path)
    out = tmp_path / "everything.dagent"
    archive.export_all(out)
    before = _dump(store)
    close_database()

    other = tmp_path / "other" / "store.sqlite3"
    open_database(other)
    agents.ensure_defaults()
    report = archive.import_all(out)
    assert report.restored_exactly
    close_database()
    assert _dump(other) == before
    # Search works on the restored messages (the full-text index was filled).
    open_database(other)
    hits = database.execute_sql(
        "SELECT COUNT(*) FROM message_fts WHERE message_fts MATCH 'oaks'"
    ).fetchone()[0]
    assert hits >= 1


def test_merge_adds_without_overwriting(store: Path, tmp_path: Path) -> None:
    kept_id = _fill(tmp_path)
    out = tmp_path / "everything.dagent"
    archive.export_all(out)
    # The same archive into the same store: everything is already there.
    report = archive.import_all(out)
    assert not report.restored_exactly
    assert report.added.get("session", 0) == 0
    assert report.added.get("message", 0) == 0
    assert report.kept["session"] == 2

    # Another store with its own history, then the archive merged in.
    close_database()
    other = tmp_path / "other" / "store.sqlite3"
    open_database(other)
    agents.ensure_defaults()
    agents.create_agent("support", system_prompt="Their own prompt")
    mine = sessions.create_session(title="Mine")
    messages.append_message(mine.id, "user", "my message")
    report = archive.import_all(out)
    assert report.added["session"] == 2
    assert agents.get_agent("support").system_prompt == "Their own prompt"  # not overwritten
    merged = messages.list_messages(kept_id)
    assert [m.content for m in merged] == ["Hello", "Hello there!"]
    assert merged[1].version_count == 2
    assert merged[1].feedback is not None
    assert merged[1].feedback.tags == ("too_long",)
    assert [m.content for m in messages.list_messages(mine.id)] == ["my message"]
    assert sessions.get_session(kept_id).agent_name == "support"


def test_a_file_that_is_not_an_archive_changes_nothing(store: Path, tmp_path: Path) -> None:
    bogus = tmp_path / "x.dagent"
    bogus.write_bytes(b"not sqlite at all")
    with pytest.raises(InvalidInputError, match="not a Desktop Agent archive"):
        archive.import_all(bogus)
    other = tmp_path / "other.sqlite3"
    sqlite3.connect(other).execute("CREATE TABLE t (x)").connection.close()
    with pytest.raises(InvalidInputError, match="not a Desktop Agent archive"):
        archive.import_all(other)
    assert database.execute_sql("SELECT COUNT(*) FROM session").fetchone()[0] == 0


def test_backups_roll_and_restore_backs_up_first(store: Path, tmp_path: Path) -> None:
    data_dir = tmp_path / "data-dir"
    session = sessions.create_session(title="Before")
    for _ in range(3):
        backups.make_backup(store, data_dir, keep=2)
    rolling = backups.list_backups(data_dir, include_upgrades=False)
    assert len(rolling) == 2
    name = rolling[0].name
    sessions.rename_session(session.id, "After")
    close_database()
    saved = backups.restore_backup(store, data_dir, name, keep=2)
    assert saved.kind == "before-restore"
    open_database(store)
    assert sessions.get_session(session.id).title == "Before"
    with pytest.raises(InvalidInputError, match="no backup named"):
        backups.find_backup(data_dir, "nope")


def test_restoring_over_the_open_store_reopens_it(store: Path, tmp_path: Path) -> None:
    data_dir = tmp_path / "data-dir"
    session = sessions.create_session(title="Before")
    made = backups.make_backup(store, data_dir, keep=2)
    sessions.rename_session(session.id, "After")
    with pytest.raises(InvalidInputError, match="no backup named"):
        backups.restore_open_store(store, data_dir, "nope", keep=2)
    assert sessions.get_session(session.id).title == "After"  # a wrong name changed nothing
    saved = backups.restore_open_store(store, data_dir, made.name, keep=2)
    assert saved.kind == "before-restore"
    # The store is open again, with the backup's contents.
    assert sessions.get_session(session.id).title == "Before"
