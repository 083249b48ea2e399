"""A custom-painted chart of each experiment arm's approval with its Wilson 95% interval."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QWidget

if TYPE_CHECKING:
    from desktop_agent.domain.experiments import ExperimentReport

ARM_COLOURS = {"a": QColor("#2f6fd6"), "b": QColor("#8250df")}
WINNER_COLOUR = QColor("#1a7f37")


class ApprovalChart(QWidget):
    """Horizontal bars (approval) with interval whiskers, one row per arm; the winner's
    bar is outlined in green."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("approvalChart")
        self.setMinimumHeight(140)
        self.report: ExperimentReport | None = None

    def set_report(self, report: ExperimentReport | None) -> None:
        self.report = report
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        palette = self.palette()
        painter.fillRect(self.rect(), palette.base())
        left, right, top, bottom = 56.0, 16.0, 10.0, 24.0
        area = QRectF(left, top, self.width() - left - right, self.height() - top - bottom)
        grid = QColor(palette.text().color())
        grid.setAlpha(40)
        for tick in (0.0, 0.25, 0.5, 0.75, 1.0):
            x = area.left() + area.width() * tick
            painter.setPen(QPen(grid, 1))
            painter.drawLine(QPointF(x, area.top()), QPointF(x, area.bottom()))
            painter.setPen(palette.placeholderText().color())
            painter.drawText(
                QRectF(x - 20, area.bottom() + 4, 40, 16), Qt.AlignmentFlag.AlignCenter, f"{tick:g}"
            )
        if not self.report:
            painter.drawText(area, Qt.AlignmentFlag.AlignCenter, "Select an experiment.")
            painter.end()
            return
        arms = self.report.arms
        row_height = area.height() / len(arms)
        for row, (arm, stats) in enumerate(arms.items()):
            middle = area.top() + row_height * (row + 0.5)
            painter.setPen(palette.text().color())
            painter.drawText(
                QRectF(0, middle - 10, left - 8, 20),
                Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                f"arm {arm}",
            )
            approval = stats.approval
            if approval is None:
                painter.setPen(palette.placeholderText().color())
                painter.drawText(
                    QRectF(area.left() + 6, middle - 10, area.width(), 20),
                    Qt.AlignmentFlag.AlignVCenter,
                    "no rated replies yet",
                )
                continue
            colour = ARM_COLOURS.get(arm, QColor("#6e7781"))
            bar = QRectF(
                area.left(), middle - row_height * 0.22, area.width() * approval, row_height * 0.44
            )
            fill = QColor(colour)
            fill.setAlpha(150)
            winner = self.report.winner == arm
            painter.setPen(QPen(WINNER_COLOUR, 2.5) if winner else Qt.PenStyle.NoPen)
            painter.setBrush(fill)
            painter.drawRoundedRect(bar, 3, 3)
            low = area.left() + area.width() * stats.ci_low
            high = area.left() + area.width() * stats.ci_high
            painter.setPen(QPen(palette.text().color(), 1.6))
            painter.drawLine(QPointF(low, middle), QPointF(high, middle))
            for x in (low, high):
                painter.drawLine(QPointF(x, middle - 7), QPointF(x, middle + 7))
            painter.drawText(
                QRectF(area.left() + 4, bar.top() - 18, 160, 16),
                Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                f"approval {approval:.3f}" + ("  ★ winner" if winner else ""),
            )
        painter.end()
