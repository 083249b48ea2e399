"""Render the weight editor, preview, drift chart and every weights dialog with realistic
seeded data into docs/screenshots/weights-*.png.

Run: xvfb-run -a -s "-screen 0 1600x1000x24" .venv/bin/python scripts/screenshots_weights.py
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

from PySide6.QtCore import QThread
from PySide6.QtWidgets import QApplication, QWidget

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "screenshots"
sys.path.insert(0, str(ROOT))


def seed() -> str:
    """An agent with a rated, learning session, snapshots with lineage and verdicts, and an
    experiment with enough users to name a winner. Returns the session to open."""
    from desktop_agent.domain.experiments import assign_arm
    from desktop_agent.domain.weights import DEFAULT_WEIGHTS
    from desktop_agent.services import experiments, learning
    from desktop_agent.services import snapshots as snapshot_service
    from desktop_agent.services.sessions import start_session
    from desktop_agent.store import agents, messages, sessions
    from desktop_agent.store.weights import Owner, set_weights

    agents.create_agent(
        "support",
        system_prompt="You are the support assistant for Acme Cloud. Be accurate and kind.",
        primary_model="gpt-4.1",
        fast_model="gpt-4.1-mini",
    )
    session = sessions.create_session(agent="support", user="local", title="Billing export fails")
    turns = [
        ("My CSV billing export fails with a 502.", "Long answer " * 40, -1, ["too_long"]),
        ("Still failing after retrying.", "Try the export API with a date range.", 1, []),
        ("Can you just fix it?", "Shall I open a ticket for you?", -1, ["asked_too_much"]),
        ("shorter please — what do I do now?", "Use `acme export --since 7d`.", 1, []),
        ("Thanks. Anything else I should check?", "Check your quota page.", -1, ["too_formal"]),
    ] + [(f"Follow-up {n}", f"Short answer {n}.", 1, []) for n in range(6)]
    for user_text, reply_text, rating, tags in turns:
        messages.append_message(session.id, "user", user_text)
        learning.learn_from_cues(session.id, user_text)
        reply = messages.append_message(session.id, "assistant", reply_text, model="gpt-4.1")
        learning.give_feedback(reply.id, rating, tags)
    owner = Owner.session(session.id)
    set_weights(owner, {"initiative": 0.62}, cause="manual")
    support = agents.get_agent("support")
    learned = dict(sessions.get_session(session.id).weights)
    v1 = snapshot_service.save_snapshot(Owner.agent(support.id), "support-v1", notes="launch")
    snapshot_service.apply_snapshot(v1.id, owner)
    set_weights(owner, learned, cause="manual")
    v2 = snapshot_service.save_snapshot(owner, "support-v2", notes="after billing week")
    set_weights(owner, {"verbosity": 0.05, "autonomy": 0.98, "formality": 0.02}, cause="manual")
    snapshot_service.apply_snapshot(v2.id, owner)
    set_weights(owner, {"verbosity": 0.05, "autonomy": 0.98, "formality": 0.02}, cause="manual")
    snapshot_service.save_snapshot(owner, "support-v3-extreme")
    snapshot_service.apply_snapshot(v2.id, owner)

    terse = {**DEFAULT_WEIGHTS, "verbosity": 0.25, "initiative": 0.4}
    chatty = {**DEFAULT_WEIGHTS, "verbosity": 0.75, "initiative": 0.7}
    from desktop_agent.store import snapshots as snapshot_store

    a = snapshot_store.save_snapshot(
        name="terse",
        agent_name="support",
        weights=terse,
        learning_rate=0.15,
        decay=0.0,
        validation={
            "verdict": "pass",
            "reasons": ["approval 0.71 over 24 rated replies"],
            "metrics": {},
        },
    )
    b = snapshot_store.save_snapshot(
        name="chatty",
        agent_name="support",
        weights=chatty,
        learning_rate=0.15,
        decay=0.0,
        parent_id=a.id,
        validation={"verdict": "warn", "reasons": ["drift 0.12 from the baseline"], "metrics": {}},
    )
    record = experiments.create_experiment(
        name="answer-length", agent="support", snapshot_a=a.id, snapshot_b=b.id
    )
    for index in range(24):
        handle = f"user{index:02d}"
        arm = assign_arm(record.id, handle, 0.5)
        started = start_session(agent="support", user=handle)
        ups = 8 if arm == "a" else 3
        for rating in [1] * ups + [-1] * (10 - ups):
            reply = messages.append_message(started.id, "assistant", "reply")
            messages.set_feedback(reply.id, rating)
    return session.id


def save(widget: QWidget, name: str) -> None:
    QApplication.processEvents()
    widget.grab().save(str(OUT / f"weights-{name}.png"))
    print(OUT / f"weights-{name}.png")


def main() -> int:
    data_dir = Path(tempfile.mkdtemp(prefix="weights-shots-"))
    os.environ["DESKTOP_AGENT_DATA_DIR"] = str(data_dir)
    os.environ["DESKTOP_AGENT_NO_KEYRING"] = "1"
    os.environ.setdefault("OPENAI_API_KEY", "sk-screenshot")
    app = QApplication(sys.argv)
    from desktop_agent.services.app_context import open_app
    from desktop_agent.store import sessions
    from desktop_agent.ui.main_window import MainWindow
    from desktop_agent.ui.theme import apply_system_theme

    apply_system_theme(app)
    context = open_app(data_dir)
    session_id = seed()
    window = MainWindow(context)
    hooks = window.weights_menu
    window.resize(1500, 940)
    window.splitter.setSizes([280, 760, 460])
    window.show()
    window.open_session(sessions.get_session(session_id))
    panel = window.right_panel
    OUT.mkdir(parents=True, exist_ok=True)
    app.processEvents()
    save(window, "window")
    from desktop_agent.services.learning import give_feedback
    from desktop_agent.store import messages

    messages.append_message(session_id, "user", "And how do I schedule it weekly?")
    reply = messages.append_message(
        session_id, "assistant", "Here is a very long explanation " * 30, model="gpt-4.1"
    )
    give_feedback(reply.id, -1, ["too_long", "unwanted_suggestions"])
    panel.weights_changed(session_id)  # the sliders move and say why
    for _ in range(30):  # let the slider animation finish
        app.processEvents()
        QThread.msleep(20)
    save(panel, "editor")
    panel.tabs.setCurrentIndex(0)
    save(panel.preview, "preview")
    panel.tabs.setCurrentIndex(1)
    panel.resize(460, 900)
    save(panel.tabs, "drift")

    snapshots = hooks.open_snapshots()
    save(snapshots, "snapshots")
    from desktop_agent.ui.weights.snapshot_manager import SnapshotsDialog

    assert isinstance(snapshots, SnapshotsDialog)
    save_dialog = snapshots.open_save()
    if save_dialog is not None:
        save_dialog.name.setText("support-v4")
        save(save_dialog, "save")
        save_dialog.reject()
    snapshots.select_rows([0, 1])
    diff = snapshots.open_compare()
    if diff is not None:
        save(diff, "diff")
        diff.reject()
    row = snapshots.model.row_of(
        next(r.id for r in snapshots.model.records() if r.name == "support-v3-extreme")
    )
    snapshots.select_rows([row or 0])
    whatif = snapshots.open_whatif()
    if whatif is not None:
        save(whatif, "whatif")
        whatif.reject()
    good = data_dir / "tuned.weights.json"
    good.write_text('{"verbosity": 0.3, "formality": 0.8}')
    preview = snapshots.import_file(good)
    if preview is not None:
        save(preview, "import")
        preview.reject()
    bad = data_dir / "broken.weights.json"
    bad.write_text('{"verbosity": 1.7}')
    rejected = snapshots.import_file(bad)
    if rejected is not None:
        save(rejected, "import-error")
        rejected.reject()
    snapshots.close()

    experiments_dialog = hooks.open_experiments()
    save(experiments_dialog, "experiments")
    from desktop_agent.ui.weights.experiments_dialog import ExperimentsDialog

    assert isinstance(experiments_dialog, ExperimentsDialog)
    new = experiments_dialog.open_new()
    new.name.setText("formality-test")
    save(new, "new-experiment")
    new.reject()
    experiments_dialog.close()
    agents_dialog = hooks.open_agents()
    save(agents_dialog, "agents")
    agents_dialog.close()
    save(window.toolbar, "toolbar")
    window.close()
    context.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
