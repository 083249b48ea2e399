"""Snapshot services on a real store: validation figures from recorded feedback, lineage,
applying as weight events, export/import that checks everything first, read-only what-if,
live replay and goal judging against the loopback provider."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from desktop_agent.config.settings import ValidationThresholds
from desktop_agent.domain.calibration import Thresholds
from desktop_agent.domain.compiler import DIRECTIVE_TEXTS
from desktop_agent.domain.errors import InvalidInputError
from desktop_agent.domain.stats import wilson_interval
from desktop_agent.domain.weights import DEFAULT_WEIGHTS
from desktop_agent.domain.whatif import WeightShift
from desktop_agent.services import snapshots
from desktop_agent.services.app_context import AppContext
from desktop_agent.services.chat import ChatService
from desktop_agent.store import agents, sessions
from desktop_agent.store import snapshots as snap_store
from desktop_agent.store.errors import ConflictError
from desktop_agent.store.weights import Owner, current_weights, list_weight_events, set_weights
from tests.support.examples import examples
from tests.support.fake_openai import Error, FakeOpenAIServer, Reply
from tests.support.snapshot_data import dump, rated_session

LOW = {"verbosity": 0.1, "formality": 0.2, "autonomy": 0.3, "initiative": 0.4}


def agent_owner(name: str = "assistant") -> Owner:
    return Owner.agent(agents.get_agent(name).id)


def test_thresholds_come_from_settings() -> None:
    custom = ValidationThresholds(min_rated_turns=3, max_instability=0.05)
    assert snapshots.thresholds_from(custom) == Thresholds(min_rated_turns=3, max_instability=0.05)
    assert snapshots.thresholds_from(None) == Thresholds()


def test_session_snapshot_is_validated_on_that_session_only(store: Path) -> None:
    session_id = rated_session([(1, ()), (1, ()), (1, ()), (-1, ("too_long",))])
    rated_session([(-1, ())] * 5)  # another session of the same user and agent
    record = snapshots.save_snapshot(Owner.session(session_id), "mine", notes="why")
    assert record.source_session_id == session_id
    assert record.notes == "why"
    validation = record.validation
    assert validation is not None
    metrics = validation["metrics"]
    assert isinstance(metrics, dict)
    assert (metrics["rated_turns"], metrics["upvotes"], metrics["downvotes"]) == (4, 3, 1)
    assert metrics["approval"] == 0.75
    assert (metrics["approval_ci_low"], metrics["approval_ci_high"]) == wilson_interval(3, 4)
    # The session still has the weights the criticised reply had: too_long not followed.
    assert (metrics["tagged_feedback"], metrics["agreement"]) == (1, 0.0)
    assert validation["verdict"] == "warn"  # 4 rated < 5
    assert validation["basis"] == {
        "scope": "session",
        "agent": "assistant",
        "user": "local",
        "session_id": session_id,
        "sessions": 1,
    }


def test_user_and_agent_snapshots_read_their_sessions(store: Path) -> None:
    rated_session([(1, ())] * 3, user="ann")
    rated_session([(1, ())] * 2, user="ann")
    rated_session([(-1, ())] * 4, user="bob")
    trashed = rated_session([(-1, ())] * 7, user="ann")
    sessions.trash_session(trashed)
    ann = agents.get_user("ann")
    user_report = snapshots.validate_owner(Owner.user(ann.id, agents.get_agent("assistant").id))
    assert user_report.report.metrics.rated_turns == 5
    assert user_report.basis["sessions"] == 2
    agent_report = snapshots.validate_owner(agent_owner())
    assert agent_report.report.metrics.rated_turns == 9
    assert agent_report.report.metrics.upvotes == 5


def test_enough_bad_feedback_fails(store: Path) -> None:
    session_id = rated_session([(1, ())] * 2 + [(-1, ())] * 8)
    result = snapshots.validate_owner(Owner.session(session_id))
    assert result.verdict == "fail"
    assert result.report.reasons[0].startswith("approval is too low")


def test_stability_comes_from_the_owners_weight_events(store: Path) -> None:
    owner = agent_owner()
    set_weights(owner, {"verbosity": 0.9})
    set_weights(owner, {"verbosity": 0.6})
    states = snapshots.recent_weights(owner)
    assert [s["verbosity"] for s in states] == [0.5, 0.9, 0.6]
    result = snapshots.validate_owner(owner)
    assert result.report.metrics.stability == pytest.approx(0.4)
    assert any("still moving" in r for r in result.report.reasons)
    assert [s["verbosity"] for s in snapshots.recent_weights(owner, turns=2)] == [0.9, 0.6]


def test_goal_progress_is_the_mean_of_judged_goals(store: Path) -> None:
    first = rated_session([(1, ())])
    second = rated_session([(1, ())])
    rated_session([(1, ())])
    sessions.set_goal(first, "ship it", 0.2)
    sessions.set_goal(second, "write docs", 0.6)
    metrics = snapshots.validate_owner(agent_owner()).report.metrics
    assert metrics.goal_progress == pytest.approx(0.4)
    assert snapshots.validate_owner(Owner.session(first)).report.metrics.goal_progress == 0.2


def test_revalidation_uses_the_recorded_basis(store: Path) -> None:
    session_id = rated_session([(1, ())] * 5)
    record = snapshots.save_snapshot(Owner.session(session_id), "s")
    assert record.validation is not None
    assert record.validation["verdict"] == "warn"  # 5/5: lower bound 0.57 < 0.65
    rated_session([(-1, ())] * 20)  # other sessions do not count for a session snapshot
    session = sessions.get_session(session_id)
    for index in range(15):
        from desktop_agent.store import messages

        reply = messages.append_message(
            session_id, "assistant", f"more {index}", weights=session.weights
        )
        messages.set_feedback(reply.id, 1)
    again = snapshots.validate_snapshot(snap_store.get_snapshot(record.id))
    assert again.report.metrics.rated_turns == 20
    assert again.verdict == "pass"


def test_snapshot_of_an_unknown_agent_validates_without_feedback(store: Path) -> None:
    record = snap_store.save_snapshot(
        name="x", agent_name="ghost", weights=DEFAULT_WEIGHTS, learning_rate=0.1, decay=0.0
    )
    # Saved without a report: nothing to show until it is validated.
    assert (snapshots.stored_verdict(record), snapshots.stored_reasons(record)) == (None, ())
    result = snapshots.validate_snapshot(record)
    assert result.report.metrics.rated_turns == 0
    assert "does not exist here" in result.notes[0]


# -- lineage and apply


def test_apply_records_snapshot_events_and_lineage(store: Path) -> None:
    base = snapshots.save_snapshot(agent_owner(), "base")
    session_id = rated_session([])
    session_owner = Owner.session(session_id)
    set_weights(session_owner, LOW)
    events = snapshots.apply_snapshot(base.id, session_owner)
    assert {e.cause for e in events} == {f"snapshot:{base.id}"}
    assert current_weights(session_owner) == dict(DEFAULT_WEIGHTS)
    set_weights(session_owner, {"verbosity": 0.8})  # learning after the apply keeps the parent
    child = snapshots.save_snapshot(session_owner, "child")
    assert child.parent_id == base.id
    assert snapshots.save_snapshot(agent_owner(), "no parent").parent_id is None


def test_applying_to_an_agent_sets_baseline_and_plasticity(store: Path) -> None:
    record = snap_store.save_snapshot(
        name="p",
        agent_name="assistant",
        weights={**DEFAULT_WEIGHTS, **LOW},
        learning_rate=0.3,
        decay=0.1,
    )
    snapshots.apply_snapshot(record.id, agent_owner())
    agent = agents.get_agent("assistant")
    assert agent.baseline == {**DEFAULT_WEIGHTS, **LOW}
    assert (agent.learning_rate, agent.decay) == (0.3, 0.1)
    assert list_weight_events(agent_owner())[-1].cause == f"snapshot:{record.id}"


def test_a_failing_snapshot_needs_force_for_agents_and_users(store: Path) -> None:
    session_id = rated_session([(-1, ())] * 10)
    set_weights(Owner.session(session_id), LOW)
    failing = snapshots.save_snapshot(Owner.session(session_id), "bad")
    assert snapshots.stored_verdict(failing) == "fail"
    reasons = snapshots.stored_reasons(failing)
    assert reasons
    assert reasons[0].startswith("approval is too low")
    user_owner = Owner.user(agents.get_user("local").id, agents.get_agent("assistant").id)
    before = (current_weights(agent_owner()), current_weights(user_owner))
    for owner in (agent_owner(), user_owner):
        with pytest.raises(ConflictError, match="needs --force"):
            snapshots.apply_snapshot(failing.id, owner)
    assert (current_weights(agent_owner()), current_weights(user_owner)) == before
    other_session = Owner.session(rated_session([]))
    assert snapshots.apply_snapshot(failing.id, other_session)  # sessions may try it
    assert snapshots.apply_snapshot(failing.id, agent_owner(), force=True)
    assert current_weights(agent_owner())["verbosity"] == 0.1


def test_a_snapshot_applies_only_to_its_agent(store: Path) -> None:
    agents.create_agent("support")
    record = snapshots.save_snapshot(agent_owner(), "mine")
    with pytest.raises(InvalidInputError, match="belongs to agent 'assistant'"):
        snapshots.apply_snapshot(record.id, agent_owner("support"))


# -- export and import


def test_export_then_import_gets_a_new_id_on_clash(store: Path) -> None:
    set_weights(agent_owner(), LOW)
    record = snapshots.save_snapshot(agent_owner(), "exported", notes="n")
    raw = snapshots.export_snapshot(record.id)
    result = snapshots.import_snapshot_file(raw)
    assert result.snapshot.id != record.id
    assert "already used" in result.notes[0]
    imported = snap_store.get_snapshot(result.snapshot.id)
    assert imported.weights == record.weights
    assert imported.validation is not None
    assert record.validation is not None
    assert imported.validation["file_report"] == record.validation  # the claim, kept
    assert imported.validation["verdict"] == record.validation["verdict"]  # same store
    assert (imported.name, imported.notes, imported.created_at) == (
        "exported",
        "n",
        record.created_at,
    )


def test_bare_weights_take_the_agent_baseline(store: Path) -> None:
    agents.create_agent("support", baseline={**DEFAULT_WEIGHTS, "formality": 0.9})
    result = snapshots.import_snapshot_file(b'{"autonomy": 0.8}', agent="support", name="b")
    record = snap_store.get_snapshot(result.snapshot.id)
    assert record.weights == {**DEFAULT_WEIGHTS, "formality": 0.9, "autonomy": 0.8}
    assert record.agent_name == "support"
    assert record.name == "b"
    assert result.changes == (WeightShift("autonomy", 0.5, 0.8),)
    assert record.validation is not None  # validated locally before storing


def test_dry_run_changes_nothing(store: Path) -> None:
    before = dump(store)
    result = snapshots.import_snapshot_file(b'{"verbosity": 0.1}', dry_run=True)
    assert result.dry_run
    assert result.changes == (WeightShift("verbosity", 0.5, 0.1),)
    assert dump(store) == before


def test_envelope_for_an_unknown_agent_needs_agent_option(store: Path) -> None:
    agents.create_agent("support")
    record = snapshots.save_snapshot(agent_owner("support"), "s")
    raw = snapshots.export_snapshot(record.id)
    text = raw.decode().replace('"agent": "support"', '"agent": "elsewhere"')
    body = json.loads(text)["snapshot"]
    from desktop_agent.domain.canonical import sha256_hex

    doc = {**json.loads(text), "sha256": sha256_hex(body)}
    before = dump(store)
    with pytest.raises(InvalidInputError, match="agent 'elsewhere' does not exist here"):
        snapshots.import_snapshot_file(json.dumps(doc).encode())
    assert dump(store) == before
    result = snapshots.import_snapshot_file(json.dumps(doc).encode(), agent="assistant")
    assert result.snapshot.agent == "assistant"


BAD_FILES = {
    b"": "file is empty",
    b"\xff\xfe": "not valid UTF-8",
    b"[1, 2]": "got a JSON list",
    b'{"verbosity": 2}': "must be between 0 and 1",
    b'{"loudness": 0.5}': "unknown weight 'loudness'",
    b'{"verbosity": NaN}': "not a number JSON allows",
    b'{"format": "desktop-agent/session"}': "expected 'desktop-agent/weights-snapshot'",
    b"{": "invalid JSON",
    b"{}": "weights object is empty",
    b"[" * 5000 + b"]" * 5000: "nested too deeply",
    b" " * (1024 * 1024 + 1): "1 MiB",
}


@pytest.mark.parametrize(
    ("raw", "message"), list(BAD_FILES.items()), ids=list(range(len(BAD_FILES)))
)
def test_bad_files_are_refused_and_change_nothing(store: Path, raw: bytes, message: str) -> None:
    before = dump(store)
    with pytest.raises(InvalidInputError, match=message):
        snapshots.import_snapshot_file(raw)
    assert dump(store) == before


def test_a_tampered_file_fails_its_checksum(store: Path) -> None:
    record = snapshots.save_snapshot(agent_owner(), "t")
    raw = snapshots.export_snapshot(record.id).replace(b'"verbosity": 0.5', b'"verbosity": 0.4')
    before = dump(store)
    with pytest.raises(InvalidInputError, match="checksum mismatch"):
        snapshots.import_snapshot_file(raw)
    assert dump(store) == before


def _mutations(seed: bytes) -> st.SearchStrategy[bytes]:
    """Damaged copies of a valid file: flipped, cut, spliced and repeated bytes."""
    positions = st.integers(0, len(seed) - 1)
    flipped = st.tuples(positions, st.integers(0, 255)).map(
        lambda p: seed[: p[0]] + bytes([p[1]]) + seed[p[0] + 1 :]
    )
    cut = positions.map(lambda p: seed[:p])
    spliced = st.tuples(positions, st.binary(max_size=40)).map(
        lambda p: seed[: p[0]] + p[1] + seed[p[0] :]
    )
    return st.one_of(flipped, cut, spliced, st.binary(max_size=200))


def _json_values() -> st.SearchStrategy[object]:
    leaves = st.one_of(
        st.none(), st.booleans(), st.floats(allow_nan=False), st.integers(), st.text(max_size=20)
    )
    return st.recursive(
        leaves,
        lambda inner: (
            st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4)
        ),
        max_leaves=12,
    )


@pytest.mark.slow
def test_fuzzed_files_never_crash_or_change_the_store_when_refused(store: Path) -> None:
    seed = snapshots.export_snapshot(snapshots.save_snapshot(agent_owner(), "seed").id)
    generated = st.one_of(
        _mutations(seed),
        _json_values().map(lambda v: json.dumps(v).encode()),
        st.dictionaries(
            st.sampled_from([*DEFAULT_WEIGHTS, "format", "x"]), _json_values(), max_size=6
        ).map(lambda v: json.dumps(v).encode()),
    )
    state = {"dump": dump(store)}

    @settings(
        max_examples=examples(ci=10_000, dev=200),
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(generated)
    def check(raw: bytes) -> None:
        try:
            snapshots.import_snapshot_file(raw)
        except InvalidInputError as exc:
            refused = str(exc)
        else:
            state["dump"] = dump(store)  # a valid file was imported: the new baseline
            return
        assert refused.startswith("snapshot file: "), refused
        assert dump(store) == state["dump"]

    check()


# -- what-if, replay, goal judging


def test_whatif_reports_changes_request_diff_and_predictions_read_only(
    chat_app: AppContext,
) -> None:
    session_id = rated_session([(1, ()), (-1, ("too_long",)), (-1, ())])
    service = chat_app.chat_service()
    before = dump(chat_app.database_path)
    result = snapshots.whatif_session({"verbosity": 0.1}, session_id, service)
    service.close()
    assert dump(chat_app.database_path) == before
    assert result.session_id == session_id
    assert result.changes == (WeightShift("verbosity", 0.5, 0.1),)
    assert result.request_diff.removed == ()  # the neutral band had no directive
    assert result.request_diff.added == (DIRECTIVE_TEXTS["verbosity"][0],)
    assert "max_tokens" in result.request_diff.parameters
    predicted = result.predicted
    assert (predicted.rated_turns, predicted.addressed, predicted.upvotes_at_risk) == (3, 1, 1)
    assert predicted.predicted_approval == pytest.approx(1 / 3)
    document = result.to_json()
    assert document["changes"] == [{"weight": "verbosity", "from": 0.5, "to": 0.1}]
    assert document["predicted"] == predicted.to_json()


def test_live_replay_asks_again_without_touching_the_session(
    chat_app: AppContext, fake_openai: FakeOpenAIServer
) -> None:
    session_id = rated_session([(1, ()), (1, ()), (-1, ())])
    service = chat_app.chat_service()
    before = dump(chat_app.database_path)
    fake_openai.push(Reply("new answer 1"), Reply("new answer 2"))
    replay = snapshots.live_replay({"verbosity": 0.0}, session_id, 2, service)
    service.close()
    assert dump(chat_app.database_path) == before
    assert [(r.user, r.original, r.candidate) for r in replay] == [
        ("question 1", "answer 1", "new answer 1"),
        ("question 2", "answer 2", "new answer 2"),
    ]
    first, second = (r.body for r in fake_openai.chat_requests)
    assert DIRECTIVE_TEXTS["verbosity"][0] in first["messages"][0]["content"]
    # The directive is repeated right before the reply.
    reminder = {"role": "system", "content": DIRECTIVE_TEXTS["verbosity"][0]}
    assert first["messages"][-2:] == [{"role": "user", "content": "question 1"}, reminder]
    assert [m["content"] for m in second["messages"][1:-1]] == [
        "question 0",
        "answer 0",
        "question 1",
        "answer 1",
        "question 2",
    ]
    assert second["messages"][-1] == reminder
    assert snapshots.live_replay({}, session_id, 0, chat_app.chat_service()) == []


@pytest.mark.parametrize(
    ("answer", "expected"),
    [("0.7", 0.7), ("About 40% there.", 0.4), ("1", 1.0), ("banana", None), ("7", None)],
)
def test_judge_goal_parses_the_fast_models_answer(
    chat_app: AppContext, fake_openai: FakeOpenAIServer, answer: str, expected: float | None
) -> None:
    session_id = rated_session([(1, ())])
    sessions.set_goal(session_id, "finish the report", 0.1)
    service = chat_app.chat_service()
    fake_openai.push(Reply(answer))
    progress, note = snapshots.judge_goal(session_id, service)
    service.close()
    assert progress == expected
    stored = sessions.get_session(session_id).goal_progress
    assert stored == (0.1 if expected is None else expected)
    assert ("left unset" in note) == (expected is None)
    assert fake_openai.chat_requests[0].body["model"] == "fake-fast-model"


def test_judge_goal_survives_provider_errors_and_missing_goals(
    chat_app: AppContext, fake_openai: FakeOpenAIServer
) -> None:
    session_id = rated_session([])
    service: ChatService = chat_app.chat_service()
    assert snapshots.judge_goal(session_id, service) == (None, "this session has no goal to judge")
    sessions.set_goal(session_id, "goal")
    fake_openai.push(Error(500, "boom"))
    progress, note = snapshots.judge_goal(session_id, service)
    service.close()
    assert progress is None
    assert "could not judge the goal" in note
    assert sessions.get_session(session_id).goal_progress is None


def test_a_files_claimed_verdict_does_not_unlock_applying(store: Path) -> None:
    rated_session([(-1, ())] * 12)  # this store's feedback on the agent is bad
    forged = json.loads(
        snapshots.export_snapshot(snapshots.save_snapshot(agent_owner(), "honest").id)
    )
    assert forged["snapshot"]["validation"]["verdict"] == "fail"
    body = dict(forged["snapshot"], id="0f0f0f0f-0000-4000-8000-000000000000", name="forged")
    body["validation"] = {"verdict": "pass", "reasons": [], "metrics": {}}
    from desktop_agent.domain.snapshot_file import SnapshotData, dump_snapshot_file

    data = SnapshotData(
        id=body["id"],
        name=body["name"],
        agent=body["agent"],
        weights=body["weights"],
        learning_rate=body["plasticity"]["learning_rate"],
        decay=body["plasticity"]["decay"],
        created_at=body["created_at"],
        parent_id=None,
        source_session_id=None,
        validation=body["validation"],
        notes="",
    )
    result = snapshots.import_snapshot_file(dump_snapshot_file(data))
    stored = snap_store.get_snapshot(result.snapshot.id)
    assert stored.validation is not None
    assert stored.validation["verdict"] == "fail"  # validated here, not taken on trust
    file_report = stored.validation["file_report"]
    assert isinstance(file_report, dict)
    assert file_report["verdict"] == "pass"
    assert any("the file says 'pass'" in note for note in result.notes)
    with pytest.raises(ConflictError, match="--force"):
        snapshots.apply_snapshot(stored.id, agent_owner())
