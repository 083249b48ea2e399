"""Damaged stores: invalid UTF-8, index-only damage that quick_check misses, random bit
flips and overwritten pages. The full check finds what is wrong, a session with bad
bytes still opens (replacement characters), and a repair recovers what is readable
into a new file while the damaged one stays byte for byte as it was."""

from __future__ import annotations

import random
import sqlite3
from pathlib import Path

import pytest

from desktop_agent.store import db, messages, sessions
from desktop_agent.store.db import close_database, open_database
from desktop_agent.store.integrity import check_integrity, repair_store

PAGE = 4096


def filled_store(store: Path, turns: int = 300) -> str:
    session = sessions.create_session(title="long")
    messages.append_many(
        session.id,
        [
            {"role": "user" if i % 2 == 0 else "assistant", "content": f"turn {i} " + "w" * 200}
            for i in range(turns)
        ],
    )
    return session.id


def raw(store: Path) -> sqlite3.Connection:
    return sqlite3.connect(store, isolation_level=None)


def test_invalid_utf8_in_one_row_leaves_the_session_readable(store: Path) -> None:
    session_id = filled_store(store)
    conn = raw(store)
    conn.execute(
        "UPDATE message SET content = CAST(X'6F6B20FFFE20627974657320C3' AS TEXT) "
        "WHERE seq = 150 AND session_id = ?",
        (session_id,),
    )
    conn.close()
    before = db.unreadable_text_reads
    shown = messages.list_messages(session_id)
    assert len(shown) == 300
    assert shown[150].content == "ok \ufffd\ufffd bytes \ufffd"
    assert shown[149].content.startswith("turn 149 ")
    assert db.unreadable_text_reads > before
    report = check_integrity(store)
    assert report.ok  # the file itself is sound
    assert report.unreadable_text == 1
    assert "replacement characters" in report.summary()


def test_rows_read_one_by_one_then_all_at_once_come_back_once_each(store: Path) -> None:
    # fetchall reads in one call; when it meets bad bytes, the rows it had read before
    # the failure come back from the lenient run, and the ones handed out earlier do not.
    session_id = filled_store(store, turns=50)
    conn = raw(store)
    conn.execute(
        "UPDATE message SET content = CAST(X'6F6BFF' AS TEXT) WHERE seq = 40 AND session_id = ?",
        (session_id,),
    )
    conn.close()
    cursor = db.database.execute_sql(
        "SELECT seq, content FROM message WHERE session_id = ? ORDER BY seq", (session_id,)
    )
    first = [cursor.fetchone(), cursor.fetchone()]
    rest = cursor.fetchall()
    seqs = [row[0] for row in first + rest]
    assert seqs == list(range(50))
    assert rest[38][1] == "ok\ufffd"
    assert cursor.fetchall() == []


def break_an_index(store: Path) -> None:
    """Make an index miss every row while its table stays intact: the kind of damage a
    bit flip leaves that quick_check does not look for."""
    conn = raw(store)
    conn.execute("CREATE INDEX hostile_idx ON message(role) WHERE id < 0")  # empty
    conn.execute("PRAGMA writable_schema = ON")
    conn.execute(
        "UPDATE sqlite_master SET sql = 'CREATE INDEX hostile_idx ON message(role)' "
        "WHERE name = 'hostile_idx'"
    )
    conn.close()


def test_index_damage_passes_quick_check_but_not_the_full_check(store: Path) -> None:
    filled_store(store, turns=50)
    close_database()
    break_an_index(store)
    conn = raw(store)
    assert conn.execute("PRAGMA quick_check").fetchone()[0] == "ok"
    conn.close()
    report = check_integrity(store)
    assert not report.ok
    assert "missing from index hostile_idx" in " ".join(report.problems)
    repaired = repair_store(store)
    assert repaired.check is not None
    assert repaired.check.ok, repaired.check.problems
    assert repaired.copied["message"] == 50


def test_three_overwritten_pages_are_found_and_the_rest_recovered(store: Path) -> None:
    filled_store(store, turns=600)
    close_database()
    conn = raw(store)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    page_count = conn.execute("PRAGMA page_count").fetchone()[0]
    conn.close()
    data = bytearray(store.read_bytes())
    rng = random.Random(7)
    for page in rng.sample(range(page_count // 3, page_count - 1), 3):
        data[page * PAGE : (page + 1) * PAGE] = bytes(rng.randrange(256) for _ in range(PAGE))
    store.write_bytes(bytes(data))
    damaged_bytes = store.read_bytes()

    report = check_integrity(store)
    assert not report.ok
    assert "is damaged" in report.summary()
    repaired = repair_store(store)
    assert store.read_bytes() == damaged_bytes  # the damaged file is kept untouched
    assert repaired.check is not None
    assert repaired.check.ok, repaired.check.problems
    assert 0 < repaired.copied["message"] <= 600
    assert repaired.repaired.exists()
    open_database(repaired.repaired)  # the copy is a working store
    try:
        assert sessions.list_sessions()
    finally:
        close_database()


@pytest.mark.parametrize("seed", range(20))
def test_a_random_bit_flip_is_either_harmless_or_found(store: Path, seed: int) -> None:
    session_id = filled_store(store, turns=120)
    close_database()
    conn = raw(store)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    original = _dump(store)
    data = bytearray(store.read_bytes())
    rng = random.Random(seed)
    for _ in range(3):
        at = rng.randrange(PAGE, len(data))  # past page 1: its header is checked at open
        data[at] ^= 1 << rng.randrange(8)
    store.write_bytes(bytes(data))
    report = check_integrity(store)
    if report.ok:
        # SQLite keeps no checksums: a flip inside a value (a 'w' that became 'v') is not
        # damage it can see. What the check must guarantee is that every row still reads.
        after = _dump(store)
        assert after is not None
        assert original is not None
        assert len(after) == len(original)
        return
    repaired = repair_store(store)
    assert repaired.check is not None
    assert repaired.check.ok, (seed, repaired.check.problems)
    assert session_id


def _dump(path: Path) -> list[tuple[object, ...]] | None:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    conn.text_factory = bytes
    try:
        return conn.execute("SELECT * FROM message ORDER BY id").fetchall()
    except sqlite3.DatabaseError:
        return None
    finally:
        conn.close()
