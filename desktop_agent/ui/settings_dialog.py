"""Settings: the provider (the built-in model, or a server: address, key, models, context
budget), data location, theme."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QUrl, Slot
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QSpinBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from desktop_agent.config.settings import (
    DEFAULT_CONTEXT_BUDGET,
    PROVIDER_BUILTIN,
    PROVIDER_SERVER,
)
from desktop_agent.services.backups import backup_summary
from desktop_agent.ui.builtin_settings import BuiltinModelBox
from desktop_agent.ui.learning_settings import LearningSettings
from desktop_agent.ui.plain import plain_label
from desktop_agent.ui.worker import Worker, worker_pool

if TYPE_CHECKING:
    from desktop_agent.services.app_context import AppContext

ENV_OVERRIDES = {
    "OPENAI_BASE_URL": "the address",
    "OPENAI_API_KEY": "the API key",
    "DESKTOP_AGENT_MODEL": "the model",
}


def check_base_url(text: str) -> str:
    """'' when acceptable, else what is wrong with it."""
    url = QUrl(text.strip())
    if not text.strip():
        return "The server address is empty."
    if url.scheme() not in ("http", "https") or not url.host():
        return "The server address must start with http:// or https:// and name a host."
    return ""


class SettingsDialog(QDialog):
    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("settingsDialog")
        self.setWindowTitle(self.tr("Settings"))
        self.setMinimumWidth(560)
        self._context = context
        self._remove_key = False
        provider = context.settings.provider

        self.base_url = QLineEdit(provider.base_url)
        self.base_url.setPlaceholderText(self.tr("https://api.openai.com/v1"))
        self.api_key = QLineEdit()
        self.api_key.setEchoMode(QLineEdit.EchoMode.Password)
        stored = context.secrets.has_key()
        self.api_key.setPlaceholderText(
            "A key is stored — type to replace it"
            if stored
            else "sk-… (not needed for local servers)"
        )
        self.remove_key_button = QPushButton(self.tr("Remove Stored Key"))
        self.remove_key_button.setEnabled(bool(stored))
        self.remove_key_button.clicked.connect(self._on_remove_key)
        key_row = QHBoxLayout()
        key_row.addWidget(self.api_key, 1)
        key_row.addWidget(self.remove_key_button)
        status = context.secrets.status()
        self.key_status = plain_label(
            "Stored in the system keyring."
            if status.backend == "keyring"
            else "⚠ " + status.warning
        )
        self.key_status.setWordWrap(True)
        self.key_status.setObjectName("keyWarning" if status.warning else "keyStatus")
        if status.warning:
            self.key_status.setStyleSheet("color: #b9770e;")

        self.model = QComboBox()
        self.model.setEditable(True)
        self.model.setCurrentText(provider.model)
        self.fast_model = QComboBox()
        self.fast_model.setEditable(True)
        # An empty editable combo sizes to nothing; show the whole placeholder.
        self.fast_model.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.fast_model.setCurrentText(provider.fast_model)
        fast_edit = self.fast_model.lineEdit()
        if fast_edit is not None:
            fast_edit.setPlaceholderText(self.tr("same as the primary model"))
        self.fetch_button = QPushButton(self.tr("Fetch Models"))
        self.fetch_button.setToolTip(self.tr("Ask the server which models it offers (GET /models)"))
        self.fetch_button.clicked.connect(self.fetch_models)
        model_row = QHBoxLayout()
        model_row.addWidget(self.model, 1)
        model_row.addWidget(self.fetch_button)
        self.fetch_status = plain_label()
        self.fetch_status.setWordWrap(True)
        self.budget = QSpinBox()
        self.budget.setRange(1_000, 2_000_000)
        self.budget.setSingleStep(1_000)
        self.budget.setSuffix(self.tr(" tokens"))
        self.budget.setGroupSeparatorShown(True)
        self.budget.setValue(provider.context_budget(provider.model))
        self.budget.setToolTip(
            "How much history is sent to the primary model; older turns are summarised."
        )

        # Which one answers: the built-in model, or a server (resolved as the app does).
        self.kind = QComboBox()
        self.kind.setObjectName("providerKind")
        self.kind.addItem(self.tr("Built-in (on this computer)"), PROVIDER_BUILTIN)
        self.kind.addItem(self.tr("OpenAI-compatible server"), PROVIDER_SERVER)
        self._initial_kind = context.provider().kind
        self.kind.setCurrentIndex(self.kind.findData(self._initial_kind))
        self.kind.currentIndexChanged.connect(self._show_kind)
        kind_row = QFormLayout()
        kind_row.addRow(self.tr("Replies come from:"), self.kind)
        self.builtin_box = BuiltinModelBox(provider)

        provider_box = QGroupBox(self.tr("Server (any OpenAI-compatible endpoint)"))
        self.server_box = provider_box
        form = QFormLayout(provider_box)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        form.addRow("Server address:", self.base_url)
        form.addRow("API key:", key_row)
        form.addRow("", self.key_status)
        form.addRow("Primary model:", model_row)
        form.addRow("Fast model:", self.fast_model)
        form.addRow("", self.fetch_status)
        form.addRow("Context budget:", self.budget)
        overridden = [what for name, what in ENV_OVERRIDES.items() if os.environ.get(name)]
        if overridden:
            note = QLabel(
                "Environment variables override " + ", ".join(overridden) + " while they are set."
            )
            note.setWordWrap(True)
            note.setObjectName("envNote")
            form.addRow("", note)

        data_box = QGroupBox(self.tr("Data and appearance"))
        data_form = QFormLayout(data_box)
        self.data_dir = plain_label(str(context.data_dir))
        self.data_dir.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.data_dir.setWordWrap(True)
        open_dir = QPushButton(self.tr("Open Folder"))
        open_dir.clicked.connect(
            lambda: QDesktopServices.openUrl(QUrl.fromLocalFile(str(context.data_dir)))
        )
        dir_row = QHBoxLayout()
        dir_row.addWidget(self.data_dir, 1)
        dir_row.addWidget(open_dir)
        data_form.addRow("Data folder:", dir_row)
        self.backups = plain_label(backup_summary(context.data_dir, context.settings.backups.keep))
        self.backups.setObjectName("backupSummary")
        self.backups.setTextFormat(Qt.TextFormat.PlainText)
        self.backups.setWordWrap(True)
        data_form.addRow(self.tr("Backups:"), self.backups)
        data_form.addRow("Theme:", QLabel(self.tr("Light or dark, following the system setting.")))

        self.error = plain_label()
        self.error.setObjectName("settingsError")
        self.error.setTextFormat(Qt.TextFormat.PlainText)  # may quote a file name
        self.error.setStyleSheet("color: #c0392b;")
        self.error.setWordWrap(True)
        self.error.hide()
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.learning = LearningSettings(context.settings)
        from desktop_agent.ui.storage_settings import StorageSettings

        self.storage = StorageSettings(context)
        general = QWidget()
        general_layout = QVBoxLayout(general)
        general_layout.addLayout(kind_row)
        general_layout.addWidget(self.builtin_box)
        general_layout.addWidget(provider_box)
        general_layout.addWidget(data_box)
        general_layout.addStretch(1)
        self.tabs = QTabWidget()
        self.tabs.addTab(general, self.tr("Provider and Data"))
        self.tabs.addTab(self.learning, self.tr("Learning"))
        self.tabs.addTab(self.storage, self.tr("Storage"))
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self._show_kind()

    def chosen_kind(self) -> str:
        return str(self.kind.currentData())

    @Slot()
    def _show_kind(self) -> None:
        builtin = self.chosen_kind() == PROVIDER_BUILTIN
        self.builtin_box.setVisible(builtin)
        self.server_box.setVisible(not builtin)

    @Slot()
    def _on_remove_key(self) -> None:
        self._remove_key = True
        self.api_key.clear()
        self.api_key.setPlaceholderText(self.tr("The stored key will be removed when you save"))
        self.remove_key_button.setEnabled(False)

    @Slot()
    def fetch_models(self) -> None:
        problem = check_base_url(self.base_url.text())
        if problem:
            self.fetch_status.setText(problem)
            return
        from desktop_agent.config.settings import effective_provider

        stored = None if self._remove_key else self._context.secrets.get()
        api_key = (
            self.api_key.text().strip()
            or effective_provider(self._context.settings, stored).api_key
        )
        url = self.base_url.text().strip()
        timeout = self._context.settings.provider.timeout_seconds

        def job(worker: Worker) -> list[str]:
            from desktop_agent.llm.client import ProviderClient, ProviderConfig

            with ProviderClient(ProviderConfig(url, api_key, timeout, 0)) as client:
                return client.list_models()

        worker = Worker(job, "list-models")
        worker.returned.connect(self._on_models)
        worker.errored.connect(self._on_models_failed)
        self.fetch_button.setEnabled(False)
        self.fetch_status.setText(self.tr("Asking the server for its models…"))
        worker_pool().start(worker, owner=self)

    @Slot(object)
    def _on_models(self, models: list[str]) -> None:
        self.fetch_button.setEnabled(True)
        for combo in (self.model, self.fast_model):
            current = combo.currentText()
            combo.clear()
            combo.addItems(models)
            combo.setCurrentText(current)
        self.fetch_status.setText(f"{len(models)} models available.")

    @Slot(object)
    def _on_models_failed(self, exc: BaseException) -> None:
        self.fetch_button.setEnabled(True)
        self.fetch_status.setText(f"Could not list models: {exc}")

    def accept(self) -> None:
        builtin = self.chosen_kind() == PROVIDER_BUILTIN
        model = self.model.currentText().strip()
        if builtin:
            model = model or self._context.settings.provider.model
            problem = self.builtin_box.problem()
        else:
            problem = check_base_url(self.base_url.text())
            if not problem and not model:
                problem = "Choose a primary model."
        problem = problem or self.storage.problem()
        if problem:
            self.error.setText(problem)
            self.error.show()
            return
        provider = self._context.settings.provider
        if self.chosen_kind() != self._initial_kind:
            # Only an explicit choice is stored: untouched, the automatic rule stays.
            provider.kind = self.chosen_kind()
        self.builtin_box.apply(provider)
        provider.base_url = self.base_url.text().strip() or provider.base_url
        provider.model = model
        provider.fast_model = self.fast_model.currentText().strip()
        if self.budget.value() != DEFAULT_CONTEXT_BUDGET or model in provider.context_budgets:
            provider.context_budgets = {**provider.context_budgets, model: self.budget.value()}
        self.learning.apply()
        try:
            self.storage.apply()
        except ValueError as exc:  # InvalidInputError: a password with no keyring
            self.error.setText(str(exc))
            self.error.show()
            self.tabs.setCurrentWidget(self.storage)
            return
        try:
            self._context.save_settings()
            key = self.api_key.text().strip()
            if key:
                self._context.secrets.set(key)
            elif self._remove_key:
                self._context.secrets.clear()
        except OSError as exc:
            from desktop_agent.ui.disk_watch import claim_disk_full

            claim_disk_full(exc)  # a full disk also turns the window read-only
            self.error.setText(f"Could not save the settings: {exc}")
            self.error.show()
            return
        super().accept()

    def done(self, result: int) -> None:
        worker_pool().cancel(self)
        super().done(result)
