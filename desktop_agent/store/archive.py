"""Everything in one file and back: `export-all` and `import-all`.

The archive is an SQLite database written by `VACUUM INTO` (a consistent, compact copy
taken in one read transaction, so writers go on meanwhile) plus an `archive_info` table
that names the format. Importing restores an empty store exactly (same ids) and merges
into a non-empty one without overwriting anything: rows already there (same session id,
agent name, user handle, snapshot id, experiment id or name) are kept as they are, and
new messages get ids after the store's own.
"""

from __future__ import annotations

import os
import sqlite3
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from peewee import SqliteDatabase

from desktop_agent.domain.errors import InvalidInputError
from desktop_agent.store.db import database, disk_full_message, latest_version
from desktop_agent.store.errors import DiskFullError
from desktop_agent.store.schema import MIGRATIONS

ARCHIVE_FORMAT = "desktop-agent/archive"
ARCHIVE_FORMAT_VERSION = 1
_CORE_TABLES = frozenset({"agent", "user_profile", "session", "message"})
# Tables with an integer id that later rows refer to: merged rows are moved past the
# store's own ids by an offset, so references inside the archive stay consistent.
_OFFSET_TABLES = ("message", "weight_event", "compaction")


@dataclass
class ArchiveReport:
    """What `import-all` restored, added and kept."""

    file: str
    restored_exactly: bool = False  # the store was empty: same ids as the archive
    added: dict[str, int] = field(default_factory=dict)
    kept: dict[str, int] = field(default_factory=dict)  # already in the store, unchanged
    seconds: float = 0.0

    def to_json(self) -> dict[str, object]:
        return {
            "file": self.file,
            "restored_exactly": self.restored_exactly,
            "added": self.added,
            "kept": self.kept,
        }

    def summary(self) -> str:
        added = ", ".join(f"{n:,} {t}" for t, n in self.added.items() if n)
        kept = ", ".join(f"{n:,} {t}" for t, n in self.kept.items() if n)
        text = f"Added {added or 'nothing'}"
        if kept:
            text += f"; kept what was already here ({kept})"
        return text + (" — an exact restore." if self.restored_exactly else ".")


def export_all(output: Path) -> int:
    """Write the archive to `output` (atomically); returns its size in bytes."""
    output = Path(output)
    directory = output.resolve().parent
    fd, tmp = tempfile.mkstemp(prefix=f".{output.name}.", dir=directory)
    os.close(fd)
    os.unlink(tmp)  # VACUUM INTO refuses an existing file
    try:
        database.execute_sql("VACUUM INTO ?", (tmp,))
        conn = sqlite3.connect(tmp)
        try:
            conn.execute(
                "CREATE TABLE archive_info (format TEXT NOT NULL, format_version INTEGER"
                " NOT NULL, schema_version INTEGER NOT NULL, created_at REAL NOT NULL)"
            )
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            conn.execute(
                "INSERT INTO archive_info VALUES (?, ?, ?, ?)",
                (ARCHIVE_FORMAT, ARCHIVE_FORMAT_VERSION, version, time.time()),
            )
            conn.commit()
        finally:
            conn.close()
        os.chmod(tmp, 0o600)
        os.replace(tmp, output)
    except BaseException as exc:
        Path(tmp).unlink(missing_ok=True)
        full = disk_full_message(exc, output)  # name the archive's disk, not the store's
        if full is not None:
            raise DiskFullError(full) from exc
        raise
    return output.stat().st_size


def check_archive(path: Path) -> int:
    """The archive's schema version; InvalidInputError names what is wrong with it."""
    try:
        with path.open("rb") as fh:
            header = fh.read(16)
    except FileNotFoundError:
        raise InvalidInputError(f"{path}: no such file") from None
    except OSError as exc:
        raise InvalidInputError(f"{path}: cannot be read ({exc.strerror})") from None
    if header != b"SQLite format 3\x00":
        raise InvalidInputError(f"{path}: not a Desktop Agent archive (made by export-all)")
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        if conn.execute("PRAGMA quick_check").fetchone()[0] != "ok":
            raise InvalidInputError(f"{path}: the archive is damaged")
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        version = int(conn.execute("PRAGMA user_version").fetchone()[0])
    except sqlite3.DatabaseError as exc:
        raise InvalidInputError(f"{path}: the archive is damaged ({exc})") from None
    finally:
        conn.close()
    if not tables >= _CORE_TABLES:
        raise InvalidInputError(f"{path}: not a Desktop Agent archive (made by export-all)")
    if version > latest_version():
        raise InvalidInputError(
            f"{path}: made by a newer Desktop Agent (schema {version}; this version knows "
            f"up to {latest_version()}); nothing was changed"
        )
    return version


def import_all(path: Path) -> ArchiveReport:
    """Restore or merge the archive into the open store, in one transaction."""
    started = time.monotonic()
    path = Path(path)
    version = check_archive(path)
    report = ArchiveReport(str(path))
    with _current_copy(path, version) as source:
        database.execute_sql("ATTACH DATABASE ? AS src", (str(source),))
        try:
            with database.atomic():
                report.restored_exactly = store_is_empty()
                if report.restored_exactly:
                    for table in ("learned_state", "agent", "user_profile"):
                        database.execute_sql(f"DELETE FROM main.{table}")
                _merge(report)
        finally:
            database.execute_sql("DETACH DATABASE src")
    report.seconds = time.monotonic() - started
    return report


class _current_copy:
    """The archive itself, or a migrated temporary copy when it is from an older schema."""

    def __init__(self, path: Path, version: int) -> None:
        self._path, self._version = path, version
        self._tmp: Path | None = None

    def __enter__(self) -> Path:
        if self._version == latest_version():
            return self._path
        fd, name = tempfile.mkstemp(suffix=".sqlite3")
        os.close(fd)
        self._tmp = Path(name)
        with sqlite3.connect(f"file:{self._path}?mode=ro", uri=True) as src:
            dest = sqlite3.connect(self._tmp)
            src.backup(dest)
            dest.close()
        src.close()
        db = SqliteDatabase(str(self._tmp))
        db.connect()
        with db.atomic():
            for step_version, step in MIGRATIONS:
                if step_version > self._version:
                    step(db)
            db.execute_sql(f"PRAGMA user_version = {int(latest_version())}")
        db.close()
        return self._tmp

    def __exit__(self, *exc: object) -> None:
        if self._tmp is not None:
            self._tmp.unlink(missing_ok=True)


def store_is_empty() -> bool:
    for table in ("session", "snapshot", "experiment", "weight_event"):
        if _scalar(f"SELECT COUNT(*) FROM main.{table}"):
            return False
    return True


def _scalar(sql: str, params: tuple[object, ...] = ()) -> int:
    row = database.execute_sql(sql, params).fetchone()
    return int(row[0] or 0) if row else 0


def _columns(table: str) -> list[str]:
    """Columns both sides have (a newer schema step may add some to one side only)."""
    mine = [r[1] for r in database.execute_sql(f"PRAGMA main.table_info({table})")]
    theirs = {r[1] for r in database.execute_sql(f"PRAGMA src.table_info({table})")}
    return [c for c in mine if c in theirs]


def _has_table(schema: str, table: str) -> bool:
    return bool(
        _scalar(
            f"SELECT COUNT(*) FROM {schema}.sqlite_master WHERE type='table' AND name=?",
            (table,),
        )
    )


def _copy(
    report: ArchiveReport,
    table: str,
    where: str,
    overrides: dict[str, str] | None = None,
    *,
    label: str | None = None,
    ignore: bool = False,
) -> None:
    """INSERT INTO main.table SELECT … FROM src.table AS s WHERE `where`."""
    if not (_has_table("main", table) and _has_table("src", table)):
        return
    columns = _columns(table)
    exprs = [(overrides or {}).get(c, f"s.{c}") for c in columns]
    total = _scalar(f"SELECT COUNT(*) FROM src.{table}")
    verb = "INSERT OR IGNORE" if ignore else "INSERT"
    cursor = database.execute_sql(
        f"{verb} INTO main.{table} ({', '.join(columns)})"
        f" SELECT {', '.join(exprs)} FROM src.{table} AS s WHERE {where}"
    )
    name = label or table
    added = max(cursor.rowcount, 0)
    report.added[name] = report.added.get(name, 0) + added
    report.kept[name] = report.kept.get(name, 0) + total - added


def _offsets() -> dict[str, int]:
    out = {}
    for table in _OFFSET_TABLES:
        top = _scalar(f"SELECT MAX(id) FROM main.{table}")
        used = _scalar("SELECT seq FROM main.sqlite_sequence WHERE name = ?", (table,))
        out[table] = max(top, used)
    return out


def _merge(report: ArchiveReport) -> None:
    _copy(report, "agent", "s.name NOT IN (SELECT name FROM main.agent)", {"id": "NULL"})
    _copy(
        report,
        "user_profile",
        "s.handle NOT IN (SELECT handle FROM main.user_profile)",
        {"id": "NULL"},
    )
    if report.restored_exactly:  # keep the archive's ids for an exact restore
        database.execute_sql(
            "UPDATE main.agent SET id = (SELECT a.id FROM src.agent a"
            " WHERE a.name = main.agent.name)"
        )
        database.execute_sql(
            "UPDATE main.user_profile SET id = (SELECT u.id FROM"
            " src.user_profile u WHERE u.handle = main.user_profile.handle)"
        )
    agent = "(SELECT d.id FROM main.agent d JOIN src.agent a ON a.name = d.name WHERE a.id = {})"
    user = (
        "(SELECT d.id FROM main.user_profile d JOIN src.user_profile u ON u.handle = d.handle"
        " WHERE u.id = {})"
    )
    _copy(
        report,
        "learned_state",
        "NOT EXISTS (SELECT 1 FROM main.learned_state d WHERE d.user_id = "
        + user.format("s.user_id")
        + " AND d.agent_id = "
        + agent.format("s.agent_id")
        + ")",
        {"user_id": user.format("s.user_id"), "agent_id": agent.format("s.agent_id")},
    )
    database.execute_sql("CREATE TEMP TABLE IF NOT EXISTS merged_session (id TEXT PRIMARY KEY)")
    database.execute_sql("DELETE FROM temp.merged_session")
    database.execute_sql(
        "INSERT INTO temp.merged_session SELECT id FROM src.session"
        " WHERE id NOT IN (SELECT id FROM main.session)"
    )
    new = "s.session_id IN (SELECT id FROM temp.merged_session)"
    off = _offsets()
    _copy(
        report,
        "session",
        "s.id IN (SELECT id FROM temp.merged_session)",
        {"agent_id": agent.format("s.agent_id"), "user_id": user.format("s.user_id")},
    )
    m = off["message"]
    _copy(report, "message", new, {"id": f"s.id + {m}", "parent_id": f"s.parent_id + {m}"})
    message_new = f"s.message_id IN (SELECT id - {m} FROM main.message WHERE id > {m})"
    _copy(report, "feedback", f"{message_new}", {"message_id": f"s.message_id + {m}"})
    _copy(
        report,
        "compaction",
        new,
        {"id": f"s.id + {off['compaction']}", "upto_message_id": f"s.upto_message_id + {m}"},
    )
    w = off["weight_event"]
    moved_message = (
        f"CASE WHEN s.message_id IN (SELECT id - {m} FROM main.message"
        f" WHERE id > {m}) THEN s.message_id + {m} END"
    )
    _copy(
        report,
        "weight_event",
        new,
        {
            "id": f"s.id + {w}",
            "message_id": moved_message,
            "agent_id": agent.format("s.agent_id"),
            "user_id": user.format("s.user_id"),
        },
        label="weight_event",
    )
    _copy(
        report,
        "weight_event",
        "s.session_id IS NULL AND NOT EXISTS (SELECT 1 FROM main.weight_event d WHERE"
        " d.scope = s.scope AND d.weight = s.weight AND d.created_at = s.created_at"
        f" AND d.agent_id = {agent.format('s.agent_id')})",
        {
            "id": f"s.id + {w}",
            "message_id": moved_message,
            "agent_id": agent.format("s.agent_id"),
            "user_id": user.format("s.user_id"),
        },
        label="weight_event",
    )
    _copy(report, "snapshot", "s.id NOT IN (SELECT id FROM main.snapshot)")
    _copy(
        report,
        "experiment",
        "s.id NOT IN (SELECT id FROM main.experiment)"
        " AND s.name NOT IN (SELECT name FROM main.experiment)"
        " AND s.snapshot_a IN (SELECT id FROM main.snapshot UNION SELECT id FROM src.snapshot)",
        {"agent_id": agent.format("s.agent_id")},
    )
    _copy(
        report,
        "experiment_assignment",
        "NOT EXISTS (SELECT 1 FROM main.experiment_assignment d WHERE d.experiment_id ="
        f" s.experiment_id AND d.user_id = {user.format('s.user_id')})",
        {"user_id": user.format("s.user_id")},
    )
    _copy(report, "import_source", new, ignore=True)
    _copy(report, "import_message", new, {"message_id": f"s.message_id + {m}"}, ignore=True)
