"""`export-all` / `import-all`: every session, agent, learned weights, snapshot and
experiment in one archive, and back. Importing into a store that holds anything first
makes a backup of it, so a merge can always be undone."""

from __future__ import annotations

from typing import TYPE_CHECKING

from desktop_agent.services.backups import make_backup
from desktop_agent.store import archive, engine
from desktop_agent.store.errors import StoreError

if TYPE_CHECKING:
    from pathlib import Path

    from desktop_agent.services.app_context import AppContext
    from desktop_agent.store.archive import ArchiveReport


def export_everything(output: Path) -> int:
    """Write the archive; returns its size in bytes."""
    require_local_store("Export everything")
    return archive.export_all(output)


def require_local_store(what: str) -> None:
    """Archives and backups are of this computer's SQLite store; a team store's server is
    backed up by whoever runs it, and a member takes their own data out by copying it."""
    if engine.is_postgres():
        raise StoreError(
            f"{what} works on this computer's store, not on a team store: its server is "
            "backed up by whoever runs it. To take your own conversations out of it, copy "
            "them into a local store (`desktop-agent store copy --from URL`)."
        )


def import_everything(app: AppContext, source: Path) -> ArchiveReport:
    require_local_store("Import everything")
    archive.check_archive(source)  # a bad file changes nothing, not even a backup
    if not archive.store_is_empty():
        make_backup(
            app.database_path, app.data_dir, keep=app.settings.backups.keep, reason="before-import"
        )
    return archive.import_all(source)
