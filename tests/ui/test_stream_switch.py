"""Leaving a conversation while its reply streams, then coming back: the reply shows
everything received so far and keeps streaming live, without lost or doubled text; a
reply that fails in the background offers no Retry in the conversation now open."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from desktop_agent.store import messages
from desktop_agent.ui.main_window import MainWindow
from tests.support.fake_openai import Cut, FakeOpenAIServer, slow_stream
from tests.ui.helpers import TIMEOUT_MS, rows, wait_idle

FULL = "".join(f"tick{i} " for i in range(60))


def test_returning_to_a_streaming_reply_shows_it_live(
    qtbot: QtBot, window: MainWindow, provider: FakeOpenAIServer
) -> None:
    provider.push(slow_stream(chunks=60, delay_per_chunk=0.05))
    first = window.new_session()
    assert first is not None
    pane = window.chat
    pane.composer.setPlainText("count for me")
    pane.send_action.trigger()
    qtbot.waitUntil(
        lambda: len(rows(window)) == 2 and "tick3 " in rows(window)[1].content, timeout=TIMEOUT_MS
    )

    other = window.new_session()  # the reply goes on streaming in the background
    assert other is not None
    qtbot.waitUntil(lambda: "tick10 " in "".join(pane.controller._stream_text), timeout=TIMEOUT_MS)

    window.open_session(first)
    reply = rows(window)[1]
    assert pane.model.streaming_id == reply.id
    assert FULL.startswith(reply.content)  # a prefix of the reply: nothing doubled
    assert "tick10 " in reply.content  # ... and nothing received while away is missing
    shown_on_return = len(reply.content)
    qtbot.waitUntil(
        lambda: len(rows(window)[1].content) > shown_on_return + 20, timeout=TIMEOUT_MS
    )  # it keeps streaming live
    wait_idle(qtbot, window)
    assert rows(window)[1].content == FULL
    assert messages.get_message(reply.id).content == FULL


def test_failure_of_a_background_reply_is_not_retried_into_the_open_session(
    qtbot: QtBot, provider: FakeOpenAIServer, window: MainWindow
) -> None:
    first = window.new_session()
    assert first is not None
    provider.push(Cut(text_before_cut="Partial answer", after_chunks=2, delay_per_chunk=0.4))
    window.chat.composer.setPlainText("question for the first conversation")
    window.chat.send_action.trigger()
    qtbot.waitUntil(lambda: window.chat.model.streaming_id is not None)

    with qtbot.waitSignal(
        window.chat.controller.notice,
        timeout=TIMEOUT_MS,
        check_params_cb=lambda text: "another conversation failed" in text,
    ):
        second = window.new_session()
    assert second is not None
    wait_idle(qtbot, window)
    [_question, reply] = messages.list_messages(first.id)
    assert (reply.status, reply.content) == ("incomplete", "Partial answer")  # it did fail

    # Retry here would regenerate the first conversation's reply from the second's history.
    bar = window.chat.error_bar
    assert not (bar.isVisible() and bar.action_button.text() == "Retry")
    assert window.chat.controller.retry() is False
    assert window.chat.controller.busy is False
    assert messages.list_messages(second.id) == []  # nothing was sent in the second one
