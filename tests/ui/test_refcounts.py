"""Guard against a PySide6 regression seen in 6.12.0 on Python 3.11: every
processEvents(), QThread.quit() and bool signal emit dropped a reference to None/True,
until the interpreter aborted. Long sessions make millions of such calls."""

from __future__ import annotations

import sys

from PySide6.QtCore import QObject, QThread, Signal
from PySide6.QtWidgets import QApplication


class _Emitter(QObject):
    flag = Signal(bool)


def test_event_processing_keeps_references_to_none(qapp: QApplication) -> None:
    before = sys.getrefcount(None)
    for _ in range(500):
        qapp.processEvents()
    assert abs(sys.getrefcount(None) - before) < 100


def test_bool_signals_keep_references_to_true(qapp: QApplication) -> None:
    emitter = _Emitter()
    received = [0]

    def count(value: bool) -> None:  # keeps no reference to the value it is given
        received[0] += value

    emitter.flag.connect(count)
    before = sys.getrefcount(True)
    for _ in range(500):
        emitter.flag.emit(True)
    assert received[0] == 500
    assert abs(sys.getrefcount(True) - before) < 100


def test_thread_quit_keeps_references_to_none(qapp: QApplication) -> None:
    thread = QThread()
    before = sys.getrefcount(None)
    for _ in range(200):
        thread.start()
        thread.quit()
        thread.wait()
    assert abs(sys.getrefcount(None) - before) < 100
