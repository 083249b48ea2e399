"""The worker: generator jobs report typed events in order, every failure is logged with
its traceback and reaches `errored`, and the one pool joins what it started."""

from __future__ import annotations

import logging
import threading
from collections.abc import Generator
from dataclasses import dataclass

import pytest
from pytestqt.qtbot import QtBot

from desktop_agent.ui.worker import Worker, WorkerPool, worker_pool

# Jobs run inside their thread's own store connection: the store must be open.
pytestmark = pytest.mark.usefixtures("context")


@dataclass(frozen=True)
class Step:
    number: int


def _steps(worker: Worker) -> Generator[Step, None, str]:
    for number in range(3):
        yield Step(number)
    return "done"


def _record(worker: Worker) -> list[tuple[str, object]]:
    seen: list[tuple[str, object]] = []
    worker.yielded.connect(lambda event: seen.append(("yielded", event)))
    worker.returned.connect(lambda value: seen.append(("returned", value)))
    worker.errored.connect(lambda exc: seen.append(("errored", exc)))
    worker.finished.connect(lambda: seen.append(("finished", None)))
    return seen


def test_a_generator_job_yields_its_events_then_returns_on_a_thread(qtbot: QtBot) -> None:
    pool = WorkerPool()
    worker = Worker(_steps, "steps")
    seen = _record(worker)
    with qtbot.waitSignal(pool.idle, timeout=10_000):
        pool.start(worker)
    assert seen == [
        ("yielded", Step(0)),
        ("yielded", Step(1)),
        ("yielded", Step(2)),
        ("returned", "done"),
        ("finished", None),
    ]
    assert not pool.running()


def test_a_failure_is_logged_with_its_traceback_and_reaches_errored(
    qtbot: QtBot, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(worker: Worker) -> None:
        raise ValueError("the disk is on fire")

    pool = WorkerPool()
    pool.synchronous = True  # run on this thread: what tests may ask for
    worker = Worker(broken, "broken")
    seen = _record(worker)
    with caplog.at_level(logging.ERROR, logger="desktop_agent"):
        pool.start(worker)
    assert [kind for kind, _ in seen] == ["errored", "finished"]
    assert isinstance(seen[0][1], ValueError)
    record = next(r for r in caplog.records if "broken" in r.getMessage())
    assert record.exc_info is not None
    assert "the disk is on fire" in caplog.text
    assert "Traceback" in caplog.text


def test_join_cancels_every_worker_and_waits_for_its_thread(qtbot: QtBot) -> None:
    released = threading.Event()

    def waits(worker: Worker) -> str:
        worker.on_cancel(released.set)
        released.wait(10)
        return "cancelled" if worker.cancelled else "timed out"

    pool = WorkerPool()
    owner = object()
    worker = Worker(waits, "waits")
    returned: list[object] = []
    worker.returned.connect(returned.append)
    pool.start(worker, owner=owner)
    assert pool.busy(owner)
    assert not pool.busy(object())
    assert pool.join(timeout_ms=5_000) == []
    assert released.is_set()
    assert not pool.running()
    qtbot.waitUntil(lambda: returned == ["cancelled"], timeout=5_000)


def test_the_process_pool_is_one_object() -> None:
    assert worker_pool() is worker_pool()
