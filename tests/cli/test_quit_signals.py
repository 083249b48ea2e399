"""SIGTERM and SIGHUP during `chat` are a Stop, like Ctrl+C: the reply is kept,
`incomplete`, with a reason naming the signal, and the exit code says which signal."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.fake_openai import FakeOpenAIServer, slow_stream

REPO = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.slow


@pytest.mark.parametrize(
    ("signum", "reason_words", "exit_code"),
    [
        (signal.SIGTERM, "SIGTERM", 143),
        (signal.SIGHUP, "SIGHUP", 129),
        (signal.SIGINT, "Stopped by you", 130),
    ],
)
def test_a_quit_signal_mid_reply_keeps_the_text_and_says_why(
    tmp_path: Path,
    fake_openai: FakeOpenAIServer,
    signum: signal.Signals,
    reason_words: str,
    exit_code: int,
) -> None:
    fake_openai.push(slow_stream(chunks=400, delay_per_chunk=0.05))
    env = {**os.environ, "OPENAI_BASE_URL": fake_openai.base_url, "OPENAI_API_KEY": "sk-test"}
    data_dir = tmp_path / "data"
    # Ctrl+C as a terminal delivers it: a suite started in the background (`make test &`)
    # passes SIGINT on ignored, and Python then rightly leaves it ignored.
    start = (
        "import runpy, signal, sys; signal.signal(signal.SIGINT, signal.default_int_handler);"
        " sys.argv[0] = 'desktop-agent'; runpy.run_module('desktop_agent', run_name='__main__')"
    )
    with subprocess.Popen(
        [sys.executable, "-c", start, "--data-dir", str(data_dir), "chat", "--new", "hi"],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    ) as process:
        assert process.stdout is not None
        received = process.stdout.read(40)  # text is streaming: the reply is under way
        assert received.startswith("tick0")
        process.send_signal(signum)
        _out, err = process.communicate(timeout=30)
    assert process.returncode == exit_code, err
    assert "Traceback" not in err
    conn = sqlite3.connect(data_dir / "desktop-agent.sqlite3")
    try:
        content, status, reason = conn.execute(
            "SELECT content, status, status_reason FROM message WHERE role = 'assistant'"
        ).fetchone()
        markers = list(data_dir.glob("*.open-by-*"))
    finally:
        conn.close()
    assert status == "incomplete"
    assert reason_words in reason
    assert content.startswith(received)
    assert not markers
