"""Smaller things a person would trip over: a key press that seemed to do nothing, a
stale undo offer, filters missing a new agent, a conversation deleted elsewhere."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from desktop_agent.store import sessions
from desktop_agent.ui.main_window import MainWindow
from tests.support.fake_openai import FakeOpenAIServer, Hang
from tests.ui.helpers import TIMEOUT_MS, rows


def test_sending_while_a_reply_is_written_says_why_nothing_happens(
    qtbot: QtBot, window: MainWindow, provider: FakeOpenAIServer
) -> None:
    provider.push(Hang(seconds=30, text_before_hang="Working on it"))
    window.new_session()
    pane = window.chat
    pane.composer.setPlainText("first")
    pane.send_action.trigger()
    qtbot.waitUntil(lambda: len(rows(window)) == 2, timeout=TIMEOUT_MS)
    pane.composer.setPlainText("second")
    with qtbot.waitSignal(pane.controller.notice, timeout=TIMEOUT_MS) as said:
        pane.send_action.trigger()
    assert "still being written" in said.args[0]
    assert pane.composer.toPlainText() == "second"  # the draft is kept
    pane.controller.stop()
    qtbot.waitUntil(lambda: not pane.controller.busy, timeout=TIMEOUT_MS)


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


def test_a_conversation_deleted_elsewhere_is_closed_not_a_traceback(
    qtbot: QtBot, window: MainWindow
) -> None:
    record = window.new_session()
    assert record is not None
    sessions.purge_session(record.id)  # as `desktop-agent sessions delete --purge` would
    window.chat.goal.setText("a goal")
    window.chat._save_goal()
    assert window.chat.error_bar.isVisible()
    window.chat.refresh_session()
    assert window.chat.session is None
