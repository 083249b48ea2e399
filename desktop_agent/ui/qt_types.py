"""Type aliases for Qt signatures that the item models and delegates share."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex

# Qt passes either kind of index to rowCount/data/paint; PySide6's stubs say so too.
AnyIndex = QModelIndex | QPersistentModelIndex
