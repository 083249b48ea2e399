"""The weight panel in the real main window on a real store: sliders drive the preview
live and record one event per gesture; learning moves the sliders and says why; the drift
chart plots exactly the stored events."""

from __future__ import annotations

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from desktop_agent.domain.compiler import directive_span, token_budget
from desktop_agent.store import messages, sessions
from desktop_agent.store.weights import Owner, current_weights, list_weight_events
from desktop_agent.ui.main_window import MainWindow
from desktop_agent.ui.weights.panel import WeightPanel


def panel_of(window: MainWindow) -> WeightPanel:
    assert isinstance(window.right_panel, WeightPanel)
    return window.right_panel


def test_dragging_a_slider_previews_live_and_records_one_event(
    qtbot: QtBot, window: MainWindow
) -> None:
    session = window.new_session()
    panel = panel_of(window)
    slider = panel.editor.rows["verbosity"].slider
    before = panel.preview.prompt.toPlainText()
    assert before == "You are a helpful assistant."  # neutral weights: nothing added
    assert "verbosity 0.5" in panel.preview.values_label.text()

    slider.setSliderDown(True)
    for position in range(50, 91, 2):  # a drag passes through many values
        slider.setValue(position)
    # The preview follows the drag before anything is stored.
    assert "long, thorough answer" in panel.preview.prompt.toPlainText()
    assert "verbosity 0.9," in panel.preview.values_label.text()
    assert panel.preview.tokens_label.text() == f"{token_budget(0.9, 0.5)} tokens"
    assert list_weight_events(Owner.session(session.id)) == []
    slider.setSliderDown(False)  # release

    events = list_weight_events(Owner.session(session.id))
    assert [(e.weight, e.old, e.new, e.cause) for e in events] == [
        ("verbosity", 0.5, 0.9, "manual")
    ]
    assert current_weights(Owner.session(session.id))["verbosity"] == 0.9
    request = panel.preview.request
    assert request is not None
    start, end = directive_span(request)
    assert panel.preview.highlighted_text() == request.system_prompt[start:end]


def test_keyboard_steps_settle_into_one_event(qtbot: QtBot, window: MainWindow) -> None:
    session = window.new_session()
    row = panel_of(window).editor.rows["formality"]
    row.slider.setFocus()
    for _ in range(5):
        qtbot.keyClick(row.slider, Qt.Key.Key_Right)
    assert row.spin.value() == 0.55
    qtbot.waitUntil(lambda: not row.pending)
    events = list_weight_events(Owner.session(session.id))
    assert [(e.weight, e.old, e.new) for e in events] == [("formality", 0.5, 0.55)]


def test_typing_a_value_records_it(qtbot: QtBot, window: MainWindow) -> None:
    session = window.new_session()
    row = panel_of(window).editor.rows["initiative"]
    row.spin.setValue(0.8)
    row.spin.editingFinished.emit()
    assert current_weights(Owner.session(session.id))["initiative"] == 0.8
    assert row.slider.value() == 80


def _thumbs_down(window: MainWindow, message_id: int, *reasons: str) -> None:
    """Thumbs down with reasons the way a person gives them: from the reply's menu."""
    for reason in reasons:
        record = next(r for r in window.chat.model.records() if r.id == message_id)
        menu = window.chat.feedback_menu(record)
        next(a for a in menu.actions() if a.text() == reason).trigger()
        menu.close()


def test_feedback_moves_the_slider_with_a_note(qtbot: QtBot, window: MainWindow) -> None:
    session = window.new_session()
    messages.append_message(session.id, "user", "explain monads")
    reply = messages.append_message(session.id, "assistant", "a long answer", model="m")
    window.open_session(sessions.get_session(session.id))
    panel = panel_of(window)
    row = panel.editor.rows["verbosity"]

    # Through the wiring: the reply's menu stores the feedback, the window's event hub
    # announces the learning, and the panel follows it.
    with qtbot.waitSignal(window.events.weightsChanged):
        _thumbs_down(window, reply.id, "Too long")
    new = current_weights(Owner.session(session.id))["verbosity"]
    assert new < 0.5

    qtbot.waitUntil(lambda: row.slider.value() == round(new * 100))
    assert row.value == new
    assert row.highlighted
    assert row.note.text() == f"verbosity −{0.5 - new:.2f}: too_long"
    assert row.note.isVisible()
    qtbot.waitUntil(lambda: not row.highlighted, timeout=5000)


def test_reset_and_revert(qtbot: QtBot, window: MainWindow) -> None:
    session = window.new_session()
    panel = panel_of(window)
    panel.record({**current_weights(Owner.session(session.id)), "autonomy": 0.9})
    panel.revert_button.click()
    assert current_weights(Owner.session(session.id))["autonomy"] == 0.5
    assert panel.editor.rows["autonomy"].value == 0.5
    panel.record({**current_weights(Owner.session(session.id)), "autonomy": 0.2})
    panel.reset_button.click()
    assert current_weights(Owner.session(session.id))["autonomy"] == 0.5
    assert list_weight_events(Owner.session(session.id))[-1].cause == "reset"


def test_save_as_baseline_and_for_the_user(qtbot: QtBot, window: MainWindow) -> None:
    from desktop_agent.store import agents

    session = window.new_session()
    panel = panel_of(window)
    panel.record({**current_weights(Owner.session(session.id)), "verbosity": 0.3})
    panel.save_user_button.click()
    assert agents.learned_weights(session.user_id, session.agent_id) == {
        **current_weights(Owner.session(session.id))
    }
    assert panel.editor.rows["verbosity"].slider.learned == 0.3
    panel.save_agent_button.click()
    assert agents.get_agent(session.agent_id).baseline["verbosity"] == 0.3
    assert panel.editor.rows["verbosity"].slider.baseline == 0.3


def test_learning_switch_and_rate(qtbot: QtBot, window: MainWindow) -> None:
    from desktop_agent.store import agents, sessions

    session = window.new_session()
    panel = panel_of(window)
    panel.learning_box.setChecked(False)
    assert not sessions.get_session(session.id).learning_enabled
    panel.rate.setValue(0.3)
    assert agents.get_agent(session.agent_id).learning_rate == 0.3


def test_the_drift_chart_plots_the_event_history(qtbot: QtBot, window: MainWindow) -> None:
    session = window.new_session()
    messages.append_message(session.id, "user", "hi")
    reply = messages.append_message(session.id, "assistant", "hello", model="m")
    window.open_session(sessions.get_session(session.id))
    panel = panel_of(window)
    panel.record({**current_weights(Owner.session(session.id)), "formality": 0.8})
    _thumbs_down(window, reply.id, "Too long", "Unwanted suggestions")

    events = list_weight_events(Owner.session(session.id))
    chart = panel.chart
    assert [(p.weight, p.old, p.new, p.cause, p.message_id) for p in chart.points] == [
        (e.weight, e.old, e.new, e.cause, e.message_id) for e in events
    ]
    assert chart.states[-1] == current_weights(Owner.session(session.id))
    assert len(chart.drift) == len(events) + 1

    # Clicking a learned point asks to open its message.
    learned = next(p for p in chart.points if p.message_id == reply.id)
    panel.tabs.setCurrentIndex(1)
    qtbot.waitUntil(chart.isVisible)
    centre = chart.point_position(learned.index, learned.new).toPoint()
    with qtbot.waitSignal(panel.message_requested) as blocker:
        qtbot.mouseClick(chart, Qt.MouseButton.LeftButton, pos=centre)
    assert blocker.args == [session.id, reply.id]
    assert "too_long" in chart.tooltip_for(learned) or "unwanted" in chart.tooltip_for(learned)


def test_no_session_shows_the_hint(qtbot: QtBot, window: MainWindow) -> None:
    panel = panel_of(window)
    window.open_session(None)
    assert panel.empty.isVisible()
    assert not panel.splitter.isVisible()
