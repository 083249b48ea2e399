"""What the UI benchmarks share: the environment of an app process on a data dir, and a
script that runs the app in a child process to time opening a session or streaming a
reply."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable


def env(data_dir: Path) -> dict[str, str]:
    """The environment of an app process on `data_dir`, with no keyring, offscreen."""
    values = dict(os.environ)
    values.update(
        DESKTOP_AGENT_DATA_DIR=str(data_dir),
        DESKTOP_AGENT_NO_KEYRING="1",
        DESKTOP_AGENT_PRINT_PAINT_CLOCK="1",
        QT_QPA_PLATFORM=values.get("QT_QPA_PLATFORM", "offscreen"),
        PYTHONPATH=str(ROOT),
    )
    return values


_SCRIPT = r"""
import json, os, statistics, sys, time
from PySide6.QtCore import QEvent, QObject, QTimer
from desktop_agent.ui.main import create_application
from desktop_agent.services.app_context import open_app
from desktop_agent.store import sessions
from desktop_agent.ui.main_window import MainWindow

mode, arg = sys.argv[1], sys.argv[2]
app = create_application()
context = open_app()
window = MainWindow(context)
window.show()
for _ in range(3):
    app.processEvents()

class Painted(QObject):
    at = None
    def eventFilter(self, obj, event):
        if event.type() == QEvent.Type.Paint and self.at is None:
            QTimer.singleShot(0, self.done)
            self.at = 0
        return False
    def done(self):
        self.at = time.perf_counter()
        app.quit()

if mode == "open":
    record = sessions.get_session(arg)
    probe = Painted()
    window.chat.view.viewport().installEventFilter(probe)
    start = time.perf_counter()
    window.open_session(record)
    app.exec()
    model = window.chat.model
    print(json.dumps({"open_ms": (probe.at - start) * 1000, "rows": model.rowCount(),
                      "first": model.record(0).seq,
                      "last": model.record(model.rowCount() - 1).seq}))
else:
    from tests.support.fake_openai import FakeOpenAIServer, Reply
    chunks = int(arg)
    server = FakeOpenAIServer().start()
    os.environ["OPENAI_BASE_URL"] = server.base_url
    os.environ["OPENAI_API_KEY"] = "sk-bench"
    server.push(Reply("".join(f"word{i} " for i in range(chunks)), chunks=chunks,
                      delay_per_chunk=1 / 200))
    window.new_session()
    intervals = []
    last = [time.perf_counter()]
    def tick():
        now = time.perf_counter()
        intervals.append(now - last[0])
        last[0] = now
    probe = QTimer()
    probe.setInterval(1)
    probe.timeout.connect(tick)
    window.chat.controller.busyChanged.connect(lambda busy: None if busy else app.quit())
    window.chat.composer.setPlainText("stream please")
    probe.start()
    window.chat.send()
    app.exec()
    probe.stop()
    stalls = sorted(max(0.0, i - 0.001) * 1000 for i in intervals)
    p99 = stalls[int(len(stalls) * 0.99) - 1]
    print(json.dumps({"stall_p99_ms": p99, "stall_max_ms": stalls[-1], "ticks": len(stalls),
                      "reply_chars": len(window.chat.model.records()[-1].content)}))
    server.close()
window.close()
context.close()
sys.stdout.flush()
os._exit(0)  # PySide6 6.12 on Python 3.11 may abort at shutdown (None refcount); see docs/ui.md
"""


def in_process(data_dir: Path, mode: str, arg: str) -> dict[str, float]:
    """Run the app in a child process on `data_dir` and measure one thing in it: "open"
    (session id `arg` to the first paint of its newest page) or "stream" (`arg` chunks)."""
    result = subprocess.run(
        [PYTHON, "-c", _SCRIPT, mode, arg],
        env=env(data_dir),
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])
