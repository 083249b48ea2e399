"""Paints session rows (title, agent, last activity, snippet) and search hits."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QRect, QSize, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPalette
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem

from desktop_agent.ui import search_model, session_model
from desktop_agent.ui.formatting import highlighted_html, plain_preview, short_time
from desktop_agent.ui.markdown import SafeTextDocument

if TYPE_CHECKING:
    from desktop_agent.ui.qt_types import AnyIndex

PAD = 8
LINE_GAP = 2


def _muted(palette: QPalette) -> QColor:
    color = QColor(palette.color(QPalette.ColorRole.Text))
    color.setAlphaF(0.62)
    return color


def _paint_background(painter: QPainter, option: QStyleOptionViewItem) -> None:
    style = option.widget.style() if option.widget is not None else None
    if style is not None:
        style.drawPrimitive(
            QStyle.PrimitiveElement.PE_PanelItemViewItem, option, painter, option.widget
        )


class SessionDelegate(QStyledItemDelegate):
    """Two lines per session: "★ title … 14:05" and "agent · user · snippet"."""

    def sizeHint(self, option: QStyleOptionViewItem, index: AnyIndex) -> QSize:
        height = option.fontMetrics.height()
        return QSize(200, 2 * PAD + 2 * height + LINE_GAP + 2)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: AnyIndex) -> None:
        self.initStyleOption(option, index)
        painter.save()
        _paint_background(painter, option)
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        palette = option.palette
        text_color = palette.color(
            QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
        )
        muted = text_color if selected else _muted(palette)
        rect = option.rect.adjusted(PAD + 2, PAD, -PAD, -PAD)
        metrics = option.fontMetrics
        line = metrics.height()

        when = short_time(float(index.data(session_model.UpdatedAtRole) or 0))
        trashed_at = index.data(session_model.TrashedAtRole)
        if trashed_at is not None:
            when = "trashed " + short_time(float(trashed_at))
        when_width = metrics.horizontalAdvance(when) + PAD
        painter.setPen(muted)
        painter.drawText(
            QRect(rect.right() - when_width, rect.top(), when_width, line),
            int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter),
            when,
        )
        title = str(index.data(Qt.ItemDataRole.DisplayRole) or "")
        if index.data(session_model.PinnedRole):
            title = "★ " + title
        bold = QFont(option.font)
        bold.setWeight(QFont.Weight.DemiBold)
        painter.setFont(bold)
        painter.setPen(text_color)
        title_rect = QRect(rect.left(), rect.top(), rect.width() - when_width - PAD, line)
        painter.drawText(
            title_rect,
            int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter),
            painter.fontMetrics().elidedText(
                title, Qt.TextElideMode.ElideRight, title_rect.width()
            ),
        )
        painter.setFont(option.font)
        painter.setPen(muted)
        agent = str(index.data(session_model.AgentRole) or "")
        user = str(index.data(session_model.UserRole) or "")
        who = agent if user in ("", "local") else f"{agent} · {user}"
        preview = (
            plain_preview(str(index.data(session_model.PreviewRole) or "")) or "no messages yet"
        )
        detail = preview if who == "assistant" else f"{who} — {preview}"
        second = QRect(rect.left(), rect.top() + line + LINE_GAP, rect.width(), line)
        painter.drawText(
            second,
            int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter),
            metrics.elidedText(detail, Qt.TextElideMode.ElideRight, second.width()),
        )
        painter.restore()


class SearchHitDelegate(QStyledItemDelegate):
    """Session title and role, then the snippet with the matched words highlighted."""

    def sizeHint(self, option: QStyleOptionViewItem, index: AnyIndex) -> QSize:
        return QSize(200, 2 * PAD + 3 * option.fontMetrics.height() + LINE_GAP + 2)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: AnyIndex) -> None:
        self.initStyleOption(option, index)
        painter.save()
        _paint_background(painter, option)
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        palette = option.palette
        text_color = palette.color(
            QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
        )
        rect = option.rect.adjusted(PAD + 2, PAD, -PAD, -PAD)
        line = option.fontMetrics.height()
        hit = index.data(search_model.HitRole)
        bold = QFont(option.font)
        bold.setWeight(QFont.Weight.DemiBold)
        painter.setFont(bold)
        painter.setPen(text_color)
        role = "you" if hit.role == "user" else hit.role
        head = f"{hit.session_title} · {role} · {short_time(hit.created_at)}"
        painter.drawText(
            QRect(rect.left(), rect.top(), rect.width(), line),
            int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter),
            painter.fontMetrics().elidedText(head, Qt.TextElideMode.ElideRight, rect.width()),
        )
        doc = SafeTextDocument()
        doc.setDefaultFont(option.font)
        doc.setDocumentMargin(0)
        doc.setDefaultStyleSheet(f"body {{ color: {text_color.name()}; }}")
        highlight = (
            "#b8860b" if palette.color(QPalette.ColorRole.Base).lightness() < 128 else "#ffe58a"
        )
        doc.setHtml(f"<body>{highlighted_html(hit.snippet, hit.spans, highlight)}</body>")
        doc.setTextWidth(rect.width())
        painter.translate(rect.left(), rect.top() + line + LINE_GAP)
        painter.setClipRect(QRect(0, 0, rect.width(), 2 * line + 1))
        doc.drawContents(painter)
        painter.restore()
