"""Light or dark, following the system: Fusion with a palette matching the colour scheme."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QGuiApplication, QPalette

if TYPE_CHECKING:
    from PySide6.QtWidgets import QApplication


def dark_palette() -> QPalette:
    palette = QPalette()
    role = QPalette.ColorRole
    for name, value in (
        (role.Window, "#202124"),
        (role.WindowText, "#e8eaed"),
        (role.Base, "#17181a"),
        (role.AlternateBase, "#26282b"),
        (role.ToolTipBase, "#303134"),
        (role.ToolTipText, "#e8eaed"),
        (role.Text, "#e8eaed"),
        (role.Button, "#2d2f31"),
        (role.ButtonText, "#e8eaed"),
        (role.BrightText, "#ff6b6b"),
        (role.Highlight, "#3d7bd9"),
        (role.HighlightedText, "#ffffff"),
        (role.Link, "#8ab4f8"),
        (role.PlaceholderText, "#9aa0a6"),
    ):
        palette.setColor(name, QColor(value))
    for name in (role.Text, role.WindowText, role.ButtonText):
        palette.setColor(QPalette.ColorGroup.Disabled, name, QColor("#7f8388"))
    return palette


def light_palette() -> QPalette:
    palette = QPalette()
    role = QPalette.ColorRole
    for name, value in (
        (role.Window, "#f3f4f6"),
        (role.WindowText, "#1f2328"),
        (role.Base, "#ffffff"),
        (role.AlternateBase, "#f6f8fa"),
        (role.Text, "#1f2328"),
        (role.Button, "#f6f7f9"),
        (role.ButtonText, "#1f2328"),
        (role.Highlight, "#2f6fd6"),
        (role.HighlightedText, "#ffffff"),
        (role.Link, "#0b57d0"),
        (role.PlaceholderText, "#6e7781"),
    ):
        palette.setColor(name, QColor(value))
    # setColor(role, …) paints every group alike: disabled controls must look disabled.
    for name in (role.Text, role.WindowText, role.ButtonText):
        palette.setColor(QPalette.ColorGroup.Disabled, name, QColor("#a0a6ad"))
    return palette


def apply_palette(app: QApplication, palette: QPalette) -> None:
    """Switch the whole app to `palette`, live.

    Widgets styled by a style sheet resolve `palette(...)` and inherited colours when
    they are polished and keep them; setting their sheet again re-polishes them, or a
    light-to-dark switch leaves dark text on a dark window.
    """
    app.setPalette(palette)
    for widget in app.allWidgets():
        sheet = widget.styleSheet()
        if sheet:
            widget.setStyleSheet(sheet)


def apply_system_theme(app: QApplication) -> None:
    """Fusion looks the same everywhere; the palette tracks the system's light/dark."""
    if app.style().name() != "fusion":  # Linux's default already: a new one costs ~5 ms
        app.setStyle("Fusion")

    def update() -> None:
        dark = QGuiApplication.styleHints().colorScheme() == Qt.ColorScheme.Dark
        apply_palette(app, dark_palette() if dark else light_palette())

    update()
    QGuiApplication.styleHints().colorSchemeChanged.connect(lambda _scheme: update())
