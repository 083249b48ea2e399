"""Rolling backups of the store: copies made with SQLite's online backup API.

A copy is one read transaction on its own connection: in WAL mode writers go on
while it runs (a reply being streamed is never held up), and the copy is consistent.
Copies go to `backups/` in the data dir, newest `keep` kept; the copies made before a
schema upgrade (beside the database, `*.backup-vN-*`) are listed too.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from desktop_agent.domain.errors import InvalidInputError

if TYPE_CHECKING:
    from pathlib import Path

BACKUP_DIR = "backups"
_PREFIX = "desktop-agent-"
_SUFFIX = ".sqlite3"


@dataclass(frozen=True)
class BackupInfo:
    """One automatic backup in the data dir's backups/ folder."""

    name: str
    path: Path
    created_at: float  # Unix seconds (the file's modification time)
    size: int
    kind: str  # "rolling" | "upgrade" | "before-restore"

    def to_json(self) -> dict[str, object]:
        return {
            "name": self.name,
            "path": str(self.path),
            "created_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(self.created_at)),
            "size": self.size,
            "kind": self.kind,
        }


def backup_dir(data_dir: Path) -> Path:
    return data_dir / BACKUP_DIR


def make_backup(database: Path, data_dir: Path, *, keep: int = 7, reason: str = "") -> BackupInfo:
    """Copy the store now; older rolling copies beyond `keep` are removed."""
    folder = backup_dir(data_dir)
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S", time.gmtime())
    tag = f"-{reason}" if reason else ""
    target = folder / f"{_PREFIX}{stamp}{tag}{_SUFFIX}"
    counter = 1
    while target.exists():  # two copies in one second (a restore right after a backup)
        counter += 1
        target = folder / f"{_PREFIX}{stamp}{tag}-{counter}{_SUFFIX}"
    partial = target.with_name(target.name + ".partial")
    source = sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=30)
    try:
        dest = sqlite3.connect(partial)
        try:
            source.backup(dest)
        finally:
            dest.close()
        os.chmod(partial, 0o600)
        os.replace(partial, target)
    except BaseException:
        partial.unlink(missing_ok=True)  # a half copy on a full disk holds its space
        raise
    finally:
        source.close()
    prune(data_dir, keep)
    return _info(target)


def prune(data_dir: Path, keep: int) -> None:
    """Keep the newest `keep` rolling copies (copies made before a restore are kept too,
    but count toward the limit, so the folder never grows without bound)."""
    for old in list_backups(data_dir, include_upgrades=False)[keep:]:
        old.path.unlink(missing_ok=True)


def list_backups(data_dir: Path, *, include_upgrades: bool = True) -> list[BackupInfo]:
    """Every backup, newest first."""
    found = []
    folder = backup_dir(data_dir)
    if folder.is_dir():
        found += [_info(p) for p in folder.glob(f"{_PREFIX}*{_SUFFIX}")]
    if include_upgrades:
        found += [_info(p) for p in data_dir.glob("*.sqlite3.backup-v*")]
    return sorted(found, key=lambda b: (b.created_at, b.name), reverse=True)


def _info(path: Path) -> BackupInfo:
    stat = path.stat()
    if ".backup-v" in path.name:
        kind = "upgrade"
    elif "before-restore" in path.name:
        kind = "before-restore"
    else:
        kind = "rolling"
    return BackupInfo(path.name, path, stat.st_mtime, stat.st_size, kind)


def find_backup(data_dir: Path, name: str) -> BackupInfo:
    for backup in list_backups(data_dir):
        if backup.name == name:
            return backup
    names = ", ".join(b.name for b in list_backups(data_dir)[:3])
    hint = f" (newest: {names})" if names else " (there are none yet)"
    raise InvalidInputError(f"no backup named {name!r}{hint}; see `backup list`")


def newest_age_hours(data_dir: Path, now: float | None = None) -> float | None:
    rolling = list_backups(data_dir, include_upgrades=False)
    if not rolling:
        return None
    return ((now or time.time()) - rolling[0].created_at) / 3600


def check_backup_file(path: Path) -> None:
    """A backup must be an intact SQLite database of this app before it replaces the store."""
    with path.open("rb") as fh:
        if fh.read(16) != b"SQLite format 3\x00":
            raise InvalidInputError(f"{path.name}: not an SQLite database")
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        result = conn.execute("PRAGMA quick_check").fetchone()[0]
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    except sqlite3.DatabaseError as exc:
        raise InvalidInputError(f"{path.name}: damaged ({exc})") from None
    finally:
        conn.close()
    if result != "ok":
        raise InvalidInputError(f"{path.name}: damaged ({result})")
    if not {"session", "message", "agent"} <= tables:
        raise InvalidInputError(f"{path.name}: not a Desktop Agent store")


def restore_backup(database: Path, data_dir: Path, name: str, *, keep: int = 7) -> BackupInfo:
    """Replace the store's contents with backup `name`, after backing up the store as it
    is now. The store must be closed by the caller (and reopened after: an older backup
    is migrated then). Returns the copy made of the current store."""
    backup = find_backup(data_dir, name)
    check_backup_file(backup.path)
    saved = make_backup(database, data_dir, keep=keep + 1, reason="before-restore")
    source = sqlite3.connect(f"file:{backup.path}?mode=ro", uri=True)
    try:
        dest = sqlite3.connect(database, timeout=30)
        try:
            source.backup(dest)  # page by page into the live file, under SQLite's locks
        finally:
            dest.close()
    finally:
        source.close()
    with contextlib.suppress(OSError):
        os.chmod(database, 0o600)
    return saved


def restore_open_store(database: Path, data_dir: Path, name: str, *, keep: int = 7) -> BackupInfo:
    """restore_backup on the store this process has open: closed first, reopened (and an
    older backup migrated) after. A wrong name changes nothing."""
    from desktop_agent.store.db import close_database, open_database

    find_backup(data_dir, name)
    close_database()
    saved = restore_backup(database, data_dir, name, keep=keep)
    open_database(database)
    return saved


def backup_summary(data_dir: Path, keep: int) -> str:
    """One line for Settings: where the copies go and when the last one was made."""
    newest = list_backups(data_dir)
    when = (
        time.strftime("%Y-%m-%d %H:%M", time.localtime(newest[0].created_at))
        if newest
        else "none yet (the first is made a few minutes after start-up)"
    )
    return f"Last backup: {when}. A copy a day, the last {keep} kept, in {backup_dir(data_dir)}"
