"""The command line end to end against the loopback provider: chat, sessions, weights,
feedback, JSON outputs, exit codes and error messages. Commands run in this process
(tests/support/cli.py) except where the test is about a real process."""

from __future__ import annotations

import json
import sqlite3
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.support.cli import run_cli
from tests.support.fake_openai import Error, FakeOpenAIServer

pytestmark = pytest.mark.slow


class Cli:
    def __init__(self, data_dir: Path, base_url: str, *, process: bool = False) -> None:
        self.data_dir = data_dir
        self.env = {"OPENAI_BASE_URL": base_url, "OPENAI_API_KEY": "sk-test"}
        self.process = process

    def run(self, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
        return run_cli(self.data_dir, *args, stdin=stdin, env=self.env, process=self.process)

    def json(self, *args: str) -> Any:
        result = self.run(*args)
        assert result.returncode == 0, result.stderr
        return json.loads(result.stdout)

    def dump(self) -> str:
        conn = sqlite3.connect(self.data_dir / "desktop-agent.sqlite3")
        try:
            return "\n".join(conn.iterdump())
        finally:
            conn.close()


@pytest.fixture
def cli(tmp_path: Path, fake_openai: FakeOpenAIServer) -> Cli:
    return Cli(tmp_path / "cli-data", fake_openai.base_url)


@pytest.fixture
def cli_in_own_process(tmp_path: Path, fake_openai: FakeOpenAIServer) -> Cli:
    return Cli(tmp_path / "cli-data", fake_openai.base_url, process=True)


def test_chat_new_prints_the_documented_keys_and_a_second_turn_sends_history(
    cli: Cli, cli_in_own_process: Cli, fake_openai: FakeOpenAIServer
) -> None:
    # The two turns through `python -m desktop_agent` itself, as a user runs it.
    first = cli_in_own_process.json("chat", "--new", "--json", "hello from the CLI")
    assert {
        "session_id",
        "user_message_id",
        "assistant_message_id",
        "content",
        "status",
        "weights",
    } <= set(first)
    assert first["content"] == "Echo: hello from the CLI"
    assert first["status"] == "complete"
    assert first["weights"]["verbosity"] == 0.5

    second = cli_in_own_process.json(
        "chat", "--session", first["session_id"][:8], "--json", "and again"
    )
    assert second["session_id"] == first["session_id"]
    sent = fake_openai.chat_requests[-1].body["messages"]
    assert [(m["role"], m["content"]) for m in sent[1:]] == [
        ("user", "hello from the CLI"),
        ("assistant", "Echo: hello from the CLI"),
        ("user", "and again"),
    ]

    shown = cli.json("sessions", "show", first["session_id"], "--json")
    assert [(m["id"], m["role"], m["status"]) for m in shown["messages"]] == [
        (first["user_message_id"], "user", "complete"),
        (first["assistant_message_id"], "assistant", "complete"),
        (second["user_message_id"], "user", "complete"),
        (second["assistant_message_id"], "assistant", "complete"),
    ]
    assert all("content" in m for m in shown["messages"])

    listed = cli.json("sessions", "list", "--json")
    assert [s["id"] for s in listed] == [first["session_id"]]
    hits = cli.json("sessions", "search", "again", "--json")
    assert {h["message_id"] for h in hits} == {
        second["user_message_id"],
        second["assistant_message_id"],
    }
    assert all(h["session_id"] == first["session_id"] for h in hits)


def test_export_import_and_delete(cli: Cli, tmp_path: Path) -> None:
    chat = cli.json("chat", "--new", "--json", "export me")
    out = tmp_path / "s.session.json"
    assert cli.run("sessions", "export", chat["session_id"], "-o", str(out)).returncode == 0
    markdown = cli.run("sessions", "export", chat["session_id"], "--format", "md")
    assert markdown.returncode == 0
    assert "## User" in markdown.stdout
    assert "export me" in markdown.stdout

    imported = cli.json("sessions", "import", str(out), "--json")
    assert len(imported) == 1
    assert imported[0]["new_id"] is True
    new_id = imported[0]["session_id"]
    assert new_id != chat["session_id"]
    assert cli.json("sessions", "show", new_id, "--json")["message_count"] == 2

    assert cli.run("sessions", "delete", new_id).returncode == 0
    assert [s["id"] for s in cli.json("sessions", "list", "--json")] == [chat["session_id"]]
    assert [s["id"] for s in cli.json("sessions", "list", "--trash", "--json")] == [new_id]


def test_usage_errors_exit_2(cli: Cli) -> None:
    result = cli.run("chat", "no target given")
    assert result.returncode == 2
    assert "--new" in result.stderr
    assert cli.run("chat", "--new", "--session", "x", "both").returncode == 2


@pytest.mark.parametrize("value", ["nan", "inf", "1.7", "high", "-0.1"])
def test_a_bad_weight_value_exits_3_and_changes_nothing(cli: Cli, value: str) -> None:
    chat = cli.json("chat", "--new", "--json", "hi")
    before = cli.dump()
    result = cli.run(
        "weights", "set", "--session", chat["session_id"], "verbosity=0.2", f"formality={value}"
    )
    assert result.returncode == 3
    assert "formality" in result.stderr
    assert cli.dump() == before


def test_an_unknown_weight_name_exits_3(cli: Cli) -> None:
    cli.json("chat", "--new", "--json", "hi")
    before = cli.dump()
    result = cli.run("weights", "set", "--agent", "assistant", "charm=0.5")
    assert result.returncode == 3
    assert "unknown weight 'charm'" in result.stderr
    assert cli.dump() == before


def test_a_bad_import_file_exits_3_and_changes_nothing(cli: Cli, tmp_path: Path) -> None:
    cli.json("chat", "--new", "--json", "hi")
    good = tmp_path / "good.json"
    good.write_text(json.dumps([{"role": "user", "content": "fine"}]))
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": "desktop-agent/session", "format_version": 1, ')
    before = cli.dump()
    result = cli.run("sessions", "import", str(good), str(bad))
    assert result.returncode == 3
    assert "bad.json" in result.stderr
    assert cli.dump() == before


def test_a_provider_error_exits_4_and_keeps_the_users_turn(
    cli: Cli, fake_openai: FakeOpenAIServer
) -> None:
    fake_openai.push(Error(401, "no"))
    result = cli.run("chat", "--new", "--json", "are you there?")
    assert result.returncode == 4
    assert "HTTP 401" in result.stderr
    reply = json.loads(result.stdout)
    assert reply["status"] == "error"
    shown = cli.json("sessions", "show", reply["session_id"], "--json")
    assert [(m["role"], m["content"]) for m in shown["messages"]] == [
        ("user", "are you there?"),
        ("assistant", ""),
    ]


def test_an_unknown_session_exits_1(cli: Cli) -> None:
    result = cli.run("sessions", "show", "does-not-exist")
    assert result.returncode == 1
    assert "no session" in result.stderr
    assert cli.run("chat", "--session", "nope-nope", "hi").returncode == 1


def test_weights_set_then_show(cli: Cli) -> None:
    chat = cli.json("chat", "--new", "--json", "hi")
    sid = chat["session_id"]
    assert (
        cli.run("weights", "set", "--session", sid, "verbosity=0.2", "autonomy=1").returncode == 0
    )
    shown = cli.json("weights", "show", "--session", sid, "--json")
    assert shown["weights"]["verbosity"] == 0.2
    assert shown["weights"]["autonomy"] == 1.0
    assert shown["baseline"]["verbosity"] == 0.5
    assert shown["session_id"] == sid

    cli.run("weights", "set", "--agent", "assistant", "--user", "local", "formality=0.9")
    user = cli.json("weights", "show", "--agent", "assistant", "--user", "local", "--json")
    assert user["weights"]["formality"] == 0.9
    assert (
        cli.json("weights", "show", "--agent", "assistant", "--json")["weights"]["formality"] == 0.5
    )


def test_feedback_down_too_long_lowers_verbosity(cli: Cli) -> None:
    chat = cli.json("chat", "--new", "--json", "explain everything")
    result = cli.run("feedback", str(chat["assistant_message_id"]), "--down", "--tag", "too_long")
    assert result.returncode == 0, result.stderr
    shown = cli.json("weights", "show", "--session", chat["session_id"], "--json")
    assert shown["weights"]["verbosity"] < 0.5
    # Rating a user message is refused as bad input.
    assert cli.run("feedback", str(chat["user_message_id"]), "--up").returncode == 3


@pytest.mark.parametrize(
    ("args", "stdin"),
    [(("chat", "--new", ""), ""), (("chat", "--new", "   \n"), ""), (("chat", "--new", "-"), "\n")],
)
def test_an_empty_message_with_new_exits_3_and_creates_no_session(
    cli: Cli, args: tuple[str, ...], stdin: str
) -> None:
    result = cli.run(*args, stdin=stdin)

    assert result.returncode == 3, result.stderr
    assert "empty" in result.stderr
    listed = cli.run("sessions", "list", "--json")
    assert json.loads(listed.stdout) == []


def test_a_database_locked_by_another_writer_exits_1_with_a_message(
    cli_in_own_process: Cli,
) -> None:
    cli = cli_in_own_process  # the other writer is another process, as in real use
    assert cli.run("sessions", "list").returncode == 0  # creates the store
    holder = sqlite3.connect(cli.data_dir / "desktop-agent.sqlite3", isolation_level=None)
    try:
        holder.execute("BEGIN IMMEDIATE")
        result = cli.run("weights", "set", "--agent", "assistant", "verbosity=0.3")
    finally:
        holder.execute("ROLLBACK")
        holder.close()

    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "busy" in result.stderr
