"""Session export and import: lossless JSON round trip, readable Markdown, foreign shapes,
id clashes, and bad files that change nothing (property-based)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from desktop_agent.domain.canonical import sha256_hex
from desktop_agent.domain.errors import InvalidInputError
from desktop_agent.services import learning
from desktop_agent.services.transfer import export_session, import_sessions, session_data
from desktop_agent.store import agents, messages, sessions
from desktop_agent.store.search import search_messages
from desktop_agent.store.weights import Owner, set_weights
from tests.domain.file_mutations import flipped_bytes, mutated_document
from tests.support.examples import examples
from tests.support.snapshot_data import dump


def _dump(path: Path) -> str:
    return "\n".join(dump(path))  # either engine (the `store` fixture's path)


def _rich_session() -> str:
    session = sessions.create_session(title="Teapots")
    sessions.set_goal(session.id, "find a blue teapot")
    set_weights(Owner.session(session.id), {"verbosity": 0.25, "formality": 0.8})
    messages.append_message(session.id, "system", "be brief", created_at=1_700_000_000.0)
    messages.append_message(session.id, "user", "Where? ünïcode ✓", created_at=1_700_000_001.0)
    rated = messages.append_message(session.id, "assistant", "Here.", created_at=1_700_000_002.0)
    messages.append_message(session.id, "user", "And then?", created_at=1_700_000_003.0)
    cut = messages.append_message(
        session.id, "assistant", "Half an ans", status="incomplete", created_at=1_700_000_004.0
    )
    messages.append_message(session.id, "user", "hello?", created_at=1_700_000_005.0)
    messages.append_message(session.id, "assistant", "", status="error", created_at=1_700_000_006.0)
    learning.give_feedback(rated.id, -1, ["too_long", "too_formal"], follow_session=False)
    messages.set_feedback(cut.id, 1)
    return session.id


def _comparable(session_id: str) -> dict[str, object]:
    data = session_data(session_id)
    return {
        "title": data.title,
        "agent": data.agent,
        "user": data.user,
        "created_at": data.created_at,
        "goal": data.goal,
        "weights": data.weights,
        "messages": [
            (m.role, m.content, m.created_at, m.status, m.feedback) for m in data.messages
        ],
    }


def test_json_export_then_import_is_lossless(store: Path) -> None:
    original = _rich_session()
    exported = export_session(original)
    sessions.purge_session(original)

    [imported] = import_sessions([("teapots.session.json", exported)])

    assert imported.session_id == original  # the id was free again, so it was kept
    assert not imported.renamed_id
    assert imported.messages == 7
    assert _comparable(imported.session_id) == _comparable_from(exported)
    assert export_session(imported.session_id) == exported


def _comparable_from(raw: bytes) -> dict[str, object]:
    body = json.loads(raw)["session"]
    return {
        "title": body["title"],
        "agent": body["agent"],
        "user": body["user"],
        "created_at": body["created_at"],
        "goal": body["goal"],
        "weights": body["weights"],
        "messages": [
            (m["role"], m["content"], m["created_at"], m["status"], m["feedback"])
            for m in body["messages"]
        ],
    }


def test_exported_json_holds_what_the_store_holds(store: Path) -> None:
    original = _rich_session()
    body = json.loads(export_session(original))["session"]
    assert body["goal"] == "find a blue teapot"
    assert body["weights"] == sessions.get_session(original).weights
    assert body["weights"]["verbosity"] < 0.25  # set to 0.25, then learned from too_long
    assert [m["status"] for m in body["messages"]] == [
        "complete",
        "complete",
        "complete",
        "complete",
        "incomplete",
        "complete",
        "error",
    ]
    assert body["messages"][2]["feedback"] == {"rating": -1, "tags": ["too_long", "too_formal"]}
    assert body["messages"][4]["feedback"] == {"rating": 1, "tags": []}


def test_a_clashing_id_gets_a_new_id_and_the_original_is_untouched(store: Path) -> None:
    original = _rich_session()
    before = _comparable(original)
    [imported] = import_sessions([("again.json", export_session(original))])
    assert imported.renamed_id
    assert imported.session_id != original
    assert _comparable(original) == before
    assert _comparable(imported.session_id) == before
    assert sessions.count_sessions() == 2


def test_markdown_export_is_readable(store: Path) -> None:
    original = _rich_session()
    text = export_session(original, "md").decode("utf-8")
    assert text.startswith("# Teapots\n")
    headings = [line for line in text.splitlines() if line.startswith("## ")]
    assert [h.split(" ")[1] for h in headings] == [
        "System",
        "User",
        "Assistant",
        "User",
        "Assistant",
        "User",
        "Assistant",
    ]
    assert "*incomplete*" in headings[4]
    assert "Where? ünïcode ✓" in text
    assert "find a blue teapot" in text


def test_a_bare_openai_messages_list_imports(store: Path) -> None:
    raw = json.dumps(
        [
            {"role": "system", "content": "be kind"},
            {"role": "user", "content": "What is a quokka?"},
            {"role": "assistant", "content": "A small marsupial."},
        ]
    ).encode()
    [imported] = import_sessions([("chat.json", raw)])
    stored = messages.list_messages(imported.session_id)
    assert [(m.role, m.content) for m in stored] == [
        ("system", "be kind"),
        ("user", "What is a quokka?"),
        ("assistant", "A small marsupial."),
    ]
    assert sessions.get_session(imported.session_id).title.startswith("What is a quokka")
    assert [h.message_id for h in search_messages("marsupial")] == [stored[2].id]


def test_a_file_per_session_object_imports(store: Path) -> None:
    raw = json.dumps(
        {
            "id": "legacy-42",
            "created_at": "2024-05-01T10:00:00Z",
            "messages": [
                {"role": "user", "content": "old question"},
                {"role": "assistant", "content": "old answer"},
            ],
        }
    ).encode()
    [first] = import_sessions([("legacy.json", raw)])
    [second] = import_sessions([("legacy.json", raw)])
    assert first.session_id != second.session_id
    assert second.renamed_id
    assert [m.content for m in messages.list_messages(first.session_id)] == [
        "old question",
        "old answer",
    ]
    assert sessions.get_session(first.session_id).created_at == pytest.approx(1_714_557_600.0)


def test_one_bad_file_among_several_changes_nothing(store: Path) -> None:
    good = json.dumps([{"role": "user", "content": "fine"}]).encode()
    bad = json.dumps([{"role": "bot", "content": "nope"}]).encode()
    before = _dump(store)
    with pytest.raises(InvalidInputError, match=r"second\.json"):
        import_sessions([("first.json", good), ("second.json", bad), ("third.json", good)])
    assert _dump(store) == before


# --- property-based: generated and damaged files ---------------------------------------

_MESSAGE = st.fixed_dictionaries(
    {
        "role": st.sampled_from(["user", "assistant", "system", "tool", "bot", ""]),
        "content": st.text(max_size=40) | st.none() | st.integers(),
    }
)
_FOREIGN = st.lists(_MESSAGE, max_size=5) | st.fixed_dictionaries(
    {
        "id": st.text(max_size=12) | st.integers(),
        "created_at": st.sampled_from(["2024-01-01T00:00:00Z", "yesterday", "", 5]),
        "messages": st.lists(_MESSAGE, max_size=4) | st.none(),
    }
)


def _template() -> dict[str, object]:
    session = sessions.create_session(title="Template")
    messages.append_message(session.id, "user", "q", created_at=1_700_000_000.0)
    reply = messages.append_message(session.id, "assistant", "a", created_at=1_700_000_001.0)
    messages.set_feedback(reply.id, -1, ["too_long"])
    document: dict[str, object] = json.loads(export_session(session.id))
    sessions.purge_session(session.id)
    return document


def _import_or_refuse(path: Path, raw: bytes) -> None:
    before = _dump(path)
    try:
        import_sessions([("fuzz.json", raw)])
    except InvalidInputError:
        assert _dump(path) == before


@settings(
    max_examples=examples(ci=150, dev=30),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_mutated_session_files_import_cleanly_or_change_nothing(
    store: Path, data: st.DataObject
) -> None:
    document = _template()
    valid = json.dumps(document).encode()
    raw = data.draw(mutated_document(document, "session") | flipped_bytes(valid))
    _import_or_refuse(store, raw)


@settings(
    max_examples=examples(ci=150, dev=30),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(shape=_FOREIGN)
def test_generated_foreign_files_import_cleanly_or_change_nothing(
    store: Path, shape: object
) -> None:
    _import_or_refuse(store, json.dumps(shape).encode())


def _with_agent(raw: bytes, agent: str) -> bytes:
    document = json.loads(raw)
    document["session"]["agent"] = agent
    document["sha256"] = sha256_hex(document["session"])
    return json.dumps(document).encode()


def test_an_agent_name_with_surrounding_spaces_imports_into_that_agent(store: Path) -> None:
    original = sessions.create_session()
    messages.append_message(original.id, "user", "hello")
    raw = _with_agent(export_session(original.id), "  assistant ")

    [imported] = import_sessions([("padded.session.json", raw)])

    session = sessions.get_session(imported.session_id)
    assert session.agent_name == "assistant"
    assert [a.name for a in agents.list_agents()] == ["assistant"]


def test_a_new_agent_name_with_surrounding_spaces_creates_it_trimmed(store: Path) -> None:
    original = sessions.create_session()
    messages.append_message(original.id, "user", "hello")
    raw = _with_agent(export_session(original.id), " support ")

    [imported] = import_sessions([("padded.session.json", raw)])

    assert sessions.get_session(imported.session_id).agent_name == "support"
