"""Open everything a front end needs (data dir, settings, key store, database) in one call."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from desktop_agent.config.paths import database_path, resolve_data_dir
from desktop_agent.config.secrets import SecretStore
from desktop_agent.config.settings import (
    EffectiveProvider,
    Settings,
    effective_provider,
    load_settings,
    save_settings,
)
from desktop_agent.store import agents
from desktop_agent.store.db import (
    close_database,
    open_database,
    refuse_writes,
    verify_database,
)

if TYPE_CHECKING:
    from pathlib import Path

    from desktop_agent.services.chat import ChatService


@dataclass
class AppContext:
    data_dir: Path
    settings: Settings
    secrets: SecretStore
    check_owed: bool = False  # the store's integrity check was deferred (see verify_store)

    @property
    def database_path(self) -> Path:
        return database_path(self.data_dir)

    def provider(self) -> EffectiveProvider:
        return effective_provider(
            self.settings, self.secrets.get, has_stored_key=self.secrets.has_key()
        )

    def chat_service(self) -> ChatService:
        # Imported here: opening the window, or a CLI command that never chats (search,
        # show), skips the chat service and everything behind it (compiler, learning, llm).
        from desktop_agent.services.chat import ChatService

        return ChatService(self.provider(), self.settings.provider, self.settings.learning)

    def save_settings(self) -> None:
        save_settings(self.data_dir, self.settings)

    def verify_store(self) -> None:
        """The deferred integrity check (slow on a big store: run it off the UI thread).
        Raises StoreError naming the damage."""
        verify_database()
        self.check_owed = False

    def refuse_writes(self) -> None:
        """The check failed: keep reading, stop writing."""
        refuse_writes()

    def close(self) -> None:
        close_database()


def open_app(data_dir: str | Path | None = None, *, defer_check: bool = False) -> AppContext:
    """Resolve the data dir, read settings, open and migrate the store, ensure defaults.
    With `defer_check`, a start after an unclean exit skips the integrity check and
    leaves it owed (`check_owed`, `verify_store`).

    Raises InvalidInputError (bad settings) or StoreError (damaged/newer database).
    """
    directory = resolve_data_dir(data_dir)
    # Conversations are private: a new data dir is readable only by its owner.
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    settings = load_settings(directory)
    owed = open_database(database_path(directory), defer_check=defer_check)
    agents.ensure_defaults()
    return AppContext(directory, settings, SecretStore(directory), check_owed=owed)
