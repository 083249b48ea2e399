"""Learning end to end: feedback and cues move weights, the next request changes, new
sessions start from what was learned, and the event log replays to the stored state."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path

import pytest

from desktop_agent.domain.compiler import DIRECTIVE_TEXTS, NEUTRAL_BAND
from desktop_agent.domain.errors import InvalidInputError
from desktop_agent.domain.plasticity import replay
from desktop_agent.domain.weights import DEFAULT_WEIGHTS
from desktop_agent.services import learning
from desktop_agent.services.app_context import AppContext
from desktop_agent.services.chat import ChatService, ReplyRun
from desktop_agent.services.sessions import start_session
from desktop_agent.store import agents, messages, sessions
from desktop_agent.store.weights import Owner, list_weight_events
from tests.support.concurrent_writer import another_writer_commits_on
from tests.support.fake_openai import FakeOpenAIServer


@pytest.fixture
def service(chat_app: AppContext) -> Iterator[ChatService]:
    made = chat_app.chat_service()
    yield made
    made.close()


def _turn(service: ChatService, session_id: str, text: str) -> int:
    service.post_user_message(session_id, text)
    outcome = ReplyRun(service, session_id).run()
    assert outcome.status == "complete"
    return outcome.message.id


def _verbosity_band(system_prompt: str) -> int:
    bands = [
        i for i, text in enumerate(DIRECTIVE_TEXTS["verbosity"]) if text and text in system_prompt
    ]
    assert len(bands) <= 1, system_prompt
    return bands[0] if bands else NEUTRAL_BAND  # the neutral band adds no directive


def test_three_too_long_downvotes_make_the_next_request_terser(
    service: ChatService, fake_openai: FakeOpenAIServer
) -> None:
    session = start_session()
    for i in range(3):
        reply_id = _turn(service, session.id, f"question {i}")
        _record, events = learning.give_feedback(reply_id, -1, ["too_long"])
        assert [e.weight for e in events] == ["verbosity"]
    _turn(service, session.id, "one more")

    first, last = fake_openai.chat_requests[0].body, fake_openai.chat_requests[-1].body
    before = _verbosity_band(first["messages"][0]["content"])
    after = _verbosity_band(last["messages"][0]["content"])
    assert after < before
    assert last["max_tokens"] < first["max_tokens"]
    assert sessions.get_session(session.id).weights["verbosity"] < 0.4


def test_a_new_session_of_the_same_user_starts_from_what_was_learned(
    service: ChatService,
) -> None:
    first = start_session()
    reply_id = _turn(service, first.id, "hello")
    learning.give_feedback(reply_id, -1, ["too_long", "too_formal"])
    learned = sessions.get_session(first.id).weights

    second = start_session()
    assert second.weights == learned
    assert second.weights != dict(DEFAULT_WEIGHTS)
    assert start_session(user="someone-else").weights == dict(DEFAULT_WEIGHTS)
    assert start_session(agent="assistant", user="local").weights == learned


def test_learning_rate_zero_changes_nothing(service: ChatService) -> None:
    agent = agents.get_agent("assistant")
    agents.update_agent(agent.id, learning_rate=0.0)
    session = start_session()
    reply_id = _turn(service, session.id, "hello")

    _record, events = learning.give_feedback(reply_id, -1, ["too_long"])
    cue_events = service.post_user_message(session.id, "shorter please")[1]

    assert events == []
    assert cue_events == []
    assert sessions.get_session(session.id).weights == dict(DEFAULT_WEIGHTS)
    assert list_weight_events(Owner.session(session.id)) == []
    assert agents.learned_weights(session.user_id, session.agent_id) is None
    feedback = messages.get_message(reply_id).feedback
    assert feedback is not None
    assert feedback.tags == ("too_long",)  # the rating itself is still kept


def test_a_session_with_learning_off_keeps_its_weights(service: ChatService) -> None:
    session = start_session()
    sessions.set_learning_enabled(session.id, False)
    reply_id = _turn(service, session.id, "hello")
    assert learning.give_feedback(reply_id, -1, ["too_long"])[1] == []
    assert sessions.get_session(session.id).weights == dict(DEFAULT_WEIGHTS)


def test_a_cue_moves_verbosity_less_than_an_explicit_tag(service: ChatService) -> None:
    cued = start_session()
    _turn(service, cued.id, "explain it")
    _message, cue_events = service.post_user_message(cued.id, "shorter please")
    tagged = start_session(user="other")
    reply_id = _turn(service, tagged.id, "explain it")
    learning.give_feedback(reply_id, -1, ["too_long"])

    cue_drop = 0.5 - sessions.get_session(cued.id).weights["verbosity"]
    tag_drop = 0.5 - sessions.get_session(tagged.id).weights["verbosity"]
    assert [e.cause for e in cue_events] == ["cue:too_long"]
    assert 0 < cue_drop < tag_drop


def test_a_cue_in_the_first_message_is_ignored(service: ChatService) -> None:
    session = start_session()
    assert service.post_user_message(session.id, "shorter please")[1] == []
    assert sessions.get_session(session.id).weights == dict(DEFAULT_WEIGHTS)


def test_an_unknown_tag_is_refused_and_nothing_is_stored(service: ChatService) -> None:
    session = start_session()
    reply_id = _turn(service, session.id, "hi")
    with pytest.raises(InvalidInputError):
        learning.give_feedback(reply_id, -1, ["too_purple"])
    assert messages.get_message(reply_id).feedback is None
    assert list_weight_events(Owner.session(session.id)) == []


def test_every_change_is_an_event_and_replay_reproduces_the_state(
    service: ChatService,
) -> None:
    agents.update_agent(agents.get_agent("assistant").id, decay=0.1)
    session = start_session()
    initial = sessions.get_session(session.id).weights
    for tags, rating in (
        (["too_long"], -1),
        (["too_casual", "want_suggestions"], -1),
        ([], 1),
        ([], -1),
        (["too_slow"], -1),
    ):
        reply_id = _turn(service, session.id, "go on")
        learning.give_feedback(reply_id, rating, tags)
    service.post_user_message(session.id, "more detail please")

    events = list_weight_events(Owner.session(session.id))
    causes = {e.cause.split(":")[0] for e in events}
    assert {"feedback", "cue", "reinforce", "decay"} <= causes
    stored = sessions.get_session(session.id).weights
    assert replay(initial, ((e.weight, e.new) for e in events)) == stored
    for earlier, later in itertools.pairwise(events):
        assert earlier.id < later.id

    # The user's learned state follows the session, also through events.
    user_owner = Owner.user(session.user_id, session.agent_id)
    user_events = list_weight_events(user_owner)
    assert user_events
    assert replay(DEFAULT_WEIGHTS, ((e.weight, e.new) for e in user_events)) == stored
    assert agents.learned_weights(session.user_id, session.agent_id) == stored


def test_reasons_given_one_by_one_add_up_and_each_is_learned_once(chat_app: AppContext) -> None:
    from desktop_agent.services.learning import give_feedback
    from desktop_agent.store import messages as message_store
    from desktop_agent.store import sessions as session_store

    session = session_store.create_session()
    message_store.append_message(session.id, "user", "Explain it")
    reply = message_store.append_message(session.id, "assistant", "A long answer")

    _, first = give_feedback(reply.id, -1, ["too_long"])
    _, second = give_feedback(reply.id, -1, ["too_formal"])
    record, again = give_feedback(reply.id, -1, ["too_long"])

    assert [e.cause for e in first] == ["feedback:too_long"]
    assert [e.cause for e in second] == ["feedback:too_formal"]
    assert again == []  # the same reason twice is not learned twice
    assert record.tags == ("too_long", "too_formal")
    assert message_store.get_message(reply.id).feedback.tags == ("too_long", "too_formal")


def test_feedback_survives_a_commit_by_another_connection(store: Path) -> None:
    session = sessions.create_session()
    reply = messages.append_message(session.id, "assistant", "hi")

    with another_writer_commits_on(store, 'INSERT INTO "feedback"') as fired:
        _record, events = learning.give_feedback(reply.id, -1, ["too_long"])

    assert fired, "the interleaving did not happen"
    assert messages.get_message(reply.id).feedback is not None
    assert [e.weight for e in events] == ["verbosity"]
