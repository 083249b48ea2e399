"""`desktop-agent config`: settings change only through checked values; the key never
lands in the database or the settings file."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from tests.support.cli import run_cli


def cli(data_dir: Path, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return run_cli(data_dir, *args, stdin=stdin)


def test_set_then_show_round_trips_a_nested_setting(tmp_path: Path) -> None:
    data = tmp_path / "d"
    done = cli(data, "config", "set", "provider.context_budgets", '{"llama3.2": 8000}')
    assert done.returncode == 0, done.stderr
    shown = json.loads(cli(data, "config", "show", "--json").stdout)
    assert shown["settings"]["provider"]["context_budgets"] == {"llama3.2": 8000}


def test_a_bad_value_exits_3_and_leaves_settings_unchanged(tmp_path: Path) -> None:
    data = tmp_path / "d"
    assert cli(data, "config", "set", "provider.timeout_seconds", "30").returncode == 0
    before = (data / "settings.json").read_bytes()
    for key, value in (
        ("provider.timeout_seconds", "abc"),
        ("provider.timeout_seconds", "-5"),
        ("provider.compaction", "3"),
        ("provider.nonsense", "1"),
    ):
        done = cli(data, "config", "set", key, value)
        assert done.returncode == 3, (key, value, done.stderr)
        assert done.stderr.strip()
    assert (data / "settings.json").read_bytes() == before


def test_the_api_key_is_kept_out_of_the_database_and_settings(tmp_path: Path) -> None:
    data = tmp_path / "d"
    secret = "sk-test-very-secret-1234"
    done = cli(data, "config", "set-key", stdin=secret + "\n")
    assert done.returncode == 0, done.stderr
    assert "readable only by you" in done.stderr  # no keyring here: a visible warning
    key_file = data / "api-key.secret"
    assert key_file.read_text() == secret
    assert key_file.stat().st_mode & 0o077 == 0
    for path in data.iterdir():
        if path != key_file:
            assert secret.encode() not in path.read_bytes(), path
    shown = cli(data, "config", "show", "--json").stdout
    assert secret not in shown
    assert json.loads(shown)["effective_provider"]["api_key"] == "set"
    assert cli(data, "config", "clear-key").returncode == 0
    assert not key_file.exists()
