"""Open everything a front end needs (data dir, settings, key store, database) in one call."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import TYPE_CHECKING

from desktop_agent.config.paths import database_path, resolve_data_dir
from desktop_agent.config.secrets import SecretStore, store_password
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
from desktop_agent.store.errors import StoreOfflineError

if TYPE_CHECKING:
    from pathlib import Path

    from desktop_agent.services.chat import ChatService
    from desktop_agent.store.team import StoreAddress

STORE_URL_ENV = "DESKTOP_AGENT_STORE_URL"


@dataclass
class AppContext:
    """What an open app holds: the data dir, settings, secrets and which store."""

    data_dir: Path
    settings: Settings
    secrets: SecretStore
    check_owed: bool = False  # the store's integrity check was deferred (see verify_store)
    team_store: StoreAddress | None = None  # None: the data dir's SQLite file
    # Why the team store could not be reached at start-up ("" once it is open): the
    # window opens offline and finishes opening when its probe sees the server.
    offline_reason: str = ""

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

    def finish_opening(self) -> None:
        """The team store that was offline at start-up answers: open it as open_app
        would have (role and schema checked, defaults ensured). Raises StoreError
        (StoreOfflineError if it went away again) naming the server."""
        if not self.offline_reason or self.team_store is None:
            return
        from desktop_agent.store.team import open_team_store

        address = self.team_store
        open_team_store(address.url, password=store_password(address.display))
        agents.ensure_defaults()
        self.offline_reason = ""

    def close(self) -> None:
        close_database()


def open_app(
    data_dir: str | Path | None = None,
    *,
    defer_check: bool = False,
    store_url: str | None = None,
    routine_check: bool = True,
    offline_ok: bool = False,
) -> AppContext:
    """Resolve the data dir, read settings, open and migrate the store, ensure defaults.
    With `defer_check`, a start after an unclean exit skips the integrity check and
    leaves it owed (`check_owed`, `verify_store`). Without `routine_check` (commands that
    only read) a small store skips the check on a start after a clean exit, as a big one
    does; damage met while reading still stops the command with a message.

    The store is a PostgreSQL team store when `store_url`, $DESKTOP_AGENT_STORE_URL or
    Settings → Storage (settings.storage.store_url) names one, else the data dir's
    SQLite file. Raises InvalidInputError (bad settings
    or URL) or StoreError (damaged/newer database, unreachable or refused team store).
    With `offline_ok` (the window) an unreachable team store is no error: the context
    comes back with `offline_reason` set, the store bound to fail every statement with
    that reason until finish_opening() succeeds.
    """
    directory = resolve_data_dir(data_dir)
    # Conversations are private: a new data dir is readable only by its owner.
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    settings = load_settings(directory)
    url = store_url or os.environ.get(STORE_URL_ENV) or settings.storage.store_url
    team, owed, offline = None, False, ""
    if url:
        from desktop_agent.store.team import (
            bind_unreachable_team_store,
            open_team_store,
            parse_store_url,
        )

        try:
            team = open_team_store(url, password=store_password(parse_store_url(url).display))
        except StoreOfflineError as exc:
            if not offline_ok:
                raise
            team, offline = bind_unreachable_team_store(url, exc), str(exc)
    else:
        owed = open_database(
            database_path(directory), defer_check=defer_check, routine_check=routine_check
        )
    if not offline:
        agents.ensure_defaults()
    return AppContext(
        directory,
        settings,
        SecretStore(directory),
        check_owed=owed,
        team_store=team,
        offline_reason=offline,
    )
