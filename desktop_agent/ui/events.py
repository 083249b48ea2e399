"""The Qt-side event hub: one signal per kind of committed write, so views subscribe to
what changed instead of calling each other."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal


class StoreEvents(QObject):
    """Emitted on the UI thread after a write the UI made (or learned of: a worker's
    result, another dialog's change) is committed. Receivers reload what they show.

    Signals:
        sessionChanged(str): a session's messages, title, goal or activity changed.
        sessionsChanged(): sessions were added in bulk (an import); lists reload.
        weightsChanged(str): a session's weights moved ("" when only agent or user
            baselines changed, which every open session may inherit).
        agentsChanged(): agents or user profiles were added, edited or deleted.
        snapshotsChanged(): snapshots were saved, imported, validated or deleted.
        experimentsChanged(): experiments were created, stopped or deleted.
        storeHealthChanged(bool, str): the store's integrity check ended; False with
            what is damaged (the store then refuses writes).
    """

    sessionChanged = Signal(str)
    sessionsChanged = Signal()
    weightsChanged = Signal(str)
    agentsChanged = Signal()
    snapshotsChanged = Signal()
    experimentsChanged = Signal()
    storeHealthChanged = Signal(bool, str)
