"""A full disk makes the window read-only until space returns, instead of failing each
write: the first write that meets a full disk says so (and where), the composer and the
weights are disabled, and a timer looks for free space to turn writing back on.

Every write the window makes meets a full disk on one path, `claim_disk_full`: the
worker pool sends it each failed job, the crash hook each uncaught error (a synchronous
service call in a slot), and the few views that catch their own errors call it first."""

from __future__ import annotations

import logging
import weakref
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer, Signal, Slot

if TYPE_CHECKING:
    from pathlib import Path

log = logging.getLogger(__name__)

POLL_MS = 3_000
# Writing resumes once this much is free (a reply and its journal fit with room to spare).
RESUME_BYTES = 4 * 1024 * 1024


class DiskWatch(QObject):
    """Signals:
    spaceChanged(bool, str): False with the sentence when a write met a full disk;
        True with a note once there is room again.
    """

    spaceChanged = Signal(bool, str)

    def __init__(self, database: Path, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._database = database
        self._timer = QTimer(self)
        self._timer.setInterval(POLL_MS)
        self._timer.timeout.connect(self._poll)
        self.full = False
        global _CURRENT
        _CURRENT = weakref.ref(self)  # the window's watch: the one claim_disk_full tells

    def report(self, exc: BaseException) -> bool:
        """If `exc` is a full disk, go read-only and say so; True when it was."""
        from desktop_agent.services.integrity import (
            LOW_SPACE_BYTES,
            disk_full_message,
            free_space,
        )

        message = disk_full_message(exc, self._database)
        if message is None:
            return False
        if not self.full and free_space(self._database) >= LOW_SPACE_BYTES:
            return False  # another disk is full (an export's): the store can still write
        if not self.full:
            self.full = True
            self._timer.start()
            self.spaceChanged.emit(False, message)
        return True

    @Slot()
    def _poll(self) -> None:
        from desktop_agent.services.integrity import free_space

        if free_space(self._database) >= RESUME_BYTES:
            self._timer.stop()
            self.full = False
            self.spaceChanged.emit(
                True, self.tr("There is space on the disk again: writing is back on.")
            )


_CURRENT: weakref.ref[DiskWatch] | None = None


def claim_disk_full(exc: BaseException) -> bool:
    """True when `exc` is a full disk and the window's watch has taken it (the window is
    read-only and says so): the caller shows no error of its own."""
    watch = _CURRENT() if _CURRENT is not None else None
    if watch is None or not watch.report(exc):
        return False
    log.warning("a write met a full disk: %s", exc)
    return True
