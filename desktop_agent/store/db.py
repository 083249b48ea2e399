"""The data dir's SQLite database, opened with pragmas, checked and migrated at start-up.

`database` is the store's one database proxy (store.engine): bound here to SQLite, or to
a PostgreSQL team store by store.team."""

from __future__ import annotations

import os
import sqlite3
import time
from pathlib import Path
from typing import TYPE_CHECKING

from peewee import DatabaseError

from desktop_agent.store.checkpoint import Checkpointer
from desktop_agent.store.engine import bind, database, is_postgres, sqlite_database
from desktop_agent.store.errors import StoreError as StoreError
from desktop_agent.store.schema import MIGRATIONS, Migration

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

__all__ = ["database"]

PRAGMAS = {
    "journal_mode": "wal",
    # NORMAL in WAL mode is durable against application crashes (kill -9) and never
    # corrupts; only an OS crash can lose the last commits. FULL costs ~50x per commit.
    "synchronous": "normal",
    "foreign_keys": 1,
    "busy_timeout": 5000,
    "cache_size": -16_000,  # 16 MB page cache per connection
    "temp_store": "memory",
    # Checkpoints run on a background thread (store/checkpoint.py), not inside a commit.
    # This backstop (SQLite's default is 1,000 pages) only matters under writes with no
    # pause, where the background pass never catches up and so never lets the WAL
    # restart: the commit that crosses ~40 MB checkpoints the little not yet copied.
    "wal_autocheckpoint": 10_000,
}


# quick_check reads the whole file (about 1 s per 650 MB here). It always runs on files
# up to this size, and on bigger ones only when it matters: after a run that did not
# close cleanly, and before a migration. `verify_database()` runs it on demand.
ALWAYS_CHECK_BYTES = 32 * 1024 * 1024
_RUNNING_MARKER = ".open-by-"


_checkpointer: Checkpointer | None = None


def schema_version() -> int:
    return int(database.execute_sql("PRAGMA user_version").fetchone()[0])


def latest_version(migrations: Sequence[Migration] = MIGRATIONS) -> int:
    return migrations[-1][0] if migrations else 0


def _quick_check(path: Path) -> None:
    try:
        rows = database.execute_sql("PRAGMA quick_check").fetchall()
    except (DatabaseError, sqlite3.DatabaseError) as exc:
        raise StoreError(_damaged_message(path, str(exc))) from exc
    if [r[0] for r in rows] != ["ok"]:
        detail = "; ".join(str(r[0]) for r in rows[:3])
        raise StoreError(_damaged_message(path, detail))


def _damaged_message(path: Path, detail: str) -> str:
    backups = sorted(path.parent.glob(path.name + ".backup-v*"))
    recovery = (
        f"The most recent backup is {backups[-1]}: quit, move the damaged file aside and copy "
        f"the backup to {path}."
        if backups
        else "Move the damaged file aside to start a new store, or restore it from your own backup."
    )
    return f"The database {path} is damaged ({detail}). Nothing was changed. {recovery}"


def backup_path(path: Path, version: int) -> Path:
    return path.with_name(f"{path.name}.backup-v{version}-{time.strftime('%Y%m%d-%H%M%S')}")


def _backup(path: Path, version: int) -> Path:
    """Copy the database (consistently, through SQLite's backup API) before migrating."""
    target = backup_path(path, version)
    source = database.connection()
    with sqlite3.connect(target) as dest:
        source.backup(dest)
    dest.close()
    return target


def open_database(
    path: Path,
    *,
    migrations: Sequence[Migration] = MIGRATIONS,
    on_backup: Callable[[Path], None] | None = None,
    defer_check: bool = False,
) -> bool:
    """Open (creating if needed), check, and migrate the store at `path`.

    With `defer_check`, the integrity check is left to the caller (the window runs
    `verify_database()` off the UI thread after its first paint) unless a migration is
    pending. Returns True when such a check is owed.

    Raises StoreError with a clear message for a damaged file or one written by a
    newer version; in both cases the file is left exactly as it was.
    """
    bind(sqlite_database)
    if not database.is_closed():
        database.close()
    _stop_checkpoints()
    path.parent.mkdir(parents=True, exist_ok=True)
    existed = path.exists() and path.stat().st_size > 0
    if existed:
        _refuse_non_sqlite(path)
    unclean = _claim(path)
    sqlite_database.init(str(path), pragmas=PRAGMAS, check_same_thread=False)
    try:
        database.connect(reuse_if_open=True)
        pending = schema_version() < latest_version(migrations)
        owed = existed and (unclean or pending or path.stat().st_size <= ALWAYS_CHECK_BYTES)
        if owed and (pending or not defer_check):
            _quick_check(path)
            owed = False
        _migrate(path, migrations, on_backup)
        _start_checkpoints(path)
    except StoreError:
        database.close()
        raise
    except (DatabaseError, sqlite3.DatabaseError) as exc:
        database.close()
        raise StoreError(_damaged_message(path, str(exc))) from exc
    return owed


def _marker(path: Path, pid: int) -> Path:
    return path.with_name(f"{path.name}{_RUNNING_MARKER}{pid}")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # exists but not ours (EPERM), or not checkable: assume alive
        return True
    return True


def _claim(path: Path) -> bool:
    """Mark the store open by this process; True if a previous process died with it open."""
    unclean = False
    for marker in path.parent.glob(f"{path.name}{_RUNNING_MARKER}*"):
        suffix = marker.name.rsplit("-", 1)[-1]
        if suffix.isdigit() and int(suffix) != os.getpid() and not _alive(int(suffix)):
            unclean = True
            marker.unlink(missing_ok=True)
    _marker(path, os.getpid()).touch()
    return unclean


def verify_database() -> None:
    """Run the full quick_check now (e.g. in the background after start-up)."""
    _quick_check(Path(database.database))


def refuse_writes() -> None:
    """After a failed check: this connection and every later one is read-only
    (`query_only`), so nothing more is written into a damaged file."""
    database.pragma("query_only", 1, permanent=True)


def _refuse_non_sqlite(path: Path) -> None:
    with open(path, "rb") as fh:
        header = fh.read(16)
    if header != b"SQLite format 3\x00":
        raise StoreError(_damaged_message(path, "not an SQLite database"))


def _migrate(
    path: Path, migrations: Sequence[Migration], on_backup: Callable[[Path], None] | None
) -> None:
    current = schema_version()
    target = latest_version(migrations)
    if current > target:
        raise StoreError(
            f"The database {path} was written by a newer version of Desktop Agent "
            f"(schema {current}; this version knows up to {target}). Nothing was changed: "
            "please upgrade Desktop Agent."
        )
    if current == target:
        return
    if current > 0:
        made = _backup(path, current)
        if on_backup is not None:
            on_backup(made)
    # All pending steps in one transaction: a failure leaves the previous schema intact.
    with database.atomic():
        for version, step in migrations:
            if version > current:
                step(sqlite_database)
        database.execute_sql(f"PRAGMA user_version = {int(target)}")


def _start_checkpoints(path: Path) -> None:
    global _checkpointer
    _stop_checkpoints()
    _checkpointer = Checkpointer(path)
    _checkpointer.start()


def _stop_checkpoints() -> None:
    global _checkpointer
    if _checkpointer is not None:
        _checkpointer.stop()
        _checkpointer = None


def close_database() -> None:
    """Close this thread's connection and mark the store cleanly closed."""
    _stop_checkpoints()
    if not is_postgres() and database.database:
        _marker(Path(database.database), os.getpid()).unlink(missing_ok=True)
    if not database.is_closed():
        database.close()
