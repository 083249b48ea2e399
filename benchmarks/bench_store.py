"""Measure the message store against the two common alternatives and print PASS/FAIL per target.

Side by side, in one run (figures in ms):
- appending one committed message to sessions of 10, 1,000 and 10,000 messages (p50 and
  p99), for this store (append_message), the JSON-file-per-session pattern (rewrite the
  whole file on every mutation, with and without fsync) and openai-agents' SQLiteSession;
- full-text search over 1,000,000 messages, the first page of 10,000 sessions, and
  importing a 10,000-message session file.

The 1M-message store (store_corpus.py) is built once with bulk SQL and cached under
CACHE_DIR, keyed by a hash of the schema, so reruns start in seconds. Exit status is 0
even when a target fails: the figures are the output.
Run: .venv/bin/python benchmarks/bench_store.py
"""

from __future__ import annotations

import asyncio
import gc
import json
import os
import random
import sqlite3
import statistics
import sys
import time
import uuid
from pathlib import Path

from store_corpus import (
    BIG_MESSAGES,
    BIG_SESSIONS,
    CACHE_DIR,
    TextMaker,
    conversation,
    fresh_path,
    open_big_store,
    p50_p99,
    rounds_for,
    time_rounds,
)

from desktop_agent.domain.session_file import MessageData, SessionData, dump_session_json
from desktop_agent.services.transfer import import_sessions
from desktop_agent.store import agents, clock
from desktop_agent.store.db import close_database, database, open_database
from desktop_agent.store.messages import append_many, append_message, title_from
from desktop_agent.store.search import search_messages
from desktop_agent.store.sessions import count_sessions, create_session, list_sessions

SESSION_SIZES = (10, 1_000, 10_000)
STORE_ROUNDS = 1_000  # appends timed per N for this store: enough for a stable p99
IMPORT_MESSAGES = 10_000
SEARCH_QUERIES = 50

TARGET_APPEND_P50_MS = 0.15
TARGET_APPEND_P99_MS = 5.0  # at 10,000 messages; checkpoints and FTS merges land here
TARGET_FLATNESS = 1.5  # p50 at 10,000 messages within this factor of p50 at 10
TARGET_VS_JSON = 50.0  # times faster than the JSON rewrite at 10,000 messages
TARGET_SEARCH_P50_MS = 30.0
TARGET_FIRST_PAGE_P50_MS = 10.0


# Appending: this store, JSON file per session, openai-agents SQLiteSession


def append_this_store(maker: TextMaker) -> tuple[dict[int, list[int]], dict[int, list[int]]]:
    """append_message, and (for reference) the same SQL statements issued through sqlite3."""
    open_database(fresh_path("append-store.sqlite"))
    agents.ensure_defaults()
    api, floor = {}, {}
    for size in SESSION_SIZES:
        session_id = create_session().id
        append_many(session_id, conversation(maker, size))
        texts = [maker.message("user") for _ in range(STORE_ROUNDS)]
        api[size] = _store_series(session_id, texts, raw_sql=False)
        floor[size] = _store_series(session_id, texts, raw_sql=True)
    close_database()
    return api, floor


def _store_series(session_id: str, texts: list[str], *, raw_sql: bool) -> list[int]:
    last_id = 0

    def append(index: int) -> None:
        nonlocal last_id
        if raw_sql:
            last_id = _append_raw_sql(session_id, texts[index])
        else:
            last_id = append_message(session_id, "user", texts[index]).id

    def undo() -> None:
        with database.atomic():
            database.execute_sql("DELETE FROM message WHERE id = ?", (last_id,))
            database.execute_sql(
                "UPDATE session SET message_count = message_count - 1 WHERE id = ?",
                (session_id,),
            )

    time_rounds(20, append, undo)  # warm the page cache and the query paths
    return time_rounds(len(texts), append, undo)


def _append_raw_sql(session_id: str, text: str) -> int:
    """The statements append_message issues (seen with sqlite3's trace callback), minus
    peewee's query building: the floor for the current schema and pragmas."""
    conn = database.connection()
    stamp = time.time()
    with database.atomic():
        last = conn.execute(
            "SELECT id, seq FROM message WHERE session_id = ? AND active ORDER BY seq DESC LIMIT 1",
            (session_id,),
        ).fetchone()
        cursor = conn.execute(
            "INSERT INTO message (session_id, seq, parent_id, active, role, content, status,"
            " status_reason, model, weights, created_at, updated_at)"
            " VALUES (?, ?, ?, 1, 'user', ?, 'complete', '', '', NULL, ?, ?)",
            (session_id, last[1] + 1, last[0], text, stamp, stamp),
        )
        conn.execute(
            "UPDATE session SET updated_at = ?, message_count = message_count + 1, preview = ?"
            " WHERE id = ?",
            (stamp, " ".join(text.split())[:160], session_id),
        )
        conn.execute(
            "UPDATE session SET title = ? WHERE id = ? AND title = 'New conversation'",
            (title_from(text), session_id),
        )
    return int(cursor.lastrowid or 0)


def append_json_file(maker: TextMaker, *, fsync: bool) -> dict[int, list[int]]:
    """The pattern: keep the session in memory, rewrite the whole file atomically."""
    results = {}
    for size in SESSION_SIZES:
        document = {"id": str(uuid.uuid4()), "created_at": time.time(), "messages": []}
        document["messages"] = conversation(maker, size)
        texts = [maker.message("user") for _ in range(rounds_for(size))]
        path = fresh_path(f"append-json-{size}.json")
        results[size] = _json_series(path, document, texts, fsync=fsync)
    return results


def _json_series(
    path: Path, document: dict[str, object], texts: list[str], *, fsync: bool
) -> list[int]:
    messages = document["messages"]
    assert isinstance(messages, list)
    temp = path.with_suffix(".tmp")

    def append(index: int) -> None:
        messages.append({"role": "user", "content": texts[index], "created_at": time.time()})
        with open(temp, "w", encoding="utf-8") as fh:
            fh.write(json.dumps(document))  # the C encoder: faster than json.dump(document, fh)
            if fsync:
                fh.flush()
                os.fsync(fh.fileno())
        os.replace(temp, path)

    time_rounds(3, append, messages.pop)
    return time_rounds(len(texts), append, messages.pop)


def append_agents_sqlite(maker: TextMaker, *, normal_sync: bool) -> dict[int, list[int]]:
    from agents import SQLiteSession

    class NormalSyncSession(SQLiteSession):
        """The same durability as this store: WAL with synchronous=NORMAL."""

        @staticmethod
        def _configure_connection(conn: sqlite3.Connection) -> None:
            SQLiteSession._configure_connection(conn)
            conn.execute("PRAGMA synchronous=NORMAL")

    kind = NormalSyncSession if normal_sync else SQLiteSession
    path = fresh_path(f"append-agents-{int(normal_sync)}.sqlite")

    async def run() -> dict[int, list[int]]:
        results = {}
        for size in SESSION_SIZES:
            session = kind(f"bench-{size}", path)
            fill = [{"role": m["role"], "content": m["content"]} for m in conversation(maker, size)]
            await session.add_items(fill)  # type: ignore[arg-type]
            samples = []
            gc.collect()
            for index in range(20 + rounds_for(size)):
                item = {"role": "user", "content": maker.message("user")}
                start = time.perf_counter_ns()
                await session.add_items([item])  # type: ignore[list-item]
                elapsed = time.perf_counter_ns() - start
                await session.pop_item()
                if index >= 20:
                    samples.append(elapsed)
            results[size] = samples
            session.close()
        return results

    return asyncio.run(run())


def search_queries(maker: TextMaker) -> list[str]:
    """Varied searches: common, middling and rare words, two-word searches, and partial
    words as typed (the store matches the last word as a prefix)."""
    rng = random.Random(5)
    vocab = [w for w in maker.vocabulary if len(w) >= 3]
    common, middling, rare = vocab[10:150], vocab[150:2000], vocab[2000:]
    queries = [rng.choice(common) for _ in range(12)]
    queries += [rng.choice(middling) for _ in range(14)]
    queries += [rng.choice(rare) for _ in range(8)]
    queries += [f"{rng.choice(middling)} {rng.choice(common)}" for _ in range(8)]
    queries += [
        rng.choice(middling)[: rng.randint(2, 5)] for _ in range(SEARCH_QUERIES - len(queries))
    ]
    return queries


def measure_search(queries: list[str]) -> tuple[list[int], list[tuple[float, str, int]]]:
    for query in queries:  # warm the page cache: the app's store is warm after the first hit
        search_messages(query)
    samples, per_query = [], []
    for query in queries:
        runs = []
        for _ in range(3):
            start = time.perf_counter_ns()
            hits = search_messages(query)
            runs.append(time.perf_counter_ns() - start)
        samples.extend(runs)
        per_query.append((statistics.median(runs) / 1e6, query, len(hits)))
    return samples, sorted(per_query, reverse=True)


def measure_first_page() -> list[int]:
    list_sessions(limit=50)
    return time_rounds(200, lambda _: list_sessions(limit=50), lambda: None)


def measure_list_reload() -> tuple[list[int], list[int]]:
    """The session list's reload after a reply: its page of 100 (+1 to learn whether
    more exist) as now, and the count of every session that each reload used to add."""
    page = time_rounds(100, lambda _: list_sessions(limit=101), lambda: None)
    counted = time_rounds(100, lambda _: count_sessions(), lambda: None)
    return page, counted


def measure_import(maker: TextMaker) -> tuple[float, int]:
    """Median seconds to import a 10,000-message session file, and the file's size."""
    start = time.time() - IMPORT_MESSAGES * 60
    roles = ("user", "assistant")
    data = SessionData(
        id=str(uuid.uuid4()),
        title="Imported for the benchmark",
        agent=agents.DEFAULT_AGENT,
        user=agents.DEFAULT_USER,
        created_at=clock.to_iso(start),
        updated_at=clock.to_iso(start + IMPORT_MESSAGES * 60),
        goal="",
        weights=None,
        messages=tuple(
            MessageData(roles[i % 2], maker.message(roles[i % 2]), clock.to_iso(start + i * 60))
            for i in range(IMPORT_MESSAGES)
        ),
    )
    raw = dump_session_json(data)
    open_database(fresh_path("import.sqlite"))
    agents.ensure_defaults()
    times = []
    for _ in range(3):  # the same file again: each import gets a new session id
        begin = time.perf_counter()
        import_sessions([("bench.session.json", raw)])
        times.append(time.perf_counter() - begin)
    close_database()
    return statistics.median(times), len(raw)


# Report


def print_appends(rows: list[tuple[str, dict[int, list[int]]]]) -> None:
    print("Append one committed message (ms; p50 / p99; each append sees exactly N messages)")
    header = f"{'':<46}" + "".join(f"{f'N = {n:,}':>22}" for n in SESSION_SIZES)
    print(header)
    for label, results in rows:
        cells = ""
        for size in SESSION_SIZES:
            p50, p99 = p50_p99(results[size])
            cells += f"{p50:>10.3f} / {p99:>9.3f}"
        print(f"{label:<46}{cells}")
    print(
        f"(rounds per N: {STORE_ROUNDS:,} for this store and its reference, else "
        + ", ".join(f"{rounds_for(n)}" for n in SESSION_SIZES)
        + ")"
    )


def main() -> int:
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    begin = time.perf_counter()
    maker = TextMaker(seed=3)
    checks: list[tuple[bool, str]] = []

    ours, floor = append_this_store(maker)
    json_plain = append_json_file(maker, fsync=False)
    json_fsync = append_json_file(maker, fsync=True)
    rows = [
        ("this store: append_message (WAL, sync=NORMAL)", ours),
        ("reference: the same SQL through sqlite3", floor),
        ("JSON file per session: rewrite, no fsync", json_plain),
        ("JSON file per session: rewrite + fsync", json_fsync),
    ]
    try:
        rows.append(
            (
                "agents.SQLiteSession (its defaults: sync=FULL)",
                append_agents_sqlite(maker, normal_sync=False),
            )
        )
        rows.append(
            ("agents.SQLiteSession with sync=NORMAL", append_agents_sqlite(maker, normal_sync=True))
        )
    except ImportError:
        print("openai-agents is not installed (scripts/bootstrap.sh bench): SQLiteSession skipped")
    print_appends(rows)

    p50 = {size: p50_p99(ours[size])[0] for size in SESSION_SIZES}
    for size in SESSION_SIZES:
        label = f"append p50 <= {TARGET_APPEND_P50_MS} ms at N = {size:,}: {p50[size]:.3f} ms"
        checks.append((p50[size] <= TARGET_APPEND_P50_MS, label))
    p99 = p50_p99(ours[10_000])[1]
    label = f"append p99 <= {TARGET_APPEND_P99_MS} ms at N = 10,000: {p99:.3f} ms"
    checks.append((p99 <= TARGET_APPEND_P99_MS, label))
    flat = p50[10_000] / p50[10]
    label = f"flat: p50(10,000) / p50(10) = {flat:.2f}x <= {TARGET_FLATNESS}x"
    checks.append((flat <= TARGET_FLATNESS, label))
    ratio = p50_p99(json_plain[10_000])[0] / p50[10_000]
    label = f"vs JSON rewrite (no fsync) at 10,000: {ratio:.0f}x faster >= {TARGET_VS_JSON:.0f}x"
    checks.append((ratio >= TARGET_VS_JSON, label))

    import_s, import_bytes = measure_import(maker)
    print(
        f"\nImport a {IMPORT_MESSAGES:,}-message session file ({import_bytes / 1e6:.1f} MB, "
        f"import_sessions, median of 3): {import_s * 1000:.3f} ms"
    )

    path, built, opened = open_big_store(maker)
    size_mb = path.stat().st_size / 1e6
    made = f"built in {built:.1f} s" if built is not None else "cached"
    print(
        f"\nStore of {BIG_MESSAGES:,} messages in {BIG_SESSIONS:,} sessions: {path} "
        f"({size_mb:.0f} MB, {made})"
    )
    print(f"open_database (quick_check only after an unclean close): {opened * 1000:.0f} ms")
    samples, per_query = measure_search(search_queries(maker))
    s50, s99 = p50_p99(samples)
    print(f"search_messages, {SEARCH_QUERIES} queries x 3 (ms): p50 {s50:.3f}  p99 {s99:.3f}")
    print("  slowest: " + "; ".join(f"{q!r} {ms:.3f} ms ({n} hits)" for ms, q, n in per_query[:5]))
    print("  fastest: " + "; ".join(f"{q!r} {ms:.3f} ms ({n} hits)" for ms, q, n in per_query[-3:]))
    page = p50_p99(measure_first_page())
    print(f"list_sessions(limit=50), first page (ms): p50 {page[0]:.3f}  p99 {page[1]:.3f}")
    reload_page, reload_count = (p50_p99(s)[0] for s in measure_list_reload())
    print(
        f"session-list reload: page of 101 {reload_page:.3f} ms; the count it no longer runs "
        f"{reload_count:.3f} ms (p50 over {BIG_SESSIONS:,} sessions; it grows with their number)"
    )
    close_database()
    label = f"search p50 <= {TARGET_SEARCH_P50_MS:.0f} ms over {BIG_MESSAGES:,}: {s50:.3f} ms"
    checks.append((s50 <= TARGET_SEARCH_P50_MS, label))
    label = f"first page of {BIG_SESSIONS:,} sessions <= {TARGET_FIRST_PAGE_P50_MS:.0f} ms: "
    checks.append((page[0] <= TARGET_FIRST_PAGE_P50_MS, label + f"{page[0]:.3f} ms"))

    print("\nTargets")
    for ok, label in checks:
        print(f"  {'PASS' if ok else 'FAIL'}  {label}")
    print(f"\n(total {time.perf_counter() - begin:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
