"""The command line on both engines, in real subprocesses: the same commands and JSON
on the data dir's SQLite file and on a PostgreSQL team store (`--store URL`), plus
`store init` and an experiment whose report counts two members."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.support.fake_openai import FakeOpenAIServer
from tests.support.postgres import OWNER, TeamStore

REPO_ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.slow


class Cli:
    def __init__(self, data_dir: Path, base_url: str, store_url: str | None) -> None:
        self.data_dir = data_dir
        self.store = ["--store", store_url] if store_url else []
        self.env = {**os.environ, "OPENAI_BASE_URL": base_url, "OPENAI_API_KEY": "sk-test"}

    def run(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [
                sys.executable,
                "-m",
                "desktop_agent",
                "--data-dir",
                str(self.data_dir),
                *self.store,
                *args,
            ],
            cwd=REPO_ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=90,
            check=False,
        )

    def json(self, *args: str) -> Any:
        result = self.run(*args)
        assert result.returncode == 0, result.stderr
        return json.loads(result.stdout)


@pytest.fixture(params=["sqlite", "postgres"])
def cli(request: pytest.FixtureRequest, tmp_path: Path, fake_openai: FakeOpenAIServer) -> Cli:
    url = None
    if request.param == "postgres":
        url = request.getfixturevalue("team_store").url("alice")
    return Cli(tmp_path / "cli-data", fake_openai.base_url, url)


def test_chat_sessions_search_weights_and_snapshots_work_alike(cli: Cli) -> None:
    first = cli.json("chat", "--new", "--json", "tell me about the lighthouse")
    assert first["status"] == "complete"
    sid = first["session_id"]
    again = cli.json("chat", "--session", sid[:8], "--json", "and the keeper?")
    assert again["session_id"] == sid
    listed = cli.json("sessions", "list", "--json")
    assert [s["id"] for s in listed] == [sid]
    shown = cli.json("sessions", "show", sid, "--json")
    assert [m["role"] for m in shown["messages"]] == ["user", "assistant", "user", "assistant"]
    hits = cli.json("sessions", "search", "lightho", "--json")
    assert first["user_message_id"] in [h["message_id"] for h in hits]
    assert {h["session_id"] for h in hits} == {sid}
    assert cli.json("sessions", "search", "nowhere-to-be-found", "--json") == []
    assert (
        cli.run(
            "feedback", str(first["assistant_message_id"]), "--down", "--tag", "too_long"
        ).returncode
        == 0
    )
    weights = cli.json("weights", "show", "--session", sid, "--json")["weights"]
    assert weights["verbosity"] < 0.5  # learned from the feedback
    assert cli.run("weights", "set", "--session", sid, "formality=0.8").returncode == 0
    assert cli.json("weights", "show", "--session", sid, "--json")["weights"]["formality"] == 0.8
    saved = cli.json("snapshot", "save", "--session", sid, "--name", "terse", "--json")
    assert [s["id"] for s in cli.json("snapshot", "list", "--json")] == [saved["id"]]
    verdict = cli.json("snapshot", "validate", saved["id"], "--json")["verdict"]
    assert verdict in ("pass", "warn", "fail")
    assert cli.run("sessions", "delete", sid, "--purge").returncode == 0
    assert cli.json("sessions", "list", "--json") == []


def test_store_init_then_two_members_share_an_experiment(
    team_store: TeamStore, tmp_path: Path, fake_openai: FakeOpenAIServer
) -> None:
    server = team_store.server
    fresh = server.new_database()
    owner = Cli(tmp_path / "owner", fake_openai.base_url, None)
    result = owner.run("store", "init", server.url(OWNER, fresh))
    assert result.returncode == 0, result.stderr
    assert "GRANT desktop_agent_members TO" in result.stdout
    again = owner.run("store", "init", server.url(OWNER, fresh))
    assert again.returncode == 0, again.stderr

    alice = Cli(tmp_path / "alice", fake_openai.base_url, server.url("alice", fresh))
    bob = Cli(tmp_path / "bob", fake_openai.base_url, server.url("bob", fresh))
    for name, verbosity in (("short", "0.1"), ("long", "0.9")):
        assert (
            alice.run("weights", "set", "--agent", "assistant", f"verbosity={verbosity}").returncode
            == 0
        )
        alice.json("snapshot", "save", "--agent", "assistant", "--name", name, "--json")
    created = alice.run(
        "experiment",
        "create",
        "--agent",
        "assistant",
        "--a",
        "short",
        "--b",
        "long",
        "--name",
        "length",
    )
    assert created.returncode == 0, created.stderr
    for member in (alice, bob):
        reply = member.json("chat", "--new", "--json", "hello")
        assert member.run("feedback", str(reply["assistant_message_id"]), "--up").returncode == 0
    # Bob sees none of alice's conversations, but the report counts both of them.
    assert len(bob.json("sessions", "list", "--json")) == 1
    report = bob.json("experiment", "report", "length", "--json")
    arms = report["arms"]
    assert arms["a"]["users"] + arms["b"]["users"] == 2
    assert arms["a"]["sessions"] + arms["b"]["sessions"] == 2
    assert arms["a"]["rated"] + arms["b"]["rated"] == 2


def test_an_unreachable_store_exits_1_naming_the_server(tmp_path: Path) -> None:
    cli = Cli(tmp_path / "d", "http://127.0.0.1:9/v1", "postgresql://alice@127.0.0.1:1/team")
    result = cli.run("sessions", "list")
    assert result.returncode == 1
    assert "team store at 127.0.0.1:1/team cannot be reached" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_server_restart_between_two_commands_goes_unnoticed(
    tmp_path: Path, team_store: TeamStore, fake_openai: FakeOpenAIServer
) -> None:
    cli = Cli(tmp_path / "d", fake_openai.base_url, team_store.url("alice"))
    first = cli.json("chat", "--new", "--json", "before the restart")
    team_store.server.pause()
    try:
        down = cli.run("sessions", "list")
    finally:
        team_store.server.resume()
    assert down.returncode == 1
    assert "cannot be reached" in down.stderr
    assert "Traceback" not in down.stderr
    sid = first["session_id"]
    cli.json("chat", "--session", sid, "--json", "after the restart")
    shown = cli.json("sessions", "show", sid, "--json")
    contents = [m["content"] for m in shown["messages"]]
    assert contents == [
        "before the restart",
        "Echo: before the restart",
        "after the restart",
        "Echo: after the restart",
    ]
