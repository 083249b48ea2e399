"""Renaming the open conversation in the list (F2) shows the new title everywhere."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from desktop_agent.ui.main_window import MainWindow
from tests.support.fake_openai import FakeOpenAIServer
from tests.ui.helpers import send


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
