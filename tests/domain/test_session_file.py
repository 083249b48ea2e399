"""The session file: envelope round trips, foreign shapes, and precise rejections."""

from __future__ import annotations

import json
from datetime import datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from desktop_agent.domain.canonical import TIMESTAMP_FORMAT, sha256_hex
from desktop_agent.domain.errors import InvalidInputError
from desktop_agent.domain.session_file import (
    ROLES,
    SESSION_FORMAT,
    STATUSES,
    MessageData,
    SessionData,
    dump_session_json,
    dump_session_markdown,
    parse_session_file,
    session_to_document,
)
from desktop_agent.domain.weights import DEFAULT_WEIGHTS, WEIGHT_NAMES
from tests.domain.file_mutations import JSON_VALUES, flipped_bytes, mutated_document
from tests.support.examples import examples

NOW = "2026-11-22T08:00:00Z"
T0 = "2026-11-21T22:47:16Z"
SESSION = SessionData(
    id="1b4e28ba-2fa1-41d2-883f-0016d3cca427",
    title="Trip planning",
    agent="assistant",
    user="local",
    created_at=T0,
    updated_at="2026-11-21T22:49:00Z",
    goal="A three-day plan for Lisbon",
    weights=dict(DEFAULT_WEIGHTS),
    messages=(
        MessageData("system", "Be helpful.", T0),
        MessageData("user", "Plan three days in Lisbon", T0),
        MessageData(
            "assistant", "Day 1: ...", T0, "complete", {"rating": -1, "tags": ["too_long"]}
        ),
        MessageData("assistant", "Day 2: ...", T0, "incomplete"),
    ),
)

timestamps = st.datetimes(min_value=datetime(1970, 1, 1), max_value=datetime(9999, 1, 1)).map(
    lambda moment: moment.strftime(TIMESTAMP_FORMAT)
)
feedback = st.fixed_dictionaries(
    {
        "rating": st.sampled_from([1, -1]),
        "tags": st.lists(st.from_regex(r"[a-z][a-z0-9_]{0,20}", fullmatch=True), unique=True),
    }
)


@st.composite
def messages(draw: st.DrawFn) -> MessageData:
    role = draw(st.sampled_from(ROLES))
    return MessageData(
        role=role,
        content=draw(st.text()),
        created_at=draw(timestamps),
        status=draw(st.sampled_from(STATUSES)),
        feedback=draw(st.none() | feedback) if role == "assistant" else None,
    )


names = st.text(min_size=1, max_size=200).filter(str.strip)
sessions = st.builds(
    SessionData,
    id=st.uuids().map(str),
    title=st.text(max_size=200),
    agent=names,
    user=names,
    created_at=timestamps,
    updated_at=timestamps,
    goal=st.text(),
    weights=st.none()
    | st.fixed_dictionaries(dict.fromkeys(WEIGHT_NAMES, st.floats(min_value=0, max_value=1))),
    messages=st.lists(messages(), max_size=6).map(tuple),
)


def parse(raw: bytes) -> SessionData:
    return parse_session_file(raw, now=NOW)


def encoded(doc: object) -> bytes:
    return json.dumps(doc, allow_nan=True).encode("utf-8")


def resealed(mutate: object) -> bytes:
    doc = session_to_document(SESSION)
    assert callable(mutate)
    mutate(doc["session"])
    doc["sha256"] = sha256_hex(doc["session"])
    return encoded(doc)


# The envelope


def test_the_envelope_matches_the_snapshot_file_shape() -> None:
    doc = json.loads(dump_session_json(SESSION))
    assert list(doc) == ["format", "format_version", "session", "sha256"]
    assert doc["format"] == SESSION_FORMAT
    assert doc["sha256"] == sha256_hex(doc["session"])
    assert doc["session"]["messages"][2] == {
        "role": "assistant",
        "content": "Day 1: ...",
        "created_at": T0,
        "status": "complete",
        "feedback": {"rating": -1, "tags": ["too_long"]},
    }


def test_example_round_trip() -> None:
    assert parse(dump_session_json(SESSION)) == SESSION


@settings(deadline=None)
@given(sessions)
def test_round_trip_is_lossless(session: SessionData) -> None:
    assert parse(dump_session_json(session)) == session


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda s: s["messages"][1].update(role="bot"), r"messages\[1\]\.role: unknown role 'bot'"),
        (lambda s: s["messages"][0].update(status="done"), r"messages\[0\]\.status: unknown"),
        (lambda s: s["messages"][0].pop("content"), r"messages\[0\]: missing 'content'"),
        (lambda s: s["messages"][0].update(content=5), r"messages\[0\]\.content: expected a str"),
        (lambda s: s["messages"][1].update(feedback={"rating": 1, "tags": []}), "only assistant"),
        (lambda s: s["messages"][2]["feedback"].update(rating=2), r"rating: expected 1 or -1"),
        (lambda s: s["messages"][2]["feedback"].update(rating=True), r"rating: expected 1 or -1"),
        (lambda s: s["messages"][2]["feedback"].update(tags=["Too Long"]), r"tags\[0\]"),
        (lambda s: s["messages"][2]["feedback"].update(tags=["a", "a"]), "repeated"),
        (lambda s: s["messages"][3].update(created_at="soon"), r"messages\[3\]\.created_at"),
        (lambda s: s.update(id="abc"), r"session\.id: not a UUID"),
        (lambda s: s.update(agent=""), r"session\.agent: must not be empty"),
        (lambda s: s.update(weights={"verbosity": 0.5}), r"session\.weights: missing"),
        (lambda s: s["weights"].update(verbosity=-0.1), r"session\.weights: .*between 0 and 1"),
        (lambda s: s.update(messages={}), r"session\.messages: expected a list"),
        (lambda s: s.pop("goal"), r"session: missing 'goal'"),
        (lambda s: s.update(path="/etc/passwd"), r"session: unknown key 'path'"),
    ],
)
def test_bad_fields_name_the_problem_and_place(mutate: object, message: str) -> None:
    with pytest.raises(InvalidInputError, match=message):
        parse(resealed(mutate))


def test_a_changed_session_fails_the_checksum() -> None:
    doc = session_to_document(SESSION)
    doc["session"]["title"] = "edited"  # type: ignore[index]
    with pytest.raises(InvalidInputError, match="checksum mismatch"):
        parse(encoded(doc))


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"format": "desktop-agent/weights-snapshot"}, "format is"),
        ({"format_version": 2}, "format_version 2 is not supported"),
        ({"extra": True}, "unknown key 'extra'"),
    ],
)
def test_bad_envelopes_are_rejected(change: dict[str, object], message: str) -> None:
    doc = {**session_to_document(SESSION), **change}
    with pytest.raises(InvalidInputError, match=message):
        parse(encoded(doc))


def test_writing_refuses_what_import_would_refuse() -> None:
    bad_role = SessionData(**{**SESSION.__dict__, "messages": (MessageData("bot", "x", T0),)})
    with pytest.raises(InvalidInputError, match="unknown role"):
        dump_session_json(bad_role)
    local_time = SessionData(**{**SESSION.__dict__, "created_at": "2026-11-21T23:47:16+01:00"})
    with pytest.raises(InvalidInputError, match="canonical form"):
        dump_session_json(local_time)


@pytest.mark.parametrize(
    ("created_at", "problem"),
    [
        ("2026-11-21T23:47:16+01:00", "canonical form"),  # a time import would rewrite
        ("2026-11-21 22:47:16", "canonical form"),
        ("2026-02-30T10:00:00Z", "not an ISO 8601 time"),  # the right shape, no such day
        ("0999-01-01T00:00:00Z", "out of range"),
    ],
)
def test_every_message_time_is_checked_however_long_the_session(
    created_at: str, problem: str
) -> None:
    """Export recognises canonical messages without re-reading them; the rest still are."""
    many = tuple(MessageData("user", f"m{i}", T0) for i in range(50))
    odd = (*many[:30], MessageData("assistant", "late", created_at), *many[30:])
    with pytest.raises(InvalidInputError, match=problem):
        dump_session_json(SessionData(**{**SESSION.__dict__, "messages": odd}))
    assert dump_session_json(SessionData(**{**SESSION.__dict__, "messages": many}))


# Foreign shapes


def test_a_bare_openai_messages_list() -> None:
    raw = json.dumps(
        [
            {"role": "developer", "content": "Be brief."},
            {
                "role": "user",
                "content": [
                    {"type": "text", "text": "What is in"},
                    {"type": "text", "text": "this picture?"},
                    {"type": "image_url", "image_url": {"url": "https://example.com/x.png"}},
                ],
            },
            {"role": "assistant", "content": None, "tool_calls": [{"id": "1"}]},
            {"role": "tool", "content": "{}", "tool_call_id": "1"},
            {"role": "assistant", "content": "A cat.", "name": "bot"},
        ]
    ).encode()
    session = parse_session_file(raw, default_agent="helper", default_user="ann", now=NOW)
    assert [m.role for m in session.messages] == ["system", "user", "assistant"]
    assert session.messages[1].content == "What is in\nthis picture?\n[image_url omitted]"
    assert session.title == "What is in this picture? [image_url omitted]"
    assert (session.agent, session.user) == ("helper", "ann")
    assert session.created_at == session.updated_at == NOW
    assert all(m.created_at == NOW and m.status == "complete" for m in session.messages)
    assert session.weights is None
    # The id comes from the content: importing the same file twice gives the same id.
    assert parse(raw).id == session.id


def test_a_long_first_message_gives_a_shortened_title() -> None:
    text = "word " * 40
    session = parse(json.dumps([{"role": "user", "content": text}]).encode())
    assert len(session.title) == 60
    assert session.title.endswith("…")


def test_a_file_per_session_object() -> None:
    raw = json.dumps(
        {
            "id": "chat-42",
            "created_at": "2026-03-01T10:00:00+02:00",
            "updated_at": 1772359200,
            "model": "gpt-4o",
            "messages": [
                {"role": "user", "content": "hi", "created_at": "2026-03-01T08:00:05Z"},
                {"role": "assistant", "content": "hello"},
            ],
        }
    ).encode()
    session = parse(raw)
    assert session.created_at == "2026-03-01T08:00:00Z"
    assert session.updated_at == "2026-03-01T10:00:00Z"
    assert session.messages[0].created_at == "2026-03-01T08:00:05Z"
    assert session.messages[1].created_at == session.created_at
    assert session.title == "hi"
    assert parse(raw).id == session.id != "chat-42"  # non-UUID ids map to a stable UUID


def test_a_file_per_session_object_keeps_a_uuid_id_and_title() -> None:
    raw = json.dumps(
        {"id": SESSION.id.upper(), "title": "Kept", "messages": [{"role": "user", "content": "x"}]}
    ).encode()
    session = parse(raw)
    assert (session.id, session.title) == (SESSION.id, "Kept")


@pytest.mark.parametrize(
    ("doc", "message"),
    [
        ([], "no messages"),
        ([{"role": "tool", "content": "x"}], "no messages"),
        ([{"role": "bot", "content": "x"}], r"messages\[0\]\.role: unknown role 'bot'"),
        ([{"content": "x"}], r"messages\[0\]: missing 'role'"),
        ([{"role": "user"}], r"messages\[0\]: missing 'content'"),
        ([{"role": "user", "content": [{"type": "text"}]}], r"content\[0\]\.text"),
        ([{"role": "user", "content": 3}], r"messages\[0\]\.content"),
        (["hello"], r"messages\[0\]: expected an object, got a string"),
        ({"messages": "hi"}, "messages: expected a list"),
        ({"id": True, "messages": [{"role": "user", "content": "x"}]}, "id: expected a string"),
        ({"title": "t"}, "not a session"),
        ("just text", "got a string"),
    ],
)
def test_bad_foreign_files_are_rejected(doc: object, message: str) -> None:
    with pytest.raises(InvalidInputError, match=message):
        parse(encoded(doc))


def test_now_must_be_a_time() -> None:
    with pytest.raises(InvalidInputError, match="now"):
        parse_session_file(b"[]", now="later")


# Markdown


def test_markdown_shows_title_metadata_messages_and_feedback() -> None:
    text = dump_session_markdown(SESSION)
    assert text.startswith("# Trip planning\n")
    assert f"`{SESSION.id}`" in text
    assert "**Goal:** A three-day plan for Lisbon" in text
    assert "verbosity 0.50" in text
    assert f"## User · {T0}" in text
    assert "## Assistant · 2026-11-21T22:47:16Z · *incomplete*" in text
    assert "*Feedback: 👎 not helpful — too_long*" in text
    assert text.index("Plan three days") < text.index("Day 1") < text.index("Day 2")


# Damage


@settings(deadline=None)
@given(st.binary(max_size=2000))
def test_arbitrary_bytes_raise_only_invalid_input(raw: bytes) -> None:
    try:
        parse(raw)
    except InvalidInputError:
        pass


@settings(deadline=None)
@given(JSON_VALUES)
def test_arbitrary_json_raises_only_invalid_input(value: object) -> None:
    try:
        parse(encoded(value))
    except InvalidInputError:
        pass


@settings(deadline=None, max_examples=examples(ci=300, dev=60))
@given(st.data())
def test_damaged_files_raise_only_invalid_input(data: st.DataObject) -> None:
    session = data.draw(sessions)
    raw = data.draw(
        mutated_document(session_to_document(session), "session")
        | flipped_bytes(dump_session_json(session))
    )
    try:
        parsed = parse(raw)
    except InvalidInputError:
        return
    assert all(m.role in ROLES and m.status in STATUSES for m in parsed.messages)
    # Whatever was accepted can be written again and reads back the same.
    assert parse(dump_session_json(parsed)) == parsed
