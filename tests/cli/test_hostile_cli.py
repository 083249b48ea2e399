"""The CLI under attack (in-process: tests/support/cli.py): hostile provider answers end
in exit 4 with the reply closed and a reason; stored control characters never reach the
terminal raw."""

from __future__ import annotations

import json
import os
import re
import sqlite3
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.cli import run_cli
from tests.support.hostile_server import HostileServer

pytestmark = pytest.mark.slow

# What a terminal would obey: C0 but tab/newline, DEL, C1, bidi and direction controls.
RAW_CONTROL = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]"
)
HOSTILE = "T\x1b]0;owned\x07i\x1b[2J\x1b]52;c;ZXZpbA==\x07t\u202eel\x9b31me\r"


class Cli:
    def __init__(self, data_dir: Path, base_url: str) -> None:
        self.data_dir = data_dir
        self.env = {"OPENAI_BASE_URL": base_url, "OPENAI_API_KEY": "sk-test"}

    def run(self, *args: str) -> subprocess.CompletedProcess[str]:
        return run_cli(self.data_dir, *args, env=self.env)

    def reply_row(self, message_id: int) -> tuple[str, str, str]:
        conn = sqlite3.connect(self.data_dir / "desktop-agent.sqlite3")
        try:
            row = conn.execute(
                "SELECT content, status, status_reason FROM message WHERE id = ?", (message_id,)
            ).fetchone()
        finally:
            conn.close()
        return row[0], row[1], row[2]


@pytest.fixture
def server() -> Iterator[HostileServer]:
    with HostileServer() as running:
        yield running


@pytest.fixture
def cli(tmp_path: Path, server: HostileServer) -> Cli:
    return Cli(tmp_path / "data", server.base_url)


def chat_json(cli: Cli, text: str = "hello") -> tuple[subprocess.CompletedProcess[str], Any]:
    result = cli.run("chat", "--new", "--json", text)
    return result, json.loads(result.stdout)


@pytest.mark.parametrize(
    ("fault", "words", "kept"),
    [
        ("choices_null", "'choices' is null", "Before "),
        ("content_int", "'content' is a number", "Count: "),
        ("non_json_200", "not JSON", ""),
        ("empty_200", "empty body", ""),
        ("html_502", "502 Bad Gateway", ""),
    ],
)
def test_a_broken_answer_exits_4_and_closes_the_reply_with_its_reason(
    cli: Cli, server: HostileServer, fault: str, words: str, kept: str
) -> None:
    server.push(fault)
    result, reply = chat_json(cli)
    assert result.returncode == 4, result.stderr
    assert "Traceback" not in result.stderr
    assert words in result.stderr
    content, status, reason = cli.reply_row(reply["assistant_message_id"])
    assert content == kept
    assert status == ("incomplete" if kept else "error")
    assert words in reason
    assert "<" not in reason


def test_an_emoji_split_into_surrogate_halves_is_stored_whole(
    cli: Cli, server: HostileServer
) -> None:
    server.push("surrogate_split")
    result = cli.run("chat", "--new", "hello")
    assert result.returncode == 0, result.stderr
    assert "Smile 😀 and a pair in one chunk: 👍" in result.stdout
    shown = cli.run("sessions", "list", "--json")
    session_id = json.loads(shown.stdout)[0]["id"]
    messages = json.loads(cli.run("sessions", "show", session_id, "--json").stdout)["messages"]
    assert messages[-1]["content"] == "Smile 😀 and a pair in one chunk: 👍"
    assert messages[-1]["status"] == "complete"


def test_a_reply_cut_for_size_is_kept_and_says_so(cli: Cli, server: HostileServer) -> None:
    server.push("endless_stream")
    result, reply = chat_json(cli)
    assert result.returncode == 4
    assert "too large" in result.stderr
    assert "characters" in result.stderr
    content, status, reason = cli.reply_row(reply["assistant_message_id"])
    assert status == "incomplete"
    assert len(content) > 1_000_000
    assert "cut there" in reason


def assert_no_raw_controls(result: subprocess.CompletedProcess[str], what: str) -> None:
    for name, text in (("stdout", result.stdout), ("stderr", result.stderr)):
        found = RAW_CONTROL.findall(text)
        assert not found, f"{what}: raw control characters on {name}: {found!r}"


def test_no_human_readable_output_carries_a_raw_control_character(
    cli: Cli, server: HostileServer, tmp_path: Path
) -> None:
    server.push("control_chars")
    result = cli.run("chat", "--new", f"find {HOSTILE} me")
    assert result.returncode == 0, result.stderr
    assert_no_raw_controls(result, "chat")
    assert "␛]0;pwned␇" in result.stdout  # shown, not obeyed
    session_id = json.loads(cli.run("sessions", "list", "--json").stdout)[0]["id"]
    assert cli.run("sessions", "rename", session_id, HOSTILE).returncode == 0
    saved = cli.run("snapshot", "save", "--session", session_id, "--name", HOSTILE)
    assert saved.returncode == 0, saved.stderr
    assert_no_raw_controls(saved, "snapshot save")
    snapshot_id = json.loads(cli.run("snapshot", "list", "--json").stdout)[0]["id"]
    bad_file = tmp_path / f"weights{HOSTILE}.json"
    bad_file.write_text("{not json")
    imported_file = tmp_path / "imported.json"
    imported_file.write_text(
        json.dumps([{"role": "user", "content": f"find nul\x00 bell\x07 {HOSTILE}"}])
    )
    imported = cli.run("sessions", "import", str(imported_file))
    assert imported.returncode == 0, imported.stderr
    imported_id = imported.stdout.strip()

    commands = [
        ("sessions", "list"),
        ("sessions", "show", session_id),
        ("sessions", "show", imported_id),
        ("sessions", "search", "find"),
        ("sessions", "rename", session_id, HOSTILE),
        ("snapshot", "list"),
        ("snapshot", "show", snapshot_id),
        ("snapshot", "validate", snapshot_id),
        ("snapshot", "import", str(bad_file)),
        ("sessions", "import", str(bad_file)),
        ("sessions", "show", HOSTILE),
    ]
    for command in commands:
        result = cli.run(*command)
        assert "Traceback" not in result.stderr, command
        assert_no_raw_controls(result, " ".join(command[:2]))
    listed = cli.run("sessions", "list")
    assert "\\u202e" in listed.stdout
    assert "␛" in listed.stdout
    # An export to a pipe or file is data: kept exact (only a terminal gets stand-ins).
    exported = cli.run("sessions", "export", session_id, "--format", "md")
    assert "\x1b]0;pwned\x07" in exported.stdout


def test_json_output_keeps_the_exact_text_with_every_control_escaped(
    cli: Cli, server: HostileServer
) -> None:
    server.push("control_chars")
    assert cli.run("chat", "--new", "hi").returncode == 0
    session_id = json.loads(cli.run("sessions", "list", "--json").stdout)[0]["id"]
    cli.run("sessions", "rename", session_id, HOSTILE)
    for command in (("sessions", "list", "--json"), ("sessions", "show", session_id, "--json")):
        result = cli.run(*command)
        assert_no_raw_controls(result, " ".join(command))
    shown = json.loads(cli.run("sessions", "show", session_id, "--json").stdout)
    assert shown["title"] == HOSTILE.strip()
    assert "\x1b]0;pwned\x07" in shown["messages"][-1]["content"]


@pytest.mark.parametrize("kind", ["fifo", "zero", "urandom", "folder"])
def test_importing_a_file_that_is_not_a_file_exits_3_at_once(
    cli: Cli, tmp_path: Path, kind: str
) -> None:
    target = tmp_path / f"special-{kind}.json"
    if kind == "fifo":
        os.mkfifo(target)
    elif kind == "folder":
        target.mkdir()
    else:
        target.symlink_to(f"/dev/{kind}")
    for command in (("sessions", "import"), ("snapshot", "import")):
        result = cli.run(*command, str(target))  # a blocking read would hit the timeout
        assert result.returncode == 3, (command, result.stderr)
        assert str(target) in result.stderr
        assert any(word in result.stderr for word in ("FIFO", "device", "folder"))
