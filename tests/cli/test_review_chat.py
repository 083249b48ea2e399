"""Review findings on `desktop-agent chat`: refused input leaves the store as it was."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.slow


def cli(data_dir: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "desktop_agent", "--data-dir", str(data_dir), *args],
        cwd=REPO,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize(
    ("args", "stdin"),
    [(("chat", "--new", ""), ""), (("chat", "--new", "   \n"), ""), (("chat", "--new", "-"), "\n")],
)
def test_an_empty_message_with_new_exits_3_and_creates_no_session(
    tmp_path: Path, args: tuple[str, ...], stdin: str
) -> None:
    result = cli(tmp_path, *args, stdin=stdin)

    assert result.returncode == 3, result.stderr
    assert "empty" in result.stderr
    listed = cli(tmp_path, "sessions", "list", "--json")
    assert json.loads(listed.stdout) == []
