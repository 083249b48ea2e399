"""What-if: a snapshot's (or a file's) weights against the open session — the changes,
the request diff, predicted figures and a live replay of the last turns side by side.
Nothing in the session changes."""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from desktop_agent.domain.whatif import ReplayedTurn
from desktop_agent.services import sessions, whatif
from desktop_agent.ui.plain import plain_label
from desktop_agent.ui.weights.common import ErrorLabel
from desktop_agent.ui.weights.report_html import changes_html, predictions_html, request_diff_html
from desktop_agent.ui.worker import Worker, worker_pool

if TYPE_CHECKING:
    from collections.abc import Mapping

    from desktop_agent.domain.whatif import WhatIfReport
    from desktop_agent.services.app_context import AppContext

DEFAULT_REPLAY_TURNS = 3


class WhatIfDialog(QDialog):
    """Read-only simulation of `candidate` on a session.

    Signals:
        replayFinished(): the live replay ended (its rows are shown, or its error).
    """

    replayFinished = Signal()

    def __init__(
        self,
        context: AppContext,
        session_id: str,
        candidate: Mapping[str, float],
        label: str,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"What if: {label}")
        self.setObjectName("whatIfDialog")
        self.resize(820, 640)
        self.context = context
        self.session_id = session_id
        self.candidate = dict(candidate)
        self.replay: list[ReplayedTurn] = []
        session = sessions.get_session(session_id)
        service = context.chat_service()
        try:
            self.outcome: WhatIfReport = whatif.whatif_session(self.candidate, session_id, service)
        finally:
            service.close()

        intro = QLabel(
            f"What would change if <b>{escape(label)}</b> were applied to "
            f"<b>{escape(session.title)}</b>. This is a simulation: the conversation and its "
            "weights stay exactly as they are."
        )
        intro.setWordWrap(True)
        self.summary = QTextBrowser()
        self.summary.setObjectName("whatIfSummary")
        self.summary.setHtml(
            "<p><b>Weight changes</b></p>"
            + changes_html(self.outcome.changes)
            + "<p><b>Request changes</b></p>"
            + request_diff_html(self.outcome.request_diff)
            + "<p><b>Predicted from this conversation's feedback</b></p>"
            + predictions_html(self.outcome.predicted)
        )
        self.turns = QSpinBox()
        self.turns.setRange(1, 20)
        self.turns.setValue(DEFAULT_REPLAY_TURNS)
        self.turns.setSuffix(self.tr(" turns"))
        self.replay_button = QPushButton(self.tr("Replay live"))
        self.replay_button.setToolTip(
            "Ask the provider again for the last user turns with these weights; nothing is stored"
        )
        self.replay_button.clicked.connect(self.start_replay)
        self.replay_status = plain_label()
        self.replay_status.setObjectName("replayStatus")
        self.error = ErrorLabel()
        replay_row = QHBoxLayout()
        replay_row.addWidget(QLabel(self.tr("Live replay of the last")))
        replay_row.addWidget(self.turns)
        replay_row.addWidget(self.replay_button)
        replay_row.addWidget(self.replay_status, 1)
        self.table = QTableWidget(0, 3)
        self.table.setObjectName("replayTable")
        self.table.setHorizontalHeaderLabels(["User asked", "Original reply", "With these weights"])
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(True)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.summary, 3)
        layout.addLayout(replay_row)
        layout.addWidget(self.error)
        layout.addWidget(self.table, 2)
        layout.addWidget(buttons)

    def start_replay(self) -> None:
        if worker_pool().busy(self):
            return
        turns, candidate, session_id = self.turns.value(), dict(self.candidate), self.session_id
        context = self.context

        def job(worker: Worker) -> list[ReplayedTurn]:
            service = context.chat_service()
            worker.on_cancel(service.close)
            try:
                return whatif.live_replay(candidate, session_id, turns, service)
            finally:
                service.close()

        worker = Worker(job, name="whatif-replay")
        worker.returned.connect(self._show_replay)
        worker.errored.connect(self._replay_failed)
        self.error.clear_error()
        self.replay_button.setEnabled(False)
        self.replay_status.setText(self.tr("Asking the provider…"))
        worker_pool().start(worker, owner=self)

    def _show_replay(self, rows: object) -> None:
        assert isinstance(rows, list)
        self.replay = rows
        self.table.setRowCount(len(rows))
        for row, turn in enumerate(rows):
            assert isinstance(turn, ReplayedTurn)
            for column, text in enumerate((turn.user, turn.original, turn.candidate)):
                cell = QTableWidgetItem(text)
                cell.setTextAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
                self.table.setItem(row, column, cell)
        self.table.resizeRowsToContents()
        self.replay_status.setText(f"{len(rows)} turn(s) replayed; nothing was stored.")
        self.replay_button.setEnabled(True)
        self.replayFinished.emit()

    def _replay_failed(self, error: object) -> None:
        self.error.show_error(f"The live replay failed: {error}")
        self.replay_status.clear()
        self.replay_button.setEnabled(True)
        self.replayFinished.emit()

    def done(self, result: int) -> None:
        # A replay still running is cancelled (its result is dropped with the dialog).
        worker_pool().cancel(self)
        super().done(result)
