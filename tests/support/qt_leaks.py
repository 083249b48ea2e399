"""Leak checks for Qt tests: a test fails if it leaves a timer running or a window alive.

A leaked timer fires in a later test, against objects that test never made; a leaked
window keeps its models, timers and database reads alive for the rest of the run. Both
show up as failures far from their cause, so they fail the test that made them.
"""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator

import pytest
from PySide6.QtCore import QEvent, QTimer
from PySide6.QtWidgets import QApplication, QWidget

# Qt's own shared windows, made once and reused: not the test's.
_QT_SINGLETONS = frozenset({"QTipLabel"})


def _flush_deferred_deletes() -> None:
    # Windows closed by pytest-qt were only scheduled for deletion (deleteLater).
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


def _windows_made_since(before: set[int]) -> list[QWidget]:
    return [
        widget
        for widget in QApplication.topLevelWidgets()
        if id(widget) not in before and type(widget).__name__ not in _QT_SINGLETONS
    ]


@pytest.fixture(autouse=True)
def _no_leaked_windows(qapp: QApplication) -> Iterator[None]:
    """A window the test made (shown or not) must be closed and deleted by its end:
    give it to `qtbot.addWidget`, parent it, or close it in the fixture that made it."""
    before = {id(widget) for widget in QApplication.topLevelWidgets()}
    yield
    _flush_deferred_deletes()
    leaked = _windows_made_since(before)
    if leaked:  # only then pay for a full collection: windows in reference cycles
        gc.collect()
        _flush_deferred_deletes()
        leaked = _windows_made_since(before)
    names = [f"{type(w).__name__}({w.objectName() or w.windowTitle()!r})" for w in leaked]
    for widget in leaked:  # so the next test starts clean
        widget.close()
        widget.deleteLater()
    _flush_deferred_deletes()
    assert not names, f"windows left alive: {names}"


@pytest.fixture(autouse=True)
def _no_leaked_timers(qapp: QApplication) -> Iterator[None]:
    """A timer started during the test must be stopped, or deleted with its owner,
    by the end of it (single-shot timers that already fired are stopped)."""
    started: list[weakref.ref[QTimer]] = []
    start = QTimer.start

    def tracked_start(timer: QTimer, *args: object) -> None:
        started.append(weakref.ref(timer))
        start(timer, *args)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(QTimer, "start", tracked_start)
        yield
    _flush_deferred_deletes()
    running = []
    for reference in started:
        timer = reference()
        try:
            active = timer is not None and timer.isActive()
        except RuntimeError:  # its C++ object was deleted with its owner: fine
            continue
        if active and timer is not None:
            running.append(timer)
    names = [
        f"{t.objectName() or 'QTimer'} every {t.interval()} ms, owned by "
        + (type(t.parent()).__name__ if t.parent() is not None else "nothing")
        for t in running
    ]
    for timer in running:
        timer.stop()
    assert not names, f"timers left running: {names}"
