"""Print how long the chat takes to lay out and paint pathological messages (a 1 MB
unbroken token, 300 KB of hex, 10 MB of prose) and how long the old whole-text layout
took for the same text cut to a size it finishes (ratios in one run), plus peak memory.

    QT_QPA_PLATFORM=offscreen python benchmarks/bench_hostile_text.py
"""

from __future__ import annotations

import os
import resource
import secrets
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ["DESKTOP_AGENT_DATA_DIR"] = tempfile.mkdtemp(prefix="bench-hostile-text-")

from PySide6.QtGui import QFont, QPalette
from PySide6.QtWidgets import QApplication

TEXTS = {
    "1 MB unbroken token": "x" * 1_000_000,
    "300 KB of hex": secrets.token_hex(150_000),
    "10 MB of prose": ("the quick brown fox jumps over the lazy dog " * 240_000)[:10_000_000],
}
WHOLE_TEXT_SAMPLE = (
    60_000  # the old layout on this much of each text (the whole would take minutes)
)


def main() -> None:
    app = QApplication([])
    from desktop_agent.services.app_context import open_app
    from desktop_agent.store import messages, sessions
    from desktop_agent.ui.long_text import chat_preview
    from desktop_agent.ui.main_window import MainWindow
    from desktop_agent.ui.markdown import SafeTextDocument, render_markdown

    print(f"{'message':<22} {'old layout of 60k chars':>24} {'preview layout':>15}")
    for name, text in TEXTS.items():
        sample = text[:WHOLE_TEXT_SAMPLE]
        started = time.perf_counter()
        document = SafeTextDocument()
        render_markdown(document, sample, QFont(), QPalette(), 600)
        document.size()  # the layout itself happens on first use
        old = time.perf_counter() - started
        started = time.perf_counter()
        document = SafeTextDocument()
        render_markdown(document, chat_preview(text), QFont(), QPalette(), 600)
        document.size()
        new = time.perf_counter() - started
        print(f"{name:<22} {old * 1000:>21.0f} ms {new * 1000:>12.0f} ms")

    context = open_app()
    session = sessions.create_session(title="pathological")
    for text in TEXTS.values():
        messages.append_message(session.id, "assistant", text)
    window = MainWindow(context)
    window.resize(1100, 800)
    window.show()
    app.processEvents()
    started = time.perf_counter()
    window.open_session(sessions.get_session(session.id))
    window.chat.view.grab()
    print(f"open the session and paint it: {(time.perf_counter() - started) * 1000:.0f} ms")
    model = window.chat.model
    for row in range(model.rowCount()):
        started = time.perf_counter()
        window.chat.view.scrollTo(model.index(row, 0))
        window.chat.view.grab()
        print(
            f"  scroll to message {row} and paint: {(time.perf_counter() - started) * 1000:.0f} ms"
        )
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS: {peak:.0f} MB")
    window.close()
    context.close()


if __name__ == "__main__":
    main()
