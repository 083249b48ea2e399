"""A 0–1 weight slider whose groove shows where the agent's baseline and the user's
learned value sit, beside the session's own value (the handle)."""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRect, Qt
from PySide6.QtGui import QColor, QPainter, QPaintEvent, QPen, QPolygonF
from PySide6.QtWidgets import QSlider, QStyle, QStyleOptionSlider, QWidget

STEPS = 100  # the slider moves in steps of 0.01
BASELINE_COLOUR = QColor("#e8a317")
LEARNED_COLOUR = QColor("#2ea44f")


def to_position(value: float) -> int:
    return round(value * STEPS)


def to_value(position: int) -> float:
    return round(position / STEPS, 2)


class WeightSlider(QSlider):
    """A horizontal QSlider over 0..100 with two custom-painted groove markers:
    an amber triangle under the groove at the agent's baseline and a green one above it
    at the user's learned value (hidden when the user has learned nothing yet)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(Qt.Orientation.Horizontal, parent)
        self.setRange(0, STEPS)
        self.setSingleStep(1)
        self.setPageStep(10)
        self.setMinimumHeight(30)
        self.baseline: float | None = None
        self.learned: float | None = None

    def set_markers(self, baseline: float | None, learned: float | None) -> None:
        if (baseline, learned) != (self.baseline, self.learned):
            self.baseline, self.learned = baseline, learned
            self.update()

    def marker_x(self, value: float) -> float:
        """The x of `value` along the groove, where the handle's centre would be."""
        option = QStyleOptionSlider()
        self.initStyleOption(option)
        style = self.style()
        groove = style.subControlRect(
            QStyle.ComplexControl.CC_Slider, option, QStyle.SubControl.SC_SliderGroove, self
        )
        handle = style.subControlRect(
            QStyle.ComplexControl.CC_Slider, option, QStyle.SubControl.SC_SliderHandle, self
        )
        span = groove.width() - handle.width()
        return groove.x() + handle.width() / 2 + span * max(0.0, min(1.0, value))

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        middle = self.rect().center().y()
        for value, colour, below in (
            (self.baseline, BASELINE_COLOUR, True),
            (self.learned, LEARNED_COLOUR, False),
        ):
            if value is None:
                continue
            self._paint_marker(painter, self.marker_x(value), middle, colour, below)
        painter.end()

    @staticmethod
    def _paint_marker(
        painter: QPainter, x: float, middle: int, colour: QColor, below: bool
    ) -> None:
        size = 5.0
        tip = middle + 6.0 if below else middle - 6.0
        base = tip + size if below else tip - size
        painter.setPen(QPen(colour.darker(130), 1))
        painter.setBrush(colour)
        painter.drawPolygon(
            QPolygonF([QPointF(x, tip), QPointF(x - size, base), QPointF(x + size, base)])
        )


def marker_rect(slider: WeightSlider, value: float) -> QRect:
    """Where a marker is painted (for tests and tooltips)."""
    x = round(slider.marker_x(value))
    return QRect(x - 5, 0, 10, slider.height())
