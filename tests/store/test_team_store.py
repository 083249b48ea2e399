"""The PostgreSQL team store: opening, `store init`, schema versions, and that each
member's conversations are theirs alone — proved with raw SQL as other roles."""

from __future__ import annotations

import pytest

from desktop_agent.domain.errors import InvalidInputError
from desktop_agent.store import agents, experiments, messages, pg_schema, schema, sessions
from desktop_agent.store import snapshots as snapshot_store
from desktop_agent.store.db import StoreError, close_database
from desktop_agent.store.errors import ConflictError
from desktop_agent.store.search import search_messages
from desktop_agent.store.team import init_team_store, open_team_store, parse_store_url
from desktop_agent.store.weights import Owner, current_weights, set_weights
from tests.support.postgres import OWNER, PASSWORD, PASSWORD_ROLE, TeamStore

PRIVATE_TABLES = ("session", "message", "feedback", "weight_event", "learned_state")


def test_every_private_table_has_row_level_security(team_store: TeamStore) -> None:
    rows = team_store.sql(
        "SELECT relname FROM pg_class WHERE relkind = 'r' AND relnamespace ="
        " 'public'::regnamespace AND NOT relrowsecurity",
        OWNER,
    )
    assert {r[0] for r in rows} == {"desktop_agent_schema"}


def _as(team: TeamStore, role: str) -> None:
    close_database()
    open_team_store(team.url(role))
    agents.ensure_defaults()


def _alice_writes(team: TeamStore) -> tuple[str, int]:
    """Alice's session with a rated reply, learned weights and a weight event."""
    _as(team, "alice")
    session = sessions.create_session(title="Alice's plans")
    messages.append_message(session.id, "user", "my secret lighthouse plan")
    reply = messages.append_message(session.id, "assistant", "the lighthouse answer")
    messages.set_feedback(reply.id, 1, ["too_long"])
    set_weights(Owner.session(session.id), {"verbosity": 0.2})
    set_weights(
        Owner.user(agents.get_user("alice").id, agents.get_agent("assistant").id),
        {"formality": 0.9},
    )
    return session.id, reply.id


def test_every_sqlite_schema_version_has_its_postgresql_twin() -> None:
    assert [v for v, _ in pg_schema.MIGRATIONS] == [v for v, _ in schema.MIGRATIONS]


def test_a_url_with_a_password_or_without_a_role_is_refused() -> None:
    with pytest.raises(InvalidInputError, match="contains a password"):
        parse_store_url("postgresql://alice:hunter2@db.example:5432/team")
    with pytest.raises(InvalidInputError, match="needs a role"):
        parse_store_url("postgresql://db.example/team")
    with pytest.raises(InvalidInputError, match="starts with postgresql://"):
        parse_store_url("mysql://alice@db/team")
    address = parse_store_url("postgresql://alice@db.example:6543/team")
    assert (address.role, address.port, address.server) == ("alice", 6543, "db.example:6543/team")


def test_a_member_is_their_role_and_sees_their_rows_from_another_connection(
    team_store: TeamStore,
) -> None:
    _as(team_store, "alice")
    assert agents.default_user() == "alice"
    session = sessions.create_session()
    assert session.user_handle == "alice"
    reply = messages.append_message(session.id, "assistant", "", status="incomplete")
    messages.update_content(reply.id, "streamed so far")
    rows = team_store.sql("SELECT content, status FROM message WHERE id = %s", "alice", (reply.id,))
    assert rows == [("streamed so far", "incomplete")]
    messages.finish_message(reply.id, "streamed so far, and the end", "complete")
    rows = team_store.sql("SELECT content, status FROM message WHERE id = %s", "alice", (reply.id,))
    assert rows == [("streamed so far, and the end", "complete")]
    with pytest.raises(ConflictError, match="connected as 'alice'"):
        sessions.create_session(user="bob")


def test_another_member_reads_changes_and_deletes_nothing_of_alices(
    team_store: TeamStore,
) -> None:
    session_id, reply_id = _alice_writes(team_store)
    for table in PRIVATE_TABLES:
        assert team_store.sql(f"SELECT count(*) FROM {table}", "alice")[0][0] > 0, table
        assert team_store.sql(f"SELECT * FROM {table}", "bob") == [], table
    # Changing or deleting with raw SQL touches no row of hers.
    for statement in (
        "UPDATE session SET title = 'mine now'",
        "UPDATE message SET content = 'gone'",
        "DELETE FROM feedback",
        "DELETE FROM message",
        "DELETE FROM session",
        "DELETE FROM weight_event",
        "UPDATE learned_state SET weights = '{}'",
    ):
        team_store.sql(statement, "bob")
    assert team_store.sql("SELECT title FROM session", "alice") == [("Alice's plans",)]
    assert team_store.sql("SELECT count(*) FROM message", "alice") == [(2,)]
    assert team_store.sql("SELECT count(*) FROM feedback", "alice") == [(1,)]
    # Nor can bob slip rows into her session, or pose as her.
    psycopg = pytest.importorskip("psycopg")
    with pytest.raises(psycopg.errors.InsufficientPrivilege, match="row-level security"):
        team_store.sql(
            "INSERT INTO message (session_id, seq, role, content, status, created_at,"
            " updated_at) VALUES (%s, 9, 'user', 'injected', 'complete', 0, 0)",
            "bob",
            (session_id,),
        )
    with pytest.raises(psycopg.errors.InsufficientPrivilege, match="row-level security"):
        team_store.sql(
            "INSERT INTO feedback (message_id, rating, created_at) VALUES (%s, -1, 0)"
            " ON CONFLICT (message_id) DO UPDATE SET rating = -1",
            "bob",
            (reply_id,),
        )
    with pytest.raises(psycopg.errors.InsufficientPrivilege, match="row-level security"):
        team_store.sql(
            "INSERT INTO session (id, title, agent_id, user_id, created_at, updated_at,"
            " weights, owner) SELECT 'fake', 't', 1, id, 0, 0, '{}', 'alice'"
            " FROM user_profile WHERE handle = 'alice'",
            "bob",
        )
    # Search, even called directly, finds only the caller's own messages.
    assert team_store.sql("SELECT * FROM da_search('lighthouse', 50, NULL)", "bob") == []
    assert len(team_store.sql("SELECT * FROM da_search('lighthouse', 50, NULL)", "alice")) == 2


def test_through_the_app_bob_sees_only_his_own_conversations(team_store: TeamStore) -> None:
    alice_session, _ = _alice_writes(team_store)
    _as(team_store, "bob")
    own = sessions.create_session(title="Bob's")
    messages.append_message(own.id, "user", "bob's lighthouse question")
    assert [s.id for s in sessions.list_sessions()] == [own.id]
    assert [h.session_id for h in search_messages("lighthouse")] == [own.id]
    with pytest.raises(LookupError):
        sessions.get_session(alice_session)
    assert (
        current_weights(Owner.user(agents.get_user("bob").id, agents.get_agent("assistant").id))[
            "formality"
        ]
        == 0.5
    )


def test_shared_things_are_shared_and_changed_only_as_documented(
    team_store: TeamStore,
) -> None:
    _as(team_store, "alice")
    snap_a = snapshot_store.save_snapshot(
        name="a", agent_name="assistant", weights={"verbosity": 0.1}, learning_rate=0.1, decay=0
    )
    snap_b = snapshot_store.save_snapshot(
        name="b", agent_name="assistant", weights={"verbosity": 0.9}, learning_rate=0.1, decay=0
    )
    agent = agents.create_agent("helper")
    exp = experiments.create_experiment(
        name="trial", agent_id=agent.id, snapshot_a=snap_a.id, snapshot_b=snap_b.id, split=0.5
    )
    # Bob reads them all, may tune the shared agent, but not delete it, stop alice's
    # experiment, or change or delete her snapshots.
    assert {r[0] for r in team_store.sql("SELECT name FROM snapshot", "bob")} == {"a", "b"}
    assert team_store.sql("SELECT name FROM experiment", "bob") == [("trial",)]
    team_store.sql("UPDATE agent SET system_prompt = 'tuned' WHERE name = 'helper'", "bob")
    assert team_store.sql("SELECT system_prompt FROM agent WHERE name = 'helper'", "alice") == [
        ("tuned",)
    ]
    psycopg = pytest.importorskip("psycopg")
    with pytest.raises(psycopg.errors.InsufficientPrivilege, match="row-level security"):
        team_store.sql("UPDATE agent SET deleted_at = 1 WHERE name = 'helper'", "bob")
    team_store.sql("UPDATE experiment SET status = 'stopped'", "bob")
    team_store.sql("DELETE FROM snapshot", "bob")
    assert team_store.sql("SELECT status FROM experiment", "alice") == [("running",)]
    assert len(team_store.sql("SELECT id FROM snapshot", "alice")) == 2
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        team_store.sql("UPDATE snapshot SET weights = '{}'", "alice")  # immutable for all
    assert experiments.get_experiment("trial").id == exp.id


def test_the_experiment_report_counts_every_members_sessions(team_store: TeamStore) -> None:
    from desktop_agent.services import experiments as experiment_service
    from desktop_agent.services.sessions import start_session

    _as(team_store, "alice")
    a = snapshot_store.save_snapshot(
        name="a", agent_name="assistant", weights={"verbosity": 0.1}, learning_rate=0.1, decay=0
    )
    b = snapshot_store.save_snapshot(
        name="b", agent_name="assistant", weights={"verbosity": 0.9}, learning_rate=0.1, decay=0
    )
    experiment_service.create_experiment(
        name="t", agent="assistant", snapshot_a=a.id, snapshot_b=b.id, split=0.5
    )
    arms = {}
    for role in ("alice", "bob"):
        _as(team_store, role)
        session = start_session(agent="assistant", user=role)
        arms[role] = session.arm
        reply = messages.append_message(session.id, "assistant", "hi")
        messages.set_feedback(reply.id, 1)
    from desktop_agent.domain.experiments import assign_arm

    exp = experiments.get_experiment("t")
    assert arms == {role: assign_arm(exp.id, role, 0.5) for role in ("alice", "bob")}
    counts = experiments.arm_counts(exp.id)
    assert sum(c.users for c in counts.values()) == 2
    assert sum(c.sessions for c in counts.values()) == 2
    assert sum(c.rated for c in counts.values()) == 2
    assert sum(c.approved for c in counts.values()) == 2


def test_a_newer_schema_is_refused_by_the_app_and_by_init(team_store: TeamStore) -> None:
    team_store.sql("UPDATE desktop_agent_schema SET version = 99", OWNER)
    close_database()
    with pytest.raises(StoreError, match="newer Desktop Agent"):
        open_team_store(team_store.url("alice"))
    with pytest.raises(StoreError, match="newer Desktop Agent"):
        init_team_store(team_store.url(OWNER))
    assert team_store.sql("SELECT version FROM desktop_agent_schema", OWNER) == [(99,)]


def test_init_is_idempotent_and_an_uninitialised_database_says_how_to_init(
    team_store: TeamStore,
) -> None:
    assert init_team_store(team_store.url(OWNER)) == pg_schema.latest_version()
    bare = team_store.server.new_database()
    with pytest.raises(StoreError, match="store init postgresql://alice@"):
        open_team_store(team_store.server.url("alice", bare))


def test_faults_name_the_server_and_what_to_do(
    team_store: TeamStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    close_database()
    server = team_store.server
    with pytest.raises(StoreError, match=r"has no rights on the team store at 127\.0\.0\.1"):
        open_team_store(team_store.url("carol"))  # a role that is not a member
    monkeypatch.delenv("PGPASSWORD", raising=False)
    monkeypatch.setenv("PGPASSFILE", "/nonexistent")
    with pytest.raises(StoreError, match="refused the password of role 'pat'"):
        open_team_store(team_store.url(PASSWORD_ROLE), password="wrong")
    with pytest.raises(StoreError, match="has no role 'nobody'"):
        open_team_store(team_store.url("nobody"))
    with pytest.raises(StoreError, match=r"127.0.0.1:1/x cannot be reached"):
        open_team_store("postgresql://alice@127.0.0.1:1/x")
    # The right password opens it (pat is no member: the schema check says so).
    with pytest.raises(StoreError, match="has no rights"):
        open_team_store(team_store.url(PASSWORD_ROLE), password=PASSWORD)
    assert server.port > 0


def test_changing_what_belongs_to_another_member_says_why(team_store: TeamStore) -> None:
    _as(team_store, "alice")
    a = snapshot_store.save_snapshot(
        name="a", agent_name="assistant", weights={}, learning_rate=0.1, decay=0
    )
    b = snapshot_store.save_snapshot(
        name="b", agent_name="assistant", weights={}, learning_rate=0.1, decay=0
    )
    helper = agents.create_agent("helper")
    experiments.create_experiment(
        name="trial", agent_id=helper.id, snapshot_a=a.id, snapshot_b=b.id, split=0.5
    )
    _as(team_store, "bob")
    with pytest.raises(ConflictError, match="only by the member who created it"):
        experiments.stop_experiment(experiments.get_experiment("trial").id)
    with pytest.raises(ConflictError, match="the team store refused this change"):
        agents.delete_agent(helper.id)
    assert experiments.get_experiment("trial").status == "running"
    assert not agents.get_agent("helper").deleted
