"""Every write the window makes meets a full disk on one path: a rename, a move to the
trash, a thumbs-up, a weight change, a snapshot save, a settings save and the daily
backup (a worker job) each leave the window read-only with
the sentence naming the disk (no crash dialog, no raw sqlite error), the store intact
and unchanged, and the window writable again by itself once space returns. Needs root
for the small file system (see tests/cli/test_disk_full.py); skipped otherwise."""

from __future__ import annotations

import json
import os
import sqlite3
import sys
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from pytestqt.qtbot import QtBot

from desktop_agent.config.log_setup import install_excepthooks
from desktop_agent.services.app_context import AppContext, open_app
from desktop_agent.store import messages, sessions
from desktop_agent.store import snapshots as snapshot_store
from desktop_agent.store.weights import Owner, current_weights
from desktop_agent.ui.disk_watch import claim_disk_full
from desktop_agent.ui.main_window import MainWindow
from desktop_agent.ui.settings_dialog import SettingsDialog
from desktop_agent.ui.weights.panel import WeightPanel
from desktop_agent.ui.weights.snapshot_dialogs import SaveSnapshotDialog
from desktop_agent.ui.worker import worker_pool
from tests.cli.test_disk_full import fill, small_disk  # noqa: F401 - the fixture

pytestmark = pytest.mark.slow

WAIT_MS = 20_000


@dataclass
class Setup:
    window: MainWindow
    context: AppContext
    session_id: str
    reply_id: int
    data_dir: Path
    disk: Path
    crashes: list[str]


@pytest.fixture
def setup(qtbot: QtBot, small_disk: Path) -> Iterator[Setup]:  # noqa: F811
    data_dir = small_disk / "data"
    context = open_app(data_dir)
    crashes: list[str] = []
    hooks = (sys.excepthook, threading.excepthook)
    # The application's own chain (ui/main.py): the disk watch first, then the crash dialog.
    install_excepthooks(lambda summary, _details: crashes.append(summary), claim_disk_full)
    window = None
    try:
        session = sessions.create_session(title="before")
        messages.append_message(session.id, "user", "hi")
        reply = messages.append_message(session.id, "assistant", "hello")
        context.save_settings()  # an old settings file, which must survive
        window = MainWindow(context)
        qtbot.addWidget(window)
        window.show()
        window.open_session(sessions.get_session(session.id))
        yield Setup(window, context, session.id, reply.id, data_dir, small_disk, crashes)
    finally:
        if window is not None:
            window.close()
        assert not worker_pool().join(timeout_ms=10_000)
        sys.excepthook, threading.excepthook = hooks
        context.close()


def _checkpoint(store: Path) -> None:
    """Empty the WAL, so the next write needs new blocks (a reused WAL could take it)."""
    with sqlite3.connect(store) as db:
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def _integrity(store: Path) -> str:
    with sqlite3.connect(store) as db:
        return str(db.execute("PRAGMA integrity_check").fetchone()[0])


def _attempt_on_a_full_disk(
    qtbot: QtBot, setup: Setup, write: Callable[[], object]
) -> tuple[bool, str]:
    window = setup.window
    _checkpoint(setup.context.database_path)
    filler = fill(setup.disk)
    try:
        with qtbot.waitSignal(window.disk_watch.spaceChanged, timeout=WAIT_MS) as full:
            # From the event loop, as a click or an edit calls it: what escapes a slot
            # meets the application's hooks, not this test.
            QTimer.singleShot(0, write)
        room, message = full.args
        assert room is False
        bar = window.read_only_bar.label.text()
        assert window.read_only_bar.isVisible()
        assert "Read-only until there is space again" in bar
        assert f"The disk holding {setup.data_dir} is full" in bar
        assert " left)" in bar  # how much is left
        for raw in ("damaged", "disk I/O error", "database or disk is full", "Traceback"):
            assert raw not in bar
        assert setup.crashes == []
        # Write actions are off; the composer keeps its text.
        assert not window.chat.bottom.isEnabled()
        assert not window.new_action.isEnabled()
        assert not window.sessions.rename_action.isEnabled()
        assert not window.settings_action.isEnabled()
        assert window.chat.goal.isReadOnly()
        assert not window.chat.view.message_delegate.writable
        assert _integrity(setup.context.database_path) == "ok"
        window.grab().save("/tmp/disk-full-window.png")
    finally:
        os.unlink(filler)
    with qtbot.waitSignal(window.disk_watch.spaceChanged, timeout=WAIT_MS) as back:
        pass
    assert back.args[0] is True
    assert not window.read_only_bar.isVisible()
    assert window.chat.bottom.isEnabled()
    assert window.new_action.isEnabled()
    assert window.settings_action.isEnabled()
    assert window.chat.view.message_delegate.writable
    return room, message


def test_a_rename_on_a_full_disk(qtbot: QtBot, setup: Setup) -> None:
    window = setup.window
    window.chat.composer.setPlainText("a draft that must survive")
    model = window.sessions.model
    row = next(r for r in range(model.rowCount()) if model.index(r, 0).data() == "before")

    _attempt_on_a_full_disk(qtbot, setup, lambda: model.setData(model.index(row, 0), "after"))
    assert sessions.get_session(setup.session_id).title == "before"
    assert window.chat.composer.toPlainText() == "a draft that must survive"

    assert model.setData(model.index(row, 0), "after")  # writable again
    assert sessions.get_session(setup.session_id).title == "after"


def test_moving_to_trash_on_a_full_disk(qtbot: QtBot, setup: Setup) -> None:
    panel = setup.window.sessions
    panel.select(setup.session_id)
    _attempt_on_a_full_disk(qtbot, setup, panel.trash_current)
    assert not sessions.get_session(setup.session_id).trashed
    assert panel.model.row_of(setup.session_id) >= 0  # still listed: it was not moved
    panel.select(setup.session_id)
    panel.trash_current()
    assert sessions.get_session(setup.session_id).trashed


def test_feedback_on_a_full_disk(qtbot: QtBot, setup: Setup) -> None:
    give = setup.window.chat.controller.give_feedback
    _attempt_on_a_full_disk(qtbot, setup, lambda: give(setup.reply_id, 1))
    assert messages.get_message(setup.reply_id).feedback is None
    give(setup.reply_id, 1)
    feedback = messages.get_message(setup.reply_id).feedback
    assert feedback is not None
    assert feedback.rating == 1


def test_a_weight_change_on_a_full_disk(qtbot: QtBot, setup: Setup) -> None:
    panel = setup.window.right_panel
    assert isinstance(panel, WeightPanel)
    owner = Owner.session(setup.session_id)
    before = current_weights(owner)["verbosity"]
    values = {**panel.editor.values(), "verbosity": 0.9}

    _attempt_on_a_full_disk(qtbot, setup, lambda: panel.record(values))
    assert current_weights(owner)["verbosity"] == before
    assert panel.editor.rows["verbosity"].spin.value() == before  # shows what is stored

    panel.record(values)
    assert current_weights(owner)["verbosity"] == 0.9


def test_a_snapshot_save_on_a_full_disk(qtbot: QtBot, setup: Setup) -> None:
    session = sessions.get_session(setup.session_id)
    dialog = SaveSnapshotDialog(setup.context, session, setup.window)
    qtbot.addWidget(dialog)
    dialog.name.setText("tuned")
    save = dialog.buttons.button(dialog.buttons.StandardButton.Save)
    _attempt_on_a_full_disk(qtbot, setup, save.click)
    assert snapshot_store.list_snapshots() == []
    save.click()
    assert [s.name for s in snapshot_store.list_snapshots()] == ["tuned"]


def test_a_settings_save_on_a_full_disk(qtbot: QtBot, setup: Setup) -> None:
    settings_file = setup.data_dir / "settings.json"
    old = settings_file.read_bytes()
    dialog = SettingsDialog(setup.context, setup.window)
    qtbot.addWidget(dialog)
    dialog.fast_model.setEditText("a-fast-model")
    _attempt_on_a_full_disk(qtbot, setup, dialog.accept)
    assert settings_file.read_bytes() == old  # the old file, whole
    json.loads(old)
    text = dialog.error.text()
    assert "is full" in text
    assert "was not saved (the previous version is kept)" in text
    assert "Errno" not in text
    assert dialog.result() != SettingsDialog.DialogCode.Accepted
    dialog.accept()
    assert dialog.result() == SettingsDialog.DialogCode.Accepted
    assert json.loads(settings_file.read_bytes()) != json.loads(old)


def test_a_backup_on_a_full_disk_goes_the_same_way(qtbot: QtBot, setup: Setup) -> None:
    """A job on the worker pool (the daily backup) meets the full disk on the same path:
    read-only, the sentence instead of sqlite's, no half copy left holding space."""
    from desktop_agent.services.backups import backup_dir, list_backups

    folder = backup_dir(setup.data_dir)
    for old in list_backups(setup.data_dir):
        old.path.unlink()
    folder.mkdir(exist_ok=True)  # the copy itself meets the full disk
    status = setup.window.statusBar()
    _attempt_on_a_full_disk(qtbot, setup, setup.window.import_export.backup_if_due)
    assert list(folder.iterdir()) == []  # no .partial file
    with qtbot.waitSignal(worker_pool().idle, timeout=WAIT_MS):
        worker = setup.window.import_export.backup_if_due()
        assert worker is not None
    assert len(list_backups(setup.data_dir)) == 1
    assert "database or disk is full" not in status.currentMessage()


def test_a_full_disk_elsewhere_leaves_the_window_writable(
    qtbot: QtBot,
    tmp_path: Path,
    small_disk: Path,  # noqa: F811
) -> None:
    """An export to a full USB stick says that disk is full; the store's disk has room,
    so the window stays writable."""
    context = open_app(tmp_path / "data")
    try:
        sessions.create_session(title="kept")
        window = MainWindow(context)
        qtbot.addWidget(window)
        window.show()
        filler = fill(small_disk)
        failed: list[str] = []
        worker = window.import_export.start_export_all(small_disk / "all.dagent")
        worker.errored.connect(lambda exc: failed.append(str(exc)))
        qtbot.waitUntil(lambda: bool(failed), timeout=WAIT_MS)
        assert "is full" in failed[0]
        assert str(small_disk) in failed[0]
        assert str(tmp_path) not in failed[0]
        assert not window.disk_watch.full
        assert not window.read_only_bar.isVisible()
        assert window.new_action.isEnabled()
        os.unlink(filler)
        window.close()
        assert not worker_pool().join(timeout_ms=10_000)
    finally:
        context.close()
