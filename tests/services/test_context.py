"""Fitting history into the context budget: trimming, compaction with the fast model,
and a failed summary that falls back to trimming. Nothing stored is ever dropped."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from desktop_agent.domain.compiler import AgentProfile, compile_request
from desktop_agent.domain.context import SUMMARY_PREFIX
from desktop_agent.domain.weights import DEFAULT_WEIGHTS
from desktop_agent.llm.tokens import estimate_tokens
from desktop_agent.services.app_context import AppContext
from desktop_agent.services.chat import ChatService, ReplyRun
from desktop_agent.store import compactions, messages, sessions
from desktop_agent.store.search import search_messages
from tests.support.fake_openai import Error, FakeOpenAIServer, Reply

TURNS = 10
TURN_CHARS = 400  # ~100 tokens each


def _system_prompt() -> str:
    profile = AgentProfile("assistant", "You are a helpful assistant.", "fake-model", "")
    return compile_request(profile, DEFAULT_WEIGHTS).system_prompt


def _budget(turns_that_fit: int) -> int:
    compiled = compile_request(
        AgentProfile("assistant", "You are a helpful assistant.", "fake-model", ""),
        DEFAULT_WEIGHTS,
    )
    per_turn = estimate_tokens("x" * TURN_CHARS) + 4
    return (
        compiled.max_tokens
        + estimate_tokens(compiled.system_prompt)
        + 4
        + per_turn * turns_that_fit
    )


@pytest.fixture
def long_session(chat_app: AppContext) -> str:
    session = sessions.create_session()
    for i in range(TURNS):
        role = "user" if i % 2 == 0 else "assistant"
        text = f"turn{i} teapot{i} " + "x" * (TURN_CHARS - len(f"turn{i} teapot{i} "))
        messages.append_message(session.id, role, text)
    return session.id


@pytest.fixture
def service_for(chat_app: AppContext) -> Iterator[ChatService]:
    chat_app.settings.provider.context_budgets = {"fake-model": _budget(4)}
    service = chat_app.chat_service()
    yield service
    service.close()


def _turn(service: ChatService, session_id: str, text: str) -> None:
    service.post_user_message(session_id, text)
    outcome = ReplyRun(service, session_id).run()
    assert outcome.status == "complete"


def _last_chat(fake: FakeOpenAIServer) -> list[dict[str, str]]:
    streamed = [r for r in fake.chat_requests if r.body.get("stream")]
    return list(streamed[-1].body["messages"])


def test_only_the_newest_turns_are_sent_with_the_system_prompt_first(
    chat_app: AppContext, long_session: str, fake_openai: FakeOpenAIServer
) -> None:
    chat_app.settings.provider.compaction = False
    chat_app.settings.provider.context_budgets = {"fake-model": _budget(4)}
    service = chat_app.chat_service()
    try:
        _turn(service, long_session, "the newest question")
    finally:
        service.close()

    sent = _last_chat(fake_openai)
    assert sent[0] == {"role": "system", "content": _system_prompt()}
    assert sent[-1] == {"role": "user", "content": "the newest question"}
    assert 2 <= len(sent) - 1 <= 4
    kept = [m["content"].split()[0] for m in sent[1:-1]]
    assert kept == [f"turn{i}" for i in range(TURNS - len(kept), TURNS)]  # newest, in order
    assert len(fake_openai.chat_requests) == 1  # no summary was asked for
    assert compactions.list_compactions(long_session) == []


def test_compaction_sends_a_summary_and_keeps_every_original(
    chat_app: AppContext,
    service_for: ChatService,
    long_session: str,
    fake_openai: FakeOpenAIServer,
) -> None:
    fake_openai.push(Reply("The user collects teapots; numbers so far 0 to 7."))

    _turn(service_for, long_session, "what did I collect?")

    summary_call, chat_call = fake_openai.chat_requests
    assert summary_call.body["model"] == "fake-fast-model"
    assert not summary_call.body.get("stream")
    assert "turn0 teapot0" in summary_call.body["messages"][-1]["content"]
    stored = compactions.list_compactions(long_session)
    assert len(stored) == 1
    assert stored[0].summary == "The user collects teapots; numbers so far 0 to 7."
    assert stored[0].model == "fake-fast-model"

    sent = chat_call.body["messages"]
    assert sent[0] == {"role": "system", "content": _system_prompt()}
    assert sent[1] == {"role": "system", "content": SUMMARY_PREFIX + stored[0].summary}
    assert sent[-1] == {"role": "user", "content": "what did I collect?"}
    verbatim = [m["content"].split()[0] for m in sent[2:-1]]
    assert f"turn{stored[0].upto_seq}" not in verbatim  # covered turns are not repeated
    assert verbatim == [f"turn{i}" for i in range(stored[0].upto_seq + 1, TURNS)]

    # Nothing was dropped from the store, and the oldest turn is still searchable.
    assert messages.count_messages(long_session) == TURNS + 2
    assert [h.message_id for h in search_messages("teapot0")] == [
        messages.list_messages(long_session)[0].id
    ]


def test_the_next_turn_reuses_the_stored_summary(
    chat_app: AppContext,
    service_for: ChatService,
    long_session: str,
    fake_openai: FakeOpenAIServer,
) -> None:
    fake_openai.push(Reply("Summary one."))
    _turn(service_for, long_session, "short")
    requests_after_first = len(fake_openai.chat_requests)
    _turn(service_for, long_session, "short again")
    # Compacting to half the budget left room: no second summary was needed.
    assert len(fake_openai.chat_requests) == requests_after_first + 1
    assert _last_chat(fake_openai)[1]["content"] == SUMMARY_PREFIX + "Summary one."


def test_a_failed_summary_falls_back_to_trimming(
    chat_app: AppContext,
    service_for: ChatService,
    long_session: str,
    fake_openai: FakeOpenAIServer,
) -> None:
    fake_openai.push(Error(500, "summariser down"))
    notes: list[str] = []
    service_for.post_user_message(long_session, "still there?")
    outcome = ReplyRun(service_for, long_session).run(on_note=notes.append)

    assert outcome.status == "complete"
    assert len(fake_openai.chat_requests) == 2
    assert compactions.list_compactions(long_session) == []
    assert len(notes) == 1
    assert "Could not summarise" in notes[0]
    sent = _last_chat(fake_openai)
    assert sent[0]["content"] == _system_prompt()
    assert all(not m["content"].startswith(SUMMARY_PREFIX) for m in sent)
    assert len(sent) - 1 < TURNS + 1
    assert sent[-1] == {"role": "user", "content": "still there?"}
    assert messages.count_messages(long_session) == TURNS + 2
