"""The data dir's SQLite database, opened with pragmas, checked and migrated at start-up.

`database` is the store's one database proxy (store.engine): bound here to SQLite, or to
a PostgreSQL team store by store.team."""

from __future__ import annotations

import os
import sqlite3
import time
from collections import deque
from pathlib import Path
from typing import TYPE_CHECKING, Any

from peewee import DatabaseError, SqliteDatabase

from desktop_agent.store import engine
from desktop_agent.store.checkpoint import Checkpointer
from desktop_agent.store.engine import bind, database, is_postgres
from desktop_agent.store.errors import DiskFullError
from desktop_agent.store.errors import StoreError as StoreError
from desktop_agent.store.schema import MIGRATIONS, Migration

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

__all__ = ["database"]


# One connection per thread (peewee's default); workers wrap their work in
# `database.connection_context()`. Transactions begin IMMEDIATE: a deferred one that
# reads and then writes fails at once ("database is locked", no busy wait) when another
# connection committed in between; taking the write lock up front makes it wait instead.
class _StoreDatabase(SqliteDatabase):
    def rollback(self) -> None:
        # SQLite rolls a transaction back by itself on some errors (a full disk:
        # SQLITE_FULL); peewee's ROLLBACK then fails with "cannot rollback - no
        # transaction is active" and hides the real reason. Skip it when nothing is open.
        if not self.is_closed() and not self.connection().in_transaction:
            return
        super().rollback()

    def execute_sql(self, sql: str, params: Any = None) -> Any:
        cursor = super().execute_sql(sql, params)
        if sql.lstrip()[:6].upper() in ("SELECT", "WITH R"):
            return _LenientCursor(self, cursor, sql, params)
        return cursor


# How many times text that is not valid UTF-8 was read (and shown replaced) since start;
# the window reads it to say so.
unreadable_text_reads = 0


class _LenientCursor:
    """A cursor that survives text that is not valid UTF-8 (a damaged or foreign write).

    Decoding every value leniently would double the cost of every read, so the normal
    fast path stays; only when sqlite3 fails to decode a row is the query run again
    with a lenient `text_factory` (U+FFFD for bad bytes), the rows already handed out
    skipped, and the rest served from that second run.
    """

    def __init__(self, db: SqliteDatabase, cursor: Any, sql: str, params: Any) -> None:
        self._db = db
        self._cursor = cursor
        self._sql = sql
        self._params = params
        self._fetched = 0
        self._rest: deque[Any] | None = None

    def __getattr__(self, name: str) -> Any:
        return getattr(self._cursor, name)

    def __iter__(self) -> _LenientCursor:
        return self

    def __next__(self) -> Any:
        row = self.fetchone()
        if row is None:
            raise StopIteration
        return row

    def fetchone(self) -> Any:
        if self._rest is None:
            try:
                row = self._cursor.fetchone()
            except sqlite3.OperationalError as exc:
                if "decode" not in str(exc):
                    raise
                self._read_leniently()
                return self.fetchone()
            if row is not None:
                self._fetched += 1
            return row
        return self._rest.popleft() if self._rest else None

    def fetchall(self) -> list[Any]:
        if self._rest is not None:
            rows = list(self._rest)
            self._rest.clear()
            return rows
        try:  # one call into sqlite3, not one per row (a 10,000-message session's read)
            rows = self._cursor.fetchall()
        except sqlite3.OperationalError as exc:
            if "decode" not in str(exc):
                raise
            # The rows this call read before the failure are served again from the
            # lenient run, which skips only those handed out before it.
            self._read_leniently()
            return self.fetchall()
        self._fetched += len(rows)
        return rows

    def fetchmany(self, size: int = 1) -> list[Any]:
        rows: list[Any] = []
        while len(rows) < size and (row := self.fetchone()) is not None:
            rows.append(row)
        return rows

    def _read_leniently(self) -> None:
        global unreadable_text_reads
        from desktop_agent.store.integrity import lenient_text

        conn = self._db.connection()
        conn.text_factory = lenient_text
        try:
            cursor = conn.execute(self._sql, self._params or ())
            rows = cursor.fetchall()
        finally:
            conn.text_factory = str
        self._rest = deque(rows[self._fetched :])
        unreadable_text_reads += 1


sqlite_database = _StoreDatabase(None, lock_type="IMMEDIATE")
engine.register_sqlite(sqlite_database)

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
    routine_check: bool = True,
) -> bool:
    """Open (creating if needed), check, and migrate the store at `path`.

    With `defer_check`, the integrity check is left to the caller (the window runs
    `verify_database()` off the UI thread after its first paint) unless a migration is
    pending. Returns True when such a check is owed. Without `routine_check` (commands
    that only read), a small store is checked only when a big one would be: after a run
    that did not close cleanly, or before a migration.

    Raises StoreError with a clear message for a damaged file or one written by a
    newer version; in both cases the file is left exactly as it was.
    """
    bind(sqlite_database)
    if not database.is_closed():
        database.close()
    _stop_checkpoints()
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists():
        _refuse_non_sqlite(path)  # also refuses a folder, FIFO or device (an empty file is new)
    existed = path.exists() and path.stat().st_size > 0
    unclean = _claim(path)
    sqlite_database.init(str(path), pragmas=PRAGMAS, check_same_thread=False)
    try:
        return _open_checked(
            path,
            migrations,
            on_backup,
            existed=existed,
            unclean=unclean,
            defer_check=defer_check,
            small_limit=ALWAYS_CHECK_BYTES if routine_check else -1,
        )
    except BaseException:
        _release_claim(path)  # a refused open must not look like a run that died later
        raise


def _release_claim(path: Path) -> None:
    _marker(path, os.getpid()).unlink(missing_ok=True)


def _open_checked(
    path: Path,
    migrations: Sequence[Migration],
    on_backup: Callable[[Path], None] | None,
    *,
    existed: bool,
    unclean: bool,
    defer_check: bool,
    small_limit: int,
) -> bool:
    try:
        database.connect(reuse_if_open=True)
        pending = schema_version() < latest_version(migrations)
        owed = existed and (unclean or pending or path.stat().st_size <= small_limit)
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
        full = disk_full_message(exc, path)
        raise StoreError(full or _damaged_message(path, str(exc))) from exc
    return owed


# Below this much free space an I/O error while writing is taken to mean "disk full":
# SQLite reports ENOSPC on the WAL or its shared-memory file as a generic I/O error.
LOW_SPACE_BYTES = 16 * 1024 * 1024


def disk_full_message(exc: BaseException, path: Path | None = None) -> str | None:
    """The sentence for `exc` if it (or the error it interrupted) is the disk running
    out of space, else None. `path` defaults to the open store's file."""
    import errno

    where = path if path is not None else Path(database.database or ".")
    for error in _causes(exc):
        if isinstance(error, DiskFullError):
            return str(error)
        text = str(error).lower()
        code = getattr(error, "sqlite_errorcode", None)
        full = (
            "disk is full" in text
            or code == sqlite3.SQLITE_FULL
            or getattr(error, "errno", None) == errno.ENOSPC
        )
        io_error = "disk i/o error" in text or (
            isinstance(code, int) and code & 0xFF == sqlite3.SQLITE_IOERR
        )
        filename = getattr(error, "filename", None)
        if full and isinstance(filename, str):
            where = Path(filename)  # a file elsewhere (an export) met the full disk
        if full or (io_error and 0 <= free_space(where) < LOW_SPACE_BYTES):
            free = free_space(where)
            left = f" ({_human_bytes(free)} left)" if free >= 0 else ""
            return (
                f"The disk holding {where.parent} is full{left}. Nothing stored was lost: "
                "free some space there and try again."
            )
    return None


def _causes(exc: BaseException) -> list[BaseException]:
    """`exc` and the errors it was raised from or while handling (peewee wraps sqlite3's)."""
    seen: list[BaseException] = []
    pending: list[BaseException | None] = [exc]
    while pending and len(seen) < 20:
        error = pending.pop()
        if error is None or any(error is known for known in seen):
            continue
        seen.append(error)
        pending.extend([error.__cause__, error.__context__])
    return seen


def free_space(path: Path) -> int:
    """Bytes free for us on the file system holding `path` (-1 if unknown)."""
    probe = path if path.is_dir() else path.parent
    try:
        info = os.statvfs(probe)
    except (OSError, AttributeError):
        return -1
    return info.f_bavail * info.f_frsize


def _human_bytes(count: int) -> str:
    if count < 1024:
        return f"{count} bytes"
    if count < 1 << 20:
        return f"{count / 1024:.0f} KB"
    if count < 1 << 30:
        return f"{count / (1 << 20):.1f} MB"
    return f"{count / (1 << 30):.1f} GB"


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
    try:
        _marker(path, os.getpid()).touch()
    except OSError:
        pass  # a full disk: the marker only refines the next start's checks
    return unclean


def verify_database() -> None:
    """Run the full quick_check now (e.g. in the background after start-up)."""
    _quick_check(Path(database.database))


def refuse_writes() -> None:
    """After a failed check: this connection and every later one is read-only
    (`query_only`), so nothing more is written into a damaged file."""
    database.pragma("query_only", 1, permanent=True)


def _refuse_non_sqlite(path: Path) -> None:
    header = _read_header(path)
    if header and header != b"SQLite format 3\x00":
        raise StoreError(_damaged_message(path, "not an SQLite database"))


def _read_header(path: Path) -> bytes:
    """The first 16 bytes, refusing what is not a regular file (a FIFO would block the
    open forever, a device is no store) before SQLite is pointed at it."""
    import stat

    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            kind = "a folder" if stat.S_ISDIR(mode) else "a device, pipe or socket"
            raise StoreError(
                f"The database path {path} is {kind}, not a file. Nothing was changed: "
                "point --data-dir at a folder holding a Desktop Agent store."
            )
        return os.read(fd, 16)
    finally:
        os.close(fd)


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
