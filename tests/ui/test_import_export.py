"""File → Import… and Export Everything… in the real window, offscreen."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QPushButton
from pytestqt.qtbot import QtBot

from desktop_agent.services.backups import list_backups
from desktop_agent.store import import_sources, sessions
from desktop_agent.ui.import_export import ImportReportDialog
from desktop_agent.ui.main_window import MainWindow
from tests.support.export_fixtures import gpt_branched, gpt_linear, write_zip


def test_import_shows_a_report_and_the_new_conversations(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    broken = gpt_linear("bad", 1)
    broken["mapping"] = {}
    archive = write_zip(tmp_path / "chatgpt.zip", {"conversations.json": [gpt_branched(), broken]})
    controller = window.import_export
    controller.start_import([str(archive)])
    # (waitSignal on a worker's own signals would stop its timer from the worker thread)
    qtbot.waitUntil(lambda: controller.report_dialog is not None, timeout=20_000)
    dialog = controller.report_dialog
    assert isinstance(dialog, ImportReportDialog)
    model = dialog.table.model()
    assert model.rowCount() == 2
    assert model.index(0, 0).data() == "new"
    assert model.index(1, 0).data() == "skipped"
    assert "no mapping" in model.index(1, 3).data()
    assert controller.progress_dialog is None
    assert controller.import_action.isEnabled()
    titles = [
        window.sessions.model.record(r).title for r in range(window.sessions.model.rowCount())
    ]
    assert "Oak heights" in titles
    dialog.close()
    # The reply that followed o3's thoughts shows them, marked, above its words.
    oak = sessions.get_session(import_sources.find_session("chatgpt", "conv-branched") or "")
    window.open_session(oak)
    model = window.chat.model
    shown = [model.index(r, 0).data() for r in range(model.rowCount())]
    reply = next(text for text in shown if text.endswith("plot(heights)\n```"))
    assert reply.startswith("> *Reasoning — imported, never sent to the model*")
    assert "Use matplotlib." in reply


def test_a_file_of_no_known_format_says_so(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    odd = tmp_path / "odd.json"
    odd.write_text('[{"title": "x", "history": 1, "chat": 5}]', encoding="utf-8")
    controller = window.import_export
    controller.start_import([str(odd)])
    qtbot.waitUntil(lambda: controller.error_box is not None, timeout=20_000)
    assert controller.error_box is not None
    text = controller.error_box.text()
    assert "tried ChatGPT" in text
    assert "Open WebUI" in text
    assert sessions.count_sessions() == 0


def test_export_everything_and_the_daily_backup(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    window.new_session()
    out = tmp_path / "all.dagent"
    controller = window.import_export
    controller.start_export_all(out)
    qtbot.waitUntil(lambda: not controller.busy(), timeout=20_000)
    assert out.stat().st_size > 0
    assert "Exported everything" in window.statusBar().currentMessage()
    assert window.import_export.backup_if_due() is not None
    qtbot.waitUntil(lambda: not controller.busy(), timeout=20_000)
    assert len(list_backups(window.context.data_dir, include_upgrades=False)) == 1
    assert window.import_export.backup_if_due() is None  # not due again for a day


def test_settings_show_where_backups_go_and_the_last_one(qtbot: QtBot, window: MainWindow) -> None:
    from desktop_agent.services.backups import make_backup
    from desktop_agent.ui.settings_dialog import SettingsDialog

    context = window.context
    dialog = SettingsDialog(context)
    qtbot.addWidget(dialog)
    assert "none yet" in dialog.backups.text()
    make_backup(context.database_path, context.data_dir)
    dialog = SettingsDialog(context)
    qtbot.addWidget(dialog)
    text = dialog.backups.text()
    assert "Last backup: 20" in text
    assert str(context.data_dir / "backups") in text


def test_cancel_keeps_the_conversations_already_written(
    qtbot: QtBot, window: MainWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from desktop_agent.services import importing

    monkeypatch.setattr(importing, "BATCH_MESSAGES", 1)  # one conversation per transaction
    monkeypatch.setattr(importing, "YIELD_MIN_SECONDS", 0.02)  # slow enough to cancel midway
    conversations = [gpt_linear(f"c{i}", 2) for i in range(200)]
    archive = write_zip(tmp_path / "big.zip", {"conversations.json": conversations})
    controller = window.import_export
    controller.start_import([str(archive)])
    qtbot.waitUntil(
        lambda: controller.progress_dialog is not None and controller.progress_dialog.value() > 0,
        timeout=20_000,
    )
    assert controller.progress_dialog is not None
    cancel = controller.progress_dialog.findChild(QPushButton)
    assert cancel is not None
    cancel.click()  # what a person does (QProgressDialog.cancel() would not say canceled)
    qtbot.waitUntil(lambda: controller.report_dialog is not None, timeout=20_000)
    dialog = controller.report_dialog
    assert dialog is not None
    assert dialog.windowTitle() == "Import cancelled"
    written = dialog.table.model().rowCount()
    assert 0 < written < 200
    assert sessions.count_sessions() == written  # whole conversations only
    dialog.close()


def test_ratings_teach_only_when_the_person_agreed(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    feedback = [{"conversation_id": "c1", "message_id": "c1-0-assistant", "rating": "thumbsUp"}]
    archive = write_zip(
        tmp_path / "rated.zip",
        {"conversations.json": [gpt_linear("c1", 1)], "message_feedback.json": feedback},
    )
    controller = window.import_export
    controller.start_import([str(archive)], learn_from_ratings=True)
    qtbot.waitUntil(lambda: controller.report_dialog is not None, timeout=20_000)
    session_id = import_sources.find_session("chatgpt", "c1")
    assert session_id is not None
    from desktop_agent.store import messages

    feedback_now = messages.list_messages(session_id)[-1].feedback
    assert feedback_now is not None
    assert feedback_now.rating == 1
    # Given again through the learning service (now), not just stored with the export's time.
    assert feedback_now.created_at > 1_700_001_000
