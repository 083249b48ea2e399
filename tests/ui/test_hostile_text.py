"""Hostile titles and pathological messages in the real window, offscreen: nothing a
user, a file or a model wrote is interpreted as HTML (and no widget reads /dev/zero
because of it), and a 1 MB token, 300 KB of hex or 10 MB of prose is laid out as a
bounded preview. Paint times and memory are printed (see benchmarks/bench_hostile_text.py);
no test asserts a time."""

from __future__ import annotations

import resource
import secrets
import time

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from desktop_agent.services.app_context import open_app
from desktop_agent.store import messages, sessions
from desktop_agent.ui import message_model
from desktop_agent.ui.long_text import PREVIEW_CHARS
from desktop_agent.ui.main_window import MainWindow

HOSTILE_TITLES = [
    '<img src="/dev/zero">',
    "<b>bold</b> <a href='file:///etc/passwd'>link</a>",
    "<qt><table width=100000><tr><td>wide</td></tr></table>",
    "&lt;entity&gt; <script>alert(1)</script>",
]


def test_hostile_titles_are_shown_as_text_everywhere(qtbot: QtBot) -> None:
    context = open_app()
    try:
        records = []
        for title in HOSTILE_TITLES:
            session = sessions.create_session(title=title)
            messages.append_message(session.id, "user", f'{title} <img src="/dev/zero">')
            records.append(sessions.get_session(session.id))
        window = MainWindow(context)
        qtbot.addWidget(window)
        window.show()
        window.right_panel  # build the weights panel, which shows the title too  # noqa: B018
        for record in records:
            window.open_session(record)
            qtbot.wait(10)
            for label in window.findChildren(QLabel):
                text = label.text()
                if any(marker in text for marker in ("<img", "<b>bold", "<script", "<table")):
                    assert label.textFormat() == Qt.TextFormat.PlainText, (
                        label.objectName(),
                        text,
                    )
            assert record.title in window.windowTitle()
        model = window.sessions.model if hasattr(window.sessions, "model") else None
        if model is not None:
            for row in range(model.rowCount()):
                tip = str(model.index(row, 0).data(Qt.ItemDataRole.ToolTipRole) or "")
                assert "<img" not in tip
                assert "<script" not in tip
        window.grab().save("/tmp/hostile-titles.png")
        window.close()
    finally:
        context.close()


def pathological_texts() -> dict[str, str]:
    return {
        "1 MB unbroken token": "x" * 1_000_000,
        "300 KB of hex": secrets.token_hex(150_000),
        "10 MB of prose": ("the quick brown fox jumps over the lazy dog " * 240_000)[:10_000_000],
    }


def test_pathological_messages_open_as_bounded_previews(qtbot: QtBot) -> None:
    context = open_app()
    try:
        session = sessions.create_session(title="pathological")
        for name, text in pathological_texts().items():
            messages.append_message(session.id, "assistant", text)
            messages.append_message(session.id, "user", f"after the {name}")
        window = MainWindow(context)
        qtbot.addWidget(window)
        window.resize(1100, 800)
        window.show()
        started = time.perf_counter()
        window.open_session(sessions.get_session(session.id))
        window.chat.view.grab()  # lays out and paints every visible message
        opened = time.perf_counter() - started
        delegate = window.chat.view.message_delegate
        model = window.chat.model
        for row in range(model.rowCount()):
            record = model.index(row, 0).data(message_model.RecordRole)
            started = time.perf_counter()
            window.chat.view.scrollTo(model.index(row, 0))
            window.chat.view.grab()
            painted = time.perf_counter() - started
            document = delegate.document(record, window.font(), window.palette())
            assert document.characterCount() < PREVIEW_CHARS + 400
            print(f"row {row} ({len(record.content):,} chars): painted in {painted * 1000:.0f} ms")
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"session opened in {opened * 1000:.0f} ms; peak RSS {peak:.0f} MB")
        first = model.index(0, 0).data(message_model.RecordRole)
        viewer = window.chat.view_message(first)
        qtbot.addWidget(viewer)
        assert viewer.plain is not None  # a plain view, laid out as it scrolls
        assert "very long" in " ".join(label.text() for label in viewer.findChildren(QLabel))
        viewer.grab().save("/tmp/hostile-viewer.png")
        window.chat.view.grab().save("/tmp/hostile-pathological.png")
        viewer.close()
        window.close()
    finally:
        context.close()
