"""The session list: lazy pages, new, rename, pin, trash with undo, trash view, search."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QModelIndex, Qt
from pytestqt.qtbot import QtBot

from desktop_agent.services.app_context import AppContext
from desktop_agent.store import agents, messages, sessions
from desktop_agent.store.db import database
from desktop_agent.ui import session_model
from desktop_agent.ui.main_window import MainWindow
from tests.support.fake_openai import FakeOpenAIServer
from tests.ui.helpers import TIMEOUT_MS, send


def _seed(count: int) -> list[str]:
    ids = []
    with database.atomic():  # one commit for the lot
        for number in range(count):
            record = sessions.create_session(
                title=f"Session {number}", created_at=1_700_000_000 + number
            )
            ids.append(record.id)
    return ids


def test_the_list_fetches_only_its_first_page(qtbot: QtBot, context: AppContext) -> None:
    _seed(session_model.PAGE_SIZE + 30)
    model = session_model.SessionListModel()
    model.reload()
    assert model.rowCount() == session_model.PAGE_SIZE
    assert model.total == session_model.PAGE_SIZE + 30
    assert model.canFetchMore(QModelIndex())
    model.fetchMore(QModelIndex())
    assert model.rowCount() == session_model.PAGE_SIZE + 30
    assert not model.canFetchMore(QModelIndex())
    # newest activity first
    assert model.record(0).title == f"Session {session_model.PAGE_SIZE + 29}"


@pytest.mark.parametrize("extra", [0, 1])
def test_paging_ends_exactly_at_the_last_session(
    qtbot: QtBot, context: AppContext, extra: int
) -> None:
    _seed(session_model.PAGE_SIZE + extra)
    model = session_model.SessionListModel()
    model.reload()
    assert model.rowCount() == session_model.PAGE_SIZE
    assert model.canFetchMore(QModelIndex()) == bool(extra)
    model.fetchMore(QModelIndex())
    assert model.rowCount() == session_model.PAGE_SIZE + extra
    assert not model.canFetchMore(QModelIndex())
    assert model.total == session_model.PAGE_SIZE + extra


def test_reloading_after_a_reply_does_not_count_the_sessions(
    qtbot: QtBot, context: AppContext
) -> None:
    """Counting 100,000 sessions took 26 ms on every reload; a page needs no count."""
    _seed(5)
    model = session_model.SessionListModel()
    statements: list[str] = []
    database.connection().set_trace_callback(statements.append)
    try:
        model.reload()
        model.reload()
    finally:
        database.connection().set_trace_callback(None)
    assert any("FROM session" in s for s in statements)  # the page was read
    assert not [s for s in statements if "COUNT(" in s.upper()]
    assert model.rowCount() == 5


def test_new_session_with_ctrl_n_opens_it(qtbot: QtBot, window: MainWindow) -> None:
    qtbot.keyClick(window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    assert window.chat.session is not None
    assert window.sessions.current_id() == window.chat.session.id
    assert window.chat.composer.isEnabled()


def test_rename_pin_and_ordering(qtbot: QtBot, window: MainWindow) -> None:
    ids = _seed(3)
    window.sessions.refresh()
    model = window.sessions.model
    row = model.row_of(ids[0])
    assert model.setData(model.index(row, 0), "Renamed plan")
    assert sessions.get_session(ids[0]).title == "Renamed plan"

    window.sessions.select(ids[0])
    window.sessions.pin_action.trigger()
    assert model.record(0).id == ids[0]
    assert model.record(0).pinned
    assert window.sessions.current_id() == ids[0]


def test_trash_then_undo_restores_the_session(qtbot: QtBot, window: MainWindow) -> None:
    ids = _seed(2)
    window.sessions.refresh()
    window.sessions.select(ids[1], activate=True)
    assert window.chat.session.id == ids[1]

    window.sessions.list.setFocus()
    window.sessions.trash_action.trigger()
    assert sessions.get_session(ids[1]).trashed
    assert window.sessions.model.row_of(ids[1]) == -1
    assert window.sessions.undo_bar.isVisible()
    assert window.chat.session is None or window.chat.session.id != ids[1]

    qtbot.keyClick(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert not sessions.get_session(ids[1]).trashed
    assert window.sessions.model.row_of(ids[1]) >= 0
    assert not window.sessions.undo_bar.isVisible()
    assert window.chat.session.id == ids[1]


def test_trash_view_restores_and_purges(qtbot: QtBot, window: MainWindow) -> None:
    ids = _seed(2)
    for session_id in ids:
        sessions.trash_session(session_id)
    panel = window.sessions
    panel.trash_toggle.setChecked(True)
    assert panel.model.rowCount() == 2
    assert panel.trash_buttons.isVisible()

    panel.select(ids[0])
    panel.restore_button.click()
    assert not sessions.get_session(ids[0]).trashed
    panel.select(ids[1])
    panel.purge_current(confirm=False)
    assert not sessions.session_exists(ids[1])
    assert panel.model.rowCount() == 0
    assert panel.stack.currentWidget() is panel.empty_label


def test_filters_by_agent(qtbot: QtBot, window: MainWindow) -> None:
    agents.create_agent("support")
    sessions.create_session(title="Printer jam", agent="support")
    sessions.create_session(title="Poem")
    panel = window.sessions
    panel.load()
    panel.agent_filter.setCurrentIndex(panel.agent_filter.findText("support"))
    assert [panel.model.record(r).title for r in range(panel.model.rowCount())] == ["Printer jam"]


def test_search_shows_highlighted_hits_and_opens_the_session_at_the_hit(
    qtbot: QtBot, window: MainWindow
) -> None:
    target = sessions.create_session(title="Garden")
    messages.append_many(
        target.id,
        [
            {"role": "user" if i % 2 == 0 else "assistant", "content": f"filler message {i}"}
            for i in range(300)
        ],
    )
    hit_message = messages.append_message(target.id, "user", "How deep should tomato seedlings go?")
    messages.append_many(
        target.id, [{"role": "assistant", "content": f"later {i}"} for i in range(200)]
    )
    sessions.create_session(title="Other")
    window.sessions.refresh()

    panel = window.sessions
    qtbot.keyClick(window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert panel.search.hasFocus()
    with qtbot.waitSignal(panel.search_model.modelReset, timeout=TIMEOUT_MS):
        qtbot.keyClicks(panel.search, "tomato seed")
    qtbot.waitUntil(lambda: panel.search_model.rowCount() == 1, timeout=TIMEOUT_MS)
    assert panel.stack.currentWidget() is panel.hits
    hit = panel.search_model.hit(0)
    assert hit.message_id == hit_message.id
    assert hit.spans  # the matched words are marked for highlighting

    rect = panel.hits.visualRect(panel.search_model.index(0, 0))
    qtbot.mouseClick(panel.hits.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert window.chat.session.id == target.id
    current = window.chat.view.currentIndex()
    assert window.chat.model.record(current.row()).id == hit_message.id
    # Opened around the hit: neither the whole session nor only its end is loaded.
    assert window.chat.model.rowCount() < 501
    assert window.chat.model.canFetchMore(QModelIndex())


def test_renaming_the_open_session_updates_its_header_and_window_title(
    qtbot: QtBot, provider: FakeOpenAIServer, window: MainWindow
) -> None:
    record = window.new_session()
    assert record is not None
    send(qtbot, window, "hello there")
    model = window.sessions.model
    index = model.index(model.row_of(record.id), 0)

    assert model.setData(index, "Migration plan")

    assert window.chat.title.text() == "Migration plan"
    assert window.windowTitle().startswith("Migration plan — ")
    assert window.chat.session is not None
    assert window.chat.session.title == "Migration plan"


def test_restoring_from_the_trash_withdraws_the_undo_offer(
    qtbot: QtBot, window: MainWindow
) -> None:
    record = window.new_session()
    assert record is not None
    panel = window.sessions
    panel.select(record.id)
    panel.trash_current()
    assert panel.undo_bar.session_id == record.id
    panel.trash_toggle.setChecked(True)
    panel.select(record.id)
    panel.restore_current()
    assert not sessions.get_session(record.id).trashed
    assert panel.undo_bar.session_id is None


def test_a_new_agent_appears_in_the_session_filter(qtbot: QtBot, window: MainWindow) -> None:
    dialog = window.weights_menu.open_agents()
    assert dialog.new_agent("support") is not None  # announced on the window's event hub
    names = [
        window.sessions.agent_filter.itemText(i)
        for i in range(window.sessions.agent_filter.count())
    ]
    assert "support" in names
    switcher = window.profiles.agent_box
    assert "support" in [switcher.itemText(i) for i in range(switcher.count())]
    dialog.close()
