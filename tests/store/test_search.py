"""Full-text search: hits with snippets and spans, prefix matching, trash excluded,
and queries with any punctuation never raise."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from desktop_agent.store import messages, sessions
from desktop_agent.store.search import MIN_PREFIX_CHARS, fts_query, search_messages
from tests.support.examples import examples


def _session_with(*texts: str, title: str = "t") -> str:
    session = sessions.create_session(title=title)
    for index, text in enumerate(texts):
        messages.append_message(session.id, "user" if index % 2 == 0 else "assistant", text)
    return session.id


def test_hits_carry_snippets_with_spans_around_the_matched_word(store: Path) -> None:
    sid = _session_with(
        "We talked about the lighthouse keeper and his cat.", "Nothing here.", title="Coast"
    )
    hits = search_messages("lighthouse")
    assert len(hits) == 1
    hit = hits[0]
    assert (hit.session_id, hit.session_title, hit.role) == (sid, "Coast", "user")
    assert [hit.snippet[a:b] for a, b in hit.spans] == ["lighthouse"]
    assert "\ue000" not in hit.snippet
    assert "\ue001" not in hit.snippet


def test_every_word_must_match_and_the_last_one_as_a_prefix(store: Path) -> None:
    _session_with("Quarterly budget review for marketing", "budget only")
    assert [h.snippet for h in search_messages("budget market")] == [
        "Quarterly budget review for marketing"
    ]
    assert len(search_messages("budg")) == 2  # typed so far
    assert search_messages("marketing zzz") == []
    assert search_messages("review budg") != []
    assert search_messages("budg review") == []  # only the last word is a prefix


def test_matching_ignores_case_and_accents(store: Path) -> None:
    _session_with("Un café à Genève")
    hits = search_messages("CAFE geneve")
    assert len(hits) == 1
    assert sorted(hits[0].snippet[a:b] for a, b in hits[0].spans) == ["Genève", "café"]


def test_newest_first_limit_and_session_filter(store: Path) -> None:
    first = _session_with("apple one")
    second = _session_with("apple two", "apple three")
    hits = search_messages("apple")
    assert [h.snippet for h in hits] == ["apple three", "apple two", "apple one"]
    assert len(search_messages("apple", limit=2)) == 2
    assert [h.session_id for h in search_messages("apple", session_id=first)] == [first]
    assert {h.session_id for h in search_messages("apple", session_id=second)} == {second}


def test_trashed_sessions_are_excluded_until_restored(store: Path) -> None:
    sid = _session_with("secret pineapple recipe")
    sessions.trash_session(sid)
    assert search_messages("pineapple") == []
    sessions.restore_session(sid)
    assert len(search_messages("pineapple")) == 1


def test_streamed_updates_are_searchable(store: Path) -> None:
    session = sessions.create_session()
    reply = messages.append_message(session.id, "assistant", "", status="incomplete")
    messages.update_content(reply.id, "partial walrus")
    assert [h.message_id for h in search_messages("walrus")] == [reply.id]
    messages.finish_message(reply.id, "final narwhal", "complete")
    assert search_messages("walrus") == []
    assert [h.message_id for h in search_messages("narwhal")] == [reply.id]


def test_queries_with_only_punctuation_find_nothing(store: Path) -> None:
    _session_with("hello and world")
    for query in ("", "   ", '"', "*", "()", "-", "^", "AND", "NEAR(", "'"):
        if fts_query(query) is None:
            assert search_messages(query) == []
    assert search_messages('"hello" AND (world') != []  # operators are taken as words
    assert search_messages("hello OR nothing") == []  # OR is a word that must match too
    assert search_messages("hello: world.") != []


# A small vocabulary, so generated queries hit: FTS operator words, a word that is a
# prefix of others ("app"), and words too short to match as a prefix ("ca", "x").
VOCABULARY = ["apple", "apples", "app", "apricot", "banana", "cat", "ca", "x", "and", "or", "not"]
SHOWN = [
    "apple banana",
    "apricot and cat",
    "a cat near the barn",
    "not an apple, or a banana",
    "ca x",
    "banana (or apricot) pie",
    "apples and apps",
    "the x files",
]
HIDDEN = ["apple banana apricot cat", "x and or not"]  # in a trashed conversation


@pytest.fixture
def stored(store: Path) -> dict[int, str]:
    """The messages search may show, by id; a trashed conversation holds others."""
    shown = _session_with(*SHOWN)
    sessions.trash_session(_session_with(*HIDDEN))
    return {m.id: m.content for m in messages.list_messages(shown)}


def _words(text: str) -> list[str]:
    return re.findall(r"\w+", text.casefold())


def _holds(text: str, words: list[str]) -> bool:
    """What search promises: every word, the last one as a prefix from three letters."""
    *whole, last = words
    tokens = _words(text)
    if len(last) >= MIN_PREFIX_CHARS:
        last_found = any(token.startswith(last) for token in tokens)
    else:
        last_found = last in tokens
    return last_found and all(word in tokens for word in whole)


@settings(
    max_examples=examples(ci=200, dev=40),
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(query=st.text(max_size=30))
def test_any_query_never_raises_and_finds_only_shown_messages(
    stored: dict[int, str], query: str
) -> None:
    for hit in search_messages(query, limit=100):
        assert hit.snippet == stored[hit.message_id]  # short messages: the snippet is all of it
        assert hit.spans
        assert all(0 <= start < end <= len(hit.snippet) for start, end in hit.spans)


_SEPARATORS = st.text(alphabet=" \"'*()-^:+.,;{}[]!?~\\/", min_size=1, max_size=3)


@settings(
    max_examples=examples(ci=200, dev=40),
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    words=st.lists(
        st.sampled_from(VOCABULARY).flatmap(lambda w: st.sampled_from([w, w.upper()])),
        min_size=1,
        max_size=4,
    ),
    separators=st.lists(_SEPARATORS, min_size=5, max_size=5),
)
def test_a_query_finds_exactly_the_shown_messages_holding_its_words(
    stored: dict[int, str], words: list[str], separators: list[str]
) -> None:
    query = "".join(sep + word for sep, word in zip(separators, words, strict=False))
    query += separators[-1]
    wanted = [word.casefold() for word in words]

    hits = search_messages(query, limit=100)

    assert {hit.message_id for hit in hits} == {
        message_id for message_id, text in stored.items() if _holds(text, wanted)
    }, query
    for hit in hits:
        for start, end in hit.spans:
            marked = hit.snippet[start:end].casefold()
            assert marked in wanted or marked.startswith(wanted[-1]), (query, hit.snippet)


@settings(
    max_examples=examples(ci=100, dev=25),
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    query=st.text(
        alphabet=st.sampled_from(list("\"'*()-^:+.,;{}[]!?~ \\/AND OR NOT NEAR ab")), max_size=25
    )
)
def test_fts_syntax_characters_never_raise(store: Path, query: str) -> None:
    search_messages(query)


def test_the_last_word_matches_as_a_prefix_from_three_letters(store: object) -> None:
    from desktop_agent.store import messages, sessions
    from desktop_agent.store.search import search_messages

    session = sessions.create_session()
    messages.append_message(session.id, "user", "configure the deployment")
    assert [h.snippet for h in search_messages("configure the dep")] == ["configure the deployment"]
    # Two letters would match every word starting with them: only whole words count.
    assert search_messages("configure the de") == []
    assert len(search_messages("configure the")) == 1


def test_snippets_show_words_not_markdown(store: object) -> None:
    from desktop_agent.store import messages, sessions
    from desktop_agent.store.search import search_messages

    session = sessions.create_session()
    messages.append_message(session.id, "assistant", "3. **Backfill** rows with `copy_rows()`")
    (hit,) = search_messages("backfill")
    assert hit.snippet == "3. Backfill rows with copy_rows()"
    start, end = hit.spans[0]
    assert hit.snippet[start:end] == "Backfill"


def test_a_replaced_version_is_not_a_hit(store: object) -> None:
    from desktop_agent.store import messages, sessions, versions
    from desktop_agent.store.search import search_messages

    session = sessions.create_session()
    messages.append_message(session.id, "user", "question")
    old = messages.append_message(session.id, "assistant", "the zebra answer")
    new = versions.start_regeneration(old.id)
    messages.finish_message(new.id, "the okapi answer", "complete")
    assert search_messages("zebra") == []
    assert [h.message_id for h in search_messages("okapi")] == [new.id]
    versions.switch_version(old.id)
    assert [h.message_id for h in search_messages("zebra")] == [old.id]
