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
from desktop_agent.store.db import close_database, open_database

if TYPE_CHECKING:
    from pathlib import Path

    from desktop_agent.services.chat import ChatService


@dataclass
class AppContext:
    data_dir: Path
    settings: Settings
    secrets: SecretStore

    @property
    def database_path(self) -> Path:
        return database_path(self.data_dir)

    def provider(self) -> EffectiveProvider:
        return effective_provider(
            self.settings, self.secrets.get, has_stored_key=self.secrets.has_key()
        )

    def chat_service(self) -> ChatService:
        # Imported here: a CLI command that never chats (search, show) skips the chat
        # service and everything behind it (compiler, learning, llm).
        from desktop_agent.services.chat import ChatService

        return ChatService(self.provider(), self.settings.provider, self.settings.learning)

    def save_settings(self) -> None:
        save_settings(self.data_dir, self.settings)

    def close(self) -> None:
        close_database()


def open_app(data_dir: str | Path | None = None) -> AppContext:
    """Resolve the data dir, read settings, open and migrate the store, ensure defaults.

    Raises InvalidInputError (bad settings) or StoreError (damaged/newer database).
    """
    directory = resolve_data_dir(data_dir)
    # Conversations are private: a new data dir is readable only by its owner.
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    settings = load_settings(directory)
    open_database(database_path(directory))
    agents.ensure_defaults()
    return AppContext(directory, settings, SecretStore(directory))
