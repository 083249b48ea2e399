"""Paints one chat message per row: header, Markdown body and a row of text buttons.

No widget per message: the body is a cached QTextDocument, the buttons are rectangles
this delegate draws and hit-tests, so a 10,000-message session costs one page of rows.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import (
    QEvent,
    QPointF,
    QRect,
    QSize,
    Qt,
    Signal,
)
from PySide6.QtGui import QColor, QFont, QFontMetrics, QMouseEvent, QPainter, QPalette
from PySide6.QtWidgets import QAbstractItemView, QStyle, QStyledItemDelegate, QStyleOptionViewItem

from desktop_agent.ui import message_model
from desktop_agent.ui.formatting import full_time, short_time
from desktop_agent.ui.long_text import chat_preview
from desktop_agent.ui.markdown import (
    SafeTextDocument,
    code_blocks,
    is_openable_link,
    render_markdown,
)
from desktop_agent.ui.message_actions import MessageAction

if TYPE_CHECKING:
    from desktop_agent.store.records import MessageRecord
    from desktop_agent.ui.qt_types import AnyIndex

H_PAD = 18
V_PAD = 10
BUBBLE_PAD = 10
GAP = 6
BUTTON_GAP = 14
CACHE_SIZE = 400
WIDTHS_KEPT = 4  # row heights kept for this many widths (a splitter dragged back and forth)


@dataclass(frozen=True)
class Button:
    """A button painted on a message, where it is and whether it works."""

    action: MessageAction
    label: str
    rect: QRect
    enabled: bool = True


# The message actions that write to the store.
_WRITING = frozenset(
    {
        MessageAction.FEEDBACK_UP,
        MessageAction.FEEDBACK_DOWN,
        MessageAction.REGENERATE,
        MessageAction.EDIT,
    }
)


class MessageDelegate(QStyledItemDelegate):
    """Signals:
    actionTriggered(int, object, QPoint-in-global): message id, MessageAction, where clicked.
    linkActivated(str): a web or mail link in a message was clicked.
    """

    actionTriggered = Signal(int, object, object)
    linkActivated = Signal(str)

    def __init__(self, view: QAbstractItemView, agent_label: str = "Assistant") -> None:
        super().__init__(view)
        self._view = view
        self.agent_label = agent_label
        self.writable = True  # False while the disk is full: the actions that write are off
        self._docs: OrderedDict[int, tuple[str, int, SafeTextDocument]] = OrderedDict()
        # width -> message id -> (content, has buttons, height): a layout of every loaded
        # row at a width seen before lays out no text again, however many rows there are.
        self._heights: OrderedDict[int, dict[int, tuple[str, bool, int]]] = OrderedDict()

    # -- geometry

    def _content_width(self) -> int:
        return max(120, self._view.viewport().width() - 2 * H_PAD - 2 * BUBBLE_PAD)

    def document(self, record: MessageRecord, font: QFont, palette: QPalette) -> SafeTextDocument:
        width = self._content_width()
        cached = self._docs.get(record.id)
        if cached is not None and cached[0] is record.content and cached[1] == width:
            self._docs.move_to_end(record.id)
            return cached[2]
        if cached is not None and cached[0] == record.content:
            cached[2].setTextWidth(width)
            self._docs[record.id] = (record.content, width, cached[2])
            self._docs.move_to_end(record.id)
            return cached[2]
        doc = SafeTextDocument()
        # The model may show more than the words (an imported reply's reasoning, marked).
        display_text = getattr(self._view.model(), "display_text", None)
        shown = display_text(record) if callable(display_text) else record.content
        text = shown or (f"*{record.status_reason}*" if record.status == "error" else "…")
        # A long or unbreakable message is laid out as a collapsed preview (see long_text).
        render_markdown(doc, chat_preview(text), font, palette, width)
        self._docs[record.id] = (record.content, width, doc)
        if len(self._docs) > CACHE_SIZE:
            self._docs.popitem(last=False)
        return doc

    def forget(self) -> None:
        self._docs.clear()
        self._heights.clear()

    def sizeHint(self, option: QStyleOptionViewItem, index: AnyIndex) -> QSize:
        record: MessageRecord = index.data(message_model.RecordRole)
        width = self._view.viewport().width()
        heights = self._heights.setdefault(width, {})
        self._heights.move_to_end(width)
        while len(self._heights) > WIDTHS_KEPT:
            self._heights.popitem(last=False)
        has_buttons = bool(self._buttons_for(index))
        known = heights.get(record.id)
        if known is not None and known[0] is record.content and known[1] == has_buttons:
            return QSize(width, known[2])
        doc = self.document(record, option.font, option.palette)
        line = option.fontMetrics.height()
        footer = line + GAP if has_buttons else 0
        height = 2 * V_PAD + 2 * BUBBLE_PAD + line + GAP + int(doc.size().height()) + footer
        heights[record.id] = (record.content, has_buttons, height)
        return QSize(width, height)

    def _bubble(self, rect: QRect) -> QRect:
        return rect.adjusted(H_PAD, V_PAD, -H_PAD, -V_PAD)

    def _body_origin(self, rect: QRect, metrics: QFontMetrics) -> QPointF:
        bubble = self._bubble(rect)
        return QPointF(
            bubble.left() + BUBBLE_PAD, bubble.top() + BUBBLE_PAD + metrics.height() + GAP
        )

    def _buttons_for(self, index: AnyIndex) -> list[tuple[MessageAction, str]]:
        record: MessageRecord = index.data(message_model.RecordRole)
        if index.data(message_model.StreamingRole) or record.role == "system":
            return []
        labels: list[tuple[MessageAction, str]] = []
        if record.role == "assistant":
            rating = record.feedback.rating if record.feedback else 0
            labels += [
                (MessageAction.FEEDBACK_UP, self.tr("✓ Good") if rating > 0 else self.tr("Good")),
                (
                    MessageAction.FEEDBACK_DOWN,
                    self.tr("✓ Bad ▾") if rating < 0 else self.tr("Bad ▾"),
                ),
            ]
        labels.append((MessageAction.COPY, self.tr("Copy")))
        if record.role == "assistant" and code_blocks(record.content):
            labels.append((MessageAction.COPY_CODE, self.tr("Copy code")))
        if record.role == "assistant":
            retry = record.status == "error"
            labels.append(
                (MessageAction.REGENERATE, self.tr("Retry") if retry else self.tr("Regenerate"))
            )
        else:
            labels.append((MessageAction.EDIT, self.tr("Edit")))
        if record.version_count > 1:
            labels += [
                (MessageAction.PREVIOUS_VERSION, "‹"),
                (MessageAction.VERSION, f"{record.version_index + 1}/{record.version_count}"),
                (MessageAction.NEXT_VERSION, "›"),
            ]
        return labels

    def buttons(self, option_rect: QRect, index: AnyIndex, metrics: QFontMetrics) -> list[Button]:
        record: MessageRecord = index.data(message_model.RecordRole)
        bubble = self._bubble(option_rect)
        line = metrics.height()
        top = bubble.bottom() - BUBBLE_PAD - line + 1
        x = bubble.left() + BUBBLE_PAD
        out: list[Button] = []
        for action, label in self._buttons_for(index):
            width = metrics.horizontalAdvance(label) + 4
            enabled = not (
                (action is MessageAction.PREVIOUS_VERSION and record.version_index == 0)
                or (
                    action is MessageAction.NEXT_VERSION
                    and record.version_index >= record.version_count - 1
                )
                or action is MessageAction.VERSION
                or (not self.writable and action in _WRITING)
            )
            joined = action in (MessageAction.VERSION, MessageAction.NEXT_VERSION)
            gap = 4 if joined else BUTTON_GAP
            out.append(Button(action, label, QRect(x, top, width, line), enabled))
            x += width + gap
        return out

    # -- painting

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: AnyIndex) -> None:
        record: MessageRecord = index.data(message_model.RecordRole)
        painter.save()
        palette = option.palette
        text_color = palette.color(QPalette.ColorRole.Text)
        muted = QColor(text_color)
        muted.setAlphaF(0.6)
        accent = palette.color(QPalette.ColorRole.Highlight)
        bubble = self._bubble(option.rect)
        base = palette.color(QPalette.ColorRole.Base)
        dark = base.lightness() < 128
        if record.role == "user":
            fill = QColor(accent)
            fill.setAlphaF(0.16 if dark else 0.08)
        else:
            fill = base.lighter(115) if dark else base.darker(102)
        if option.state & QStyle.StateFlag.State_Selected:
            fill = QColor(accent)
            fill.setAlphaF(0.25)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(fill)
        painter.drawRoundedRect(bubble, 8, 8)
        if record.status == "error":
            painter.setPen(QColor("#c0392b"))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRoundedRect(bubble, 8, 8)

        metrics = option.fontMetrics
        line = metrics.height()
        head_rect = QRect(
            bubble.left() + BUBBLE_PAD,
            bubble.top() + BUBBLE_PAD,
            bubble.width() - 2 * BUBBLE_PAD,
            line,
        )
        bold = QFont(option.font)
        bold.setWeight(QFont.Weight.DemiBold)
        painter.setFont(bold)
        painter.setPen(text_color)
        who = (
            "You"
            if record.role == "user"
            else self.agent_label
            if record.role == "assistant"
            else "System"
        )
        painter.drawText(
            head_rect, int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter), who
        )
        who_width = QFontMetrics(bold).horizontalAdvance(who) + 10
        painter.setFont(option.font)
        painter.setPen(muted)
        status = _status_text(record, bool(index.data(message_model.StreamingRole)))
        detail = short_time(record.created_at) + (f"  ·  {status}" if status else "")
        if record.model and record.role == "assistant":
            detail += f"  ·  {record.model}"
        painter.drawText(
            head_rect.adjusted(who_width, 0, 0, 0),
            int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter),
            metrics.elidedText(detail, Qt.TextElideMode.ElideRight, head_rect.width() - who_width),
        )

        doc = self.document(record, option.font, palette)
        origin = self._body_origin(option.rect, metrics)
        painter.translate(origin)
        doc.drawContents(painter)
        painter.translate(-origin)

        for button in self.buttons(option.rect, index, metrics):
            color = accent if button.enabled else muted
            if button.action is MessageAction.VERSION:
                color = muted
            painter.setPen(color)
            painter.drawText(button.rect, int(Qt.AlignmentFlag.AlignCenter), button.label)
        painter.restore()

    # -- clicks

    def editorEvent(
        self,
        event: QEvent,
        model: object,
        option: QStyleOptionViewItem,
        index: AnyIndex,
    ) -> bool:
        if not isinstance(event, QMouseEvent) or not index.isValid():
            return False
        pos = event.position().toPoint()
        metrics = option.fontMetrics
        record: MessageRecord = index.data(message_model.RecordRole)
        hit = next(
            (
                b
                for b in self.buttons(option.rect, index, metrics)
                if b.enabled and b.rect.contains(pos)
            ),
            None,
        )
        link = self._link_at(record, option, pos)
        if event.type() == QEvent.Type.MouseMove:
            pointing = hit is not None or bool(link)
            self._view.viewport().setCursor(
                Qt.CursorShape.PointingHandCursor if pointing else Qt.CursorShape.ArrowCursor
            )
            return False
        if (
            event.type() != QEvent.Type.MouseButtonRelease
            or event.button() != Qt.MouseButton.LeftButton
        ):
            return False
        if hit is not None:
            self.actionTriggered.emit(record.id, hit.action, event.globalPosition().toPoint())
            return True
        if link and is_openable_link(link):
            self.linkActivated.emit(link)
            return True
        return False

    def _link_at(self, record: MessageRecord, option: QStyleOptionViewItem, pos: object) -> str:
        doc = self.document(record, option.font, option.palette)
        origin = self._body_origin(option.rect, option.fontMetrics)
        local = QPointF(pos) - origin  # type: ignore[call-overload]
        if local.x() < 0 or local.y() < 0:
            return ""
        layout = doc.documentLayout()
        return str(layout.anchorAt(local) or "")


def _status_text(record: MessageRecord, streaming: bool) -> str:
    if streaming:
        return "writing…"
    if record.status == "incomplete":
        return f"incomplete — {record.status_reason}" if record.status_reason else "incomplete"
    if record.status == "error":
        return "failed"
    if record.status_reason:
        return record.status_reason
    return ""


def tooltip_for(record: MessageRecord) -> str:
    return full_time(record.created_at)
