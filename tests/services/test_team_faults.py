"""A team store's connection dropping mid-reply, and its server restarting: the streamed
text is kept, the reply ends as it should, and the next turn reconnects by itself —
on a real PostgreSQL cluster, with the backend killed by an administrator."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest

from desktop_agent.services import recorder
from desktop_agent.services.app_context import AppContext
from desktop_agent.services.chat import ChatService, ReplyOutcome, ReplyRun
from desktop_agent.store import messages, sessions
from desktop_agent.store.errors import StoreOfflineError
from desktop_agent.store.team import STORE_URL_ENV
from tests.support.fake_openai import FakeOpenAIServer, slow_stream
from tests.support.postgres import TeamStore

pytestmark = pytest.mark.slow


@pytest.fixture
def team_app(
    team_store: TeamStore, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest
) -> AppContext:
    """`chat_app` (tests/support/stores.py) opened on the team store as member alice."""
    monkeypatch.setenv(STORE_URL_ENV, team_store.url("alice"))
    app: AppContext = request.getfixturevalue("chat_app")
    return app


@pytest.fixture
def service(team_app: AppContext) -> Iterator[ChatService]:
    made = team_app.chat_service()
    yield made
    made.close()


class Streaming:
    """A reply streaming on its own thread, as the window's worker runs it."""

    def __init__(self, service: ChatService, session_id: str) -> None:
        self.reply_id = 0
        self.started = threading.Event()
        self.outcome: ReplyOutcome | None = None
        self.failure: BaseException | None = None
        self._run = ReplyRun(service, session_id)
        self._thread = threading.Thread(target=self._main)
        self._thread.start()

    def _main(self) -> None:
        from desktop_agent.services.connection import store_connection

        def on_started(reply: object) -> None:
            self.reply_id = reply.id  # type: ignore[attr-defined]
            self.started.set()

        try:
            with store_connection():
                self.outcome = self._run.run(on_started=on_started)
        except BaseException as exc:  # noqa: BLE001 - re-raised on the test thread
            self.failure = exc
            self.started.set()

    def join(self) -> ReplyOutcome:
        self._thread.join(timeout=60)
        assert not self._thread.is_alive(), "the reply never finished"
        if self.failure is not None:
            raise self.failure
        assert self.outcome is not None
        return self.outcome


def stored(team: TeamStore, message_id: int) -> tuple[str, str]:
    """The reply's row as another connection (alice in psql) sees it."""
    rows = team.sql("SELECT content, status FROM message WHERE id = %s", "alice", (message_id,))
    return rows[0][0], rows[0][1]


def wait_until_stored(team: TeamStore, message_id: int, *, words: int) -> str:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        content, _status = stored(team, message_id)
        if len(content.split()) >= words:
            return content
        time.sleep(0.02)  # polling interval of a bounded wait
    raise AssertionError(f"reply {message_id} never reached {words} words on the server")


def test_a_reply_whose_connection_is_killed_mid_stream_is_kept_whole(
    team_store: TeamStore, service: ChatService, fake_openai: FakeOpenAIServer
) -> None:
    session = sessions.create_session()
    service.post_user_message(session.id, "count slowly")
    reply = slow_stream(chunks=60, delay_per_chunk=0.03)
    fake_openai.push(reply)
    streaming = Streaming(service, session.id)
    assert streaming.started.wait(20)
    wait_until_stored(team_store, streaming.reply_id, words=5)

    # An administrator ends every connection of alice's (the reply's, the window's).
    assert team_store.server.terminate_backends("alice", team_store.database) >= 1
    wait_until_stored(team_store, streaming.reply_id, words=25)
    assert team_store.server.terminate_backends("alice", team_store.database) >= 1
    outcome = streaming.join()

    assert outcome.status == "complete"
    assert outcome.message.content == reply.text
    assert stored(team_store, streaming.reply_id) == (reply.text, "complete")
    # The main thread's connection was killed too: the next turn just works.
    service.post_user_message(session.id, "and again")
    after = ReplyRun(service, session.id).run()
    assert after.status == "complete"
    assert after.message.content == "Echo: and again"
    assert [m.content for m in messages.conversation(session.id)] == [
        "count slowly",
        reply.text,
        "and again",
        "Echo: and again",
    ]


def test_a_reply_cut_off_by_a_server_that_stays_down_keeps_what_was_flushed(
    team_store: TeamStore,
    service: ChatService,
    fake_openai: FakeOpenAIServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(recorder, "OFFLINE_PATIENCE_SECONDS", 0.5)
    server = team_store.server
    session = sessions.create_session()
    service.post_user_message(session.id, "count slowly")
    fake_openai.push(slow_stream(chunks=40, delay_per_chunk=0.03))
    streaming = Streaming(service, session.id)
    assert streaming.started.wait(20)
    flushed = wait_until_stored(team_store, streaming.reply_id, words=5)
    server.pause()
    try:
        with pytest.raises(StoreOfflineError, match=r"cannot be reached"):
            streaming.join()
    finally:
        server.resume()

    content, status = stored(team_store, streaming.reply_id)
    assert status == "incomplete"
    assert content.startswith(flushed)
    assert len(content) < len(slow_stream(chunks=40).text)
    # Once the server is back the next turn reconnects by itself.
    service.post_user_message(session.id, "still there?")
    assert ReplyRun(service, session.id).run().message.content == "Echo: still there?"


def test_a_server_restart_between_two_actions_is_invisible(
    team_store: TeamStore, team_app: AppContext
) -> None:
    session = sessions.create_session(title="before the restart")
    team_store.server.pause()
    team_store.server.resume()

    # The idle connection was closed by the restart: it is replaced before the write.
    message = messages.append_message(session.id, "user", "after the restart")
    assert [m.content for m in messages.conversation(session.id)] == ["after the restart"]
    assert message.id == messages.conversation(session.id)[0].id
    assert team_store.sql("SELECT count(*) FROM message", "alice") == [(1,)]


def test_while_the_server_is_down_a_write_says_so_and_changes_nothing(
    team_store: TeamStore, team_app: AppContext
) -> None:
    session = sessions.create_session()
    team_store.server.pause()
    try:
        with pytest.raises(StoreOfflineError) as caught:
            messages.append_message(session.id, "user", "typed while offline")
    finally:
        team_store.server.resume()
    text = str(caught.value)
    assert f"{team_store.server.host}:{team_store.server.port}" in text
    assert "cannot be reached" in text
    assert team_store.sql("SELECT count(*) FROM message", "alice") == [(0,)]
    messages.append_message(session.id, "user", "typed once back")
    assert team_store.sql("SELECT content FROM message", "alice") == [("typed once back",)]
