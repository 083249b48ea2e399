"""Review findings on CLI error mapping: a busy database is a clear message, not a traceback."""

from __future__ import annotations

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
        timeout=60,
        check=False,
    )


def test_a_database_locked_by_another_writer_exits_1_with_a_message(tmp_path: Path) -> None:
    assert cli(tmp_path, "sessions", "list").returncode == 0  # creates the store
    holder = sqlite3.connect(tmp_path / "desktop-agent.sqlite3", isolation_level=None)
    try:
        holder.execute("BEGIN IMMEDIATE")
        result = cli(tmp_path, "weights", "set", "--agent", "assistant", "verbosity=0.3")
    finally:
        holder.execute("ROLLBACK")
        holder.close()

    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "busy" in result.stderr
