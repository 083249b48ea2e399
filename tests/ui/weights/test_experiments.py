"""The experiments dialog on a real store: its figures are the CLI's (a subprocess on the
same data dir), the model passes the model tester, create, stop and promote work."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from desktop_agent.domain.experiments import arm_line, assign_arm, verdict_line
from desktop_agent.domain.weights import DEFAULT_WEIGHTS
from desktop_agent.services import experiments
from desktop_agent.services.app_context import AppContext
from desktop_agent.services.sessions import start_session
from desktop_agent.store import agents, messages
from desktop_agent.store import snapshots as snapshot_store
from desktop_agent.ui.weights.experiment_model import ExperimentModel
from desktop_agent.ui.weights.experiments_dialog import ExperimentsDialog


def seed_experiment(approvals: dict[str, tuple[int, int]]) -> str:
    """Two arms; each arm's users rate replies (ups, downs) in total as given."""
    a = snapshot_store.save_snapshot(
        name="terse",
        agent_name="assistant",
        weights={**DEFAULT_WEIGHTS, "verbosity": 0.2},
        learning_rate=0.15,
        decay=0.0,
        validation={"verdict": "pass", "reasons": [], "metrics": {}},
    )
    b = snapshot_store.save_snapshot(
        name="chatty",
        agent_name="assistant",
        weights={**DEFAULT_WEIGHTS, "verbosity": 0.8},
        learning_rate=0.15,
        decay=0.0,
        validation={"verdict": "pass", "reasons": [], "metrics": {}},
    )
    record = experiments.create_experiment(
        name="length", agent="assistant", snapshot_a=a.id, snapshot_b=b.id
    )
    users: dict[str, list[str]] = {"a": [], "b": []}
    index = 0
    while min(len(v) for v in users.values()) < 3:
        handle = f"user{index}"
        users[assign_arm(record.id, handle, 0.5)].append(handle)
        index += 1
    for arm, (ups, downs) in approvals.items():
        ratings = [1] * ups + [-1] * downs
        handles = users[arm][:3]
        for position, rating in enumerate(ratings):
            session = start_session(user=handles[position % len(handles)])
            reply = messages.append_message(session.id, "assistant", "reply")
            messages.set_feedback(reply.id, rating)
    return record.name


def cli_report(context: AppContext, name: str) -> dict[str, object]:
    completed = subprocess.run(
        [
            sys.executable,
            "-m",
            "desktop_agent",
            "--data-dir",
            str(context.data_dir),
            "experiment",
            "report",
            name,
            "--json",
        ],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return dict(json.loads(completed.stdout))


def test_report_figures_equal_the_cli(qtbot: QtBot, context: AppContext) -> None:
    name = seed_experiment({"a": (12, 28), "b": (30, 10)})
    dialog = ExperimentsDialog(context)
    qtbot.addWidget(dialog)
    assert dialog.selected_name() == name
    cli = cli_report(context, name)
    assert dialog.report is not None
    shown = json.loads(json.dumps(dialog.report.to_json()))
    assert shown == cli
    for arm in ("a", "b"):
        assert dialog.arm_labels[arm].text() == arm_line(arm, dialog.report.report.arms[arm])
    assert dialog.verdict_label.text() == verdict_line(dialog.report.report)
    assert dialog.verdict_label.text().endswith("winner b")
    assert dialog.chart.report == dialog.report.report
    assert dialog.promote_button.isEnabled()


def test_promote_and_stop(qtbot: QtBot, context: AppContext) -> None:
    seed_experiment({"a": (12, 28), "b": (30, 10)})
    dialog = ExperimentsDialog(context)
    qtbot.addWidget(dialog)
    with qtbot.waitSignal(dialog.agentChanged):
        assert dialog.promote()
    assert agents.get_agent("assistant").baseline["verbosity"] == 0.8
    assert dialog.report is not None
    assert dialog.report.experiment.status == "stopped"
    assert dialog.report.experiment.promoted == "b"
    assert not dialog.stop_button.isEnabled()


def test_create_from_two_snapshots(qtbot: QtBot, context: AppContext) -> None:
    for name, value in (("one", 0.1), ("two", 0.9)):
        snapshot_store.save_snapshot(
            name=name,
            agent_name="assistant",
            weights={**DEFAULT_WEIGHTS, "verbosity": value},
            learning_rate=0.15,
            decay=0.0,
        )
    dialog = ExperimentsDialog(context)
    qtbot.addWidget(dialog)
    new = dialog.open_new()
    new.name.setText("ab")
    new.split.setValue(0.3)
    new.start_experiment()
    assert new.created is not None
    assert dialog.selected_name() == "ab"
    assert experiments.report("ab").experiment.split == pytest.approx(0.3)
    dialog.stop()
    assert dialog.report is not None
    assert dialog.report.experiment.status == "stopped"


def test_a_bad_split_is_named(qtbot: QtBot, context: AppContext) -> None:
    dialog = ExperimentsDialog(context)
    qtbot.addWidget(dialog)
    new = dialog.open_new()
    new.name.setText("nothing")
    new.start_experiment()  # no snapshots to choose
    assert new.created is None
    assert new.error.text()


def test_the_model_passes_the_model_tester(qtmodeltester: ModelTester, context: AppContext) -> None:
    seed_experiment({"a": (1, 1), "b": (1, 0)})
    model = ExperimentModel()
    model.load()
    qtmodeltester.check(model)
    assert model.index(0, 0).data() == "length"
