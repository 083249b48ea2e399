"""A full disk is called a full disk: every command says so (and where), nothing stored is
lost or changed, no "damaged database" advice and no traceback; once space returns,
everything works again. Runs on a small loop-mounted ext4 file system (tmpfs if loop
devices are unavailable), so it needs root; otherwise it is skipped, saying why."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.fake_openai import FakeOpenAIServer

REPO = Path(__file__).resolve().parents[2]
FS_BYTES = 12 << 20

pytestmark = pytest.mark.slow


def _run(*command: str) -> bool:
    return subprocess.run(command, capture_output=True, check=False).returncode == 0


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    if os.geteuid() != 0:
        pytest.skip("the disk-full test mounts a small file system, which needs root")
    mount_point = Path("/tmp") / f"desktop-agent-full-{uuid.uuid4().hex[:8]}"
    mount_point.mkdir()
    image = tmp_path / "disk.img"
    with image.open("wb") as fh:
        fh.truncate(FS_BYTES)
    mounted = (
        shutil.which("mkfs.ext4") is not None
        and _run("mkfs.ext4", "-q", "-F", str(image))
        and _run("mount", "-o", "loop", str(image), str(mount_point))
    ) or _run("mount", "-t", "tmpfs", "-o", f"size={FS_BYTES}", "tmpfs", str(mount_point))
    if not mounted:
        mount_point.rmdir()
        pytest.skip("cannot mount a small file system here (no loop device or tmpfs)")
    try:
        yield mount_point
    finally:
        _run("umount", "-l", str(mount_point))
        mount_point.rmdir()


def fill(directory: Path) -> Path:
    """Write a filler file until the file system refuses another byte."""
    filler = directory / "filler"
    with filler.open("wb", buffering=0) as fh:
        for size in (1 << 20, 1 << 16, 1 << 12, 1 << 8, 1):
            try:
                while True:
                    fh.write(b"\0" * size)
            except OSError:
                continue
    return filler


class Cli:
    def __init__(self, data_dir: Path, base_url: str) -> None:
        self.data_dir = data_dir
        self.env = {**os.environ, "OPENAI_BASE_URL": base_url, "OPENAI_API_KEY": "sk-test"}

    def run(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "desktop_agent", "--data-dir", str(self.data_dir), *args],
            cwd=REPO,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )


def snapshot_of(store: Path) -> list[tuple[object, ...]]:
    conn = sqlite3.connect(f"file:{store}?mode=ro", uri=True)
    try:
        return conn.execute("SELECT id, role, content, status FROM message ORDER BY id").fetchall()
    finally:
        conn.close()


def assert_says_disk_full(result: subprocess.CompletedProcess[str], where: Path) -> None:
    assert result.returncode == 1, result.stderr
    assert "is full" in result.stderr
    assert str(where) in result.stderr
    for wrong in ("damaged", "Traceback", "cannot rollback", "internal error"):
        assert wrong not in result.stderr, result.stderr


def test_a_full_disk_is_named_nothing_is_lost_and_work_resumes_with_space(
    small_disk: Path, fake_openai: FakeOpenAIServer, tmp_path: Path
) -> None:
    data_dir = small_disk / "data"
    cli = Cli(data_dir, fake_openai.base_url)
    first = cli.run("chat", "--new", "--json", "before the disk filled")
    assert first.returncode == 0, first.stderr
    session_id = json.loads(first.stdout)["session_id"]
    store = data_dir / "desktop-agent.sqlite3"
    before = snapshot_of(store)
    session_file = tmp_path / "import.json"
    session_file.write_text(json.dumps([{"role": "user", "content": "x" * 200_000}]))

    filler = fill(small_disk)
    writes = [
        ("chat", "--session", session_id, "a new turn " + "y" * 50_000),
        ("chat", "--new", "another session"),
        ("sessions", "import", str(session_file)),
        ("weights", "set", "--agent", "assistant", "verbosity=0.2"),
        ("sessions", "rename", session_id, "a new title"),
    ]
    for command in writes:
        assert_says_disk_full(cli.run(*command), data_dir)
    listed = cli.run("sessions", "list")
    assert "damaged" not in listed.stderr
    assert "Traceback" not in listed.stderr

    filler.unlink()
    assert [row for row in snapshot_of(store) if row in before] == before
    conn = sqlite3.connect(store)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        conn.close()
    again = cli.run("chat", "--session", session_id, "space is back")
    assert again.returncode == 0, again.stderr
    assert cli.run("sessions", "import", str(session_file)).returncode == 0
