"""The store's integrity check after an unclean exit, run after the first paint, off the
UI thread; a damaged store then refuses writes, and the hub says so."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Slot

from desktop_agent.ui.worker import Worker, worker_pool

if TYPE_CHECKING:
    from desktop_agent.services.app_context import AppContext
    from desktop_agent.ui.events import StoreEvents


class StoreCheck(QObject):
    """Reports on the hub's `storeHealthChanged(healthy, message)`."""

    def __init__(self, context: AppContext, events: StoreEvents, parent: QObject) -> None:
        super().__init__(parent)
        self._context = context
        self._events = events

    def start(self) -> bool:
        """Start the check if one is owed (and not already running)."""
        if not self._context.check_owed or worker_pool().busy(self):
            return False
        context = self._context
        worker = Worker(lambda _worker: context.verify_store(), "store-check")
        worker.returned.connect(self._on_passed)
        worker.errored.connect(self._on_failed)
        worker_pool().start(worker, owner=self)
        return True

    @Slot(object)
    def _on_passed(self, _result: object) -> None:
        self._events.storeHealthChanged.emit(True, "")

    @Slot(object)
    def _on_failed(self, exc: BaseException) -> None:
        # Reading stays possible (to copy text out); every write is refused by the store.
        self._context.refuse_writes()
        self._events.storeHealthChanged.emit(False, str(exc))
