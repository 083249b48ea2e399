"""Importing other apps' exports into a real store: versions, re-import, skips, cancel."""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from contextlib import closing
from pathlib import Path

import pytest

from desktop_agent.domain.errors import InvalidInputError
from desktop_agent.services import importing
from desktop_agent.services.importing import import_exports
from desktop_agent.services.search import search_messages
from desktop_agent.store import engine, import_sources, messages, sessions, versions
from desktop_agent.store.db import database
from tests.support.export_fixtures import (
    claude_conversation,
    claude_message,
    gpt_branched,
    gpt_linear,
    openwebui_chat,
    owui_message,
    write_json,
    write_zip,
)


def _session_of(app: str, source_id: str) -> str:
    session_id = import_sources.find_session(app, source_id)
    assert session_id is not None
    return session_id


def test_chatgpt_zip_with_split_parts_and_ratings(store: Path, tmp_path: Path) -> None:
    archive = write_zip(
        tmp_path / "export.zip",
        {
            "conversations-000.json": [gpt_branched()],
            "conversations-001.json": [gpt_linear("c2", 3)],
            "message_feedback.json": [
                {"conversation_id": "conv-branched", "message_id": "a1", "rating": "thumbsDown"}
            ],
            "chat.html": "<html></html>",
        },
    )
    report = import_exports([archive])
    assert report.app == "chatgpt"
    assert [c.outcome for c in report.conversations] == ["new", "new"]
    session_id = _session_of("chatgpt", "conv-branched")
    shown = messages.list_messages(session_id)
    roles = ["system", "user", "assistant", "user", "assistant", "assistant", "user"]
    assert [m.role for m in shown] == [*roles, "assistant"]
    assert shown[0].content.startswith("Custom instructions (from ChatGPT):")
    assert shown[2].content == "About 20-40 m."
    # The other reply to the first question is a version of it, rated down.
    other = [v for v in versions.versions_of(shown[2].id) if v.id != shown[2].id]
    assert [v.content for v in other] == ["Up to 40 m."]
    assert other[0].feedback is not None
    assert other[0].feedback.rating == -1
    assert shown[2].model == "gpt-4o"
    assert sessions.get_session(session_id).message_count == 8
    assert sessions.get_session(session_id).title == "Oak heights"
    # Reasoning is kept beside the reply, not in its words.
    reply = shown[4]
    note = import_sources.notes_for([reply.id])[reply.id]
    assert "Use matplotlib." in note.reasoning
    assert "matplotlib" not in reply.content


def test_reimport_adds_only_what_is_new(store: Path, tmp_path: Path) -> None:
    first = write_json(tmp_path / "conversations.json", [gpt_linear("c1", 2), gpt_linear("c2", 1)])
    import_exports([first])
    count_before = database.execute_sql("SELECT COUNT(*) FROM message").fetchone()[0]

    again = import_exports([first])
    assert [c.outcome for c in again.conversations] == ["unchanged", "unchanged"]
    assert database.execute_sql("SELECT COUNT(*) FROM message").fetchone()[0] == count_before

    grown = gpt_linear("c1", 3)  # one more turn
    regenerated = gpt_linear("c2", 1)
    regenerated["mapping"]["c2-0-assistant-b"] = {
        "id": "c2-0-assistant-b",
        "parent": "c2-0-user",
        "children": [],
        "message": dict(
            regenerated["mapping"]["c2-0-assistant"]["message"],
            id="c2-0-assistant-b",
            create_time=1_700_000_500.0,
            content={"content_type": "text", "parts": ["a better answer"]},
        ),
    }
    regenerated["current_node"] = "c2-0-assistant-b"
    newer = write_json(tmp_path / "newer.json", [grown, regenerated, gpt_linear("c3", 1)])
    report = import_exports([newer])
    assert [(c.outcome, c.messages_added) for c in report.conversations] == [
        ("updated", 2),
        ("updated", 1),
        ("new", 2),
    ]
    c1 = messages.list_messages(_session_of("chatgpt", "c1"))
    assert [m.content for m in c1][-2:] == ["user turn 2", "assistant turn 2"]
    c2 = messages.list_messages(_session_of("chatgpt", "c2"))
    assert c2[-1].content == "a better answer"
    assert c2[-1].version_count == 2


def test_a_conversation_continued_here_keeps_its_branch(store: Path, tmp_path: Path) -> None:
    path = write_json(tmp_path / "conversations.json", [gpt_linear("c1", 1)])
    import_exports([path])
    session_id = _session_of("chatgpt", "c1")
    messages.append_message(session_id, "user", "my own follow-up")
    import_exports([write_json(tmp_path / "newer.json", [gpt_linear("c1", 2)])])
    shown = messages.list_messages(session_id)
    assert shown[-1].content == "my own follow-up"
    assert (
        database.execute_sql(
            "SELECT COUNT(*) FROM message WHERE session_id = ?", (session_id,)
        ).fetchone()[0]
        == 5
    )


def test_broken_conversations_are_skipped_and_listed(store: Path, tmp_path: Path) -> None:
    no_mapping = gpt_linear("bad1", 1)
    del no_mapping["mapping"]
    empty = gpt_linear("bad2", 1)
    empty["mapping"] = {"root": {"id": "root", "message": None, "parent": None, "children": []}}
    wrong_role = gpt_linear("bad3", 1)
    wrong_role["mapping"]["bad3-0-user"]["message"]["author"]["role"] = "wizard"
    path = write_json(
        tmp_path / "conversations.json", [gpt_linear("ok", 1), no_mapping, empty, wrong_role]
    )
    report = import_exports([path])
    assert [c.outcome for c in report.conversations] == ["new", "skipped", "skipped", "skipped"]
    reasons = [c.reason for c in report.conversations[1:]]
    assert "no mapping" in reasons[0]
    assert "no messages" in reasons[1]
    assert "wizard" in reasons[2]
    assert import_sources.find_session("chatgpt", "bad3") is None
    assert database.execute_sql("SELECT COUNT(*) FROM session").fetchone()[0] == 1


def test_cancel_keeps_finished_conversations_only(
    store: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(importing, "BATCH_MESSAGES", 1)  # one conversation per transaction
    path = write_json(tmp_path / "conversations.json", [gpt_linear(f"c{i}", 2) for i in range(5)])
    written: list[int] = []

    report = import_exports(
        [path],
        progress=lambda p: written.append(p.conversations),
        cancelled=lambda: len(written) >= 2,
    )
    assert report.cancelled
    assert len(report.conversations) == 2
    assert database.execute_sql("SELECT COUNT(*) FROM session").fetchone()[0] == 2
    # Each kept conversation is whole.
    assert database.execute_sql("SELECT COUNT(*) FROM message").fetchone()[0] == 8


def test_another_connection_keeps_committing_while_an_import_runs(
    store: Path, tmp_path: Path
) -> None:
    """Another window or process streaming a reply (its own connection) keeps committing
    while 20,000 messages are imported: the import holds the write lock in short
    transactions, so no commit of the other waits more than a fraction of the import
    (one transaction for it all made the other writer wait half of it, or time out)."""
    pinned = sessions.create_session(title="streaming elsewhere").id
    path = write_json(tmp_path / "c.json", [gpt_linear(f"c{i}", 25) for i in range(400)])
    stop = threading.Event()
    waits: list[float] = []
    failures: list[str] = []

    def other_writer() -> None:
        with closing(sqlite3.connect(store, timeout=5.0, isolation_level=None)) as conn:
            while not stop.is_set():
                asked = time.monotonic()
                try:
                    conn.execute("BEGIN IMMEDIATE")
                    waits.append(time.monotonic() - asked)
                    conn.execute("UPDATE session SET pinned = 1 - pinned WHERE id = ?", (pinned,))
                    conn.execute("COMMIT")
                except sqlite3.OperationalError as exc:  # the app's own 5 s busy timeout
                    failures.append(str(exc))
                time.sleep(0.01)

    writer = threading.Thread(target=other_writer)
    writer.start()
    try:
        started = time.monotonic()
        report = import_exports([path])
        took = time.monotonic() - started
    finally:
        stop.set()
        writer.join()
    assert failures == []
    assert report.count("new") == 400
    assert max(waits) < took / 4, (max(waits), took)
    flips = database.execute_sql("SELECT pinned FROM session WHERE id = ?", (pinned,)).fetchone()
    assert flips[0] == len(waits) % 2  # every commit of the other writer is there
    assert database.execute_sql("SELECT COUNT(*) FROM message").fetchone()[0] == 400 * 50


def test_truncated_file_keeps_what_came_before(store: Path, tmp_path: Path) -> None:
    raw = json.dumps([gpt_linear("c1", 1), gpt_linear("c2", 1)]).encode()
    path = tmp_path / "conversations.json"
    path.write_bytes(raw[:-50])
    report = import_exports([path])
    assert [c.outcome for c in report.conversations] == ["new"]
    assert "not valid JSON" in report.problems[0]


def test_unknown_file_names_the_formats_tried(store: Path, tmp_path: Path) -> None:
    path = write_json(tmp_path / "x.json", [{"role": "user", "content": "hi"}])
    with pytest.raises(InvalidInputError, match=r"tried ChatGPT: .*Claude: .*Open WebUI: "):
        import_exports([path])
    assert database.execute_sql("SELECT COUNT(*) FROM session").fetchone()[0] == 0


def test_claude_and_openwebui_imports(store: Path, tmp_path: Path) -> None:
    claude_file = write_json(
        tmp_path / "claude.json",
        [
            claude_conversation(
                "cl-1",
                [
                    claude_message("m1", "human", "Hi"),
                    claude_message("m2", "assistant", "Hello", minute=1),
                ],
            )
        ],
    )
    report = import_exports([claude_file])
    assert report.app == "claude"
    shown = messages.list_messages(_session_of("claude", "cl-1"))
    assert [m.content for m in shown] == ["Hi", "Hello"]

    chat = openwebui_chat(
        "ow-1",
        {
            "a": owui_message("a", None, "user", "Hi", ["b", "c"], 1_715_000_000),
            "b": owui_message("b", "a", "assistant", "One", [], 1_715_000_001),
            "c": owui_message("c", "a", "assistant", "Two", [], 1_715_000_002),
        },
        "b",
    )
    import_exports([write_json(tmp_path / "owui.json", [chat])])
    shown = messages.list_messages(_session_of("openwebui", "ow-1"))
    assert [m.content for m in shown] == ["Hi", "One"]
    assert shown[1].version_count == 2


def test_ratings_go_through_learning_only_when_asked(store: Path, tmp_path: Path) -> None:
    feedback = [{"conversation_id": "c1", "message_id": "c1-0-assistant", "rating": "thumbsDown"}]
    archive = write_zip(
        tmp_path / "a.zip",
        {"conversations.json": [gpt_linear("c1", 1)], "message_feedback.json": feedback},
    )
    import_exports([archive])
    session_id = _session_of("chatgpt", "c1")
    reply = messages.list_messages(session_id)[-1]
    assert reply.feedback is not None
    assert reply.feedback.rating == -1
    assert reply.feedback.created_at < 1_700_001_000  # the export's time: stored, not learned

    other = write_zip(
        tmp_path / "b.zip",
        {
            "conversations.json": [gpt_linear("c2", 1)],
            "message_feedback.json": [
                dict(feedback[0], conversation_id="c2", message_id="c2-0-assistant")
            ],
        },
    )
    import_exports([other], learn_from_ratings=True)
    learned = messages.list_messages(_session_of("chatgpt", "c2"))[-1].feedback
    assert learned is not None
    assert learned.rating == -1
    # Given again through the learning service (which moves weights as the rule says:
    # an untagged thumbs down only decays toward the baseline).
    assert learned.created_at > 1_700_001_000


def test_has_ratings_finds_message_feedback(tmp_path: Path) -> None:
    from desktop_agent.services.export_files import has_ratings

    rated = write_zip(
        tmp_path / "rated.zip",
        {"conversations.json": [gpt_linear("c", 1)], "message_feedback.json": []},
    )
    plain = write_zip(tmp_path / "plain.zip", {"conversations.json": [gpt_linear("c", 1)]})
    assert has_ratings([rated])
    assert not has_ratings([plain])
    folder = tmp_path / "unzipped"
    folder.mkdir()
    part = write_json(folder / "conversations.json", [gpt_linear("c", 1)])
    assert not has_ratings([part])
    write_json(folder / "message_feedback.json", [])
    assert has_ratings([part])


def _fts_matches_messages() -> None:
    """FTS5's integrity check, comparing the index with the message table itself (rank 1:
    the plain form checks only the index's own structure and passes on an empty index)."""
    database.execute_sql(
        "INSERT INTO message_fts (message_fts, rank) VALUES ('integrity-check', 1)"
    )


def test_imported_messages_are_searchable_and_the_index_stays_exact(
    store: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = write_json(
        tmp_path / "first.json",
        [gpt_linear("c1", 2, words="zeppelin"), gpt_linear("c2", 1, words="quasar")],
    )
    import_exports([first])
    _fts_matches_messages()
    c1 = _session_of("chatgpt", "c1")
    assert len(search_messages("zeppelin", limit=100)) == 4
    assert {hit.session_id for hit in search_messages("quasar")} == {_session_of("chatgpt", "c2")}

    # A re-import that grows c1 indexes the new turn only, once.
    import_exports([write_json(tmp_path / "grown.json", [gpt_linear("c1", 3, words="zeppelin")])])
    _fts_matches_messages()
    hits = search_messages("zeppelin", limit=100)
    assert len(hits) == 6
    assert {hit.session_id for hit in hits} == {c1}
    assert len(search_messages("turn 2 zeppelin")) == 2  # the new turn, user and reply

    # A cancelled import leaves no index entry for the conversations it dropped.
    monkeypatch.setattr(importing, "BATCH_MESSAGES", 1)
    later = write_json(
        tmp_path / "later.json", [gpt_linear(f"n{i}", 2, words="nebula") for i in range(5)]
    )
    written: list[int] = []
    report = import_exports(
        [later],
        progress=lambda p: written.append(p.conversations),
        cancelled=lambda: len(written) >= 2,
    )
    assert report.cancelled
    _fts_matches_messages()
    kept = {_session_of("chatgpt", f"n{i}") for i in range(2)}
    nebula = search_messages("nebula", limit=100)
    assert len(nebula) == 8
    assert {hit.session_id for hit in nebula} == kept


def test_a_conversation_the_database_refuses_leaves_nothing_behind(
    store: Path, tmp_path: Path
) -> None:
    # A real constraint of the real database, refusing one message's row mid-transaction.
    database.execute_sql(
        "CREATE TRIGGER refuse_poison BEFORE INSERT ON message WHEN new.content LIKE '%poison%'"
        " BEGIN SELECT RAISE(ABORT, 'poison refused'); END"
    )
    path = write_json(
        tmp_path / "conversations.json",
        [
            gpt_linear("c1", 1, words="alpha"),
            gpt_linear("c2", 2, words="poison"),
            gpt_linear("c3", 1, words="omega"),
        ],
    )
    report = import_exports([path])
    assert [c.outcome for c in report.conversations] == ["new", "skipped", "new"]
    assert "poison refused" in report.conversations[1].reason
    assert import_sources.find_session("chatgpt", "c2") is None
    c3 = messages.list_messages(_session_of("chatgpt", "c3"))
    assert [m.content for m in c3] == ["user turn 0 omega", "assistant turn 0 omega"]
    assert database.execute_sql("SELECT COUNT(*) FROM message").fetchone()[0] == 4
    _fts_matches_messages()
    assert search_messages("poison") == []


def test_text_the_engine_cannot_hold_skips_that_conversation_only(
    store: Path, tmp_path: Path
) -> None:
    # PostgreSQL refuses the NUL character in text (SQLite keeps it): on a team store the
    # conversation is skipped with the server's reason and the others are imported.
    path = write_json(
        tmp_path / "conversations.json",
        [
            gpt_linear("c1", 1, words="alpha"),
            gpt_linear("c2", 1, words="nul\x00here"),
            gpt_linear("c3", 1, words="omega"),
        ],
    )
    report = import_exports([path])
    outcomes = [c.outcome for c in report.conversations]
    if not engine.is_postgres():
        assert outcomes == ["new", "new", "new"]
        return
    assert outcomes == ["new", "skipped", "new"]
    assert "NUL" in report.conversations[1].reason
    assert import_sources.find_session("chatgpt", "c2") is None
    c3 = messages.list_messages(_session_of("chatgpt", "c3"))
    assert [m.content for m in c3] == ["user turn 0 omega", "assistant turn 0 omega"]
