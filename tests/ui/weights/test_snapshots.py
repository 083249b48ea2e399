"""The snapshot dialogs on a real store: the list model, save with its report first,
diff, import (preview then store; a bad file changes nothing), what-if that never
touches the session (live replay against the loopback provider), apply with confirmation."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from desktop_agent.domain.weights import DEFAULT_WEIGHTS
from desktop_agent.domain.whatif import WeightShift
from desktop_agent.services import snapshots as snapshot_service
from desktop_agent.services.app_context import AppContext
from desktop_agent.store import snapshots as snapshot_store
from desktop_agent.store.records import SnapshotRecord
from desktop_agent.store.weights import Owner, current_weights, set_weights
from desktop_agent.ui.weights import snapshot_dialogs
from desktop_agent.ui.weights.snapshot_dialogs import DiffDialog, ImportDialog, SaveSnapshotDialog
from desktop_agent.ui.weights.snapshot_manager import SnapshotsDialog
from desktop_agent.ui.weights.snapshot_model import SnapshotModel, VerdictRole
from desktop_agent.ui.weights.whatif_dialog import WhatIfDialog
from tests.support.fake_openai import FakeOpenAIServer
from tests.support.snapshot_data import dump, rated_session


def snapshot(
    name: str, verbosity: float, verdict: str | None = None, parent: str | None = None
) -> SnapshotRecord:
    validation = (
        None
        if verdict is None
        else {"verdict": verdict, "reasons": [f"{verdict} because"], "metrics": {}}
    )
    return snapshot_store.save_snapshot(
        name=name,
        agent_name="assistant",
        weights={**DEFAULT_WEIGHTS, "verbosity": verbosity},
        learning_rate=0.15,
        decay=0.0,
        parent_id=parent,
        validation=validation,
    )


@pytest.fixture
def dialog(qtbot: QtBot, context: AppContext) -> SnapshotsDialog:
    session_id = rated_session([(1, ()), (-1, ("too_long",))])
    widget = SnapshotsDialog(context, session_id)
    qtbot.addWidget(widget)
    return widget


def test_the_model_passes_the_model_tester_and_shows_lineage(
    qtmodeltester: ModelTester, context: AppContext
) -> None:
    root = snapshot("root", 0.5, "pass")
    snapshot("child", 0.3, "fail", parent=root.id)
    model = SnapshotModel()
    model.load()
    qtmodeltester.check(model)
    names = [model.index(row, 0).data() for row in range(model.rowCount())]
    assert sorted(names) == ["child", "root"]
    child_row = names.index("child")
    assert model.index(child_row, 4).data() == "↳ root"
    assert model.index(child_row, 2).data(VerdictRole) == "fail"
    assert model.index(child_row, 2).data() == "✖ fail"


def test_save_shows_the_report_before_saving(qtbot: QtBot, dialog: SnapshotsDialog) -> None:
    save = dialog.open_save()
    assert isinstance(save, SaveSnapshotDialog)
    assert "Verdict" in save.report.toPlainText()
    assert snapshot_store.list_snapshots() == []  # nothing stored by looking
    assert not save.buttons.button(save.buttons.StandardButton.Save).isEnabled()
    save.name.setText("tuned")
    save.buttons.button(save.buttons.StandardButton.Save).click()
    stored = snapshot_store.list_snapshots()
    assert [s.name for s in stored] == ["tuned"]
    assert snapshot_service.stored_verdict(stored[0]) == save.verdict
    assert dialog.selected()[0].id == stored[0].id


def test_diff_highlights_changed_weights(qtbot: QtBot, context: AppContext) -> None:
    a, b = snapshot("a", 0.2), snapshot("b", 0.8)
    diff = DiffDialog(context, a, b)
    qtbot.addWidget(diff)
    assert diff.changed_rows == ["verbosity"]
    assert diff.table.item(0, 1).text() == "0.200"
    assert diff.table.item(0, 2).text().startswith("0.800")
    changed, unchanged = diff.table.item(0, 0), diff.table.item(1, 0)
    assert changed.text() == "verbosity"
    assert changed.font().bold()
    assert not unchanged.font().bold()
    assert changed.background().style() != Qt.BrushStyle.NoBrush
    assert unchanged.background().style() == Qt.BrushStyle.NoBrush
    assert diff.diff.changes == (WeightShift("verbosity", 0.2, 0.8),)


def test_importing_a_good_file_previews_then_stores(
    qtbot: QtBot, dialog: SnapshotsDialog, tmp_path: Path
) -> None:
    path = tmp_path / "terse.weights.json"
    path.write_text(json.dumps({"verbosity": 0.1, "formality": 0.9}))
    before = dump(dialog.context.database_path)
    preview = dialog.import_file(path)
    assert isinstance(preview, ImportDialog)
    assert preview.import_button.isEnabled()
    text = preview.summary.toPlainText()
    assert "verbosity" in text
    assert "0.100" in text
    assert "formality" in text
    assert dump(dialog.context.database_path) == before  # the preview is a dry run
    preview.name.setText("terse")
    preview.name.editingFinished.emit()
    preview.import_button.click()
    assert [s.name for s in snapshot_store.list_snapshots()] == ["terse"]
    assert snapshot_store.list_snapshots()[0].weights["verbosity"] == 0.1
    assert dialog.selected()[0].name == "terse"


def test_cancelling_an_import_stores_nothing(
    qtbot: QtBot, dialog: SnapshotsDialog, tmp_path: Path
) -> None:
    path = tmp_path / "x.weights.json"
    path.write_text(json.dumps({"verbosity": 0.1}))
    before = dump(dialog.context.database_path)
    preview = dialog.import_file(path)
    assert preview is not None
    preview.reject()
    assert dump(dialog.context.database_path) == before


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b'{"verbosity": 1.5}', "between 0 and 1"),
        (b'{"loudness": 0.5}', "unknown weight 'loudness'"),
        (b"{not json", "invalid JSON"),
    ],
)
def test_a_bad_file_names_the_problem_and_changes_nothing(
    qtbot: QtBot, dialog: SnapshotsDialog, tmp_path: Path, content: bytes, message: str
) -> None:
    path = tmp_path / "bad.weights.json"
    path.write_bytes(content)
    before = dump(dialog.context.database_path)
    preview = dialog.import_file(path)
    assert preview is not None
    assert message in preview.error.text()
    assert preview.error.isVisibleTo(preview)
    assert not preview.import_button.isEnabled()
    preview.store()  # even if forced, nothing happens
    assert dump(dialog.context.database_path) == before


def test_whatif_with_live_replay_leaves_the_session_untouched(
    qtbot: QtBot, context: AppContext, provider: FakeOpenAIServer
) -> None:
    session_id = rated_session([(1, ()), (-1, ("too_long",))])
    candidate = {**DEFAULT_WEIGHTS, "verbosity": 0.1}
    before = dump(context.database_path)
    whatif = WhatIfDialog(context, session_id, candidate, "terse")
    qtbot.addWidget(whatif)
    assert whatif.outcome.changes == (WeightShift("verbosity", 0.5, 0.1),)
    assert "Predicted" in whatif.summary.toPlainText()
    whatif.turns.setValue(2)
    with qtbot.waitSignal(whatif.replayFinished, timeout=10_000):
        whatif.replay_button.click()
    assert whatif.error.text() == ""
    assert whatif.table.rowCount() == 2
    assert whatif.table.item(0, 0).text() == "question 0"
    assert whatif.table.item(0, 1).text() == "answer 0"
    assert whatif.table.item(0, 2).text()  # the loopback provider's answer
    whatif.reject()
    assert dump(context.database_path) == before


def test_whatif_from_a_file(qtbot: QtBot, dialog: SnapshotsDialog, tmp_path: Path) -> None:
    path = tmp_path / "w.weights.json"
    path.write_text(json.dumps({"initiative": 0.9}))
    whatif = dialog.whatif_file(path)
    assert whatif is not None
    assert whatif.outcome.changes == (WeightShift("initiative", 0.5, 0.9),)
    whatif.reject()
    bad = tmp_path / "b.weights.json"
    bad.write_text("[]")
    assert dialog.whatif_file(bad) is None
    assert dialog.error.text()


def test_applying_a_failing_snapshot_needs_confirmation(
    qtbot: QtBot, dialog: SnapshotsDialog, monkeypatch: pytest.MonkeyPatch
) -> None:
    failing = snapshot("risky", 0.05, "fail")
    dialog.reload(failing.id)
    session_owner = Owner.session(dialog.session_id or "")
    answers: list[bool] = [False, True]
    monkeypatch.setattr(snapshot_dialogs, "confirm", lambda *_args: answers.pop(0))
    assert not dialog.apply_selected(session_owner)
    assert current_weights(session_owner)["verbosity"] == 0.5
    with qtbot.waitSignal(dialog.weightsApplied) as applied:
        assert dialog.apply_selected(session_owner)
    assert applied.args == ["session"]
    assert current_weights(session_owner)["verbosity"] == 0.05


def test_apply_to_the_agent_and_export(
    qtbot: QtBot, dialog: SnapshotsDialog, tmp_path: Path
) -> None:
    good = snapshot("good", 0.7, "pass")
    dialog.reload(good.id)
    agent_owner = Owner.agent(Owner.session(dialog.session_id or "").agent_id)
    assert dialog.apply_selected(agent_owner)
    assert current_weights(agent_owner)["verbosity"] == 0.7
    target = tmp_path / "good.weights.json"
    assert dialog.export_to(target)
    assert target.read_bytes() == snapshot_service.export_snapshot(good.id)
    set_weights(agent_owner, {"verbosity": 0.5})
