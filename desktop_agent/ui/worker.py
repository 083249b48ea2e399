"""The one background-work abstraction, modelled on superqt's thread_worker: a Worker
QObject runs a job on a QThread and reports by signals; one WorkerPool starts, tracks
and joins every worker of the process (joined on QApplication.aboutToQuit).

Results travel back by signals only; receivers are QObjects living on the UI thread,
so Qt queues the calls there and widgets are never touched from a worker thread.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Callable, Generator
from typing import Any

from PySide6.QtCore import QCoreApplication, QObject, QThread, Signal, Slot

from desktop_agent.services.connection import store_connection
from desktop_agent.store.errors import DiskFullError
from desktop_agent.ui.disk_watch import claim_disk_full

log = logging.getLogger(__name__)

# A job gets its worker (to register cancel hooks or publish events) and either returns
# its result or is a generator that yields typed events and returns its result.
Job = Callable[["Worker"], Any]

JOIN_TIMEOUT_MS = 30_000


class Worker(QObject):
    """Runs `job(worker)` on its thread inside a database connection context (unless
    `uses_store` is False: a job that connects on its own, such as the team store's
    reachability probe, which must run while the store cannot be connected to).

    Signals (superqt's names and meanings):
        yielded(object): an event the job yielded (or published) while running.
        returned(object): the job's return value.
        errored(object): the exception the job raised (logged with its traceback).
        finished(): the job ended, either way (after returned or errored).
    """

    yielded = Signal(object)
    returned = Signal(object)
    errored = Signal(object)
    finished = Signal()

    def __init__(self, job: Job, name: str = "worker", *, uses_store: bool = True) -> None:
        super().__init__()
        self._job = job
        self.name = name
        self._uses_store = uses_store
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

    def publish(self, event: object) -> None:
        """Report an event from inside a callback (where the job itself cannot yield)."""
        self.yielded.emit(event)

    @Slot()
    def run(self) -> None:
        try:
            with store_connection() if self._uses_store else contextlib.nullcontext():
                result = self._job(self)
                if isinstance(result, Generator):
                    result = self._drain(result)
        except Exception as exc:  # noqa: BLE001 - reported by signal, logged in _named
            self.errored.emit(_named(exc, self.name))
        else:
            self.returned.emit(result)
        self.finished.emit()

    def _drain(self, events: Generator[object, None, object]) -> object:
        while True:
            try:
                event = next(events)
            except StopIteration as stop:
                return stop.value
            self.yielded.emit(event)
            if self.cancelled:
                events.close()
                return None


def _named(exc: Exception, name: str) -> Exception:
    """A full disk becomes a DiskFullError that says so (and where), not the raw sqlite
    error; anything else is logged with its traceback and passed on as it is."""
    from desktop_agent.services.integrity import disk_full_message

    full = disk_full_message(exc)
    if full is None:
        log.error("worker %r failed", name, exc_info=exc)
        return exc
    log.warning("worker %r met a full disk: %s", name, full)
    error = DiskFullError(full)
    error.__cause__ = exc
    return error


class WorkerPool(QObject):
    """Owns every worker thread: starts them, tracks them per owner, joins them.

    `synchronous` runs each job on the calling thread instead (tests).

    Signals:
        idle(): the last running worker ended.
    """

    idle = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._running: dict[Worker, tuple[QThread, object]] = {}
        self.synchronous = False

    def start(self, worker: Worker, owner: object = None) -> Worker:
        # Every failed job passes the disk watch: a full disk turns the window
        # read-only, whichever view started the write.
        worker.errored.connect(self._claim_disk_full)
        if self.synchronous:
            worker.run()
            return worker
        thread = QThread()
        thread.setObjectName(worker.name)
        worker.moveToThread(thread)
        thread.started.connect(worker.run)
        worker.finished.connect(thread.quit)  # the job's end stops the thread's loop
        thread.finished.connect(self._reap)
        self._running[worker] = (thread, owner)
        thread.start()
        return worker

    def running(self, owner: object = None) -> list[Worker]:
        """Workers still running (those started for `owner`, when given)."""
        return [w for w, (_t, o) in self._running.items() if owner is None or o is owner]

    def busy(self, owner: object = None) -> bool:
        return bool(self.running(owner))

    def cancel(self, owner: object) -> None:
        """Ask `owner`'s workers to stop; their threads end on their own and are reaped
        (or joined on quit). A closing view calls this; it never blocks."""
        for worker in self.running(owner):
            worker.cancel()

    @Slot(object)
    def _claim_disk_full(self, exc: BaseException) -> None:
        if isinstance(exc, DiskFullError):
            claim_disk_full(exc)

    @Slot()
    def _reap(self) -> None:
        for worker, (thread, _owner) in list(self._running.items()):
            if thread.isFinished():
                thread.wait()
                del self._running[worker]
        if not self._running:
            self.idle.emit()

    def join(self, timeout_ms: int = JOIN_TIMEOUT_MS) -> list[str]:
        """Cancel every worker, then quit and wait for each thread. Returns the names of
        any thread that did not end in time (kept referenced, so never destroyed live)."""
        for worker in list(self._running):
            worker.cancel()
        stuck: list[str] = []
        for worker, (thread, _owner) in list(self._running.items()):
            thread.quit()
            if thread.wait(timeout_ms):
                del self._running[worker]
            else:
                log.error("worker %r did not stop within %d ms", worker.name, timeout_ms)
                stuck.append(worker.name)
        return stuck


_POOL: WorkerPool | None = None


def worker_pool() -> WorkerPool:
    """The process's pool, joined when the application quits."""
    global _POOL
    if _POOL is None:
        _POOL = WorkerPool()
        app = QCoreApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(_POOL.join)
    return _POOL


def live_threads() -> list[str]:
    """Names of the workers started and not yet joined (tests fail if any remain)."""
    return [w.name for w in worker_pool().running()] if _POOL is not None else []
