"""`desktop-agent snapshot ...` and `experiment ...` end to end on a real data dir, as a
user or script would run them (in this process: tests/support/cli.py)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from desktop_agent.domain.calibration import METRIC_DEFINITIONS
from desktop_agent.services.app_context import open_app
from desktop_agent.store import sessions
from tests.support.cli import run_cli
from tests.support.fake_openai import FakeOpenAIServer, Reply
from tests.support.snapshot_data import dump, rated_session


class Cli:
    def __init__(self, data_dir: Path, env: dict[str, str] | None = None) -> None:
        self.data_dir = data_dir
        self.env = env or {}
        self.db_path = database_file(data_dir)

    def run(self, *args: str, expect: int = 0) -> subprocess.CompletedProcess[str]:
        done = run_cli(self.data_dir, *args, env=self.env)
        assert done.returncode == expect, (done.returncode, done.stdout, done.stderr)
        return done

    def json(self, *args: str) -> Any:
        return json.loads(self.run(*args, "--json").stdout)


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


def prepare(data_dir: Path, build: Any) -> Any:
    """Set the store up in-process (the CLI has no command to rate hand-made replies)."""
    app = open_app(data_dir)
    try:
        return build()
    finally:
        app.close()


def database_file(data_dir: Path) -> Path:
    app = open_app(data_dir)
    try:
        return app.database_path
    finally:
        app.close()


@pytest.fixture
def cli(data_dir: Path) -> Cli:
    return Cli(data_dir)


@pytest.mark.slow
def test_save_list_show_validate_and_diff(cli: Cli, data_dir: Path) -> None:
    session_id = prepare(data_dir, lambda: rated_session([(1, ())] * 3 + [(-1, ("too_long",))]))
    saved = cli.json("snapshot", "save", "--session", session_id, "--name", "mine")
    assert saved["source_session_id"] == session_id
    assert saved["validation"]["metrics"]["rated_turns"] == 4
    cli.run("weights", "set", "--agent", "assistant", "verbosity=0.2")
    base = cli.json("snapshot", "save", "--agent", "assistant", "--name", "base")
    listed = cli.json("snapshot", "list")
    assert {s["id"] for s in listed} == {base["id"], saved["id"]}
    assert cli.json("snapshot", "show", saved["id"][:8])["name"] == "mine"

    report = cli.json("snapshot", "validate", "mine")
    assert report["verdict"] == "warn"  # 4 rated replies are too few to judge
    assert all(isinstance(r, str) for r in report["reasons"])
    assert set(report["metrics"]) <= set(report["definitions"]) == set(METRIC_DEFINITIONS)

    diff = cli.json("snapshot", "diff", saved["id"], base["id"])
    assert diff["changes"] == [{"weight": "verbosity", "from": 0.5, "to": 0.2}]
    assert diff["a"]["id"] == saved["id"]
    assert diff["b"]["name"] == "base"
    assert diff["request_diff"]["directives"]["added"]


@pytest.mark.slow
def test_whatif_never_changes_the_session(
    cli: Cli, data_dir: Path, tmp_path: Path, fake_openai: FakeOpenAIServer
) -> None:
    session_id = prepare(data_dir, lambda: rated_session([(1, ()), (-1, ("too_long",))]))
    snap = cli.json("snapshot", "save", "--agent", "assistant", "--name", "base")
    weights_file = tmp_path / "terse.json"
    weights_file.write_text('{"verbosity": 0.1}')
    replay_cli = Cli(
        data_dir, {"OPENAI_BASE_URL": fake_openai.base_url, "OPENAI_API_KEY": "sk-test"}
    )
    fake_openai.push(Reply("short answer"))
    before = dump(cli.db_path)

    by_id = cli.json("snapshot", "whatif", snap["id"], "--session", session_id)
    by_file = replay_cli.json(
        "snapshot", "whatif", str(weights_file), "--session", session_id, "--replay", "1"
    )
    assert dump(cli.db_path) == before
    assert by_id["changes"] == []
    assert by_id["request_diff"]["directives"] == {"removed": [], "added": []}
    assert by_file["changes"] == [{"weight": "verbosity", "from": 0.5, "to": 0.1}]
    assert by_file["predicted"]["addressed"] == 1
    assert by_file["replay"] == [
        {
            "message_id": by_file["replay"][0]["message_id"],
            "user": "question 1",
            "original": "answer 1",
            "candidate": "short answer",
        }
    ]


@pytest.mark.slow
def test_a_failing_snapshot_reaches_the_agent_only_with_force(cli: Cli, data_dir: Path) -> None:
    session_id = prepare(data_dir, lambda: rated_session([(-1, ())] * 10))
    cli.run("weights", "set", "--session", session_id, "formality=0.9")
    bad = cli.json("snapshot", "save", "--session", session_id, "--name", "bad")
    assert bad["validation"]["verdict"] == "fail"
    refused = cli.run("snapshot", "apply", bad["id"], "--agent", "assistant", expect=1)
    assert "failed validation" in refused.stderr
    assert "--force" in refused.stderr
    cli.run("snapshot", "apply", bad["id"], "--agent", "assistant", "--force")
    history = cli.json("weights", "history", "--agent", "assistant")
    assert history[-1]["cause"] == f"snapshot:{bad['id']}"
    assert history[-1]["new"] == 0.9


@pytest.mark.slow
def test_export_then_import(cli: Cli, tmp_path: Path) -> None:
    snap = cli.json("snapshot", "save", "--agent", "assistant", "--name", "shared")
    target = tmp_path / "shared.weights.json"
    assert cli.run("snapshot", "export", snap["id"], "-o", str(target)).stdout.strip() == str(
        target
    )
    document = json.loads(target.read_text())
    assert document["format"] == "desktop-agent/weights-snapshot"
    assert document["snapshot"]["id"] == snap["id"]
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temp file left

    before = dump(cli.db_path)
    dry = cli.json("snapshot", "import", str(target), "--dry-run")
    assert dry["dry_run"] is True
    assert dump(cli.db_path) == before
    imported = cli.json("snapshot", "import", str(target))
    assert imported["id"] != snap["id"]
    assert "new id" in imported["notes"][0]
    assert len(cli.json("snapshot", "list")) == 2


BAD_IMPORTS = [
    ("broken.json", b'{"verbosity": 0.5', "invalid JSON"),
    ("unknown.json", b'{"loudness": 0.5}', "unknown weight 'loudness'"),
    ("range.json", b'{"verbosity": 1.5}', "must be between 0 and 1"),
    ("big.json", b" " * (1024 * 1024 + 1), "1 MiB"),
    ("latin1.json", b'{"verbosity": 0.5, "x\xe9": 1}', "not valid UTF-8"),
]


@pytest.mark.slow
def test_bad_imports_exit_3_and_change_nothing(cli: Cli, tmp_path: Path) -> None:
    snap = cli.json("snapshot", "save", "--agent", "assistant", "--name", "s")
    good = tmp_path / "good.weights.json"
    cli.run("snapshot", "export", snap["id"], "-o", str(good))
    tampered = tmp_path / "tampered.json"
    tampered.write_bytes(good.read_bytes().replace(b'"name": "s"', b'"name": "t"'))
    cases = [(tampered, "checksum mismatch"), (tmp_path / "missing.json", "no such file")]
    for name, raw, message in BAD_IMPORTS:
        path = tmp_path / name
        path.write_bytes(raw)
        cases.append((path, message))
    before = dump(cli.db_path)
    for path, message in cases:
        done = cli.run("snapshot", "import", str(path), expect=3)
        assert message in done.stderr, (path.name, done.stderr)
    assert dump(cli.db_path) == before


@pytest.mark.slow
def test_experiment_create_report_and_promote(cli: Cli, data_dir: Path) -> None:
    cli.run("weights", "set", "--agent", "assistant", "verbosity=0.1")
    cli.json("snapshot", "save", "--agent", "assistant", "--name", "terse")
    cli.run("weights", "set", "--agent", "assistant", "verbosity=0.9")
    chatty = cli.json("snapshot", "save", "--agent", "assistant", "--name", "chatty")
    created = cli.json(
        "experiment",
        "create",
        "--agent",
        "assistant",
        "--a",
        "terse",
        "--b",
        "chatty",
        "--split",
        "0.5",
        "--name",
        "length",
    )
    assert created["status"] == "running"
    cli.run(
        "experiment",
        "create",
        "--agent",
        "assistant",
        "--a",
        "terse",
        "--b",
        "chatty",
        "--name",
        "second",
        expect=1,
    )

    def build() -> None:
        from desktop_agent.services.sessions import start_session
        from desktop_agent.store import messages

        for index in range(6):
            session = start_session(user=f"user{index}")
            for rating in (1, 1, -1) if session.arm == "b" else (-1, -1, 1):
                reply = messages.append_message(session.id, "assistant", "r")
                messages.set_feedback(reply.id, rating)

    prepare(data_dir, build)
    report = cli.json("experiment", "report", "length")
    arms = report["arms"]
    assert arms["a"]["users"] + arms["b"]["users"] == 6
    assert arms["a"]["rated"] == 3 * arms["a"]["sessions"]
    for arm in arms.values():
        assert set(arm) >= {
            "snapshot_id",
            "users",
            "sessions",
            "rated",
            "approval",
            "ci_low",
            "ci_high",
        }
    assert report["winner"] in ("a", "b", None)
    assert [e["name"] for e in cli.json("experiment", "list")] == ["length"]

    cli.run("experiment", "promote", "length", "--arm", "b")
    shown = cli.json("weights", "show", "--agent", "assistant")
    assert shown["weights"]["verbosity"] == 0.9
    assert cli.json("experiment", "list")[0]["promoted"] == "b"
    assert chatty["id"] == report["arms"]["b"]["snapshot_id"]
    cli.run("experiment", "stop", "length")
    assert cli.json("experiment", "list")[0]["status"] == "stopped"


@pytest.mark.slow
def test_save_judges_the_goal_when_enabled(data_dir: Path, fake_openai: FakeOpenAIServer) -> None:
    from desktop_agent.config.paths import settings_path

    def build() -> str:
        session_id = rated_session([(1, ())])
        sessions.set_goal(session_id, "plan the trip")
        return session_id

    session_id = prepare(data_dir, build)
    settings_path(data_dir).write_text('{"learning": {"judge_goal_with_fast_model": true}}')
    cli = Cli(data_dir, {"OPENAI_BASE_URL": fake_openai.base_url, "OPENAI_API_KEY": "sk-test"})
    fake_openai.push(Reply("0.8"))
    saved = cli.json("snapshot", "save", "--session", session_id, "--name", "trip")
    assert saved["validation"]["metrics"]["goal_progress"] == 0.8
    assert "judged by" in saved["validation"]["notes"][0]
