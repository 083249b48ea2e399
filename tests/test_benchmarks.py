"""`make bench` installs only the `bench` extra: what the benchmarks import must load
without the test tools (pytest, hypothesis)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

_WITHOUT_TEST_TOOLS = """
import sys
for name in ("pytest", "_pytest", "hypothesis", "pytestqt"):
    sys.modules[name] = None  # any import of these now raises ImportError
from tests.support.fake_openai import FakeOpenAIServer, Reply
with FakeOpenAIServer() as server:
    server.push(Reply("ok"))
    print(server.base_url)
"""


def test_the_loopback_server_the_ui_benchmark_uses_needs_no_pytest() -> None:
    result = subprocess.run(
        [sys.executable, "-c", _WITHOUT_TEST_TOOLS],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("http://127.0.0.1:")
