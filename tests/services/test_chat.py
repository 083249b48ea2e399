"""A chat turn end to end against the loopback provider: the user's message first, the
compiled request, errors, cuts, cancels, the reply on disk while it streams."""

from __future__ import annotations

import socket
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from desktop_agent.domain.compiler import DIRECTIVE_TEXTS, AgentProfile, compile_request
from desktop_agent.llm.errors import STREAM_CUT_MESSAGE
from desktop_agent.services.app_context import AppContext
from desktop_agent.services.chat import STOPPED_REASON, ChatService, ReplyOutcome, ReplyRun
from desktop_agent.store import messages, sessions
from tests.support.fake_openai import Cut, Error, FakeOpenAIServer, Hang, Reply

MakeService = Callable[[], ChatService]


@pytest.fixture
def make_service(chat_app: AppContext) -> Iterator[MakeService]:
    """Services built from the app's settings as they are when called; all closed after."""
    made: list[ChatService] = []

    def make() -> ChatService:
        made.append(chat_app.chat_service())
        return made[-1]

    yield make
    for service in made:
        service.close()


def turn(service: ChatService, session_id: str, text: str) -> ReplyOutcome:
    service.post_user_message(session_id, text)
    return ReplyRun(service, session_id).run()


def db_rows(path: Path, sql: str, *params: object) -> list[tuple[object, ...]]:
    """Read through a second connection, as another process would see the file."""
    conn = sqlite3.connect(path, timeout=5)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def wait_for_content(path: Path, message_id: int, expected: str, deadline: float) -> float:
    """Poll the file until the message holds `expected`; returns when (monotonic)."""
    while time.monotonic() < deadline:
        rows = db_rows(path, "SELECT content FROM message WHERE id = ?", message_id)
        if rows and rows[0][0] == expected:
            return time.monotonic()
        time.sleep(0.01)  # polling interval of a bounded wait, not synchronisation
    raise AssertionError(f"message {message_id} never held {expected!r}")


class Background:
    """A ReplyRun on its own thread, so the test can watch the file and cancel."""

    def __init__(self, service: ChatService, session_id: str) -> None:
        self.run = ReplyRun(service, session_id)
        self.started = threading.Event()
        self.reply_id = 0
        self.outcome: ReplyOutcome | None = None
        self.failure: BaseException | None = None
        self._thread = threading.Thread(target=self._main)
        self._thread.start()

    def _main(self) -> None:
        def on_started(reply: object) -> None:
            self.reply_id = reply.id  # type: ignore[attr-defined]
            self.started.set()

        try:
            self.outcome = self.run.run(on_started=on_started)
        except BaseException as exc:  # noqa: BLE001 - re-raised on the test thread
            self.failure = exc
            self.started.set()

    def join(self) -> ReplyOutcome:
        self._thread.join(timeout=20)
        assert not self._thread.is_alive(), "the reply never finished"
        if self.failure is not None:
            raise self.failure
        assert self.outcome is not None
        return self.outcome


def test_a_full_turn_stores_both_messages(
    chat_app: AppContext, make_service: MakeService, fake_openai: FakeOpenAIServer
) -> None:
    session = sessions.create_session()
    outcome = turn(make_service(), session.id, "hello there")

    assert outcome.status == "complete"
    assert outcome.message.content == "Echo: hello there"
    rows = db_rows(
        chat_app.database_path,
        "SELECT role, content, status FROM message WHERE session_id = ? ORDER BY seq",
        session.id,
    )
    assert rows == [
        ("user", "hello there", "complete"),
        ("assistant", "Echo: hello there", "complete"),
    ]
    assert outcome.message.weights == session.weights
    assert len(fake_openai.chat_requests) == 1
    assert fake_openai.chat_requests[0].body["stream"] is True


def test_the_users_message_is_on_disk_before_the_request_arrives(
    chat_app: AppContext, make_service: MakeService, fake_openai: FakeOpenAIServer
) -> None:
    session = sessions.create_session()
    service = make_service()
    # Headers first, then a stall: a cancel can only interrupt a reply that has begun.
    fake_openai.push(Hang(seconds=30, text_before_hang="…"))
    service.post_user_message(session.id, "saved first?")
    background = Background(service, session.id)

    assert fake_openai.wait_for_requests(1)
    # The server holds the request open: whatever is on disk now was there before it.
    sent = fake_openai.chat_requests[0].body["messages"]
    assert sent[-1] == {"role": "user", "content": "saved first?"}
    assert db_rows(
        chat_app.database_path, "SELECT role, content, status FROM message ORDER BY seq LIMIT 1"
    ) == [("user", "saved first?", "complete")]
    background.run.cancel()
    background.join()


def test_the_second_turn_resends_the_history(
    make_service: MakeService, fake_openai: FakeOpenAIServer
) -> None:
    session = sessions.create_session()
    service = make_service()
    turn(service, session.id, "first question")
    turn(service, session.id, "second question")

    sent = fake_openai.chat_requests[1].body["messages"]
    assert [(m["role"], m["content"]) for m in sent[1:]] == [
        ("user", "first question"),
        ("assistant", "Echo: first question"),
        ("user", "second question"),
    ]


def test_the_request_carries_the_compiled_weights(
    make_service: MakeService, fake_openai: FakeOpenAIServer
) -> None:
    from desktop_agent.store.weights import Owner, set_weights

    session = sessions.create_session()
    set_weights(Owner.session(session.id), {"verbosity": 0.05, "formality": 0.95})
    turn(make_service(), session.id, "hi")

    compiled = compile_request(
        AgentProfile("assistant", "You are a helpful assistant.", "fake-model", "fake-fast-model"),
        sessions.get_session(session.id).weights,
    )
    body = fake_openai.chat_requests[0].body
    system = body["messages"][0]
    assert system["role"] == "system"
    assert system["content"] == compiled.system_prompt
    assert [d.weight for d in compiled.directives] == ["verbosity", "formality"]
    assert system["content"].endswith(
        f"{DIRECTIVE_TEXTS['verbosity'][0]}\n{DIRECTIVE_TEXTS['formality'][4]}"
    )
    assert body["max_tokens"] == compiled.max_tokens
    assert body["model"] == compiled.model == "fake-model"
    assert body["temperature"] == pytest.approx(compiled.temperature)


def _closed_port_url() -> str:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/v1"


@pytest.mark.parametrize(
    ("behaviour", "reason"),
    [
        (Error(401, "bad key"), "rejected the API key (HTTP 401)"),
        (Error(429, "slow down"), "Rate limited by the provider"),
        (Error(500, "boom"), "server error (HTTP 500)"),
        (Hang(seconds=30), "did not answer within 0.5 s"),
        (None, "Cannot reach the provider"),
    ],
    ids=["401", "429", "500", "timeout", "unreachable"],
)
def test_provider_errors_keep_the_users_message(
    chat_app: AppContext,
    make_service: MakeService,
    fake_openai: FakeOpenAIServer,
    monkeypatch: pytest.MonkeyPatch,
    behaviour: Error | Hang | None,
    reason: str,
) -> None:
    if behaviour is None:
        monkeypatch.setenv("OPENAI_BASE_URL", _closed_port_url())
    else:
        fake_openai.push(behaviour)
    chat_app.settings.provider.timeout_seconds = 0.5
    session = sessions.create_session()

    outcome = turn(make_service(), session.id, "please answer")

    assert outcome.status == "error"
    assert outcome.error is not None
    assert reason in outcome.message.status_reason
    stored = messages.list_messages(session.id)
    assert [(m.role, m.content, m.status) for m in stored] == [
        ("user", "please answer", "complete"),
        ("assistant", "", "error"),
    ]
    assert reason in stored[1].status_reason


def test_a_cut_stream_keeps_the_partial_text_as_incomplete(
    make_service: MakeService, fake_openai: FakeOpenAIServer
) -> None:
    fake_openai.push(Cut(text_before_cut="The first half of", after_chunks=3))
    session = sessions.create_session()

    outcome = turn(make_service(), session.id, "tell me")

    assert outcome.status == "incomplete"
    assert outcome.message.content == "The first half of"
    assert outcome.message.status_reason == STREAM_CUT_MESSAGE
    stored = messages.get_message(outcome.message.id)
    assert (stored.content, stored.status, stored.status_reason) == (
        "The first half of",
        "incomplete",
        STREAM_CUT_MESSAGE,
    )


def test_a_stalled_reply_is_on_disk_while_it_stalls_and_cancel_keeps_it(
    chat_app: AppContext, make_service: MakeService, fake_openai: FakeOpenAIServer
) -> None:
    fake_openai.push(Hang(seconds=30, text_before_hang="Thinking about it"))
    session = sessions.create_session()
    service = make_service()
    service.post_user_message(session.id, "a hard one")
    background = Background(service, session.id)
    assert background.started.wait(10)
    assert fake_openai.wait_for_requests(1)
    asked = time.monotonic()

    # No chunk follows the first: only the recorder's ticker can put the text on disk.
    # The server stalls for 30 s: text on disk before then was put there by the ticker.
    # (How fast - the 250 ms promise - is measured by the kill -9 test, not asserted.)
    wait_for_content(chat_app.database_path, background.reply_id, "Thinking about it", asked + 20.0)
    assert db_rows(
        chat_app.database_path, "SELECT status FROM message WHERE id = ?", background.reply_id
    ) == [("incomplete",)]

    background.run.cancel()
    outcome = background.join()
    assert outcome.status == "incomplete"
    assert outcome.message.content == "Thinking about it"
    assert outcome.message.status_reason == STOPPED_REASON
    assert messages.get_message(outcome.message.id).status == "incomplete"


def test_a_reply_cut_by_its_token_budget_is_complete_with_a_note(
    make_service: MakeService, fake_openai: FakeOpenAIServer
) -> None:
    fake_openai.push(Reply("It goes on and", finish_reason="length"))
    session = sessions.create_session()
    outcome = turn(make_service(), session.id, "go")
    assert outcome.status == "complete"
    assert "token budget" in outcome.message.status_reason


def test_a_trashed_session_refuses_new_messages(make_service: MakeService) -> None:
    from desktop_agent.domain.errors import InvalidInputError

    session = sessions.create_session()
    sessions.trash_session(session.id)
    with pytest.raises(InvalidInputError, match="trash"):
        make_service().post_user_message(session.id, "hello?")
    with pytest.raises(InvalidInputError, match="empty"):
        make_service().post_user_message(sessions.create_session().id, "  \n")
    assert messages.count_messages(session.id) == 0


def test_an_unexpected_failure_mid_reply_still_finishes_the_reply(
    chat_app: AppContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    from desktop_agent.services.chat import ReplyRun
    from desktop_agent.store import messages as message_store
    from desktop_agent.store import sessions as session_store

    session = session_store.create_session()
    service = chat_app.chat_service()
    service.post_user_message(session.id, "hello")

    def broken(*_args: object, **_kwargs: object) -> object:
        raise RuntimeError("the summariser exploded")

    monkeypatch.setattr(service, "prepare", broken)
    with pytest.raises(RuntimeError, match="exploded"):
        ReplyRun(service, session.id).run()
    service.close()
    reply = message_store.list_messages(session.id)[-1]
    assert reply.role == "assistant"
    assert reply.status == "error"
    assert "Internal error: the summariser exploded" in reply.status_reason
