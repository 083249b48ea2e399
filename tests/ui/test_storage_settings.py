"""Settings → Storage: this computer or a team store, tested off the UI thread against a
real PostgreSQL cluster, saved for the next start without a password in the settings."""

from __future__ import annotations

import json

import pytest
from PySide6.QtWidgets import QDialog
from pytestqt.qtbot import QtBot

from desktop_agent.config.paths import settings_path
from desktop_agent.config.settings import load_settings
from desktop_agent.domain.errors import InvalidInputError
from desktop_agent.services.app_context import AppContext, open_app
from desktop_agent.store.db import close_database
from desktop_agent.ui.settings_dialog import SettingsDialog
from desktop_agent.ui.storage_settings import StorageSettings
from tests.support.pg_cluster import PASSWORD, PASSWORD_ROLE
from tests.support.postgres import TeamStore
from tests.ui.helpers import TIMEOUT_MS


def storage_tab(qtbot: QtBot, context: AppContext) -> tuple[SettingsDialog, StorageSettings]:
    dialog = SettingsDialog(context)
    qtbot.addWidget(dialog)
    return dialog, dialog.storage


def connection_result(qtbot: QtBot, tab: StorageSettings) -> str:
    tab.test_button.click()
    qtbot.waitUntil(lambda: tab.test_button.isEnabled(), timeout=TIMEOUT_MS)
    return tab.test_status.text()


def test_the_local_store_is_the_default_and_says_it_is_in_use(
    qtbot: QtBot, context: AppContext
) -> None:
    _dialog, tab = storage_tab(qtbot, context)
    assert tab.local.isChecked()
    assert not tab.team_form.isEnabled()
    assert tab.in_use.text() == f"In use now: this computer ({context.database_path})."
    assert "next time Desktop Agent starts" in tab.next_start.text()
    # No keyring in the tests: the password field is off and the way round is named.
    assert not tab.password.isEnabled()
    assert "PGPASSWORD" in tab.keyring_note.text()
    assert "~/.pgpass" in tab.keyring_note.text()


def test_test_connection_names_what_is_wrong(
    qtbot: QtBot, context: AppContext, team_store: TeamStore
) -> None:
    dialog, tab = storage_tab(qtbot, context)
    dialog.tabs.setCurrentWidget(tab)
    dialog.show()
    tab.team.setChecked(True)
    server = team_store.server

    tab.url.setText(team_store.url("alice"))
    assert connection_result(qtbot, tab) == (
        f"✓ Connected to {server.host}:{server.port}/{team_store.database}: a team store "
        "this version can use."
    )
    dialog.grab().save("/tmp/pgwindow-storage-settings.png")

    tab.url.setText(server.url("alice", "no_such_db"))
    assert "does not exist" in connection_result(qtbot, tab)
    tab.url.setText(server.url("alice", "postgres"))
    assert "is not a Desktop Agent team store yet" in connection_result(qtbot, tab)
    tab.url.setText(team_store.url("nobody"))
    assert "has no role 'nobody'" in connection_result(qtbot, tab)
    tab.url.setText(f"postgresql://alice@127.0.0.1:1/{team_store.database}")
    unreachable = connection_result(qtbot, tab)
    assert unreachable.startswith("✗ Unreachable:")
    assert "127.0.0.1:1/" in unreachable
    # A typed password is used for the test (and not saved by it).
    tab.password.setEnabled(True)
    tab.url.setText(team_store.url(PASSWORD_ROLE))
    tab.password.setText("wrong")
    assert "refused the password" in connection_result(qtbot, tab)
    tab.password.setText(PASSWORD)
    assert f"role {PASSWORD_ROLE!r} has no rights" in connection_result(qtbot, tab)


def test_a_saved_team_store_is_used_at_the_next_start(
    qtbot: QtBot, context: AppContext, team_store: TeamStore
) -> None:
    dialog, tab = storage_tab(qtbot, context)
    tab.team.setChecked(True)
    tab.url.setText(f"postgresql://alice:hunter2@127.0.0.1:{team_store.server.port}/x")
    dialog.accept()
    assert dialog.result() != QDialog.DialogCode.Accepted
    assert "contains a password" in dialog.error.text()
    assert load_settings(context.data_dir).storage.store_url == ""

    tab.url.setText(team_store.url("alice"))
    dialog.accept()
    assert dialog.result() == QDialog.DialogCode.Accepted
    saved = json.loads(settings_path(context.data_dir).read_text())
    assert saved["storage"] == {"store_url": team_store.url("alice")}
    assert context.team_store is None  # applies at the next start, not now

    context.close()
    close_database()
    restarted = open_app()
    try:
        assert restarted.team_store is not None
        assert restarted.team_store.url == team_store.url("alice")
    finally:
        restarted.close()


def test_a_password_without_a_keyring_is_refused_and_nothing_saved(
    qtbot: QtBot, context: AppContext, team_store: TeamStore
) -> None:
    dialog, tab = storage_tab(qtbot, context)
    tab.team.setChecked(True)
    tab.url.setText(team_store.url(PASSWORD_ROLE))
    tab.password.setEnabled(True)  # as if typed before the keyring went away
    tab.password.setText(PASSWORD)
    dialog.accept()
    assert dialog.result() != QDialog.DialogCode.Accepted
    assert "no system keyring" in dialog.error.text()
    assert "PGPASSWORD" in dialog.error.text()
    assert load_settings(context.data_dir).storage.store_url == ""
    assert not settings_path(context.data_dir).exists()


def test_a_settings_file_with_a_password_in_the_store_url_is_refused(
    context: AppContext,
) -> None:
    path = settings_path(context.data_dir)
    path.write_text(json.dumps({"storage": {"store_url": "postgresql://a:pw@h/db"}}))
    with pytest.raises(InvalidInputError, match="contains a password"):
        load_settings(context.data_dir)
