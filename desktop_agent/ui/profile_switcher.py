"""The toolbar's agent and user pickers: which agent new conversations talk to, and
whose learned weights they start from (remembered in the UI state)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal, Slot
from PySide6.QtWidgets import QComboBox, QInputDialog, QLabel, QToolBar, QWidget

from desktop_agent.services import agents
from desktop_agent.ui.weights.common import USER_ERRORS

if TYPE_CHECKING:
    from desktop_agent.config.ui_state import UiState
    from desktop_agent.ui.events import StoreEvents

NEW_USER = "__new_user__"


class ProfileSwitcher(QObject):
    """Follows `agentsChanged` on the hub (a new agent or user appears in the lists).

    Signals:
        profileChosen(): the choice changed (the owner saves the UI state).
        problem(str): a clear message for the status bar.
    """

    profileChosen = Signal()
    problem = Signal(str)

    def __init__(self, state: UiState, events: StoreEvents, parent: QWidget) -> None:
        super().__init__(parent)
        self._state = state
        self._events = events
        self._parent = parent
        self.agent_box = QComboBox()
        self.agent_box.setObjectName("agentSwitcher")
        self.agent_box.setToolTip(self.tr("The agent new conversations talk to"))
        self.agent_box.setAccessibleName(self.tr("Agent for new conversations"))
        self.user_box = QComboBox()
        self.user_box.setObjectName("userSwitcher")
        self.user_box.setToolTip(self.tr("Whose learned weights new conversations start from"))
        self.user_box.setAccessibleName(self.tr("User for new conversations"))
        # Filled by load_profiles() once the store can be read (the window calls it).
        self.agent_box.currentIndexChanged.connect(lambda _i: self._remember())
        self.user_box.activated.connect(self._on_user_chosen)
        events.agentsChanged.connect(self.load_profiles)

    def add_to(self, toolbar: QToolBar) -> None:
        toolbar.addSeparator()
        agent_label = QLabel(self.tr(" Agent "))
        agent_label.setBuddy(self.agent_box)
        toolbar.addWidget(agent_label)
        toolbar.addWidget(self.agent_box)
        user_label = QLabel(self.tr("  User "))
        user_label.setBuddy(self.user_box)
        toolbar.addWidget(user_label)
        toolbar.addWidget(self.user_box)

    @Slot()
    def load_profiles(self) -> None:
        agent = self._state.agent or agents.DEFAULT_AGENT
        user = self._state.user or agents.DEFAULT_USER
        for box in (self.agent_box, self.user_box):
            box.blockSignals(True)
            box.clear()
        for record in agents.list_agents():
            self.agent_box.addItem(record.name, record.name)
        for profile in agents.list_users():
            self.user_box.addItem(profile.display_name or profile.handle, profile.handle)
        self.user_box.addItem(self.tr("New user…"), NEW_USER)
        for box, wanted in ((self.agent_box, agent), (self.user_box, user)):
            index = box.findData(wanted)
            box.setCurrentIndex(max(index, 0))
            box.blockSignals(False)

    def current_agent(self) -> str:
        return str(self.agent_box.currentData() or agents.DEFAULT_AGENT)

    def current_user(self) -> str:
        data = self.user_box.currentData()
        return str(data) if data and data != NEW_USER else agents.DEFAULT_USER

    def current(self) -> tuple[str, str]:
        """(agent, user) for a new conversation."""
        return self.current_agent(), self.current_user()

    def _remember(self) -> None:
        self._state.agent = self.current_agent()
        self._state.user = self.current_user()
        self.profileChosen.emit()

    @Slot(int)
    def _on_user_chosen(self, index: int) -> None:
        if self.user_box.itemData(index) == NEW_USER:
            handle, ok = QInputDialog.getText(
                self._parent, self.tr("New User"), self.tr("Name of the new profile:")
            )
            self.add_user(handle if ok else "")
        else:
            self._remember()

    def add_user(self, handle: str) -> bool:
        """Create (or pick) a local profile and switch to it; empty means cancel."""
        if handle.strip():
            try:
                created = agents.ensure_user(handle)
            except USER_ERRORS as exc:
                self.problem.emit(str(exc))
            else:
                self._state.user = created.handle
                self._events.agentsChanged.emit()  # the lists (and the session filters) follow
        self.load_profiles()
        self._remember()
        return self.current_user() == handle.strip()
