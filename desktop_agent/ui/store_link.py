"""Which store the window uses, and whether a team store's server is reachable: a
status-bar label, writes refused while it is not, and a probe off the UI thread that
notices the server coming back and turns writing on again by itself."""

from __future__ import annotations

import logging
import sys
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer, Signal, Slot

from desktop_agent.store.errors import StoreError, StoreOfflineError
from desktop_agent.ui.plain import plain_label
from desktop_agent.ui.worker import Worker, worker_pool

if TYPE_CHECKING:
    from types import TracebackType

    from PySide6.QtWidgets import QLabel

    from desktop_agent.services.app_context import AppContext

ONLINE_PROBE_MS = 15_000  # a quiet check now and then: a dead server is noticed early
OFFLINE_PROBE_MS = 2_000  # while offline: back within a couple of seconds of the server
OFFLINE_STYLE = "color: #c62828; font-weight: 600;"  # readable on light and dark themes
log = logging.getLogger("desktop_agent.ui.store_link")


class StoreLink(QObject):
    """The store label (`label`) and, on a team store, its reachability.

    Signals:
        onlineChanged(bool, str): False with the sentence naming the server when it
            cannot be reached (writes are refused); True with a note once it is back.
    """

    onlineChanged = Signal(bool, str)

    def __init__(self, context: AppContext, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._team = context.team_store
        self._context = context
        self.label: QLabel = plain_label()
        self.label.setObjectName("storeStatus")
        self.label.setContentsMargins(10, 0, 10, 0)
        self.offline_message = ""
        self._timer = QTimer(self)
        self._timer.timeout.connect(self.probe)
        if self._team is None:
            self.label.setText(self.tr("Store: this computer"))
            self.label.setToolTip(str(context.database_path))
            return
        self._show_online()
        self._timer.start(ONLINE_PROBE_MS)
        if context.offline_reason:  # unreachable at start-up: the window opens offline
            self._go_offline(context.offline_reason)
        # A click that reads or writes on the UI thread (a rating, a rename, a reload)
        # while the server is down ends in the uncaught-exception hook: that is the
        # offline state to show, not a crash to report.
        self._previous_hook = sys.excepthook
        sys.excepthook = self._excepthook

    def _excepthook(
        self, kind: type[BaseException], value: BaseException, tb: TracebackType | None
    ) -> None:
        if isinstance(value, StoreOfflineError):
            log.warning("team store offline: %s", value)
            self._go_offline(str(value))
            return
        self._previous_hook(kind, value, tb)

    @property
    def online(self) -> bool:
        return not self.offline_message

    def refusal(self) -> str:
        """Why a write is refused now ("" when writing is on)."""
        if self.online or self._team is None:
            return ""
        return (
            self.tr(
                "Not sent: the team store at %s is offline. Your text stays here; send it "
                "again once the status bar says the store is back."
            )
            % self._team.server
        )

    def report(self, exc: BaseException) -> bool:
        """A write met an unreachable server: go offline now (not at the next probe)."""
        if not isinstance(exc, StoreOfflineError) or self._team is None:
            return False
        self._go_offline(str(exc))
        return True

    @Slot()
    def probe(self) -> None:
        """Check the server on a connection of its own, off the UI thread."""
        if self._team is None or worker_pool().busy(self):
            return
        url = self._team.url

        def check(_worker: Worker) -> str:
            from desktop_agent.services.team_store import check_store

            return check_store(url)

        # On a connection of its own: the store's may be the one that cannot connect.
        worker = Worker(check, "store-probe", uses_store=False)
        worker.returned.connect(self._on_reachable)
        worker.errored.connect(self._on_unreachable)
        worker_pool().start(worker, owner=self)

    def shutdown(self) -> None:
        self._timer.stop()
        worker_pool().cancel(self)
        if self._team is not None and sys.excepthook == self._excepthook:
            sys.excepthook = self._previous_hook

    @Slot(object)
    def _on_reachable(self, _server: str) -> None:
        if self.online:
            return
        try:
            # Offline since the start: the store is opened now (on this thread, whose
            # connection the window's reads use; the server has just answered).
            self._context.finish_opening()
        except StoreError as exc:
            self._go_offline(str(exc))
            return
        self.offline_message = ""
        self._show_online()
        self._timer.start(ONLINE_PROBE_MS)
        self.onlineChanged.emit(True, self.tr("The team store is back: writing is on again."))

    @Slot(object)
    def _on_unreachable(self, exc: BaseException) -> None:
        self._go_offline(str(exc) or type(exc).__name__)

    def _go_offline(self, message: str) -> None:
        assert self._team is not None
        was_online = self.online
        self.offline_message = message
        self.label.setText(
            self.tr("Offline — %s:%s unreachable, retrying…") % (self._team.host, self._team.port)
        )
        self.label.setToolTip(message)
        self.label.setStyleSheet(OFFLINE_STYLE)
        self._timer.start(OFFLINE_PROBE_MS)
        if was_online:
            self.onlineChanged.emit(False, message)

    def _show_online(self) -> None:
        assert self._team is not None
        self.label.setText(self.tr("Team store: %s/%s") % (self._team.host, self._team.database))
        self.label.setToolTip(self.tr("Signed in as %s") % self._team.display)
        self.label.setStyleSheet("")
