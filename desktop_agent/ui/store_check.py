"""The store's integrity checks after start-up, off the UI thread: the deferred quick check
after an unclean exit, then a full check (table by table, gentle on big stores) every
start. Damage makes the store refuse writes and the hub says so; a repair copies what is
readable into a new file, keeping the damaged one."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal, Slot

from desktop_agent.ui.worker import Worker, worker_pool

if TYPE_CHECKING:
    from desktop_agent.services.app_context import AppContext
    from desktop_agent.services.integrity import IntegrityReport, RepairReport
    from desktop_agent.ui.events import StoreEvents


class StoreCheck(QObject):
    """Reports on the hub's `storeHealthChanged(healthy, message)`.

    Signals:
        repairFinished(str): a repair ended; the sentence says where the copy is.
    """

    repairFinished = Signal(str)

    def __init__(self, context: AppContext, events: StoreEvents, parent: QObject) -> None:
        super().__init__(parent)
        self._context = context
        self._events = events
        self._worker: Worker | None = None
        self._repairs = QObject(self)  # its own owner: a repair may follow the check at once

    def start(self) -> bool:
        """Start the checks (not twice at once). A PostgreSQL team store has no file
        here to check: its server guards its own integrity."""
        if worker_pool().busy(self) or self._context.team_store is not None:
            return False
        context = self._context

        def check(worker: Worker) -> IntegrityReport:
            from desktop_agent.services.integrity import background_check

            if context.check_owed:
                context.verify_store()  # raises StoreError naming the damage
            cancel = threading.Event()
            worker.on_cancel(cancel.set)
            return background_check(context.database_path, cancel)

        worker = Worker(check, "store-check")
        worker.returned.connect(self._on_checked)
        worker.errored.connect(self._on_failed)
        self._worker = worker
        worker_pool().start(worker, owner=self)
        return True

    def repair(self) -> None:
        """Copy what is readable into a new file beside the store (the old one stays)."""
        if worker_pool().busy(self._repairs):
            return
        data_dir = self._context.data_dir

        def repair(_worker: Worker) -> RepairReport:
            from desktop_agent.services.integrity import repair_data_dir

            return repair_data_dir(data_dir)

        worker = Worker(repair, "store-repair")
        worker.returned.connect(self._on_repaired)
        worker.errored.connect(lambda exc: self.repairFinished.emit(str(exc)))
        worker_pool().start(worker, owner=self._repairs)

    @Slot(object)
    def _on_checked(self, report: IntegrityReport) -> None:
        if report.stopped:
            return
        if not report.ok:
            self._context.refuse_writes()
            self._events.storeHealthChanged.emit(False, report.summary())
            return
        # Text that is not valid UTF-8 is shown replaced; the store itself is sound.
        self._events.storeHealthChanged.emit(True, report.text_note())

    @Slot(object)
    def _on_failed(self, exc: BaseException) -> None:
        # Reading stays possible (to copy text out); every write is refused by the store.
        self._context.refuse_writes()
        self._events.storeHealthChanged.emit(False, str(exc))

    @Slot(object)
    def _on_repaired(self, report: RepairReport) -> None:
        self.repairFinished.emit(
            report.summary()
            + " "
            + self.tr(
                "To use the copy: quit, move the damaged file aside and give the copy its name."
            )
        )
