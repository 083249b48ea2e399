"""Session files version 2: the whole tree survives export → import → export."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from desktop_agent.domain.errors import InvalidInputError
from desktop_agent.domain.session_tree import (
    SessionTree,
    TreeMessage,
    TreeWeightEvent,
    _messages,
    _parsed_messages,
    dump_session_tree,
)
from desktop_agent.services import learning
from desktop_agent.services.session_trees import export_session_tree, session_tree
from desktop_agent.services.transfer import export_session, import_sessions
from desktop_agent.store import compactions, engine, messages, sessions, versions
from desktop_agent.store.db import database
from desktop_agent.store.search import search_messages
from desktop_agent.store.weights import Owner, set_weights
from tests.support.examples import examples


def _branched_session() -> str:
    session = sessions.create_session(title="Branches")
    sessions.set_goal(session.id, "pick a tent")
    set_weights(Owner.session(session.id), {"verbosity": 0.3})
    question = messages.append_message(session.id, "user", "Which tent?", created_at=1.7e9)
    first = messages.append_message(session.id, "assistant", "The big one.", created_at=1.7e9 + 1)
    learning.give_feedback(first.id, -1, ["too_short"], follow_session=False)
    second = versions.start_regeneration(first.id)
    messages.finish_message(second.id, "The light one, because…", "complete")
    messages.set_feedback(second.id, 1, ["want_suggestions"])
    edited = versions.edit_user_message(question.id, "Which tent for two?")
    messages.append_message(session.id, "assistant", "A two-person dome.")
    compactions.add_compaction(session.id, 0, edited.id, "asked about tents", "fast")
    versions.switch_version(question.id)  # show the first branch again
    return session.id


def _body(raw: bytes) -> dict[str, Any]:
    document = json.loads(raw)
    assert document["format_version"] == 2
    body: dict[str, Any] = document["session"]
    return body


def test_every_version_and_the_shown_branch_survive(store: Path) -> None:
    original = _branched_session()
    exported = export_session(original)
    body = _body(exported)
    assert len(body["messages"]) == 5
    shown = [m["content"] for m in body["messages"] if m["shown"]]
    assert shown == ["Which tent?", "The light one, because…"]
    assert body["goal"] == "pick a tent"
    assert body["compactions"][0]["summary"] == "asked about tents"
    assert {e["weight"] for e in body["weight_events"]} >= {"verbosity"}
    ratings = [m["feedback"] for m in body["messages"] if m["feedback"]]
    assert {"rating": 1, "tags": ["want_suggestions"]} in ratings

    [imported] = import_sessions([("tents.session.json", exported)])
    assert imported.renamed_id  # the id was taken: the report says it changed
    again = _body(export_session(imported.session_id))
    assert again.pop("id") == imported.session_id
    body.pop("id")
    assert again == body
    shown_now = [m.content for m in messages.list_messages(imported.session_id)]
    assert shown_now == ["Which tent?", "The light one, because…"]


def test_same_document_after_a_round_trip_into_a_free_id(store: Path) -> None:
    original = _branched_session()
    exported = export_session(original)
    sessions.purge_session(original)
    [imported] = import_sessions([("tents.session.json", exported)])
    assert imported.session_id == original
    assert export_session(original) == exported


def _fts_matches_messages() -> None:
    """FTS5's integrity check with rank 1 compares the index with the message table (the
    plain form checks only the index's own structure). PostgreSQL's index is a generated
    column of the row itself: nothing to compare."""
    if engine.is_postgres():
        return
    database.execute_sql(
        "INSERT INTO message_fts (message_fts, rank) VALUES ('integrity-check', 1)"
    )


def _counts() -> tuple[int, int]:
    row = database.execute_sql(
        "SELECT (SELECT COUNT(*) FROM message), (SELECT COUNT(*) FROM session)"
    ).fetchone()
    return int(row[0]), int(row[1])


def test_imported_trees_are_indexed_exactly_and_a_failed_import_leaves_nothing(
    store: Path,
) -> None:
    # Bulk inserts go through a staging table and one INSERT … SELECT: every row must
    # still reach the external-content index, and a rollback must undo both tables.
    original = _branched_session()
    exported = export_session(original)
    imported = import_sessions([("a.session.json", exported), ("b.session.json", exported)])
    assert len({i.session_id for i in imported}) == 2
    _fts_matches_messages()
    found = {hit.session_id for hit in search_messages("light")}
    assert found == {original, *(i.session_id for i in imported)}

    before = _counts()
    bad = exported.replace(b'"role":"user"', b'"role":"bot"', 1)
    assert bad != exported
    with pytest.raises(InvalidInputError):
        import_sessions([("c.session.json", exported), ("bad.session.json", bad)])
    assert _counts() == before
    _fts_matches_messages()
    assert len(search_messages("light")) == 3


@st.composite
def _trees(draw: st.DrawFn) -> SessionTree:
    count = draw(st.integers(min_value=1, max_value=14))
    parents: list[int | None] = [None]
    for ident in range(2, count + 1):
        parents.append(draw(st.one_of(st.none(), st.integers(min_value=1, max_value=ident - 1))))
    leaf = draw(st.integers(min_value=1, max_value=count))
    path = set()
    node: int | None = leaf
    while node is not None:
        path.add(node)
        node = parents[node - 1]
    roles = draw(
        st.lists(st.sampled_from(["user", "assistant", "system"]), min_size=count, max_size=count)
    )
    items = []
    for ident in range(1, count + 1):
        role = roles[ident - 1]
        rated = role == "assistant" and draw(st.booleans())
        items.append(
            TreeMessage(
                id=ident,
                parent=parents[ident - 1],
                shown=ident in path,
                role=role,
                content=draw(st.text(max_size=20)),
                created_at=f"2026-01-01T00:00:{ident:02d}Z",
                feedback={"rating": draw(st.sampled_from([1, -1])), "tags": ["too_long"]}
                if rated
                else None,
                model=draw(st.sampled_from(["", "gpt-4o"])),
            )
        )
    events = (TreeWeightEvent("verbosity", 0.5, 0.4, "feedback", leaf, "2026-01-01T00:01:00Z"),)
    return SessionTree(
        id="6f1c8f7e-1b2a-4c3d-8e9f-0a1b2c3d4e5f",
        title="Random",
        agent="assistant",
        user="local",
        created_at="2026-01-01T00:00:00Z",
        updated_at="2026-01-01T00:02:00Z",
        goal="",
        weights=None,
        messages=tuple(items),
        weight_events=events,
    )


@settings(
    max_examples=examples(ci=60, dev=15),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(tree=_trees())
def test_a_random_tree_keeps_every_version_and_the_shown_branch(
    store: Path, tree: SessionTree
) -> None:
    if engine.is_postgres():  # PostgreSQL text cannot hold NUL: refused, see the next test
        assume(all("\x00" not in m.content for m in tree.messages))
    raw = dump_session_tree(tree)
    [imported] = import_sessions([("random.session.json", raw)])
    back = session_tree(imported.session_id)
    assert [(m.id, m.parent, m.shown, m.role, m.content, m.feedback) for m in back.messages] == [
        (m.id, m.parent, m.shown, m.role, m.content, m.feedback) for m in tree.messages
    ]
    shown = [m.content for m in messages.list_messages(imported.session_id)]
    assert shown == [m.content for m in tree.messages if m.shown]
    assert back.weight_events == tree.weight_events
    # export reads rows straight into the file; it must be the document the tree gives
    assert export_session_tree(imported.session_id) == dump_session_tree(back)


@given(tree=_trees())
def test_a_file_reads_back_as_its_tree_whichever_way_its_messages_are_read(
    tree: SessionTree,
) -> None:
    raw = _body(dump_session_tree(tree))["messages"]
    assert _parsed_messages(raw) == _messages(raw) == tree.messages
    # A time another program wrote with an offset takes the field-by-field route.
    raw[0]["created_at"] = "2026-01-01T02:00:01+02:00"
    assert _parsed_messages(raw) == _messages(raw)
    assert _parsed_messages(raw)[0].created_at == "2026-01-01T00:00:01Z"


def test_text_the_engine_cannot_hold_is_refused_and_nothing_is_stored(store: Path) -> None:
    session_id = _branched_session()
    before = sessions.list_sessions()
    tree = session_tree(session_id)
    poisoned = dump_session_tree(
        replace(tree, messages=tuple(replace(m, content=m.content + "\x00") for m in tree.messages))
    )
    if not engine.is_postgres():  # SQLite keeps any text
        [imported] = import_sessions([("nul.session.json", poisoned)])
        assert "\x00" in session_tree(imported.session_id).messages[0].content
        return
    with pytest.raises(InvalidInputError, match=r"nul\.session\.json: the store refused it"):
        import_sessions([("nul.session.json", poisoned)])
    assert sessions.list_sessions() == before


def _stored_looking_tree() -> SessionTree:
    return SessionTree(
        id="7d5e3b0a-3c1e-4f6a-9a57-2f0d8c1e4b21",
        title="Checks",
        agent="default",
        user="me",
        created_at="2024-01-01T00:00:00Z",
        updated_at="2024-01-01T00:00:00Z",
        goal="",
        weights=None,
        messages=(
            TreeMessage(1, None, True, "user", "hi", "2024-01-01T00:00:00Z"),
            TreeMessage(2, 1, True, "assistant", "hello", "2024-01-01T00:00:01Z"),
        ),
    )


@pytest.mark.parametrize(
    ("change", "named"),
    [
        ({"created_at": "2024-02-30T00:00:00Z"}, r"messages\[1\]\.created_at"),
        ({"created_at": "2024-01-01T24:00:00Z"}, r"messages\[1\]\.created_at"),
        ({"model": "m" * 201}, r"messages\[1\]\.model"),
        ({"source_key": "k" * 201}, r"messages\[1\]\.source_key"),
        ({"role": "wizard"}, r"messages\[1\]\.role"),
        ({"kind": "poem"}, r"messages\[1\]\.kind"),
        ({"parent": 3}, r"messages\[1\]\.parent"),
        ({"id": 1}, r"messages\[1\]\.id"),
        ({"parent": None}, r"messages\[1\]\.shown"),
        ({"feedback": {"rating": 2, "tags": []}}, r"messages\[1\]\.feedback\.rating"),
    ],
)
def test_export_refuses_a_message_import_would_refuse(change: dict[str, Any], named: str) -> None:
    """Messages as the store writes them skip building a TreeMessage on export; one that
    import would refuse still stops the export with the field it names."""
    tree = _stored_looking_tree()
    dump_session_tree(tree)  # the unchanged tree is written
    bad = replace(tree, messages=(tree.messages[0], replace(tree.messages[1], **change)))
    with pytest.raises(InvalidInputError, match=named):
        dump_session_tree(bad)
