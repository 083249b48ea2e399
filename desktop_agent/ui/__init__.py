"""Qt widgets, item models and workers: the only layer that imports PySide6."""
