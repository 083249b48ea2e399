"""The weight sliders: one row per weight with its meanings, value field, baseline and
learned markers, and a note of why learning last moved it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QEasingCurve, QSignalBlocker, Qt, QTimer, QVariantAnimation, Signal
from PySide6.QtWidgets import (
    QAbstractSlider,
    QDoubleSpinBox,
    QFrame,
    QGridLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from desktop_agent.domain.weights import WEIGHT_SPECS, WeightSpec
from desktop_agent.ui.weights.slider import WeightSlider, to_position, to_value

if TYPE_CHECKING:
    from collections.abc import Mapping

RECORD_DELAY_MS = 450  # keyboard and wheel steps settle into one event
HIGHLIGHT_MS = 2500
ANIMATION_MS = 350


def pretty_name(name: str) -> str:
    return name.replace("_", " ").replace(" vs ", " vs. ").capitalize()


class WeightRow(QFrame):
    """One weight: title and value field, the slider, its low/high meanings and a note.

    Signals:
        edited(str, float): the user moved the value (live, on every step).
        settled(str): the user finished a change (release, edit finished, pause).
    """

    edited = Signal(str, float)
    settled = Signal(str)

    def __init__(self, spec: WeightSpec, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.spec = spec
        self.value = 0.5
        self.setObjectName("weightRow")
        self.setProperty("highlighted", False)
        tooltip = f"<b>{spec.name}</b><br>0.0: {spec.low}<br>1.0: {spec.high}"
        self.setToolTip(tooltip)
        self.title = QLabel(f"<b>{pretty_name(spec.name)}</b>")
        self.spin = QDoubleSpinBox()
        self.spin.setObjectName(f"{spec.name}Value")
        self.spin.setRange(0.0, 1.0)
        self.spin.setSingleStep(0.01)
        self.spin.setDecimals(2)
        self.spin.setKeyboardTracking(False)
        self.spin.setAccessibleName(f"{spec.name} value")
        self.slider = WeightSlider()
        self.slider.setObjectName(f"{spec.name}Slider")
        self.slider.setAccessibleName(spec.name)
        self.slider.setToolTip(tooltip)
        self.low = QLabel(spec.low)
        self.high = QLabel(spec.high)
        self.high.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
        for label in (self.low, self.high):
            label.setWordWrap(True)
            label.setObjectName("weightMeaning")
            label.setAlignment(label.alignment() | Qt.AlignmentFlag.AlignTop)
        self.note = QLabel()
        self.note.setObjectName("weightNote")
        self.note.hide()

        grid = QGridLayout(self)
        grid.setContentsMargins(8, 6, 8, 6)
        grid.setVerticalSpacing(2)
        grid.addWidget(self.title, 0, 0)
        grid.addWidget(self.spin, 0, 1, Qt.AlignmentFlag.AlignRight)
        grid.addWidget(self.slider, 1, 0, 1, 2)
        grid.addWidget(self.low, 2, 0)
        grid.addWidget(self.high, 2, 1)
        grid.addWidget(self.note, 3, 0, 1, 2)
        grid.setColumnStretch(0, 1)
        grid.setColumnStretch(1, 1)

        self._settle_timer = QTimer(self)
        self._settle_timer.setSingleShot(True)
        self._settle_timer.setInterval(RECORD_DELAY_MS)
        self._settle_timer.timeout.connect(lambda: self.settled.emit(self.spec.name))
        self._highlight_timer = QTimer(self)
        self._highlight_timer.setSingleShot(True)
        self._highlight_timer.timeout.connect(lambda: self.set_highlighted(False))
        self._animation = QVariantAnimation(self)
        self._animation.setDuration(ANIMATION_MS)
        self._animation.setEasingCurve(QEasingCurve.Type.OutCubic)
        self._animation.valueChanged.connect(self._animate_step)

        self.slider.valueChanged.connect(self._on_slider_moved)
        # actionTriggered fires for user steps only (keys, wheel, page clicks), never for
        # setValue, so programmatic updates can never record an event.
        self.slider.actionTriggered.connect(self._on_slider_action)
        self.slider.sliderReleased.connect(self.flush)
        self.spin.valueChanged.connect(self._on_spin_changed)
        self.spin.editingFinished.connect(self.flush)

    # -- user input

    def _on_slider_moved(self, position: int) -> None:
        if self._animation.state() == QVariantAnimation.State.Running:
            return
        value = to_value(position)
        if to_position(self.value) == position:
            return  # a display rounding of the exact stored value, not a change
        self.value = value
        with QSignalBlocker(self.spin):
            self.spin.setValue(value)
        self.edited.emit(self.spec.name, value)

    def _on_slider_action(self, action: int) -> None:
        if action != QAbstractSlider.SliderAction.SliderMove.value:
            self._settle_timer.start()

    def _on_spin_changed(self, value: float) -> None:
        if round(self.value, 2) == round(value, 2):
            return
        self.value = round(value, 2)
        with QSignalBlocker(self.slider):
            self.slider.setValue(to_position(self.value))
        self.edited.emit(self.spec.name, self.value)
        self._settle_timer.start()

    def flush(self) -> None:
        """Record now what the user has done (a pending pause counts as finished)."""
        self._settle_timer.stop()
        self.settled.emit(self.spec.name)

    @property
    def pending(self) -> bool:
        return self._settle_timer.isActive()

    # -- programmatic updates

    def show_value(self, value: float, *, animate: bool = False) -> None:
        self._settle_timer.stop()
        old = self.slider.value()
        self.value = value
        with QSignalBlocker(self.spin):
            self.spin.setValue(value)
        target = to_position(value)
        if animate and old != target and self.isVisible():
            self._animation.stop()
            self._animation.setStartValue(old)
            self._animation.setEndValue(target)
            self._animation.start()
        else:
            self._animation.stop()
            with QSignalBlocker(self.slider):
                self.slider.setValue(target)

    def _animate_step(self, position: object) -> None:
        with QSignalBlocker(self.slider):
            self.slider.setValue(int(position))  # type: ignore[call-overload]

    def set_markers(self, baseline: float | None, learned: float | None) -> None:
        self.slider.set_markers(baseline, learned)
        parts = []
        if baseline is not None:
            parts.append(f"agent baseline {baseline:.2f} (amber ▲ below)")
        if learned is not None:
            parts.append(f"your learned value {learned:.2f} (green ▼ above)")
        self.slider.setToolTip(f"{self.toolTip()}<br><br>{'<br>'.join(parts)}")

    def show_note(self, text: str) -> None:
        self.note.setText(text)
        self.note.setVisible(bool(text))
        if text:
            self.set_highlighted(True)
            self._highlight_timer.start(HIGHLIGHT_MS)

    def set_highlighted(self, on: bool) -> None:
        self.setProperty("highlighted", on)
        self.style().unpolish(self)
        self.style().polish(self)

    @property
    def highlighted(self) -> bool:
        return bool(self.property("highlighted"))


STYLE = """
#weightRow { border-radius: 6px; }
#weightRow[highlighted="true"] { background: rgba(46, 164, 79, 0.16);
    border: 1px solid rgba(46, 164, 79, 0.55); }
#weightMeaning { color: palette(placeholder-text); font-size: 11px; }
#weightNote { color: #2ea44f; font-size: 11px; font-weight: 600; }
"""


class WeightEditor(QWidget):
    """Every weight's row.

    Signals:
        edited(dict): the weights as the user is moving them (live, for the preview).
        settled(dict): the weights once the user finished a change (to record).
    """

    edited = Signal(dict)
    settled = Signal(dict)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("weightEditor")
        self.setStyleSheet(STYLE)
        self.rows: dict[str, WeightRow] = {}
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        for spec in WEIGHT_SPECS:
            row = WeightRow(spec)
            row.edited.connect(lambda _name, _value: self.edited.emit(self.values()))
            row.settled.connect(lambda _name: self.settled.emit(self.values()))
            self.rows[spec.name] = row
            layout.addWidget(row)

    def values(self) -> dict[str, float]:
        return {name: row.value for name, row in self.rows.items()}

    def show_values(
        self,
        weights: Mapping[str, float],
        *,
        baseline: Mapping[str, float] | None = None,
        learned: Mapping[str, float] | None = None,
        animate: bool = False,
    ) -> None:
        for name, row in self.rows.items():
            row.show_value(weights[name], animate=animate)
            row.set_markers(
                None if baseline is None else baseline[name],
                None if learned is None else learned[name],
            )

    def clear_notes(self) -> None:
        for row in self.rows.values():
            row.note.hide()
            row.set_highlighted(False)
