"""Damage that would otherwise go unnoticed: a full integrity check that can run in the
background (table by table, so a big store never holds one long read and can be
stopped), and a repair that recovers what is readable into a new file, keeping the old.

`quick_check` at start-up misses damaged indexes (rows missing from an index: 7 of 20
random bit flips in one review) and is skipped on stores over 32 MB; `integrity_check`
catches both but reads every page, so it runs here, on its own read-only connection.
Text that is not valid UTF-8 is read with U+FFFD in its place (see `lenient_text`).
"""

from __future__ import annotations

import sqlite3
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import threading
    from collections.abc import Callable
    from pathlib import Path

_BATCH = 500
_MAX_PROBLEMS = 20


def lenient_text(raw: bytes) -> str:
    """A `text_factory`: invalid UTF-8 becomes U+FFFD instead of failing the whole read."""
    return raw.decode("utf-8", errors="replace")


@dataclass
class IntegrityReport:
    """What a check found; `ok` when nothing. `checked` names the tables looked at."""

    path: Path
    problems: list[str] = field(default_factory=list)
    checked: list[str] = field(default_factory=list)
    stopped: bool = False  # cancelled before the end
    unreadable_text: int = 0  # messages whose bytes are not valid UTF-8 (shown replaced)

    @property
    def ok(self) -> bool:
        return not self.problems

    def text_note(self) -> str:
        """A sentence about text shown with replacement characters ("" if none)."""
        if not self.unreadable_text:
            return ""
        return (
            f"{self.unreadable_text} stored message(s) hold bytes that are not valid text; "
            "they are shown with replacement characters (�)."
        )

    def summary(self) -> str:
        if self.stopped:
            return "The integrity check was stopped before it finished."
        if self.ok:
            note = f" {self.text_note()}" if self.unreadable_text else ""
            return f"The store {self.path} passed a full integrity check.{note}"
        shown = "; ".join(self.problems[:3])
        more = f" (and {len(self.problems) - 3} more)" if len(self.problems) > 3 else ""
        return (
            f"The store {self.path} is damaged: {shown}{more}. Nothing was changed. "
            "A repair copies everything readable into a new file and keeps this one."
        )


def _connect_read_only(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=30, check_same_thread=False)
    conn.text_factory = lenient_text
    return conn


def _tables(conn: sqlite3.Connection) -> list[str]:
    rows = conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
        "ORDER BY name"
    ).fetchall()
    return [str(r[0]) for r in rows]


def check_integrity(
    path: Path,
    *,
    cancel: threading.Event | None = None,
    pause: float = 0.0,
    on_progress: Callable[[str], None] | None = None,
) -> IntegrityReport:
    """`PRAGMA integrity_check` table by table (each a short read of its own), pausing
    `pause` seconds between tables so a background check leaves the disk to the app."""
    report = IntegrityReport(path)
    try:
        conn = _connect_read_only(path)
    except sqlite3.Error as exc:
        report.problems.append(f"cannot be opened ({exc})")
        return report
    try:
        try:
            tables = _tables(conn)
        except sqlite3.DatabaseError as exc:
            report.problems.append(f"its table list is unreadable ({exc})")
            return report
        for table in tables:
            if cancel is not None and cancel.is_set():
                report.stopped = True
                return report
            if on_progress is not None:
                on_progress(table)
            try:
                rows = conn.execute(f'PRAGMA integrity_check("{table}")').fetchall()
            except sqlite3.DatabaseError as exc:
                rows = [(f"{table}: {exc}",)]
            report.checked.append(table)
            for (message,) in rows:
                if message != "ok" and len(report.problems) < _MAX_PROBLEMS:
                    report.problems.append(str(message))
            if pause:
                time.sleep(pause)
        report.unreadable_text = _invalid_text_count(conn)
    finally:
        conn.close()
    return report


def _invalid_text_count(conn: sqlite3.Connection) -> int:
    """Messages whose stored text is not valid UTF-8 (SQLite keeps whatever bytes it got)."""
    try:
        names = {r[1] for r in conn.execute("PRAGMA table_info(message)").fetchall()}
        if "content" not in names:
            return 0
        conn.text_factory = bytes
        count = 0
        for (raw,) in conn.execute("SELECT content FROM message WHERE typeof(content) = 'text'"):
            try:
                raw.decode("utf-8")
            except UnicodeDecodeError:
                count += 1
        return count
    except sqlite3.DatabaseError:
        return 0
    finally:
        conn.text_factory = lenient_text


# -- repair -------------------------------------------------------------------------------


class RepairError(Exception):
    """The store cannot be repaired here; the message says why and what to do."""


@dataclass
class RepairReport:
    """Where the recovered copy is and what it holds; the damaged file is untouched."""

    damaged: Path
    repaired: Path
    copied: dict[str, int] = field(default_factory=dict)
    lost: dict[str, int] = field(default_factory=dict)  # rows in unreadable pages (at least)
    unreadable_definitions: list[str] = field(default_factory=list)  # tables, indexes skipped
    check: IntegrityReport | None = None

    def summary(self) -> str:
        copied = sum(self.copied.values())
        lost = sum(self.lost.values())
        loss = f"; {lost} row(s) in unreadable pages could not be recovered" if lost else ""
        if self.unreadable_definitions:
            names = ", ".join(self.unreadable_definitions)
            loss += f"; the definitions of {names} were unreadable and were left out"
        verdict = "passes" if self.check is not None and self.check.ok else "does not pass"
        return (
            f"Recovered {copied} row(s) into {self.repaired}{loss}. The copy {verdict} a "
            f"full integrity check. The damaged file is kept as it was: {self.damaged}."
        )


def repair_store(damaged: Path, target: Path | None = None) -> RepairReport:
    """Copy every readable row of `damaged` into a new file with fresh indexes.

    Tables are copied by rowid ranges so a bad page costs only the rows on it; text that
    is not valid UTF-8 is copied with replacement characters; the full-text index is
    rebuilt from the copied messages. Never writes to `damaged`.
    """
    target = target or damaged.with_name(
        f"{damaged.name}.repaired-{time.strftime('%Y%m%d-%H%M%S')}"
    )
    if target.exists():
        raise FileExistsError(f"{target} already exists")
    report = RepairReport(damaged, target)
    source = _connect_read_only(damaged)
    # With a damaged entry in the schema table SQLite refuses every query; this pragma
    # makes it skip what it cannot parse (what the sqlite3 shell's .recover does).
    source.execute("PRAGMA writable_schema = ON")
    try:
        objects = source.execute(
            "SELECT type, name, tbl_name, sql FROM sqlite_master WHERE sql IS NOT NULL"
        ).fetchall()
    except sqlite3.DatabaseError as exc:
        source.close()
        raise RepairError(
            f"The store {damaged} is too damaged to repair here: its table of contents is "
            f"unreadable ({exc}). Nothing was changed; restore it from a backup."
        ) from exc
    dest = sqlite3.connect(target, isolation_level=None)
    try:
        virtual = [name for kind, name, _t, sql in objects if "VIRTUAL TABLE" in sql.upper()]

        def shadow(name: str) -> bool:
            return any(name.startswith(f"{v}_") for v in virtual)

        tables = [
            (name, sql)
            for kind, name, _t, sql in objects
            if kind == "table" and not name.startswith("sqlite_") and not shadow(name)
        ]
        dest.execute("PRAGMA foreign_keys = OFF")
        dest.execute("BEGIN")
        created = [(name, sql) for name, sql in tables if _create(dest, name, sql, report)]
        for name, sql in created:
            if "VIRTUAL TABLE" not in sql.upper():
                _copy_rows(source, dest, name, report)
        for kind, name, _t, sql in objects:
            if kind in ("index", "view", "trigger"):
                _create(dest, name, sql, report)
        for name in virtual:
            try:
                dest.execute(f'INSERT INTO "{name}"("{name}") VALUES (\'rebuild\')')
            except sqlite3.DatabaseError:
                pass  # not an external-content index: it was left empty, search rebuilds
        version = source.execute("PRAGMA user_version").fetchone()[0]
        dest.execute(f"PRAGMA user_version = {int(version)}")
        dest.execute("COMMIT")
    finally:
        source.close()
        dest.close()
    report.check = check_integrity(target)
    return report


def _create(dest: sqlite3.Connection, name: str, sql: str, report: RepairReport) -> bool:
    """Run one schema statement; a definition the damage made unreadable is skipped."""
    try:
        dest.execute(sql)
    except sqlite3.DatabaseError:
        report.unreadable_definitions.append(name)
        return False
    return True


def _copy_rows(
    source: sqlite3.Connection, dest: sqlite3.Connection, table: str, report: RepairReport
) -> None:
    """Rows in rowid order, in batches; a batch that hits a bad page is retried row by row."""
    copied = lost = 0
    try:
        top = source.execute(f'SELECT max(rowid) FROM "{table}"').fetchone()[0] or 0
    except sqlite3.DatabaseError:
        top = None
    last = 0
    empty_batches = 0
    while top is None or last < top:
        upper = last + _BATCH
        select = f'SELECT rowid, * FROM "{table}" WHERE rowid > ? AND rowid <= ? ORDER BY rowid'
        try:
            rows = source.execute(select, (last, upper)).fetchall()
        except sqlite3.DatabaseError:
            rows = []
            for rowid in range(last + 1, upper + 1):
                try:
                    found = source.execute(
                        f'SELECT rowid, * FROM "{table}" WHERE rowid = ?', (rowid,)
                    ).fetchall()
                except sqlite3.DatabaseError:
                    lost += 1
                    continue
                rows.extend(found)
        if rows:
            marks = ", ".join("?" * (len(rows[0]) - 1))
            dest.executemany(
                f'INSERT OR IGNORE INTO "{table}" (rowid, {_columns(source, table)}) '
                f"VALUES (?, {marks})",
                rows,
            )
            copied += len(rows)
            empty_batches = 0
        else:
            empty_batches += 1
            if top is None and empty_batches > 20:
                break
        last = upper
    report.copied[table] = copied
    if lost:
        report.lost[table] = lost


def _columns(source: sqlite3.Connection, table: str) -> str:
    names = [str(r[1]) for r in source.execute(f'PRAGMA table_info("{table}")').fetchall()]
    return ", ".join(f'"{n}"' for n in names)
