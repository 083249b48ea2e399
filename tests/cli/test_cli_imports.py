"""`sessions import` of other apps' exports through the CLI (tests/support/cli.py):
report, --json, exits."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from desktop_agent.store.team import STORE_URL_ENV
from tests.support.cli import run_cli
from tests.support.export_fixtures import gpt_branched, gpt_linear, write_json, write_zip

pytestmark = pytest.mark.slow


def _run(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return run_cli(data_dir, *args)


@pytest.fixture(params=["sqlite", "postgres"])
def store_url(request: pytest.FixtureRequest) -> str | None:
    """None: the data dir's SQLite file; else a team store URL, as member alice."""
    if request.param == "sqlite":
        return None
    return str(request.getfixturevalue("team_store").url("alice"))


def test_import_prints_a_report_and_reimport_is_unchanged(
    tmp_path: Path, store_url: str | None
) -> None:
    data = tmp_path / "data"

    def _run(*args: str) -> subprocess.CompletedProcess[str]:
        return run_cli(data, *args, env={STORE_URL_ENV: store_url} if store_url else None)

    broken = gpt_linear("bad", 1)
    del broken["mapping"]
    archive = write_zip(tmp_path / "chatgpt.zip", {"conversations.json": [gpt_branched(), broken]})
    first = _run("sessions", "import", "--json", str(archive))
    assert first.returncode == 0, first.stderr
    report = json.loads(first.stdout)
    assert report["app"] == "chatgpt"
    assert report["counts"] == {"new": 1, "updated": 0, "unchanged": 0, "skipped": 1}
    assert len(report["session_ids"]) == 1
    skipped = report["conversations"][1]
    assert skipped["outcome"] == "skipped"
    assert "no mapping" in skipped["reason"]

    shown = _run("sessions", "show", "--json", report["session_ids"][0])
    assert shown.returncode == 0, shown.stderr
    assert json.loads(shown.stdout)["messages"][1]["content"] == "How tall do oaks grow?"

    again = _run("sessions", "import", str(archive))
    assert again.returncode == 0, again.stderr
    assert "unchanged" in again.stdout
    assert "1 unchanged" in again.stdout.splitlines()[-1]

    # Exported as a session file and imported again: a copy with the same tree.
    session_id = report["session_ids"][0]
    exported = _run("sessions", "export", session_id, "-o", str(tmp_path / "oak.json"))
    assert exported.returncode == 0, exported.stderr
    copied = _run("sessions", "import", "--json", str(tmp_path / "oak.json"))
    assert copied.returncode == 0, copied.stderr
    copy_id = json.loads(copied.stdout)[0]["session_id"]
    assert copy_id != session_id
    again_out = _run("sessions", "export", copy_id, "-o", str(tmp_path / "copy.json"))
    assert again_out.returncode == 0, again_out.stderr
    first_doc = json.loads((tmp_path / "oak.json").read_text())["session"]
    copy_doc = json.loads((tmp_path / "copy.json").read_text())["session"]
    assert copy_doc["messages"] == first_doc["messages"]


def test_nothing_importable_exits_3_and_names_the_formats(tmp_path: Path) -> None:
    data = tmp_path / "data"
    broken = gpt_linear("bad", 1)
    broken["mapping"] = {}
    only_broken = write_json(tmp_path / "conversations.json", [broken])
    result = _run(data, "sessions", "import", str(only_broken))
    assert result.returncode == 3
    assert "skipped" in result.stdout

    odd = write_json(tmp_path / "odd.json", [{"title": "x", "history": 1, "chat": 5}])
    result = _run(data, "sessions", "import", str(odd))
    assert result.returncode == 3
    assert "ChatGPT" in result.stderr
    assert "Open WebUI" in result.stderr


def test_export_all_import_all_and_backups(tmp_path: Path) -> None:
    data, other = tmp_path / "data", tmp_path / "other"
    archive = write_zip(tmp_path / "chatgpt.zip", {"conversations.json": [gpt_branched()]})
    assert _run(data, "sessions", "import", str(archive)).returncode == 0
    everything = tmp_path / "all.dagent"
    result = _run(data, "export-all", "-o", str(everything))
    assert result.returncode == 0, result.stderr
    restored = _run(other, "import-all", "--json", str(everything))
    assert restored.returncode == 0, restored.stderr
    assert json.loads(restored.stdout)["restored_exactly"] is True
    listed = [s["id"] for s in json.loads(_run(other, "sessions", "list", "--json").stdout)]
    original = [s["id"] for s in json.loads(_run(data, "sessions", "list", "--json").stdout)]
    assert listed == original

    bad = _run(other, "import-all", str(archive))  # a zip is not an archive
    assert bad.returncode == 3
    assert "not a Desktop Agent archive" in bad.stderr

    assert _run(data, "backup", "now").returncode == 0
    backups = json.loads(_run(data, "backup", "list", "--json").stdout)
    assert [b["kind"] for b in backups] == ["rolling"]
    assert _run(data, "sessions", "delete", "--purge", original[0]).returncode == 0
    restore = _run(data, "backup", "restore", backups[0]["name"])
    assert restore.returncode == 0, restore.stderr
    assert "saved as" in restore.stdout
    after = [s["id"] for s in json.loads(_run(data, "sessions", "list", "--json").stdout)]
    assert after == original
    assert _run(data, "backup", "restore", "no-such-backup").returncode == 3


def test_a_zip_bomb_exits_3_names_the_file_and_limit_and_changes_nothing(tmp_path: Path) -> None:
    from tests.support.zip_bombs import zip_bomb

    data = tmp_path / "data"
    good = write_zip(tmp_path / "good.zip", {"conversations.json": [gpt_linear("c1", 2)]})
    assert _run(data, "sessions", "import", str(good)).returncode == 0
    before = _run(data, "sessions", "list", "--json").stdout

    bomb = zip_bomb(tmp_path / "bomb.zip", 64)
    result = _run(data, "sessions", "import", str(bomb))
    assert result.returncode == 3
    assert f"{bomb}:conversations.json" in result.stderr
    assert "more than 200 to 1" in result.stderr

    liar = zip_bomb(tmp_path / "liar.zip", 64, claimed_size=1000)
    result = _run(data, "sessions", "import", str(liar))
    assert result.returncode == 3
    assert f"{liar}:conversations.json: the zip member is damaged" in result.stderr
    assert _run(data, "sessions", "list", "--json").stdout == before
