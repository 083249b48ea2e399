"""The Learning tab of Settings: compaction, where learning goes, goal judging, and the
thresholds snapshot validation uses for its verdict."""

from __future__ import annotations

from dataclasses import fields
from typing import TYPE_CHECKING

from PySide6.QtWidgets import (
    QCheckBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from desktop_agent.config.settings import setting_range
from desktop_agent.domain.calibration import METRIC_DEFINITIONS

if TYPE_CHECKING:
    from desktop_agent.config.settings import Settings

# Label and help for every validation threshold (settings.ValidationThresholds).
THRESHOLDS: dict[str, tuple[str, str]] = {
    "min_rated_turns": (
        "Rated replies needed",
        "Fewer rated replies than this can only warn: too little feedback to judge.",
    ),
    "min_approval_low": (
        "Fail below approval",
        "Fail when the lower end of approval's 95% interval is under this.",
    ),
    "warn_approval_low": (
        "Warn below approval",
        "Warn when the lower end of approval's 95% interval is under this.",
    ),
    "max_drift": ("Warn above drift", METRIC_DEFINITIONS.get("drift", "")),
    "max_polarised": (
        "Extreme weights allowed",
        "Warn when more weights than this sit at 0.05 or below, or 0.95 or above.",
    ),
    "min_agreement": ("Warn below agreement", METRIC_DEFINITIONS.get("agreement", "")),
    "max_instability": ("Warn above instability", METRIC_DEFINITIONS.get("stability", "")),
}


class LearningSettings(QWidget):
    """Edits a Settings object's learning and validation parts; `apply()` writes them."""

    def __init__(self, settings: Settings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._settings = settings
        self.compaction = QCheckBox(self.tr("Summarise older turns with the fast model"))
        self.compaction.setToolTip(
            "When a conversation outgrows the context budget its older turns are sent as a "
            "stored summary; off, they are simply left out. The messages are always kept."
        )
        self.compaction.setChecked(settings.provider.compaction)
        self.follow = QCheckBox(self.tr("Carry what a conversation learns into my profile"))
        self.follow.setToolTip(
            "On: a new conversation with this agent starts where the last one's learning "
            "ended. Off: only explicit saves change your learned weights."
        )
        self.follow.setChecked(settings.learning.follow_session)
        self.judge = QCheckBox(self.tr("Let the fast model judge progress toward a goal"))
        self.judge.setToolTip(
            self.tr("Used by snapshot validation when a conversation has a goal.")
        )
        self.judge.setChecked(settings.learning.judge_goal_with_fast_model)

        behaviour = QGroupBox(self.tr("Learning"))
        column = QVBoxLayout(behaviour)
        for box in (self.compaction, self.follow, self.judge):
            column.addWidget(box)

        thresholds = QGroupBox(self.tr("Snapshot validation thresholds"))
        form = QFormLayout(thresholds)
        self.fields: dict[str, QSpinBox | QDoubleSpinBox] = {}
        current = settings.validation
        for spec in fields(current):
            label, help_text = THRESHOLDS.get(spec.name, (spec.name, ""))
            value = getattr(current, spec.name)
            editor: QSpinBox | QDoubleSpinBox
            low, high = setting_range(f"validation.{spec.name}")
            if isinstance(value, int):
                editor = QSpinBox()
                editor.setRange(int(low), int(min(high, 10_000)))
                editor.setValue(value)
            else:
                editor = QDoubleSpinBox()
                editor.setRange(low, min(high, 1.0))
                editor.setDecimals(2)
                editor.setSingleStep(0.05)
                editor.setValue(float(value))
            editor.setObjectName(f"threshold_{spec.name}")
            editor.setToolTip(help_text)
            self.fields[spec.name] = editor
            form.addRow(f"{label}:", editor)

        layout = QVBoxLayout(self)
        layout.addWidget(behaviour)
        layout.addWidget(thresholds)
        layout.addStretch(1)

    def apply(self) -> None:
        settings = self._settings
        settings.provider.compaction = self.compaction.isChecked()
        settings.learning.follow_session = self.follow.isChecked()
        settings.learning.judge_goal_with_fast_model = self.judge.isChecked()
        for name, editor in self.fields.items():
            setattr(settings.validation, name, editor.value())
