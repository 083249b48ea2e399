"""The provider client against a hostile server: every fault ends in text or in a
`ProviderError` that names what happened, never in another exception."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from desktop_agent.llm.client import ProviderClient, ProviderConfig
from desktop_agent.llm.errors import ProviderError
from desktop_agent.llm.stream_reader import (
    MAX_REPLY_CHARS,
    AnswerNotUnderstood,
    SurrogateJoiner,
    iter_events,
    iter_lines,
)
from tests.support.hostile_server import HostileServer, faults

NOT_UNDERSTOOD = "The server's answer was not understood"
MISLEADING = ("cut off mid-way", "connection closed")


@dataclass
class Outcome:
    text: str
    error: ProviderError | None


@pytest.fixture
def server() -> Iterator[HostileServer]:
    with HostileServer() as running:
        yield running


@pytest.fixture
def client(server: HostileServer) -> Iterator[ProviderClient]:
    with ProviderClient(ProviderConfig(server.base_url, None, timeout_seconds=10)) as provider:
        yield provider


def stream(client: ProviderClient, server: HostileServer, fault: str, size: int = 0) -> Outcome:
    server.push(fault, size=size)
    reply = client.stream_chat([{"role": "user", "content": "hi"}], model="m")
    parts: list[str] = []
    try:
        for delta in reply:
            parts.append(delta)
    except ProviderError as exc:
        return Outcome("".join(parts), exc)
    return Outcome("".join(parts), None)


def assert_storable(text: str) -> None:
    text.encode("utf-8")  # a lone surrogate would raise here (and in SQLite, and on a tty)


def test_every_fault_of_the_hostile_server_is_covered_here() -> None:
    tested = {name for name, *_ in SHAPE_FAULTS} | set(TEXT_FAULTS) | NAMED_ELSEWHERE
    assert set(faults()) == tested


TEXT_FAULTS = {
    "normal": "Hello there.",
    "surrogate_split": "Smile 😀 and a pair in one chunk: 👍",
    "lone_surrogates": "low \ufffd then text high at end \ufffd",
    "invalid_utf8": "bad \ufffd\ufffd bytes",
    "odd_framing": "one two three",
    "plain_completion": "A whole answer at once.",
}


@pytest.mark.parametrize(("fault", "expected"), TEXT_FAULTS.items())
def test_odd_but_readable_answers_give_their_text(
    client: ProviderClient, server: HostileServer, fault: str, expected: str
) -> None:
    outcome = stream(client, server, fault)
    assert outcome.error is None
    assert outcome.text == expected
    assert_storable(outcome.text)


SHAPE_FAULTS = [
    # (fault, words the message must contain, text kept before the fault)
    ("choices_null", "'choices' is null", "Before "),
    ("content_int", "'content' is a number", "Count: "),
    ("delta_string", "'delta' is text", ""),
    ("choices_object", "'choices' is an object", ""),
    ("chunk_list", "JSON a list", ""),
    ("finish_number", "'finish_reason' is a number", "x"),
    ("chunk_not_json", "not JSON", "ok "),
    ("deep_json", "not JSON", ""),
    ("non_json_200", "text that is not JSON instead of a stream", ""),
    ("empty_200", "empty body", ""),
    ("json_without_reply", "no reply in it", ""),
    ("html_200", "an HTML page ('Hotel Wi-Fi Login')", ""),
    ("corrupt_gzip", "compressed body is corrupt", ""),
]


@pytest.mark.parametrize(("fault", "words", "kept"), SHAPE_FAULTS)
def test_answers_of_the_wrong_shape_are_not_understood_and_say_how(
    client: ProviderClient, server: HostileServer, fault: str, words: str, kept: str
) -> None:
    outcome = stream(client, server, fault)
    assert outcome.error is not None, outcome.text
    message = str(outcome.error)
    assert message.startswith(NOT_UNDERSTOOD), message
    assert words in message
    assert outcome.error.kind == "bad_response"
    assert outcome.text == kept
    assert outcome.error.partial == bool(kept)
    assert ("the text before it was kept" in message) == bool(kept)
    assert not any(phrase in message for phrase in MISLEADING)


NAMED_ELSEWHERE = {
    "error_in_stream",
    "error_event",
    "html_502",
    "control_chars",
    "huge_line",
    "endless_stream",
    "gzip_bomb_stream",
    "gzip_bomb_newlines",
    "gzip_bomb_error",
    "gzip_bomb_plain",
}


def test_an_error_object_inside_a_stream_is_the_providers_error(
    client: ProviderClient, server: HostileServer
) -> None:
    outcome = stream(client, server, "error_in_stream")
    assert outcome.error is not None
    assert outcome.error.kind == "server"
    assert "model overloaded" in str(outcome.error)
    assert outcome.text == "Start "
    event = stream(client, server, "error_event")
    assert event.error is not None
    assert "quota exhausted" in str(event.error)


def test_an_html_502_page_is_named_by_its_title_without_markup(
    client: ProviderClient, server: HostileServer
) -> None:
    outcome = stream(client, server, "html_502")
    assert outcome.error is not None
    message = str(outcome.error)
    assert outcome.error.status == 502
    assert "502 Bad Gateway" in message
    assert "<" not in message
    assert "script" not in message
    assert "/dev/zero" not in message


def test_an_unterminated_100_mib_line_stops_at_the_line_bound(
    client: ProviderClient, server: HostileServer
) -> None:
    outcome = stream(client, server, "huge_line")
    assert outcome.error is not None
    assert "line longer than 1 MiB" in str(outcome.error)
    assert outcome.error.kind == "bad_response"


def test_an_endless_stream_is_cut_at_the_reply_bound_and_keeps_the_text(
    client: ProviderClient, server: HostileServer
) -> None:
    outcome = stream(client, server, "endless_stream")
    assert outcome.error is not None
    assert outcome.error.kind == "too_large"
    assert f"{MAX_REPLY_CHARS:,} characters" in str(outcome.error)
    assert outcome.error.partial
    assert MAX_REPLY_CHARS - 4096 < len(outcome.text) <= MAX_REPLY_CHARS


@pytest.mark.parametrize(
    ("fault", "words"),
    [
        ("gzip_bomb_stream", "larger than 8 MiB that is not a stream"),
        ("gzip_bomb_newlines", "passed 256 MiB"),
        ("gzip_bomb_plain", "line longer than 1 MiB"),
    ],
)
@pytest.mark.slow
def test_gzip_bombs_stop_at_a_bound(
    client: ProviderClient, server: HostileServer, fault: str, words: str
) -> None:
    outcome = stream(client, server, fault, size=300 << 20)
    assert outcome.error is not None
    assert words in str(outcome.error)
    assert not any(phrase in str(outcome.error) for phrase in MISLEADING)


@pytest.mark.slow
def test_a_gzip_bomb_behind_an_error_status_is_read_only_in_part(
    client: ProviderClient, server: HostileServer
) -> None:
    outcome = stream(client, server, "gzip_bomb_error", size=300 << 20)
    assert outcome.error is not None
    assert outcome.error.status == 502
    assert "server error (HTTP 502)" in str(outcome.error)


# -- the non-streamed call


def complete(client: ProviderClient, server: HostileServer, fault: str) -> str:
    server.push(fault)
    return client.complete([{"role": "user", "content": "hi"}], model="m")


@pytest.mark.parametrize(
    ("fault", "words"),
    [
        ("non_json_200", "text that is not JSON"),
        ("empty_200", "empty body"),
        ("html_200", "HTML page"),
        ("json_without_reply", "no reply"),
        ("normal", "a stream instead of a completion"),
    ],
)
def test_a_plain_call_names_a_wrong_body(
    client: ProviderClient, server: HostileServer, fault: str, words: str
) -> None:
    with pytest.raises(ProviderError) as caught:
        complete(client, server, fault)
    assert str(caught.value).startswith(NOT_UNDERSTOOD)
    assert words in str(caught.value)


@pytest.mark.slow
def test_a_plain_call_refuses_a_gzip_bomb(client: ProviderClient, server: HostileServer) -> None:
    server.push("gzip_bomb_plain", size=300 << 20)
    with pytest.raises(ProviderError) as caught:
        client.complete([{"role": "user", "content": "hi"}], model="m")
    assert caught.value.kind == "too_large"


def test_a_plain_call_accepts_a_completion(client: ProviderClient, server: HostileServer) -> None:
    assert complete(client, server, "plain_completion") == "A whole answer at once."


# -- the pieces, with inputs of their own


def test_surrogate_halves_are_joined_across_any_split() -> None:
    text = "a😀b👍🏽c"
    escaped = text.encode("utf-16-le").decode("utf-16-le", "surrogatepass")
    halves = escaped.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "surrogatepass")
    units = [halves[i] for i in range(len(halves))]
    # Each code unit alone: the worst split a server can make.
    raw = "".join(units).encode("utf-16-le", "surrogatepass")
    pieces = [raw[i : i + 2].decode("utf-16-le", "surrogatepass") for i in range(0, len(raw), 2)]
    joiner = SurrogateJoiner()
    out = "".join(joiner.feed(piece) for piece in pieces) + joiner.finish()
    assert out == text


def test_lone_halves_in_any_position_become_replacement_characters() -> None:
    for pieces in (["\udc00"], ["x\ud800", "y"], ["\ud800"], ["\ud800", "\ud800", "\udc00"]):
        joiner = SurrogateJoiner()
        out = "".join(joiner.feed(p) for p in pieces) + joiner.finish()
        out.encode("utf-8")
        assert "\ufffd" in out


def test_lines_are_bounded_even_when_the_line_arrives_in_tiny_pieces() -> None:
    pieces = iter([b"data: "] + [b"x"] * 2000)
    with pytest.raises(AnswerNotUnderstood):
        list(iter_lines(pieces, max_line=1000))


def test_line_endings_split_between_blocks_are_one_ending() -> None:
    lines = list(iter_lines(iter([b"data: a\r", b"\ndata: b\r", b"\r", b"data: c"])))
    assert lines == [b"data: a", b"data: b", b"", b"data: c"]
    events = list(iter_events(iter(lines)))
    assert [e.data for e in events] == ["a\nb", "c"]
