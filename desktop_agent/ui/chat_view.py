"""The message list view: virtualised rows, older pages on scrolling up, sticky bottom."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QModelIndex, Qt, Slot
from PySide6.QtWidgets import QAbstractItemView, QFrame, QListView, QWidget

from desktop_agent.ui.message_delegate import MessageDelegate

if TYPE_CHECKING:
    from PySide6.QtGui import QResizeEvent

    from desktop_agent.ui.message_model import MessageListModel

STICKY_PIXELS = 40  # "at the bottom" tolerance: new text keeps the view scrolled down


class ChatView(QListView):
    def __init__(self, model: MessageListModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("chatView")
        self.setAccessibleName(self.tr("Conversation"))
        self.setModel(model)
        self._model = model
        self.message_delegate = MessageDelegate(self)
        self.setItemDelegate(self.message_delegate)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setResizeMode(QListView.ResizeMode.Adjust)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setMouseTracking(True)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.verticalScrollBar().setSingleStep(24)
        self._stick_to_bottom = True
        self._anchor_from_bottom: int | None = None
        self.verticalScrollBar().valueChanged.connect(self._on_scrolled)
        self.verticalScrollBar().rangeChanged.connect(self._on_range_changed)
        model.modelReset.connect(self._on_reset)
        model.rowsAboutToBeInserted.connect(self._before_insert)
        model.dataChanged.connect(self._on_data_changed)

    def changeEvent(self, event: QEvent) -> None:
        # Rendered messages carry the palette's colours (code shading, text): a switch
        # between light and dark, or a new font, must render them again.
        if event.type() in (QEvent.Type.PaletteChange, QEvent.Type.FontChange):
            self.message_delegate.forget()
            self.scheduleDelayedItemsLayout()
        super().changeEvent(event)

    def resizeEvent(self, event: QResizeEvent) -> None:
        # Row heights depend on the width (text wraps), but QListView lays a top-to-bottom
        # list out again only when its height changes, 100 ms later, and not at all while
        # a layout is running (its own scroll bar appearing narrows the viewport). So any
        # new width lays the rows out again at the next turn of the event loop, before the
        # next paint, once however many resizes a splitter drag sends in between.
        super().resizeEvent(event)
        if event.size().width() != event.oldSize().width():
            self.scheduleDelayedItemsLayout()

    def scroll_to_end(self) -> None:
        self._stick_to_bottom = True
        self.scrollToBottom()

    def at_bottom(self) -> bool:
        bar = self.verticalScrollBar()
        return bar.maximum() - bar.value() <= STICKY_PIXELS

    @Slot()
    def _on_reset(self) -> None:
        self.message_delegate.forget()
        self._stick_to_bottom = True

    @Slot(QModelIndex, int, int)
    def _before_insert(self, parent: QModelIndex, first: int, last: int) -> None:
        # Prepending older rows must not move what the reader is looking at.
        if first == 0 and self._model.rowCount() > 0:
            bar = self.verticalScrollBar()
            self._anchor_from_bottom = bar.maximum() - bar.value()

    @Slot(int)
    def _on_scrolled(self, value: int) -> None:
        self._stick_to_bottom = self.at_bottom()
        if value == 0 and self._model.has_older() and self.verticalScrollBar().maximum() > 0:
            self._model.fetch_older()

    @Slot(int, int)
    def _on_range_changed(self, minimum: int, maximum: int) -> None:
        bar = self.verticalScrollBar()
        if self._anchor_from_bottom is not None:
            bar.setValue(maximum - self._anchor_from_bottom)
            self._anchor_from_bottom = None
        elif self._stick_to_bottom:
            bar.setValue(maximum)

    @Slot(QModelIndex, QModelIndex)
    def _on_data_changed(self, top_left: QModelIndex, bottom_right: QModelIndex) -> None:
        # QListView caches row heights; a streamed row grows, so ask for a new layout.
        for row in range(top_left.row(), bottom_right.row() + 1):
            self.message_delegate.sizeHintChanged.emit(self._model.index(row, 0))
