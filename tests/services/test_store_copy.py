"""`store copy`: a data dir's SQLite store into a real team store and back into a fresh
data dir, with every session's export unchanged, and re-runs that copy nothing twice."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from desktop_agent.services import experiments, learning
from desktop_agent.services.importing import import_exports
from desktop_agent.services.sessions import start_session
from desktop_agent.services.store_copy import copy_from_team, copy_to_team
from desktop_agent.services.transfer import export_session
from desktop_agent.store import (
    agents,
    compactions,
    engine,
    messages,
    sessions,
    snapshots,
    versions,
)
from desktop_agent.store.db import close_database, open_database
from desktop_agent.store.errors import StoreError
from desktop_agent.store.team import open_team_store
from desktop_agent.store.weights import Owner, list_weight_events, set_weights
from tests.support.export_fixtures import gpt_branched, write_json
from tests.support.postgres import TeamStore

pytestmark = pytest.mark.slow


def _fill(tmp_path: Path) -> None:
    """Every kind of thing a copy must keep: versions and branches, feedback with tags,
    a compaction, weight events, learned weights, an import, a pin and the trash."""
    agents.create_agent("tutor", system_prompt="Teach.", baseline={"verbosity": 0.7})
    tents = sessions.create_session(title="Tents")
    sessions.set_goal(tents.id, "pick a tent")
    set_weights(Owner.session(tents.id), {"verbosity": 0.3})
    question = messages.append_message(tents.id, "user", "Which tent?", created_at=1.7e9)
    first = messages.append_message(tents.id, "assistant", "The big one.", created_at=1.7e9 + 1)
    learning.give_feedback(first.id, -1, ["too_short"])
    second = versions.start_regeneration(first.id)
    messages.finish_message(second.id, "The light one, because…", "complete")
    messages.set_feedback(second.id, 1, ["want_suggestions"])
    edited = versions.edit_user_message(question.id, "Which tent for two?")
    messages.append_message(tents.id, "assistant", "A two-person dome.")
    compactions.add_compaction(tents.id, 0, edited.id, "asked about tents", "fast")
    versions.switch_version(question.id)
    sessions.set_pinned(tents.id, True)

    lesson = sessions.create_session(agent="tutor", title="Fractions")
    messages.append_message(lesson.id, "user", "What is 1/2 + 1/3?")
    messages.append_message(lesson.id, "assistant", "5/6")
    old = sessions.create_session(title="Old")
    messages.append_message(old.id, "user", "forget me not")
    sessions.trash_session(old.id)
    import_exports([write_json(tmp_path / "chatgpt.json", [gpt_branched()])])
    base = snapshots.save_snapshot(
        name="calm", agent_name="tutor", weights={"verbosity": 0.2}, learning_rate=0.1, decay=0
    )
    snapshots.save_snapshot(
        name="calmer",
        agent_name="tutor",
        weights={"verbosity": 0.1},
        learning_rate=0.1,
        decay=0,
        parent_id=base.id,
        notes="after the lesson",
    )


def _exports() -> dict[str, bytes]:
    ids = [s.id for t in (False, True) for s in sessions.list_sessions(trashed=t, limit=1000)]
    return {session_id: export_session(session_id) for session_id in ids}


def _learned() -> dict[str, tuple[object, list[object], list[object]]]:
    """Per agent: the local user's learned weights, their weight events, the snapshots."""
    user = agents.get_user("local")
    return {
        a.name: (
            agents.learned_weights(user.id, a.id),
            [
                (e.weight, e.old, e.new, e.cause, e.created_at)
                for e in list_weight_events(Owner.user(user.id, a.id))
            ],
            list(snapshots.list_snapshots(agent_name=a.name)),
        )
        for a in agents.list_agents()
    }


def test_copy_to_a_team_store_again_and_back_into_a_fresh_data_dir(
    store: Path, tmp_path: Path, team_store: TeamStore
) -> None:
    _fill(tmp_path)
    before = _exports()
    learned = _learned()
    assert learned[agents.DEFAULT_AGENT][1]  # feedback moved the user's weights
    trashed = {s.id for s in sessions.list_sessions(trashed=True)}
    pinned = {s.id for s in sessions.list_sessions() if s.pinned}
    url = team_store.url("alice")

    report = copy_to_team(url, progress=lambda done, total: None)
    assert report.failed == []
    assert sorted(report.copied) == sorted(before)
    assert report.agents_created == ["tutor"]  # the default agent is there already
    assert report.learned_copied == [agents.DEFAULT_AGENT]
    assert len(report.snapshots_copied) == 2
    # The copies are alice's: bob sees none of them, alice all of their messages.
    assert team_store.sql("SELECT count(*) FROM session", "bob") == [(0,)]
    assert team_store.sql("SELECT DISTINCT owner FROM session", "alice") == [("alice",)]
    stored = team_store.sql("SELECT count(*) FROM message", "alice")[0][0]
    assert stored == sum(len(json.loads(raw)["session"]["messages"]) for raw in before.values())

    again = copy_to_team(url)
    assert again.copied == []
    assert again.agents_created == []
    assert again.learned_copied == []
    assert again.snapshots_copied == []
    assert sorted(again.unchanged) == sorted(before)
    assert team_store.sql("SELECT count(*) FROM message", "alice") == [(stored,)]

    # Back into a fresh data dir: the same documents, the pin, the trash, the learning.
    close_database()
    open_database(tmp_path / "fresh" / "store.sqlite3")
    agents.ensure_defaults()
    back = copy_from_team(url)
    assert back.failed == []
    assert sorted(back.copied) == sorted(before)
    assert _exports() == before
    assert {s.id for s in sessions.list_sessions(trashed=True)} == trashed
    assert {s.id for s in sessions.list_sessions() if s.pinned} == pinned
    assert _learned() == learned
    assert copy_from_team(url).copied == []


def test_an_unreachable_server_is_named_and_nothing_changes(store: Path, tmp_path: Path) -> None:
    _fill(tmp_path)
    before = _exports()
    with pytest.raises(StoreError, match=r"127\.0\.0\.1:1/team"):
        copy_to_team("postgresql://alice@127.0.0.1:1/team")
    with pytest.raises(StoreError, match=r"127\.0\.0\.1:1/team"):
        copy_from_team("postgresql://alice@127.0.0.1:1/team")
    assert _exports() == before  # and the SQLite store is bound again


def _experiments_with_rated_sessions() -> tuple[str, str]:
    """A stopped and a running experiment of agent tutor; two sessions of the local user
    in their arm of the running one, with rated replies. Returns (stopped id, running id)."""
    agents.create_agent("tutor")
    arms = [
        snapshots.save_snapshot(
            name=name, agent_name="tutor", weights={"verbosity": v}, learning_rate=0.1, decay=0
        )
        for name, v in (("terse", 0.1), ("chatty", 0.9))
    ]
    a, b = arms[0].id, arms[1].id
    old = experiments.create_experiment(name="first try", agent="tutor", snapshot_a=a, snapshot_b=b)
    experiments.stop("first try")
    running = experiments.create_experiment(
        name="length", agent="tutor", snapshot_a=a, snapshot_b=b, split=0.4
    )
    for ratings in ((1, 1, -1), (-1,)):
        session = start_session(agent="tutor")
        assert session.experiment_id == running.id
        messages.append_message(session.id, "user", "Explain fractions.")
        for rating in ratings:
            reply = messages.append_message(session.id, "assistant", "Halves and thirds.")
            messages.set_feedback(reply.id, rating)
    return old.id, running.id


def _report_in(url: str) -> dict[str, object]:
    open_team_store(url)
    try:
        return experiments.report("length").to_json()
    finally:
        engine.use_sqlite()


def test_experiments_go_to_the_team_store_and_back_with_arms_and_ratings(
    store: Path, tmp_path: Path, team_store: TeamStore
) -> None:
    stopped, running = _experiments_with_rated_sessions()
    before = experiments.report("length").to_json()
    assert before["arms"]["a" if before["arms"]["a"]["sessions"] else "b"]["rated"] == 4  # type: ignore[index]
    listed = {e.id: e for e in experiments.list_experiments()}
    url = team_store.url("alice")

    report = copy_to_team(url)
    assert report.failed == []
    assert report.experiments_failed == []
    assert report.experiments_copied == [stopped, running]  # oldest first
    assert report.assignments_copied == [running]
    assert len(report.snapshots_copied) == 2  # the arms, before the experiments
    # The team store's report counts the copied sessions, their ratings and the arm.
    assert _report_in(url) == before
    assert team_store.sql("SELECT created_by FROM experiment", "bob") == [("alice",)] * 2

    again = copy_to_team(url)
    assert again.experiments_copied == []
    assert again.assignments_copied == []
    assert again.experiments_unchanged == [stopped, running]
    assert not again.copied_anything
    assert team_store.sql("SELECT count(*) FROM experiment_assignment", "alice") == [(1,)]

    close_database()
    open_database(tmp_path / "fresh" / "store.sqlite3")
    agents.ensure_defaults()
    back = copy_from_team(url)
    assert back.experiments_copied == [stopped, running]
    assert back.assignments_copied == [running]
    assert {e.id: e for e in experiments.list_experiments()} == {
        i: replace(e, agent_id=agents.get_agent("tutor").id) for i, e in listed.items()
    }
    assert experiments.report("length").to_json() == before
    twice = copy_from_team(url)
    assert twice.experiments_unchanged == [stopped, running]
    assert not twice.copied_anything
    # Stopped here since: left as it is here, reported as kept.
    experiments.stop("length")
    kept = copy_from_team(url)
    assert kept.experiments_kept == [running]
    assert kept.experiments_unchanged == [stopped]
    assert experiments.list_experiments()[0].status == "stopped"


def test_an_experiment_that_cannot_go_there_is_named_and_its_sessions_still_go(
    store: Path, team_store: TeamStore
) -> None:
    _, running = _experiments_with_rated_sessions()
    url = team_store.url("alice")
    # On the team store, bob already runs an experiment with agent tutor.
    open_team_store(team_store.url("bob"))
    agents.ensure_defaults()
    agents.create_agent("tutor")
    mine = snapshots.save_snapshot(
        name="bob's", agent_name="tutor", weights={"verbosity": 0.5}, learning_rate=0.1, decay=0
    )
    other = snapshots.save_snapshot(
        name="bob's 2", agent_name="tutor", weights={"verbosity": 0.6}, learning_rate=0.1, decay=0
    )
    experiments.create_experiment(
        name="bob's test", agent="tutor", snapshot_a=mine.id, snapshot_b=other.id
    )
    engine.use_sqlite()

    report = copy_to_team(url)
    assert report.experiments_failed == [
        (
            running,
            "'length': agent 'tutor' already runs experiment \"bob's test\" there; stop one "
            "of them and copy again",
        )
    ]
    assert len(report.experiments_copied) == 1  # the stopped one
    assert report.assignments_copied == []
    assert len(report.copied) == 2
    assert report.failed == []
    assert report.any_failed
    assert report.to_json()["experiments_failed"] == [
        {"experiment_id": running, "reason": report.experiments_failed[0][1]}
    ]
