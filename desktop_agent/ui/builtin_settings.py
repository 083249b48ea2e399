"""Settings → Provider, the built-in model's part: model file (any GGUF), context size,
threads, each checked before it is saved."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Slot
from PySide6.QtWidgets import (
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QWidget,
)

from desktop_agent.config.settings import MODEL_FILE_ENV, setting_range
from desktop_agent.domain.errors import InvalidInputError

if TYPE_CHECKING:
    from desktop_agent.config.settings import ProviderSettings

BUNDLED_PLACEHOLDER = "SmolLM2-135M-Instruct (bundled, 98 MB)"
ERROR_STYLE = "color: #c0392b;"


class BuiltinModelBox(QGroupBox):
    """The built-in model's settings; `problem()` checks them, `apply()` stores them."""

    def __init__(self, provider: ProviderSettings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTitle(self.tr("Built-in model (runs on this computer, offline)"))
        self.setObjectName("builtinModelBox")
        self.model_file = QLineEdit(provider.builtin_model_file)
        self.model_file.setObjectName("builtinModelFile")
        self.model_file.setPlaceholderText(BUNDLED_PLACEHOLDER)
        self.model_file.setToolTip("Any GGUF model file: Qwen, Llama, Gemma, SmolLM…")
        self.model_file.editingFinished.connect(self.check_file)
        choose = QPushButton(self.tr("Choose…"))
        choose.clicked.connect(self.choose_file)
        bundled = QPushButton(self.tr("Use Bundled"))
        bundled.setToolTip("Go back to the bundled SmolLM2-135M-Instruct")
        bundled.clicked.connect(self.use_bundled)
        file_row = QHBoxLayout()
        file_row.addWidget(self.model_file, 1)
        file_row.addWidget(choose)
        file_row.addWidget(bundled)
        self.file_status = QLabel()
        self.file_status.setObjectName("builtinModelStatus")
        self.file_status.setWordWrap(True)
        # File names and errors are data, never markup.
        self.file_status.setTextFormat(Qt.TextFormat.PlainText)

        low, high = setting_range("provider.builtin_context_size")
        self.context_size = QSpinBox()
        self.context_size.setRange(int(low), int(high))
        self.context_size.setSingleStep(512)
        self.context_size.setSuffix(" tokens")
        self.context_size.setGroupSeparatorShown(True)
        self.context_size.setValue(provider.builtin_context_size)
        self.context_size.setToolTip(
            "How much conversation the model sees at once; more needs more memory."
        )
        self.context_size.editingFinished.connect(self.check_file)
        from desktop_agent.services.builtin_model import automatic_threads

        self.threads = QSpinBox()
        self.threads.setRange(0, 64)
        self.threads.setSpecialValueText(f"Automatic ({automatic_threads()})")
        self.threads.setValue(provider.builtin_threads)
        self.threads.setToolTip("CPU threads for the model; automatic leaves room for the app.")

        form = QFormLayout(self)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        form.addRow(self.tr("Model file:"), file_row)
        form.addRow("", self.file_status)
        form.addRow(self.tr("Context size:"), self.context_size)
        form.addRow(self.tr("Threads:"), self.threads)
        override = os.environ.get(MODEL_FILE_ENV)
        if override:
            note = QLabel(f"{MODEL_FILE_ENV} overrides the model file while it is set: {override}")
            note.setTextFormat(Qt.TextFormat.PlainText)
            note.setWordWrap(True)
            note.setObjectName("modelFileEnvNote")
            form.addRow("", note)
        self.check_file()

    def chosen_file(self) -> str:
        return self.model_file.text().strip()

    @Slot()
    def choose_file(self) -> None:
        start = os.path.dirname(self.chosen_file()) or os.path.expanduser("~")
        path, _ = QFileDialog.getOpenFileName(
            self, self.tr("Choose a GGUF Model"), start, "GGUF models (*.gguf);;All files (*)"
        )
        if path:
            self.model_file.setText(path)
            self.check_file()

    @Slot()
    def use_bundled(self) -> None:
        self.model_file.clear()
        self.check_file()

    @Slot()
    def check_file(self) -> str:
        """Check the chosen file now; return the problem ('' when it is fine)."""
        from desktop_agent.services.builtin_model import check_model_file

        try:
            report = check_model_file(self.chosen_file(), self.context_size.value())
        except InvalidInputError as exc:
            self.file_status.setStyleSheet(ERROR_STYLE)
            self.file_status.setText(str(exc))
            return str(exc)
        self.file_status.setStyleSheet("")
        self.file_status.setText(report.describe())
        return ""

    def problem(self) -> str:
        return self.check_file()

    def apply(self, provider: ProviderSettings) -> None:
        provider.builtin_model_file = self.chosen_file()
        provider.builtin_context_size = self.context_size.value()
        provider.builtin_threads = self.threads.value()
