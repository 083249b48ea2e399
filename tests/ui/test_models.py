"""Every item model passes qtmodeltester, including while it fetches, streams and changes."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex
from pytestqt.modeltest import ModelTester

from desktop_agent.services.app_context import AppContext
from desktop_agent.store import messages, sessions
from desktop_agent.store.db import database
from desktop_agent.store.search import search_messages
from desktop_agent.ui import message_model, session_model
from desktop_agent.ui.message_model import MessageListModel
from desktop_agent.ui.search_model import SearchResultsModel
from desktop_agent.ui.session_model import SessionListModel


def test_session_list_model(qtmodeltester: ModelTester, context: AppContext) -> None:
    with database.atomic():  # one commit for the lot
        for number in range(session_model.PAGE_SIZE + 5):
            sessions.create_session(title=f"S{number}", created_at=1_700_000_000 + number)
    model = SessionListModel()
    model.reload()
    qtmodeltester.check(model)
    model.fetchMore(QModelIndex())
    first = model.record(0)
    model.update_record(sessions.rename_session(first.id, "Renamed"))
    model.remove_id(first.id)
    model.set_filter(session_model.SessionFilter(trashed=True))
    qtmodeltester.check(model)
    assert model.data(model.index(0, 0)) is None


def test_message_list_model_pages_and_streams(
    qtmodeltester: ModelTester, context: AppContext
) -> None:
    session = sessions.create_session()
    messages.append_many(
        session.id,
        [{"role": "user" if i % 2 == 0 else "assistant", "content": f"m{i}"} for i in range(150)],
    )
    model = MessageListModel()
    model.load_session(session.id)
    qtmodeltester.check(model)
    assert model.rowCount() == message_model.PAGE_SIZE
    assert model.record(model.rowCount() - 1).content == "m149"
    assert model.fetch_older() == message_model.PAGE_SIZE
    assert model.record(0).content == f"m{150 - 2 * message_model.PAGE_SIZE}"

    reply = messages.append_message(session.id, "assistant", "", status="incomplete")
    model.begin_stream(reply)
    model.add_delta("Hel")
    model.add_delta("lo")
    model.flush_stream()
    assert model.record(model.rowCount() - 1).content == "Hello"
    model.end_stream(messages.finish_message(reply.id, "Hello", "complete"))
    qtmodeltester.check(model)
    assert model.data(model.index(model.rowCount() - 1, 0), message_model.StatusRole) == "complete"


def test_message_model_opened_around_a_position_fetches_newer(
    qtmodeltester: ModelTester, context: AppContext
) -> None:
    # Fewer than two pages after the first: Qt's C++ tester calls fetchMore again from
    # its own rowsInserted handler, before it checks the first insertion, so a model
    # with more than one page left fails its bookkeeping through no fault of the model.
    total = message_model.PAGE_SIZE + 40
    session = sessions.create_session()
    messages.append_many(session.id, [{"role": "user", "content": f"m{i}"} for i in range(total)])
    model = MessageListModel()
    model.load_session(session.id, around_position=10)
    assert model.first_position == 0
    assert model.canFetchMore(QModelIndex())
    qtmodeltester.check(model)
    model.ensure_tail_loaded()
    assert model.record(model.rowCount() - 1).content == f"m{total - 1}"


def test_search_results_model(qtmodeltester: ModelTester, context: AppContext) -> None:
    session = sessions.create_session()
    messages.append_message(session.id, "user", "the quick brown fox")
    model = SearchResultsModel()
    model.set_hits("quick", search_messages("quick"))
    qtmodeltester.check(model)
    assert model.rowCount() == 1
