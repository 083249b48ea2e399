"""`desktop-agent store copy --to/--from URL` on a real team store: the summary, a re-run
that copies nothing, and a failure that names the server."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.support.cli import run_cli
from tests.support.export_fixtures import gpt_branched, gpt_linear, write_json
from tests.support.postgres import TeamStore

pytestmark = pytest.mark.slow


def test_copy_to_then_again_then_back(tmp_path: Path, team_store: TeamStore) -> None:
    data = tmp_path / "data"
    export = write_json(tmp_path / "c.json", [gpt_branched(), gpt_linear("c2", 2)])
    assert run_cli(data, "sessions", "import", str(export)).returncode == 0
    url = team_store.url("alice")

    first = run_cli(data, "store", "copy", "--to", url)
    assert first.returncode == 0, first.stderr
    assert f"into the team store at {team_store.server.host}" in first.stdout
    assert "2 sessions copied, 0 already there" in first.stdout

    again = run_cli(data, "store", "copy", "--to", url)
    assert again.returncode == 0, again.stderr
    assert "0 sessions copied, 2 already there" in again.stdout
    assert "nothing new to copy" in again.stdout

    fresh = tmp_path / "fresh"
    back = run_cli(fresh, "store", "copy", "--from", url, "--json")
    assert back.returncode == 0, back.stderr
    assert len(json.loads(back.stdout)["copied"]) == 2
    listed = json.loads(run_cli(fresh, "sessions", "list", "--json").stdout)
    original = json.loads(run_cli(data, "sessions", "list", "--json").stdout)
    assert sorted(s["id"] for s in listed) == sorted(s["id"] for s in original)


def test_an_unreachable_server_is_named(tmp_path: Path) -> None:
    result = run_cli(tmp_path / "data", "store", "copy", "--to", "postgresql://a@127.0.0.1:1/t")
    assert result.returncode == 1
    assert "127.0.0.1:1/t" in result.stderr
    assert "cannot be reached" in result.stderr


def test_experiments_are_copied_and_reported(tmp_path: Path, team_store: TeamStore) -> None:
    data = tmp_path / "data"
    # The experiments copied are those of the agents the user's sessions use.
    export = write_json(tmp_path / "c.json", [gpt_linear("c1", 2)])
    assert run_cli(data, "sessions", "import", str(export)).returncode == 0
    for name in ("terse", "chatty"):
        saved = run_cli(data, "snapshot", "save", "--agent", "assistant", "--name", name)
        assert saved.returncode == 0, saved.stderr
    created = run_cli(
        data, "experiment", "create", "--agent", "assistant", "--a", "terse", "--b", "chatty",
        "--name", "length",
    )  # fmt: skip
    assert created.returncode == 0, created.stderr
    url = team_store.url("alice")

    first = run_cli(data, "store", "copy", "--to", url, "--json")
    assert first.returncode == 0, first.stderr
    summary = json.loads(first.stdout)
    assert len(summary["experiments_copied"]) == 1
    assert len(summary["snapshots_copied"]) == 2
    assert summary["experiments_failed"] == []
    assert team_store.sql("SELECT name, status FROM experiment", "bob") == [("length", "running")]

    again = run_cli(data, "store", "copy", "--to", url)
    assert again.returncode == 0, again.stderr
    assert "experiments copied: 0, already there: 1" in again.stdout
    assert "nothing new to copy" in again.stdout

    fresh = tmp_path / "fresh"
    back = run_cli(fresh, "store", "copy", "--from", url)
    assert back.returncode == 0, back.stderr
    assert "experiments copied: 1, already there: 0" in back.stdout
    report = run_cli(fresh, "experiment", "report", "length", "--json")
    assert report.returncode == 0, report.stderr
    assert json.loads(report.stdout)["status"] == "running"


@pytest.mark.parametrize(
    ("command", "args"),
    [
        ("export-all", ("export-all", "-o", "all.zip")),
        ("import-all", ("import-all", "all.zip")),
        ("backup now", ("backup", "now")),
        ("backup list", ("backup", "list")),
        ("check", ("check",)),
    ],
)
def test_local_store_commands_on_a_team_store_say_what_to_do(
    tmp_path: Path, team_store: TeamStore, command: str, args: tuple[str, ...]
) -> None:
    """Archives, backups and the file check are this computer's store's: on a team store
    they say so and name the way out, instead of an SQLite error about the server."""
    data = tmp_path / "data"
    result = run_cli(data, "--store", team_store.url("alice"), *args, process=True)
    assert result.returncode == 1
    assert f"`{command}` works on this computer's store" in result.stderr
    assert "store copy --from URL" in result.stderr
    assert f"alice@{team_store.server.host}" in result.stderr
    assert "SQLite error" not in result.stderr
    assert "VACUUM" not in result.stderr
    assert not (data / "backups").exists()


def test_check_of_a_data_dir_without_a_store_says_so(tmp_path: Path) -> None:
    result = run_cli(tmp_path / "empty", "check")
    assert result.returncode == 1
    assert "there is no store at" in result.stderr
    assert "damaged" not in result.stdout + result.stderr
