"""The Storage tab of Settings: this computer's SQLite file or a PostgreSQL team store
(its URL; its password to the OS keyring, never to the settings), a connection test off
the UI thread, and the choice applied at the next start."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from PySide6.QtCore import Slot
from PySide6.QtWidgets import (
    QButtonGroup,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from desktop_agent.config.secrets import keyring_available
from desktop_agent.store.errors import StoreOfflineError
from desktop_agent.ui.plain import plain_label
from desktop_agent.ui.worker import Worker, worker_pool

if TYPE_CHECKING:
    from desktop_agent.services.app_context import AppContext

STORE_URL_ENV = "DESKTOP_AGENT_STORE_URL"
WARNING_STYLE = "color: #b9770e;"


class StorageSettings(QWidget):
    """`problem()` says what is wrong before saving; `apply()` stores the choice in the
    settings (and the password in the keyring). Nothing changes until the next start."""

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._context = context
        saved = context.settings.storage.store_url
        self.local = QRadioButton(self.tr("This computer (SQLite in the data dir)"))
        self.local.setObjectName("storageLocal")
        self.team = QRadioButton(self.tr("Team store (PostgreSQL)"))
        self.team.setObjectName("storageTeam")
        self._choice = QButtonGroup(self)
        self._choice.addButton(self.local)
        self._choice.addButton(self.team)
        (self.team if saved else self.local).setChecked(True)

        self.url = QLineEdit(saved)
        self.url.setObjectName("storeUrl")
        self.url.setPlaceholderText("postgresql://ROLE@HOST:5432/DATABASE")
        self.password = QLineEdit()
        self.password.setObjectName("storePassword")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setPlaceholderText(self.tr("kept in the system keyring (optional)"))
        self.keyring_note = plain_label(
            self.tr("The password is kept in the system keyring, never in the settings file.")
            if keyring_available()
            else self.tr(
                "⚠ No system keyring here: leave the password empty and set PGPASSWORD, "
                "or add it to ~/.pgpass (HOST:PORT:DATABASE:ROLE:PASSWORD)."
            )
        )
        self.keyring_note.setWordWrap(True)
        if not keyring_available():
            self.keyring_note.setObjectName("keyringWarning")
            self.keyring_note.setStyleSheet(WARNING_STYLE)
            self.password.setEnabled(False)
        self.test_button = QPushButton(self.tr("Test Connection"))
        self.test_button.setObjectName("testStore")
        self.test_button.clicked.connect(self.test_connection)
        self.test_status = plain_label()
        self.test_status.setObjectName("storeTestStatus")
        self.test_status.setWordWrap(True)
        test_row = QHBoxLayout()
        test_row.addWidget(self.test_button)
        test_row.addWidget(self.test_status, 1)

        self.team_form = QWidget()
        form = QFormLayout(self.team_form)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        form.addRow(self.tr("URL:"), self.url)
        form.addRow(self.tr("Password:"), self.password)
        form.addRow("", self.keyring_note)
        form.addRow("", test_row)

        self.in_use = plain_label(self._in_use_text())
        self.in_use.setObjectName("storeInUse")
        self.in_use.setWordWrap(True)
        self.next_start = plain_label(
            self.tr("A change applies the next time Desktop Agent starts.")
        )
        self.next_start.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.in_use)
        layout.addWidget(self.local)
        layout.addWidget(self.team)
        layout.addWidget(self.team_form)
        layout.addWidget(self.next_start)
        if os.environ.get(STORE_URL_ENV):
            override = plain_label(
                self.tr("%s is set: it wins over this choice while it is set.") % STORE_URL_ENV
            )
            override.setObjectName("storeEnvNote")
            override.setWordWrap(True)
            override.setStyleSheet(WARNING_STYLE)
            layout.addWidget(override)
        layout.addStretch(1)
        self.team.toggled.connect(self._show_choice)
        self._show_choice()

    def _in_use_text(self) -> str:
        team = self._context.team_store
        if team is None:
            return self.tr("In use now: this computer (%s).") % self._context.database_path
        return self.tr("In use now: the team store %s.") % team.display

    @Slot()
    def _show_choice(self) -> None:
        self.team_form.setEnabled(self.team.isChecked())

    def chosen_url(self) -> str:
        return self.url.text().strip() if self.team.isChecked() else ""

    def problem(self) -> str:
        """'' when the choice can be saved, else what is wrong with it."""
        if not self.team.isChecked():
            return ""
        if not self.chosen_url():
            return self.tr("Type the team store's URL: postgresql://ROLE@HOST:PORT/DATABASE")
        from desktop_agent.domain.errors import InvalidInputError
        from desktop_agent.services.team_store import parse_store_url

        try:
            parse_store_url(self.chosen_url())
        except InvalidInputError as exc:
            return str(exc)
        return ""

    def apply(self) -> None:
        """Store the choice in the settings (saved by the dialog) and the password in the
        keyring. Raises InvalidInputError (no keyring for a typed password)."""
        from desktop_agent.services.team_store import storage_choice

        choice = storage_choice(self.chosen_url(), self.password.text())
        self._context.settings.storage.store_url = choice.url

    @Slot()
    def test_connection(self) -> None:
        problem = self.problem() or (
            "" if self.team.isChecked() else self.tr("Choose the team store to test it.")
        )
        if problem:
            self.test_status.setText(problem)
            return
        url, password = self.chosen_url(), self.password.text() or None

        def job(_worker: Worker) -> str:
            from desktop_agent.services.team_store import check_store

            return check_store(url, password)

        worker = Worker(job, "store-test")
        worker.returned.connect(self._on_tested)
        worker.errored.connect(self._on_test_failed)
        self.test_button.setEnabled(False)
        self.test_status.setStyleSheet("")
        self.test_status.setText(self.tr("Connecting…"))
        worker_pool().start(worker, owner=self)

    @Slot(object)
    def _on_tested(self, server: str) -> None:
        self.test_button.setEnabled(True)
        self.test_status.setStyleSheet("")
        self.test_status.setText(
            self.tr("✓ Connected to %s: a team store this version can use.") % server
        )

    @Slot(object)
    def _on_test_failed(self, exc: BaseException) -> None:
        self.test_button.setEnabled(True)
        self.test_status.setStyleSheet(WARNING_STYLE)
        prefix = self.tr("Unreachable") if isinstance(exc, StoreOfflineError) else self.tr("Failed")
        self.test_status.setText(f"✗ {prefix}: {exc}")
