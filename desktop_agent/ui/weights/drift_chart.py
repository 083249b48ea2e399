"""A custom-painted chart of each weight over a history of weight events, with the overall
drift from the baseline; hovering a point tells its cause, clicking opens its message."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QMouseEvent, QPainter, QPainterPath, QPaintEvent, QPen
from PySide6.QtWidgets import QToolTip, QWidget

from desktop_agent.domain.causes import Cause, CauseKind
from desktop_agent.domain.drift import drift_history
from desktop_agent.domain.timestamps import to_iso
from desktop_agent.domain.weights import WEIGHT_NAMES, check_weights

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from desktop_agent.store.records import WeightEventRecord

WEIGHT_COLOURS: dict[str, QColor] = {
    "verbosity": QColor("#2f6fd6"),
    "formality": QColor("#8250df"),
    "autonomy": QColor("#d1242f"),
    "initiative": QColor("#1a7f37"),
    "speed_vs_quality": QColor("#bf8700"),
}
DRIFT_COLOUR = QColor("#6e7781")
HIT_RADIUS = 7.0
MARGINS = (34.0, 12.0, 12.0, 22.0)  # left, top, right, bottom


@dataclass(frozen=True)
class DriftPoint:
    """One event as plotted: after event `index` (1-based), `weight` moved old → new."""

    index: int
    weight: str
    old: float
    new: float
    cause: str
    message_id: int | None
    session_id: str | None
    created_at: float


def session_of_cause(cause: str) -> str | None:
    """A user's learned state copies sessions ('session:<id>'): the session behind it."""
    parsed = Cause(cause)
    return parsed.detail or None if parsed.kind is CauseKind.SESSION else None


class DriftChart(QWidget):
    """Lines: each weight's value after each event; dashed grey: the mean drift.

    Signals:
        message_requested(str, int): a point with a message (or a session) was clicked;
            the int is 0 when only the session is known.
    """

    message_requested = Signal(str, int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("driftChart")
        # Painted: give screen readers a name and what it shows.
        self.setAccessibleName(self.tr("Weight drift chart"))
        self.setAccessibleDescription(
            self.tr(
                "How each weight moved over the conversation; click a point to open its message"
            )
        )
        self.setMouseTracking(True)
        self.setMinimumHeight(160)
        self.points: list[DriftPoint] = []
        self.states: list[dict[str, float]] = []
        self.drift: list[float] = []
        self.baseline: dict[str, float] = {}
        self._hovered: DriftPoint | None = None

    def set_history(
        self,
        events: Sequence[WeightEventRecord],
        current: Mapping[str, float],
        baseline: Mapping[str, float],
    ) -> None:
        """Plot `events` (oldest first) that ended in the weights `current`."""
        state = check_weights(current)
        for event in reversed(events):  # roll back to where the history started
            state[event.weight] = event.old
        initial = dict(state)
        self.states = [dict(state)]
        self.points = []
        for index, event in enumerate(events, start=1):
            state[event.weight] = event.new
            self.states.append(dict(state))
            session_id = event.session_id or session_of_cause(event.cause)
            self.points.append(
                DriftPoint(
                    index,
                    event.weight,
                    event.old,
                    event.new,
                    event.cause,
                    event.message_id,
                    session_id,
                    event.created_at,
                )
            )
        self.baseline = check_weights(baseline)
        self.drift = drift_history(self.baseline, initial, [(e.weight, e.new) for e in events])
        self._hovered = None
        self.update()

    # -- geometry

    def plot_rect(self) -> QRectF:
        left, top, right, bottom = MARGINS
        return QRectF(left, top, self.width() - left - right, self.height() - top - bottom)

    def point_position(self, index: int, value: float) -> QPointF:
        area = self.plot_rect()
        steps = max(len(self.states) - 1, 1)
        return QPointF(
            area.left() + area.width() * index / steps, area.bottom() - area.height() * value
        )

    def point_at(self, position: QPointF) -> DriftPoint | None:
        best, best_distance = None, HIT_RADIUS
        for point in self.points:
            centre = self.point_position(point.index, point.new)
            distance = (centre - position).manhattanLength()
            if distance <= best_distance:
                best, best_distance = point, distance
        return best

    # -- painting

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        palette = self.palette()
        area = self.plot_rect()
        painter.fillRect(self.rect(), palette.base())
        grid = QColor(palette.text().color())
        grid.setAlpha(40)
        painter.setPen(QPen(grid, 1))
        for value in (0.0, 0.25, 0.5, 0.75, 1.0):
            y = area.bottom() - area.height() * value
            painter.drawLine(QPointF(area.left(), y), QPointF(area.right(), y))
            painter.setPen(palette.placeholderText().color())
            painter.drawText(
                QRectF(0, y - 8, area.left() - 4, 16),
                Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                f"{value:g}",
            )
            painter.setPen(QPen(grid, 1))
        if not self.points:
            painter.setPen(palette.placeholderText().color())
            painter.drawText(
                area,
                Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap,
                "No weight changes yet.\nFeedback, corrections and edits will show here.",
            )
            painter.end()
            return
        painter.setPen(palette.placeholderText().color())
        painter.drawText(
            QRectF(area.left(), area.bottom() + 4, area.width(), 16),
            Qt.AlignmentFlag.AlignRight,
            f"{len(self.points)} changes →",
        )
        self._paint_drift(painter)
        for name in WEIGHT_NAMES:
            self._paint_weight(painter, name)
        painter.end()

    def _paint_drift(self, painter: QPainter) -> None:
        path = QPainterPath()
        for index, value in enumerate(self.drift):
            position = self.point_position(index, value)
            if index == 0:
                path.moveTo(position)
            else:
                path.lineTo(position)
        pen = QPen(DRIFT_COLOUR, 1.5, Qt.PenStyle.DashLine)
        painter.setPen(pen)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawPath(path)

    def _paint_weight(self, painter: QPainter, name: str) -> None:
        colour = WEIGHT_COLOURS[name]
        path = QPainterPath()
        for index, state in enumerate(self.states):
            position = self.point_position(index, state[name])
            if index == 0:
                path.moveTo(position)
            else:
                # Steps: a weight holds its value until an event moves it.
                path.lineTo(QPointF(position.x(), path.currentPosition().y()))
                path.lineTo(position)
        painter.setPen(QPen(colour, 2))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawPath(path)
        painter.setBrush(colour)
        for point in self.points:
            if point.weight != name:
                continue
            radius = 5.0 if point is self._hovered else 3.0
            painter.setPen(QPen(self.palette().base().color(), 1))
            painter.drawEllipse(self.point_position(point.index, point.new), radius, radius)

    # -- interaction

    def tooltip_for(self, point: DriftPoint) -> str:
        lines = [
            f"<b>{point.weight}</b> {point.old:.2f} → {point.new:.2f}",
            Cause(point.cause).label,
            to_iso(point.created_at).replace("T", " ").rstrip("Z"),
        ]
        if point.message_id is not None:
            lines.append(f"message #{point.message_id} — click to open it")
        elif point.session_id is not None:
            lines.append("click to open the session")
        return "<br>".join(lines)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        point = self.point_at(event.position())
        if point is not self._hovered:
            self._hovered = point
            self.update()
        if point is None:
            QToolTip.hideText()
            self.unsetCursor()
        else:
            QToolTip.showText(event.globalPosition().toPoint(), self.tooltip_for(point), self)
            clickable = point.session_id is not None
            self.setCursor(
                Qt.CursorShape.PointingHandCursor if clickable else Qt.CursorShape.ArrowCursor
            )
        super().mouseMoveEvent(event)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        point = self.point_at(event.position())
        if point is not None and point.session_id is not None:
            self.message_requested.emit(point.session_id, point.message_id or 0)
        super().mousePressEvent(event)

    def legend(self) -> list[tuple[str, QColor]]:
        return [(name, WEIGHT_COLOURS[name]) for name in WEIGHT_NAMES] + [("drift", DRIFT_COLOUR)]
