"""`desktop-agent check [--repair]` on a store with damage quick_check does not see."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.slow


def cli(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "desktop_agent", "--data-dir", str(data_dir), *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_check_finds_index_damage_and_repair_writes_a_sound_copy(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    source = tmp_path / "import.json"
    source.write_text(json.dumps([{"role": "user", "content": f"m{i}"} for i in range(40)]))
    assert cli(data_dir, "sessions", "import", str(source)).returncode == 0
    healthy = cli(data_dir, "check")
    assert healthy.returncode == 0, healthy.stderr
    assert "passed a full integrity check" in healthy.stdout

    store = data_dir / "desktop-agent.sqlite3"
    conn = sqlite3.connect(store, isolation_level=None)
    conn.execute("CREATE INDEX hostile_idx ON message(role) WHERE id < 0")
    conn.execute("PRAGMA writable_schema = ON")
    conn.execute(
        "UPDATE sqlite_master SET sql = 'CREATE INDEX hostile_idx ON message(role)' "
        "WHERE name = 'hostile_idx'"
    )
    conn.close()
    damaged = store.read_bytes()

    found = cli(data_dir, "check")
    assert found.returncode == 1
    assert "is damaged" in found.stdout
    assert "Traceback" not in found.stderr
    repaired = cli(data_dir, "check", "--repair", "--json")
    report = json.loads(repaired.stdout)
    assert report["ok"] is False
    assert report["repaired"]["ok"] is True
    assert report["repaired"]["copied"]["message"] == 40
    assert store.read_bytes() == damaged
    copy = Path(report["repaired"]["path"])
    conn = sqlite3.connect(copy)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        hits = conn.execute("SELECT count(*) FROM message_fts WHERE message_fts MATCH 'm7'")
        assert hits.fetchone()[0] == 1  # the search index was rebuilt in the copy
    finally:
        conn.close()


def test_reading_a_damaged_page_that_the_open_did_not_check_says_how_to_repair(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from desktop_agent.store import db
    from tests.support.cli import run_cli

    data_dir = tmp_path / "data"
    source = tmp_path / "import.json"
    source.write_text(json.dumps([{"role": "user", "content": "w" * 3000} for _ in range(300)]))
    imported = run_cli(data_dir, "sessions", "import", str(source))
    assert imported.returncode == 0, imported.stderr
    session_id = imported.stdout.strip()
    store = data_dir / "desktop-agent.sqlite3"
    conn = sqlite3.connect(store)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    pages = conn.execute("PRAGMA page_count").fetchone()[0]
    conn.close()
    data = bytearray(store.read_bytes())
    for page in (pages // 2, pages // 2 + 1, pages // 2 + 2):  # three overwritten pages
        data[page * 4096 : (page + 1) * 4096] = b"\xa5" * 4096
    store.write_bytes(bytes(data))
    monkeypatch.setattr(db, "ALWAYS_CHECK_BYTES", 0)  # as with a store over 32 MB
    for command in (("sessions", "show", session_id), ("sessions", "export", session_id)):
        result = run_cli(data_dir, *command)
        assert "Traceback" not in result.stderr, result.stderr
        assert result.returncode == 1
        assert "check --repair" in result.stderr, result.stderr


def test_a_reading_command_skips_the_routine_check_a_writing_one_runs(tmp_path: Path) -> None:
    from tests.support.cli import run_cli

    data_dir = tmp_path / "data"
    source = tmp_path / "import.json"
    source.write_text(json.dumps([{"role": "user", "content": "w" * 3000} for _ in range(300)]))
    imported = run_cli(data_dir, "sessions", "import", str(source))
    assert imported.returncode == 0, imported.stderr
    session_id = imported.stdout.strip()
    store = data_dir / "desktop-agent.sqlite3"
    conn = sqlite3.connect(store)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    pages = conn.execute("PRAGMA page_count").fetchone()[0]
    conn.close()
    data = bytearray(store.read_bytes())
    data[(pages // 2) * 4096 : (pages // 2 + 3) * 4096] = b"\xa5" * (3 * 4096)
    store.write_bytes(bytes(data))

    # show only reads: no quick_check at open (the store is small and closed cleanly);
    # the damaged page it meets is reported as such.
    shown = run_cli(data_dir, "sessions", "show", session_id)
    assert shown.returncode == 1
    assert "check --repair" in shown.stderr, shown.stderr
    assert "Traceback" not in shown.stderr
    # rename writes: the routine check at open refuses the damaged store first.
    renamed = run_cli(data_dir, "sessions", "rename", session_id, "new title")
    assert renamed.returncode == 1
    assert "is damaged" in renamed.stderr, renamed.stderr
    # After a run that died with the store open, even a reading command checks first.
    (data_dir / "desktop-agent.sqlite3.open-by-4194303").touch()
    after_crash = run_cli(data_dir, "sessions", "list")
    assert after_crash.returncode == 1
    assert "is damaged" in after_crash.stderr, after_crash.stderr
    assert store.read_bytes() == bytes(data)
