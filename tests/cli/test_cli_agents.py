"""`desktop-agent agents|users`: agents are created, edited and deleted from the command
line; a deleted agent's sessions keep working and say the agent was deleted."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.cli import REPO, run_cli


def cli(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return run_cli(data_dir, *args)


def test_create_edit_and_delete_an_agent(tmp_path: Path) -> None:
    created = cli(
        tmp_path,
        "agents",
        "create",
        "support",
        "--prompt",
        "You help customers.",
        "--baseline",
        "formality=0.8",
        "--json",
    )
    assert created.returncode == 0, created.stderr
    agent = json.loads(created.stdout)
    assert agent["baseline"]["formality"] == 0.8
    assert agent["baseline"]["verbosity"] == 0.5  # unnamed weights keep the default

    edited = cli(tmp_path, "agents", "edit", "support", "--learning-rate", "0.3", "--json")
    assert json.loads(edited.stdout)["learning_rate"] == 0.3

    assert cli(tmp_path, "agents", "delete", "support").returncode == 0
    names = [a["name"] for a in json.loads(cli(tmp_path, "agents", "list", "--json").stdout)]
    assert names == ["assistant"]


def test_a_deleted_agents_sessions_keep_working(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert cli(tmp_path, "agents", "create", "support").returncode == 0
    # Nothing listens on the discard port: the turn fails (exit 4), the session is kept.
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:9/v1")
    env_free = cli(tmp_path, "chat", "--new", "--agent", "support", "--json", "hello")
    assert env_free.returncode == 4
    session_id = json.loads(env_free.stdout)["session_id"]
    assert cli(tmp_path, "agents", "delete", "support").returncode == 0

    shown = json.loads(cli(tmp_path, "sessions", "show", session_id, "--json").stdout)
    assert shown["agent_deleted"] is True
    assert shown["messages"][0]["content"] == "hello"
    again = cli(tmp_path, "weights", "show", "--session", session_id, "--json")
    assert again.returncode == 0, again.stderr


def test_bad_values_exit_3_and_create_nothing(tmp_path: Path) -> None:
    for args in (
        ("agents", "create", "x", "--baseline", "formality=2"),
        ("agents", "create", "x", "--baseline", "loud=0.2"),
        ("agents", "create", "x", "--learning-rate", "1.5"),
        ("agents", "create", "x", "--decay", "nan"),
        ("agents", "create", "   "),
    ):
        done = cli(tmp_path, *args)
        assert done.returncode == 3, (args, done.stderr)
        assert done.stderr.startswith("desktop-agent: ")
    names = [a["name"] for a in json.loads(cli(tmp_path, "agents", "list", "--json").stdout)]
    assert names == ["assistant"]


def test_a_closed_output_pipe_is_not_an_error(tmp_path: Path) -> None:
    reader = subprocess.Popen(["head", "-c", "1"], stdin=subprocess.PIPE, stdout=subprocess.DEVNULL)
    writer = subprocess.run(
        [
            sys.executable,
            "-m",
            "desktop_agent",
            "--data-dir",
            str(tmp_path),
            "agents",
            "list",
            "--json",
        ],
        cwd=REPO,
        stdout=reader.stdin,
        stderr=subprocess.PIPE,
        text=True,
        timeout=60,
        check=False,
    )
    assert reader.stdin is not None
    reader.stdin.close()
    reader.wait(timeout=10)
    assert writer.returncode == 0
    assert "Traceback" not in writer.stderr


def test_pin_puts_a_session_first(tmp_path: Path) -> None:
    ids = []
    for text in ("first", "second"):
        doc = tmp_path / f"{text}.json"
        doc.write_text(json.dumps([{"role": "user", "content": text}]))
        ids.append(cli(tmp_path, "sessions", "import", str(doc)).stdout.strip())
    listed = [s["id"] for s in json.loads(cli(tmp_path, "sessions", "list", "--json").stdout)]
    older = listed[-1]
    assert cli(tmp_path, "sessions", "pin", older[:8]).returncode == 0
    listed = json.loads(cli(tmp_path, "sessions", "list", "--json").stdout)
    assert listed[0]["id"] == older
    assert listed[0]["pinned"] is True
    assert cli(tmp_path, "sessions", "pin", older, "--off").returncode == 0
    listed = json.loads(cli(tmp_path, "sessions", "list", "--json").stdout)
    assert listed[-1]["id"] == older
