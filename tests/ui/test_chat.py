"""The chat pane against the loopback OpenAI server: stream, stop, errors, versions, feedback."""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QApplication, QMenu
from pytestqt.qtbot import QtBot

from desktop_agent.store import messages, sessions, weights
from desktop_agent.ui.main_window import MainWindow
from desktop_agent.ui.worker import worker_pool
from tests.support.fake_openai import Cut, Error, FakeOpenAIServer, Hang, Reply
from tests.ui.helpers import TIMEOUT_MS, rows, send, wait_idle


def _start_a_hanging_reply(
    qtbot: QtBot, window: MainWindow, provider: FakeOpenAIServer, prompt: str, partial: str
) -> None:
    """Send `prompt` in a new conversation; return once the reply shows `partial` and the
    server has gone silent, so the reply is still being written."""
    provider.push(Hang(seconds=30, text_before_hang=partial))
    window.new_session()
    window.chat.composer.setPlainText(prompt)
    window.chat.send_action.trigger()
    qtbot.waitUntil(
        lambda: len(rows(window)) == 2 and rows(window)[1].content == partial,
        timeout=TIMEOUT_MS,
    )


def test_send_streams_the_reply_into_the_last_row_and_saves_it(
    qtbot: QtBot, window: MainWindow, provider: FakeOpenAIServer
) -> None:
    provider.push(Reply("Hello **there**, how can I help?", chunks=6))
    window.new_session()
    changed: list[int] = []
    window.chat.model.dataChanged.connect(lambda top, bottom: changed.append(top.row()))

    send(qtbot, window, "Hi")

    user, reply = rows(window)
    assert (user.role, user.content) == ("user", "Hi")
    assert reply.content == "Hello **there**, how can I help?"
    assert reply.status == "complete"
    assert set(changed) <= {1}  # streaming only ever touched the reply's row
    stored = messages.list_messages(window.chat.session.id)
    assert [m.content for m in stored] == ["Hi", "Hello **there**, how can I help?"]
    assert window.chat.composer.toPlainText() == ""
    assert window.save_label.text() == "All changes saved"
    # The session list shows the new title and snippet at the top.
    assert window.sessions.model.record(0).title == "Hi"


def test_stop_cancels_the_stream_and_keeps_the_partial_reply(
    qtbot: QtBot, window: MainWindow, provider: FakeOpenAIServer
) -> None:
    _start_a_hanging_reply(qtbot, window, provider, "Tell me a long story", "The first half")
    pane = window.chat
    assert pane.stop_button.isEnabled()

    qtbot.keyClick(pane.composer, Qt.Key.Key_Escape)
    wait_idle(qtbot, window)

    reply = rows(window)[1]
    assert reply.status == "incomplete"
    assert reply.content == "The first half"
    assert messages.get_message(reply.id).content == "The first half"
    assert not pane.error_bar.isVisible()


def test_stop_reply_is_offered_only_while_a_reply_runs_and_esc_cancels_an_edit(
    qtbot: QtBot, window: MainWindow, provider: FakeOpenAIServer
) -> None:
    """The menu and toolbar's Stop Reply is greyed when there is nothing to stop; Esc
    then still cancels an edit (one action holds the key at a time)."""
    provider.push(Reply("Hello"))
    window.new_session()
    pane = window.chat
    assert not pane.stop_action.isEnabled()
    send(qtbot, window, "Hi")
    wait_idle(qtbot, window)
    assert not pane.stop_action.isEnabled()

    pane.start_edit(rows(window)[0])
    assert pane.edit_bar.isVisible()
    assert pane.composer.toPlainText() == "Hi"
    qtbot.keyClick(pane.composer, Qt.Key.Key_Escape)
    assert not pane.edit_bar.isVisible()
    assert pane.composer.toPlainText() == ""

    _start_a_hanging_reply(qtbot, window, provider, "Another", "Part")
    assert pane.stop_action.isEnabled()
    qtbot.keyClick(pane.composer, Qt.Key.Key_Escape)
    wait_idle(qtbot, window)
    assert rows(window)[1].status == "incomplete"
    assert not pane.stop_action.isEnabled()


def test_error_shows_a_banner_and_retry_succeeds(
    qtbot: QtBot, window: MainWindow, provider: FakeOpenAIServer
) -> None:
    provider.push(Error(503, "The model is overloaded"), Reply("Second time lucky"))
    window.new_session()
    send(qtbot, window, "Hello?")

    bar = window.chat.error_bar
    assert bar.isVisible()
    assert bar.action_button.text() == "Retry"
    assert bar.label.text()  # a sentence for the user, not a traceback
    assert "Traceback" not in bar.label.text()
    assert rows(window)[1].status == "error"

    with qtbot.waitSignal(window.chat.controller.busyChanged, timeout=TIMEOUT_MS):
        qtbot.mouseClick(bar.action_button, Qt.MouseButton.LeftButton)
    wait_idle(qtbot, window)

    reply = rows(window)[-1]
    assert reply.content == "Second time lucky"
    assert reply.status == "complete"
    assert not bar.isVisible()


def test_a_cut_stream_keeps_the_text_and_offers_retry(
    qtbot: QtBot, window: MainWindow, provider: FakeOpenAIServer
) -> None:
    provider.push(Cut("Partial answer", after_chunks=2))
    window.new_session()
    send(qtbot, window, "Go")
    reply = rows(window)[1]
    assert reply.content == "Partial answer"
    assert reply.status == "incomplete"
    assert window.chat.error_bar.isVisible()


def _click_button(qtbot: QtBot, window: MainWindow, row: int, action: str) -> None:
    view = window.chat.view
    index = window.chat.model.index(row, 0)
    view.scrollTo(index)
    rect = view.visualRect(index)
    delegate = view.message_delegate
    buttons = delegate.buttons(rect, index, view.fontMetrics())
    target = next(b for b in buttons if b.action == action)
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=target.rect.center())


def test_regenerate_keeps_earlier_versions_switchable(
    qtbot: QtBot, window: MainWindow, provider: FakeOpenAIServer
) -> None:
    provider.push(Reply("First answer"), Reply("Second answer"))
    window.new_session()
    send(qtbot, window, "Question")

    with qtbot.waitSignal(window.chat.controller.busyChanged, timeout=TIMEOUT_MS):
        _click_button(qtbot, window, 1, "regenerate")
    wait_idle(qtbot, window)
    reply = rows(window)[1]
    assert (reply.content, reply.version_index, reply.version_count) == ("Second answer", 1, 2)
    assert len(rows(window)) == 2

    _click_button(qtbot, window, 1, "prev")
    reply = rows(window)[1]
    assert (reply.content, reply.version_index) == ("First answer", 0)
    assert messages.list_messages(window.chat.session.id)[1].content == "First answer"


def test_edit_and_resend_makes_a_new_version_of_the_question(
    qtbot: QtBot, window: MainWindow, provider: FakeOpenAIServer
) -> None:
    provider.push(Reply("About cats"), Reply("About dogs"))
    window.new_session()
    send(qtbot, window, "Tell me about cats")
    _click_button(qtbot, window, 0, "edit")
    assert window.chat.composer.toPlainText() == "Tell me about cats"
    send(qtbot, window, "Tell me about dogs")

    user, reply = rows(window)
    assert (user.content, user.version_count) == ("Tell me about dogs", 2)
    assert reply.content == "About dogs"
    _click_button(qtbot, window, 0, "prev")
    assert [r.content for r in rows(window)] == ["Tell me about cats", "About cats"]


def test_thumbs_down_with_a_reason_teaches_the_session(
    qtbot: QtBot, window: MainWindow, provider: FakeOpenAIServer
) -> None:
    provider.push(Reply("A very long answer " * 20))
    session = window.new_session()
    send(qtbot, window, "Explain")
    before = window.chat.session.weights["verbosity"]

    menu = window.chat.feedback_menu(rows(window)[1])
    too_long = next(a for a in menu.actions() if a.text() == "Too long")
    too_long.trigger()
    menu.close()

    reply = rows(window)[1]
    assert reply.feedback is not None
    assert (reply.feedback.rating, reply.feedback.tags) == (-1, ("too_long",))
    events = weights.list_weight_events(weights.Owner.session(session.id))
    assert any(e.weight == "verbosity" and e.new < before for e in events)

    _click_button(qtbot, window, 1, "feedback_up")
    assert messages.get_message(reply.id).feedback.rating == 1


def test_copy_puts_the_message_on_the_clipboard(
    qtbot: QtBot, window: MainWindow, provider: FakeOpenAIServer
) -> None:
    provider.push(Reply("Run this:\n\n```python\nprint('hi')\n```\n"))
    window.new_session()
    send(qtbot, window, "Code please")
    _click_button(qtbot, window, 1, "copy_code")
    assert QApplication.clipboard().text() == "print('hi')"
    _click_button(qtbot, window, 1, "copy")
    assert QApplication.clipboard().text().startswith("Run this:")


def _type_goal(qtbot: QtBot, window: MainWindow, text: str) -> None:
    goal = window.chat.goal
    goal.setFocus()
    goal.selectAll()
    qtbot.keyClicks(goal, text)


def test_goal_is_saved_per_session(qtbot: QtBot, window: MainWindow) -> None:
    first = window.new_session()
    _type_goal(qtbot, window, "Draft the release notes")
    qtbot.keyClick(window.chat.goal, Qt.Key.Key_Return)
    second = window.new_session()
    assert window.chat.goal.text() == ""  # a new conversation starts without a goal
    _type_goal(qtbot, window, "Plan the offsite")
    # Still typing when the user starts a third conversation: the goal stays with its own.
    qtbot.keyClick(window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    third = window.chat.session

    assert sessions.get_session(first.id).goal == "Draft the release notes"
    assert sessions.get_session(second.id).goal == "Plan the offsite"
    assert sessions.get_session(third.id).goal == ""
    assert window.chat.goal.text() == ""
    window.open_session(sessions.get_session(first.id))
    assert window.chat.goal.text() == "Draft the release notes"
    window.open_session(sessions.get_session(second.id))
    assert window.chat.goal.text() == "Plan the offsite"


def test_without_a_provider_sending_explains_how_to_set_one_up(
    qtbot: QtBot, window: MainWindow
) -> None:
    # A server chosen but not set up (with nothing chosen, the built-in model answers).
    window.context.settings.provider.kind = "server"
    window.new_session()
    window.chat.composer.setPlainText("Hello")
    window.chat.send_action.trigger()
    bar = window.chat.error_bar
    assert bar.isVisible()
    assert "Settings" in bar.label.text()
    assert bar.action_button.text() == "Settings…"
    assert window.chat.composer.toPlainText() == "Hello"  # nothing lost
    assert messages.count_messages(window.chat.session.id) == 0


def test_closing_mid_stream_saves_the_partial_reply_and_joins_the_thread(
    qtbot: QtBot, window: MainWindow, provider: FakeOpenAIServer
) -> None:
    _start_a_hanging_reply(qtbot, window, provider, "Think", "Half a thought")
    session_id = window.chat.session.id
    window.close()
    # What quitting does next (aboutToQuit): join every worker. Closing only cancels, so
    # reading before the join raced the worker's final write under load.
    assert worker_pool().join() == []
    stored = messages.list_messages(session_id)
    assert stored[1].content == "Half a thought"
    assert stored[1].status == "incomplete"


def test_links_open_only_on_click(
    qtbot: QtBot, window: MainWindow, provider: FakeOpenAIServer
) -> None:
    provider.push(Reply("See [the docs](https://example.com/docs) ![x](https://example.com/x.png)"))
    window.new_session()
    opened: list[str] = []
    delegate = window.chat.view.message_delegate
    delegate.linkActivated.disconnect()
    delegate.linkActivated.connect(opened.append)
    send(qtbot, window, "Links?")
    window.chat.view.viewport().repaint()
    assert opened == []
    record = rows(window)[1]
    doc = delegate.document(record, window.chat.view.font(), window.chat.view.palette())
    assert "https://example.com/x.png" in doc.refused  # the image was never fetched
    assert len(provider.requests) == 1  # and nothing else was requested
    _ = QPoint


def test_a_message_opens_on_its_own_for_selecting_text(qtbot: QtBot, window: MainWindow) -> None:
    from desktop_agent.store import messages as message_store
    from desktop_agent.ui.message_viewer import MessageViewer

    session = window.new_session()
    assert session is not None
    reply = message_store.append_message(
        session.id, "assistant", "Use **bold** text ![x](http://example.com/x.png)"
    )
    viewer = window.chat.view_message(reply)
    qtbot.addWidget(viewer)
    assert isinstance(viewer, MessageViewer)
    assert "Use bold text" in viewer.browser.toPlainText()
    assert set(viewer.document.refused) == {"http://example.com/x.png"}  # never fetched
    viewer.browser.selectAll()
    assert viewer.browser.textCursor().selectedText().startswith("Use bold")


def test_versions_switch_from_the_keyboard_and_say_which_is_shown(
    qtbot: QtBot, window: MainWindow, provider: FakeOpenAIServer
) -> None:
    provider.push(Reply("First answer"), Reply("Second answer"))
    window.new_session()
    send(qtbot, window, "Question")
    with qtbot.waitSignal(window.chat.controller.busyChanged, timeout=TIMEOUT_MS):
        window.chat.regenerate_last()
    wait_idle(qtbot, window)
    previous, following = window.chat.previous_version_action, window.chat.next_version_action
    assert previous.shortcut().toString() == "Ctrl+Alt+Left"
    assert following.shortcut().toString() == "Ctrl+Alt+Right"
    menus = [a.menu() for a in window.menuBar().actions() if a.text() == "&Conversation"]
    conversation = menus[0]
    assert isinstance(conversation, QMenu)
    assert previous in conversation.actions()
    assert following in conversation.actions()

    previous.trigger()
    assert rows(window)[1].content == "First answer"
    assert window.statusBar().currentMessage() == "Version 1 of 2"
    assert window.chat.view.currentIndex().row() == 1
    previous.trigger()  # already the first: nothing changes, and it says so
    assert rows(window)[1].content == "First answer"
    assert window.statusBar().currentMessage() == "This is the first version."
    following.trigger()
    assert rows(window)[1].content == "Second answer"
    assert window.statusBar().currentMessage() == "Version 2 of 2"


def test_sending_while_a_reply_is_written_says_why_nothing_happens(
    qtbot: QtBot, window: MainWindow, provider: FakeOpenAIServer
) -> None:
    _start_a_hanging_reply(qtbot, window, provider, "first", "Working on it")
    pane = window.chat
    pane.composer.setPlainText("second")
    with qtbot.waitSignal(pane.controller.notice, timeout=TIMEOUT_MS) as said:
        pane.send_action.trigger()
    assert "still being written" in said.args[0]
    assert pane.composer.toPlainText() == "second"  # the draft is kept
    pane.controller.stop()
    qtbot.waitUntil(lambda: not pane.controller.busy, timeout=TIMEOUT_MS)


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
