"""The one background-work abstraction: a Worker QObject moved to an owned QThread.

Results travel back by signals only; receivers are QObjects living on the UI thread,
so Qt queues the calls there and widgets are never touched from a worker thread.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QThread, Signal, Slot

from desktop_agent.services.connection import store_connection

Job = Callable[["Worker"], Any]


class Worker(QObject):
    """Runs `job(worker)` on its thread inside a database connection context.

    Signals:
        started(object): the job reports the record it is working on (e.g. the new reply).
        progress(object): an intermediate result (e.g. the user's message, committed).
        delta(str): a piece of streamed text.
        note(str): a remark for the status bar.
        finished(object): the job's return value.
        failed(object): the exception the job raised (every failure ends here).
    """

    started = Signal(object)
    progress = Signal(object)
    delta = Signal(str)
    note = Signal(str)
    finished = Signal(object)
    failed = Signal(object)

    def __init__(self, job: Job, name: str = "worker") -> None:
        super().__init__()
        self._job = job
        self.name = name
        self._cancel_hooks: list[Callable[[], None]] = []
        self._cancelled = threading.Event()

    @property
    def cancelled(self) -> bool:
        return self._cancelled.is_set()

    def on_cancel(self, hook: Callable[[], None]) -> None:
        """Register what `cancel()` must do (e.g. ReplyRun.cancel); runs now if already late."""
        self._cancel_hooks.append(hook)
        if self._cancelled.is_set():
            hook()

    def cancel(self) -> None:
        """Thread-safe: may be called from the UI thread while the job runs."""
        self._cancelled.set()
        for hook in list(self._cancel_hooks):
            hook()

    @Slot()
    def run(self) -> None:
        try:
            with store_connection():
                result = self._job(self)
        except Exception as exc:  # noqa: BLE001 - every failure goes to `failed`, one place
            self.failed.emit(exc)
        else:
            self.finished.emit(result)


class WorkerRunner(QObject):
    """Owns the threads of its workers: starts them, and quits and joins them on shutdown.

    Signals:
        idle(): the last running worker ended.
    """

    idle = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._running: dict[Worker, QThread] = {}

    def start(self, worker: Worker) -> Worker:
        thread = QThread()
        thread.setObjectName(worker.name)
        worker.moveToThread(thread)
        thread.started.connect(worker.run)
        # The job's end (either way) stops the thread's event loop.
        worker.finished.connect(thread.quit)
        worker.failed.connect(thread.quit)
        thread.finished.connect(self._reap)
        self._running[worker] = thread
        _LIVE_THREADS.add(thread)
        thread.start()
        return worker

    @property
    def busy(self) -> bool:
        return bool(self._running)

    def running(self) -> list[Worker]:
        return list(self._running)

    @Slot()
    def _reap(self) -> None:
        for worker, thread in list(self._running.items()):
            if thread.isFinished():
                thread.wait()
                del self._running[worker]
                _LIVE_THREADS.discard(thread)
        if not self._running:
            self.idle.emit()

    def shutdown(self) -> None:
        """Cancel every worker, then quit and join each thread (closing the window)."""
        for worker in list(self._running):
            worker.cancel()
        for worker, thread in list(self._running.items()):
            thread.quit()
            thread.wait()
            del self._running[worker]
            _LIVE_THREADS.discard(thread)


_LIVE_THREADS: set[QThread] = set()


def live_threads() -> list[QThread]:
    """Threads started by any runner and not yet joined (tests fail if any remain)."""
    return list(_LIVE_THREADS)
