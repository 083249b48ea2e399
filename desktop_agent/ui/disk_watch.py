"""A full disk makes the window read-only until space returns, instead of failing each
write: the first write that meets a full disk says so (and where), the composer and the
weights are disabled, and a timer looks for free space to turn writing back on."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer, Signal, Slot

if TYPE_CHECKING:
    from pathlib import Path

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

    def report(self, exc: BaseException) -> bool:
        """If `exc` is a full disk, go read-only and say so; True when it was."""
        from desktop_agent.services.integrity import disk_full_message

        message = disk_full_message(exc, self._database)
        if message is None:
            return False
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
