"""A reply that fails after the user switched conversations offers no Retry in the other one."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from desktop_agent.ui.main_window import MainWindow
from tests.support.fake_openai import Cut, FakeOpenAIServer
from tests.ui.helpers import wait_idle


def test_failure_of_a_background_reply_is_not_retried_into_the_open_session(
    qtbot: QtBot, provider: FakeOpenAIServer, window: MainWindow
) -> None:
    first = window.new_session()
    assert first is not None
    provider.push(Cut(text_before_cut="Partial answer", after_chunks=2, delay_per_chunk=0.4))
    window.chat.composer.setPlainText("question for the first conversation")
    window.chat.send_action.trigger()
    qtbot.waitUntil(lambda: window.chat.model.streaming_id is not None)

    second = window.new_session()
    assert second is not None
    wait_idle(qtbot, window)

    # Retry here would regenerate the first conversation's reply from the second's history.
    bar = window.chat.error_bar
    assert not (bar.isVisible() and bar.action_button.text() == "Retry")
    assert window.chat.controller.retry() is False
