"""The right panel: the open session's weights (sliders), learning controls, the live
effective-request preview and the drift chart."""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QPixmap
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from desktop_agent.domain.causes import MANUAL, RESET, Cause
from desktop_agent.domain.compiler import CompiledRequest, compile_request
from desktop_agent.services import agents, sessions
from desktop_agent.services.weights import (
    Owner,
    current_weights,
    list_weight_events,
    revert_last_change,
    set_weights,
)
from desktop_agent.ui.disk_watch import claim_disk_full
from desktop_agent.ui.events import StoreEvents
from desktop_agent.ui.plain import plain_label
from desktop_agent.ui.weights.common import USER_ERRORS, ErrorLabel
from desktop_agent.ui.weights.drift_chart import DriftChart
from desktop_agent.ui.weights.editor import WeightEditor
from desktop_agent.ui.weights.preview import RequestPreview

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from desktop_agent.domain.compiler import AgentProfile
    from desktop_agent.services.app_context import AppContext
    from desktop_agent.store.records import AgentRecord, SessionRecord, WeightEventRecord


def _minus(delta: float) -> str:
    return f"{'−' if delta < 0 else '+'}{abs(delta):.2f}"


def learning_notes(events: Sequence[WeightEventRecord]) -> dict[str, str]:
    """'verbosity −0.06: too_long' per weight that learning moved in `events`."""
    moved: dict[str, tuple[float, float, list[str]]] = {}
    for event in events:
        cause = Cause(event.cause)
        if not cause.learned:
            continue
        reason = cause.reason
        first, _last, reasons = moved.get(event.weight, (event.old, event.new, []))
        if reason not in reasons:
            reasons.append(reason)
        moved[event.weight] = (first, event.new, reasons)
    return {
        name: f"{name} {_minus(new - old)}: {', '.join(reasons)}"
        for name, (old, new, reasons) in moved.items()
        if round(new - old, 6) != 0
    }


class WeightPanel(QWidget):
    """The weight editor for the open session.

    Signals:
        message_requested(str, int): open this session at this message (0: no message).

    The panel announces its own writes on the StoreEvents hub and follows the hub:
    weights moved by learning or a dialog, and changed agents, reload what it shows.
    """

    message_requested = Signal(str, int)

    def __init__(
        self, context: AppContext, events: StoreEvents | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("rightPanel")
        self.context = context
        self.events = events if events is not None else StoreEvents(self)
        self.events.weightsChanged.connect(self.weights_changed)
        self.events.agentsChanged.connect(self.reload)
        self.session: SessionRecord | None = None
        self.agent: AgentRecord | None = None
        self.profile: AgentProfile | None = None
        self._last_event_id = 0
        self._build()
        self.set_session(None)

    # -- construction

    def _build(self) -> None:
        self.title = QLabel()
        self.title.setObjectName("weightsTitle")
        self.title.setWordWrap(True)
        self.subtitle = QLabel()
        self.subtitle.setObjectName("weightsSubtitle")
        self.subtitle.setTextFormat(Qt.TextFormat.PlainText)  # agent and user names
        self.subtitle.setWordWrap(True)
        self.subtitle.setStyleSheet("color: palette(placeholder-text);")
        self.empty = QLabel(self.tr("Open or start a conversation to tune its weights."))
        self.empty.setWordWrap(True)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setEnabled(False)

        self.editor = WeightEditor()
        self.editor.edited.connect(self._preview_live)
        self.editor.settled.connect(self.record)
        legend = QLabel(
            '<span style="color:#e8a317">▲</span> agent baseline &nbsp; '
            '<span style="color:#2ea44f">▼</span> your learned value'
        )
        legend.setStyleSheet("color: palette(placeholder-text); font-size: 11px;")

        self.learning_box = QCheckBox(self.tr("Learn from feedback in this conversation"))
        self.learning_box.setToolTip(
            "Thumbs up/down, reason tags and corrections such as “shorter please” move the "
            "weights of this conversation (and your learned values for the agent)."
        )
        self.learning_box.toggled.connect(self._set_learning)
        self.rate = QDoubleSpinBox()
        self.rate.setObjectName("learningRate")
        self.rate.setRange(0.0, 1.0)
        self.rate.setSingleStep(0.01)
        self.rate.setDecimals(2)
        self.rate.setKeyboardTracking(False)
        self.rate.setToolTip(
            "How far one piece of feedback moves a weight. This is the agent's setting, "
            "shared by all its conversations; 0 turns learning off."
        )
        self.rate.valueChanged.connect(self._set_rate)

        self.reset_button = QPushButton(self.tr("Reset to baseline"))
        self.reset_button.setToolTip(
            "Set every weight of this conversation to the agent's baseline"
        )
        self.reset_button.clicked.connect(self.reset_to_baseline)
        self.revert_button = QPushButton(self.tr("Revert last change"))
        self.revert_button.setToolTip(self.tr("Undo the most recent change (by hand or learned)"))
        self.revert_button.clicked.connect(self.revert_last)
        self.save_agent_button = QPushButton(self.tr("Save as agent baseline"))
        self.save_agent_button.setToolTip(
            "New conversations of every user start from these weights"
        )
        self.save_agent_button.clicked.connect(self.save_as_baseline)
        self.save_user_button = QPushButton(self.tr("Save for this user"))
        self.save_user_button.setToolTip(
            self.tr("This user's next conversations with the agent start here")
        )
        self.save_user_button.clicked.connect(self.save_for_user)
        self.status = plain_label()
        self.status.setObjectName("weightsStatus")
        self.status.setWordWrap(True)
        self.status.setStyleSheet("color: palette(placeholder-text); font-size: 11px;")
        self.error = ErrorLabel()

        controls = QWidget()
        grid = QGridLayout(controls)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.addWidget(self.learning_box, 0, 0, 1, 2)
        rate_row = QHBoxLayout()
        rate_row.addWidget(QLabel(self.tr("Learning rate")))
        rate_row.addWidget(self.rate)
        rate_row.addStretch(1)
        grid.addLayout(rate_row, 1, 0, 1, 2)
        grid.addWidget(self.reset_button, 2, 0)
        grid.addWidget(self.revert_button, 2, 1)
        grid.addWidget(self.save_agent_button, 3, 0)
        grid.addWidget(self.save_user_button, 3, 1)

        self.body = QWidget()
        body = QVBoxLayout(self.body)
        body.setContentsMargins(6, 6, 6, 6)
        body.addWidget(self.title)
        body.addWidget(self.subtitle)
        body.addWidget(self.editor)
        body.addWidget(legend)
        body.addWidget(controls)
        body.addWidget(self.error)
        body.addWidget(self.status)
        body.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setWidget(self.body)

        self.preview = RequestPreview()
        self.chart = DriftChart()
        self.chart.message_requested.connect(self.message_requested)
        self.history_scope = QComboBox()
        self.history_scope.addItem(self.tr("This conversation"), "session")
        self.history_scope.addItem(self.tr("This user's learned history"), "user")
        self.history_scope.currentIndexChanged.connect(lambda _index: self.refresh_chart())
        drift_page = QWidget()
        drift_layout = QVBoxLayout(drift_page)
        drift_layout.setContentsMargins(4, 4, 4, 4)
        drift_layout.addWidget(self.history_scope)
        drift_layout.addWidget(self.chart, 1)
        drift_layout.addWidget(self._legend())
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(self.preview, self.tr("Effective request"))
        self.tabs.addTab(drift_page, self.tr("Drift"))

        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.addWidget(scroll)
        self.splitter.addWidget(self.tabs)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.empty)
        layout.addWidget(self.splitter, 1)

    def _legend(self) -> QWidget:
        legend = QWidget()
        flow = QGridLayout(legend)
        flow.setContentsMargins(0, 0, 0, 0)
        flow.setHorizontalSpacing(8)
        flow.setVerticalSpacing(0)
        for index, (name, colour) in enumerate(self.chart.legend()):
            swatch = QPixmap(10, 10)
            swatch.fill(QColor(colour))
            icon = QLabel()
            icon.setPixmap(swatch)
            text = QLabel(name.replace("_", " ") + (" (mean, dashed)" if name == "drift" else ""))
            text.setStyleSheet("font-size: 11px;")
            row, column = divmod(index, 2)
            cell = QHBoxLayout()
            cell.setSpacing(4)
            cell.addWidget(icon)
            cell.addWidget(text, 1)
            flow.addLayout(cell, row, column)
        return legend

    # -- what the main window calls

    def set_session(self, session_id: str | None) -> None:
        """Show `session_id`'s weights (None: nothing is open)."""
        self.error.clear_error()
        self.status.clear()
        self.editor.clear_notes()
        self.session = None
        if session_id is not None:
            try:
                self.session = sessions.get_session(session_id)
            except USER_ERRORS:
                self.session = None
        self.empty.setVisible(self.session is None)
        self.splitter.setVisible(self.session is not None)
        if self.session is None:
            self.preview.show_request(None)
            return
        # Provider settings may have changed since the last session: rebuild the profile.
        self.agent = agents.get_agent(self.session.agent_id)
        self.profile = self.context.chat_service().profile(self.agent)
        self._last_event_id = self._latest_event_id()
        self._show_state(animate=False)

    def weights_changed(self, session_id: str) -> None:
        """Learning (or another view) changed a session's weights ("": an agent's or a
        user's): move the sliders and say why."""
        if self.session is None or session_id not in ("", self.session.id):
            return
        new_events = list_weight_events(self._owner(), since_id=self._last_event_id)
        self.reload(animate=True)
        notes = learning_notes(new_events)
        for name, text in notes.items():
            self.editor.rows[name].show_note(text)
        if notes:
            self.status.setText(self.tr("%n change(s) from learning.", "", len(new_events)))

    def reload(self, *, animate: bool = False) -> None:
        """Re-read the session, its agent and the user's learned values from the store."""
        if self.session is None:
            return
        try:
            self.session = sessions.get_session(self.session.id)
            self.agent = agents.get_agent(self.session.agent_id)
        except USER_ERRORS:
            self.set_session(None)
            return
        self.profile = self.context.chat_service().profile(self.agent)
        self._last_event_id = self._latest_event_id()
        self._show_state(animate=animate)

    # -- state

    def _owner(self) -> Owner:
        assert self.session is not None
        return Owner("session", self.session.agent_id, self.session.user_id, self.session.id)

    def _user_owner(self) -> Owner:
        assert self.session is not None
        return Owner.user(self.session.user_id, self.session.agent_id)

    def _latest_event_id(self) -> int:
        events = list_weight_events(self._owner())
        return events[-1].id if events else 0

    def learned(self) -> dict[str, float] | None:
        assert self.session is not None
        return agents.learned_weights(self.session.user_id, self.session.agent_id)

    def _show_state(self, *, animate: bool) -> None:
        assert self.session is not None
        assert self.agent is not None
        session, agent = self.session, self.agent
        self.title.setText(f"<b>Weights</b> — {html.escape(session.title)}")
        deleted = " (deleted)" if session.agent_deleted else ""
        arm = f" · experiment arm {session.arm}" if session.arm else ""
        self.subtitle.setText(f"agent {agent.name}{deleted} · user {session.user_handle}{arm}")
        self.editor.show_values(
            session.weights, baseline=agent.baseline, learned=self.learned(), animate=animate
        )
        self.save_user_button.setText(f"Save for {session.user_handle}")
        self.learning_box.blockSignals(True)
        self.learning_box.setChecked(session.learning_enabled)
        self.learning_box.blockSignals(False)
        self.rate.blockSignals(True)
        self.rate.setValue(agent.learning_rate)
        self.rate.blockSignals(False)
        self.preview.show_request(self.compile(session.weights))
        self.refresh_chart()

    def compile(self, weights: Mapping[str, float]) -> CompiledRequest:
        assert self.profile is not None
        return compile_request(self.profile, weights)

    def refresh_chart(self) -> None:
        if self.session is None or self.agent is None:
            return
        owner = (
            self._owner() if self.history_scope.currentData() == "session" else self._user_owner()
        )
        self.chart.set_history(
            list_weight_events(owner), current_weights(owner), self.agent.baseline
        )

    # -- edits

    def _preview_live(self, weights: dict[str, float]) -> None:
        if self.profile is not None:
            self.preview.show_request(self.compile(weights))

    def record(self, weights: Mapping[str, float] | None = None) -> None:
        """Store the editor's values as the session's (one event per changed weight)."""
        if self.session is None:
            return
        values = dict(self.editor.values() if weights is None else weights)
        self._store(lambda: set_weights(self._owner(), values, cause=MANUAL), "Saved.")

    def reset_to_baseline(self) -> None:
        if self.agent is None:
            return
        baseline = dict(self.agent.baseline)
        self._store(
            lambda: set_weights(self._owner(), baseline, cause=RESET),
            "Reset to the baseline.",
        )

    def revert_last(self) -> None:
        self._store(lambda: revert_last_change(self._owner()), "Reverted the last change.")

    def _store(self, action: object, done: str) -> None:
        assert callable(action)
        self.error.clear_error()
        try:
            events = action()
        except USER_ERRORS as exc:
            self.error.show_error(str(exc))
            self.reload()
            return
        except Exception as exc:
            if not claim_disk_full(exc):
                raise
            self.reload()  # the sliders show what is stored, not the change that failed
            return
        assert self.session is not None
        session_id = self.session.id
        self.editor.clear_notes()
        if events:
            self.events.weightsChanged.emit(session_id)  # reloads this panel too
        else:
            self.reload()
        self.status.setText(done if events else self.tr("Nothing to change."))

    def save_as_baseline(self) -> None:
        if self.session is None:
            return
        owner = Owner.agent(self.session.agent_id)
        self._save_elsewhere(owner, f"Saved as {self.session.agent_name}'s baseline.")

    def save_for_user(self) -> None:
        if self.session is None:
            return
        self._save_elsewhere(
            self._user_owner(), f"Saved as {self.session.user_handle}'s learned weights."
        )

    def _save_elsewhere(self, owner: Owner, done: str) -> None:
        assert self.session is not None
        self.error.clear_error()
        try:
            set_weights(owner, self.session.weights, cause=Cause.session(self.session.id))
        except USER_ERRORS as exc:
            self.error.show_error(str(exc))
            return
        if owner.scope == "agent":
            self.events.agentsChanged.emit()  # a new baseline: reloads this panel too
        else:
            self.events.weightsChanged.emit("")
        self.status.setText(done)

    def _set_learning(self, enabled: bool) -> None:
        if self.session is None:
            return
        self.session = sessions.set_learning_enabled(self.session.id, enabled)
        self.status.setText(
            "Learning is on." if enabled else "Learning is off for this conversation."
        )

    def _set_rate(self, rate: float) -> None:
        if self.agent is None:
            return
        try:
            self.agent = agents.update_agent(self.agent.id, learning_rate=rate)
        except USER_ERRORS as exc:
            self.error.show_error(str(exc))
            return
        self.status.setText(self.tr("%s's learning rate is now %.2f.") % (self.agent.name, rate))
        self.events.agentsChanged.emit()
