"""Benchmark: a slider step re-renders the effective-request preview within one frame.

Measures setValue on a weight slider → compile_request → preview text and highlight
updated → preview.repaint() (forced, synchronous), offscreen, over a real store.
Run: QT_QPA_PLATFORM=offscreen .venv/bin/python benchmarks/bench_weight_editor.py
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

STEPS = 2000
FRAME_MS = 16.0


def main() -> int:
    from PySide6.QtWidgets import QApplication

    app = QApplication(sys.argv)
    os.environ["DESKTOP_AGENT_NO_KEYRING"] = "1"
    from desktop_agent.services.app_context import open_app
    from desktop_agent.store import sessions
    from desktop_agent.ui.weights.panel import WeightPanel

    context = open_app(Path(tempfile.mkdtemp(prefix="bench-weights-")))
    session = sessions.create_session()
    panel = WeightPanel(context)
    panel.resize(460, 900)
    panel.show()
    panel.set_session(session.id)
    app.processEvents()
    slider = panel.editor.rows["verbosity"].slider
    slider.setSliderDown(True)  # a drag: the preview follows, nothing is recorded
    timings: list[float] = []
    for step in range(STEPS):
        position = step % 101 if (step // 101) % 2 == 0 else 100 - step % 101
        start = time.perf_counter()
        slider.setValue(position)
        panel.preview.prompt.viewport().repaint()
        panel.preview.repaint()
        timings.append((time.perf_counter() - start) * 1000)
    slider.setSliderDown(False)
    timings.sort()
    p50 = statistics.median(timings)
    p99 = timings[int(len(timings) * 0.99) - 1]
    print(f"slider step → compile + preview repaint, {STEPS} steps (offscreen)")
    print(f"  p50 {p50:.3f} ms   p99 {p99:.3f} ms   max {timings[-1]:.3f} ms")
    print(f"  within one frame ({FRAME_MS:.0f} ms) at p99: {'yes' if p99 <= FRAME_MS else 'NO'}")
    panel.close()
    context.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
