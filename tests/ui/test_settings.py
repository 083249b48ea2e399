"""Settings round-trip; the API key goes to the key store, never into the database."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDoubleSpinBox
from pytestqt.qtbot import QtBot

from desktop_agent.config.settings import (
    PROVIDER_AUTO,
    PROVIDER_BUILTIN,
    PROVIDER_SERVER,
    load_settings,
)
from desktop_agent.services.app_context import AppContext
from desktop_agent.store.db import database
from desktop_agent.ui.settings_dialog import SettingsDialog, check_base_url
from desktop_agent.ui.worker import worker_pool
from tests.support.fake_openai import FakeOpenAIServer
from tests.ui.helpers import TIMEOUT_MS

SECRET = "sk-very-secret-test-key-1234567890"


def choose_server(dialog: SettingsDialog) -> None:
    dialog.kind.setCurrentIndex(dialog.kind.findData(PROVIDER_SERVER))
    assert dialog.server_box.isVisibleTo(dialog)
    assert not dialog.builtin_box.isVisibleTo(dialog)


def test_settings_round_trip_keeps_the_key_out_of_the_database(
    qtbot: QtBot, context: AppContext, fake_openai: FakeOpenAIServer
) -> None:
    dialog = SettingsDialog(context)
    qtbot.addWidget(dialog)
    assert dialog.key_status.objectName() == "keyWarning"  # no keyring in tests: warned
    choose_server(dialog)
    dialog.base_url.setText(fake_openai.base_url)
    dialog.api_key.setText(SECRET)
    with qtbot.waitSignal(worker_pool().idle, timeout=TIMEOUT_MS):
        dialog.fetch_button.click()
    assert [dialog.model.itemText(i) for i in range(dialog.model.count())] == [
        "fake-model",
        "fake-fast-model",
    ]
    assert fake_openai.requests[-1].headers["authorization"] == f"Bearer {SECRET}"
    dialog.model.setCurrentText("fake-model")
    dialog.fast_model.setCurrentText("fake-fast-model")
    dialog.budget.setValue(32_000)
    dialog.accept()
    assert dialog.result() == SettingsDialog.DialogCode.Accepted

    reread = load_settings(context.data_dir)
    assert reread.provider.kind == PROVIDER_SERVER
    assert reread.provider.base_url == fake_openai.base_url
    assert (reread.provider.model, reread.provider.fast_model) == ("fake-model", "fake-fast-model")
    assert reread.provider.context_budget("fake-model") == 32_000
    assert context.secrets.get() == SECRET
    key_file = context.data_dir / "api-key.secret"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600

    database.execute_sql("PRAGMA wal_checkpoint(FULL)")
    for path in context.data_dir.iterdir():
        if path.name != key_file.name and path.is_file():
            assert SECRET.encode() not in path.read_bytes(), path.name

    again = SettingsDialog(context)
    qtbot.addWidget(again)
    assert again.base_url.text() == fake_openai.base_url
    assert again.model.currentText() == "fake-model"
    assert again.api_key.text() == ""  # the key is never shown back
    assert "stored" in again.api_key.placeholderText()
    again.reject()


def test_a_bad_address_is_refused_with_a_reason(qtbot: QtBot, context: AppContext) -> None:
    dialog = SettingsDialog(context)
    qtbot.addWidget(dialog)
    choose_server(dialog)
    dialog.base_url.setText("localhost:11434")
    dialog.accept()
    assert dialog.result() != SettingsDialog.DialogCode.Accepted
    assert "http://" in dialog.error.text()
    dialog.reject()


def test_list_models_failure_is_reported(
    qtbot: QtBot, context: AppContext, fake_openai: FakeOpenAIServer
) -> None:
    dialog = SettingsDialog(context)
    qtbot.addWidget(dialog)
    dialog.base_url.setText(fake_openai.root_url + "/nope/v1")
    with qtbot.waitSignal(worker_pool().idle, timeout=TIMEOUT_MS):
        dialog.fetch_button.click()
    assert dialog.fetch_status.text().startswith("Could not list models:")
    dialog.reject()


@pytest.mark.parametrize(
    ("url", "ok"),
    [
        ("http://localhost:11434/v1", True),
        ("https://api.openai.com/v1", True),
        ("ftp://x", False),
        ("", False),
    ],
)
def test_check_base_url(url: str, ok: bool) -> None:
    assert (check_base_url(url) == "") is ok


def test_learning_settings_and_thresholds_round_trip(qtbot: QtBot, context: AppContext) -> None:
    dialog = SettingsDialog(context)
    qtbot.addWidget(dialog)
    dialog.tabs.setCurrentWidget(dialog.learning)
    dialog.learning.compaction.setChecked(False)
    dialog.learning.follow.setChecked(False)
    dialog.learning.judge.setChecked(True)
    dialog.learning.fields["min_rated_turns"].setValue(12)
    max_drift = dialog.learning.fields["max_drift"]
    assert isinstance(max_drift, QDoubleSpinBox)
    max_drift.setValue(0.25)
    dialog.accept()
    assert dialog.result() == SettingsDialog.DialogCode.Accepted

    stored = load_settings(context.data_dir)
    assert stored.provider.compaction is False
    assert stored.learning.follow_session is False
    assert stored.learning.judge_goal_with_fast_model is True
    assert stored.validation.min_rated_turns == 12
    assert stored.validation.max_drift == pytest.approx(0.25)


def test_threshold_editors_cannot_leave_the_allowed_range(
    qtbot: QtBot, context: AppContext
) -> None:
    dialog = SettingsDialog(context)
    qtbot.addWidget(dialog)
    polarised = dialog.learning.fields["max_polarised"]
    polarised.setValue(9)
    assert polarised.value() == 5  # the settings file would refuse more
    dialog.accept()
    assert load_settings(context.data_dir).validation.max_polarised == 5


def test_with_nothing_set_up_the_built_in_model_is_chosen_and_kept_automatic(
    qtbot: QtBot, context: AppContext
) -> None:
    dialog = SettingsDialog(context)
    qtbot.addWidget(dialog)
    assert dialog.chosen_kind() == PROVIDER_BUILTIN
    assert dialog.builtin_box.isVisibleTo(dialog)
    assert not dialog.server_box.isVisibleTo(dialog)
    assert "SmolLM2-135M-Instruct.Q4_1: 98 MB, llama" in dialog.builtin_box.file_status.text()
    dialog.builtin_box.context_size.setValue(2048)
    dialog.builtin_box.threads.setValue(1)
    dialog.accept()
    assert dialog.result() == SettingsDialog.DialogCode.Accepted

    provider = load_settings(context.data_dir).provider
    # Untouched, the choice stays automatic: a key set later still switches to the server.
    assert provider.kind == PROVIDER_AUTO
    assert (provider.builtin_context_size, provider.builtin_threads) == (2048, 1)
    assert context.provider().builtin


def test_a_bad_model_file_is_named_and_nothing_is_saved(
    qtbot: QtBot, context: AppContext, tmp_path: Path
) -> None:
    bad = tmp_path / "<b>weights<i>.gguf"
    bad.write_text("not a model")
    dialog = SettingsDialog(context)
    qtbot.addWidget(dialog)
    dialog.builtin_box.model_file.setText(str(bad))
    dialog.accept()

    assert dialog.result() != SettingsDialog.DialogCode.Accepted
    assert f"{bad} is not a GGUF model" in dialog.error.text()
    assert f"{bad} is not a GGUF model" in dialog.builtin_box.file_status.text()
    # Shown as text, not markup.
    assert dialog.builtin_box.file_status.textFormat() == Qt.TextFormat.PlainText
    assert dialog.error.textFormat() == Qt.TextFormat.PlainText
    assert not (context.data_dir / "settings.json").exists()
    assert context.settings.provider.builtin_model_file == ""
    dialog.builtin_box.use_bundled()
    dialog.accept()
    assert dialog.result() == SettingsDialog.DialogCode.Accepted


def test_choosing_the_built_in_model_over_a_configured_server_is_stored(
    qtbot: QtBot, context: AppContext, fake_openai: FakeOpenAIServer
) -> None:
    context.settings.provider.base_url = fake_openai.base_url
    assert not context.provider().builtin
    dialog = SettingsDialog(context)
    qtbot.addWidget(dialog)
    assert dialog.chosen_kind() == PROVIDER_SERVER
    dialog.kind.setCurrentIndex(dialog.kind.findData(PROVIDER_BUILTIN))
    dialog.accept()
    assert load_settings(context.data_dir).provider.kind == PROVIDER_BUILTIN
    assert context.provider().builtin
