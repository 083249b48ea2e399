"""Which tests run on both engines: every test of these modules that uses the `store`
fixture runs on SQLite and again on a PostgreSQL team store (tests/support/postgres.py).
Tests that open the SQLite file themselves are listed as SQLite-only."""

from __future__ import annotations

import pytest

BOTH_ENGINES = frozenset(
    {
        "tests.store.test_sessions",
        "tests.store.test_messages",
        "tests.store.test_search",
        "tests.store.test_versions",
        "tests.store.test_weights",
        "tests.store.test_snapshots",
        "tests.store.test_snapshot_lookup",
        "tests.services.test_snapshots",
        "tests.services.test_experiments",
        "tests.services.test_learning",
        "tests.services.test_importing",
        "tests.services.test_session_trees",
        "tests.services.test_transfer",
    }
)
SQLITE_ONLY = frozenset(
    {
        # open the SQLite file through a second connection (their PostgreSQL twins are
        # in tests/store/test_team_store.py)
        "test_an_appended_message_is_committed_for_other_connections",
        "test_another_connection_keeps_committing_while_an_import_runs",
        "test_streamed_text_and_the_final_status_are_committed",
        "test_bad_role_or_status_is_refused_and_nothing_is_stored",
        "test_feedback_set_replace_and_clear",
        "test_only_assistant_messages_can_be_rated",
        "test_purge_removes_messages_feedback_events_and_search_hits",
        "test_paging_and_counts",
        "test_set_weights_is_all_or_nothing",
        "test_revert_adds_reversing_events_and_deletes_nothing",
        "test_user_and_agent_scopes_are_separate",
        "test_feedback_survives_a_commit_by_another_connection",
        "test_reloading_after_a_reply_does_not_count_the_sessions",  # traces SQLite
        "test_setting_weights_survives_a_commit_by_another_connection",
        # act as several users from one desktop, or as `local`: on a team store each
        # member is their own role (tests/store/test_team_security.py)
        "test_create_starts_from_the_baseline_with_the_default_owner",
        "test_a_new_session_starts_from_the_users_learned_weights",
        "test_assignment_is_stored_once",
        "test_arm_counts_come_from_sessions_and_their_feedback",
        "test_new_sessions_start_from_the_users_arm",
        "test_the_stored_arm_wins_over_a_changed_hash",
        "test_stopped_experiments_assign_nobody",
        "test_report_counts_real_sessions_and_feedback",
        "test_promote_applies_the_winner_to_the_baseline",
        "test_user_and_agent_snapshots_read_their_sessions",
        "test_a_failing_snapshot_needs_force_for_agents_and_users",
        "test_session_snapshot_is_validated_on_that_session_only",
        "test_feedback_turns_carry_rating_tags_and_reply_weights",
        # check SQLite's own full-text index, or refuse rows with a SQLite trigger
        "test_imported_messages_are_searchable_and_the_index_stays_exact",
        "test_a_conversation_the_database_refuses_leaves_nothing_behind",
        # hundreds of generated files, each with a full dump: minutes on a busy machine
        "test_fuzzed_files_never_crash_or_change_the_store_when_refused",
    }
)


# Window tests whose `context` (tests/ui/conftest.py) opens each engine in turn.
BOTH_ENGINES_UI = frozenset({"tests.ui.test_chat", "tests.ui.test_sessions"})


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if metafunc.function.__name__ in SQLITE_ONLY:
        return
    module = metafunc.module.__name__
    if "store" in metafunc.fixturenames and module in BOTH_ENGINES:
        metafunc.parametrize("store", ["sqlite", "postgres"], indirect=True)
    elif "context" in metafunc.fixturenames and module in BOTH_ENGINES_UI:
        metafunc.parametrize("context", ["sqlite", "postgres"], indirect=True)
