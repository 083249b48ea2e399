"""Measure the message store against the two common alternatives and print PASS/FAIL per target.

Side by side, in one run (figures in ms):
- appending one committed message to sessions of 10, 1,000 and 10,000 messages, for
  this store (append_message), the JSON-file-per-session pattern (rewrite the whole
  file on every mutation, with and without fsync) and openai-agents' SQLiteSession;
- full-text search over 1,000,000 messages, the first page of 10,000 sessions, and
  importing a 10,000-message session file.

The 1M-message store is built once with bulk SQL and cached under CACHE_DIR, keyed by
a hash of the schema, so reruns start in seconds. Exit status is 0 even when a target
fails: the figures are the output. Run: .venv/bin/python benchmarks/bench_store.py
"""

from __future__ import annotations

import asyncio
import gc
import hashlib
import itertools
import json
import os
import random
import re
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from desktop_agent.domain.session_file import MessageData, SessionData, dump_session_json
from desktop_agent.services.transfer import import_sessions
from desktop_agent.store import agents, clock
from desktop_agent.store.db import close_database, database, open_database
from desktop_agent.store.messages import append_many, append_message, title_from
from desktop_agent.store.search import search_messages
from desktop_agent.store.sessions import create_session, list_sessions

CACHE_DIR = Path(tempfile.gettempdir()) / "desktop-agent-bench"
BUILD_VERSION = 1  # bump when the generated data changes, to invalidate the cache
SESSION_SIZES = (10, 1_000, 10_000)
BIG_MESSAGES = 1_000_000
BIG_SESSIONS = 10_000
IMPORT_MESSAGES = 10_000
SEARCH_QUERIES = 50

TARGET_APPEND_P50_MS = 0.15
TARGET_FLATNESS = 1.5  # p50 at 10,000 messages within this factor of p50 at 10
TARGET_VS_JSON = 50.0  # times faster than the JSON rewrite at 10,000 messages
TARGET_SEARCH_P50_MS = 30.0
TARGET_FIRST_PAGE_P50_MS = 10.0


# Text: a bigram chain over the English prose of Python's own help topics gives words
# with natural (Zipf-like) frequencies, so the full-text index sees realistic postings.


class TextMaker:
    """Deterministic, varied, English-like message text."""

    def __init__(self, seed: int, sentences: int = 60_000) -> None:
        import pydoc_data.topics

        corpus = " ".join(pydoc_data.topics.topics.values())
        tokens = re.findall(r"[A-Za-z]+(?:'[a-z]+)?[.,?]?", corpus)
        successors: dict[str, list[str]] = {}
        for current, following in itertools.pairwise(tokens):
            successors.setdefault(current.lower(), []).append(following.lower())
        rng = random.Random(seed)
        keys = list(successors)
        self.rng = rng
        self.pool = [self._sentence(rng, successors, keys) for _ in range(sentences)]
        words = re.findall(r"[a-z]+", " ".join(self.pool).lower())
        counts: dict[str, int] = {}
        for word in words:
            counts[word] = counts.get(word, 0) + 1
        self.vocabulary = sorted(counts, key=lambda w: (-counts[w], w))  # most frequent first

    @staticmethod
    def _sentence(rng: random.Random, successors: dict[str, list[str]], keys: list[str]) -> str:
        word = rng.choice(keys)
        out = [word]
        for _ in range(rng.randint(5, 22)):
            word = rng.choice(successors.get(word.rstrip(".,?"), keys))
            out.append(word)
        text = " ".join(out).rstrip(".,?")
        return text[:1].upper() + text[1:] + "."

    def message(self, role: str) -> str:
        # People type a sentence or two; replies run longer.
        count = self.rng.randint(1, 2) if role == "user" else self.rng.randint(2, 7)
        return " ".join(self.rng.choices(self.pool, k=count))


# Timing helpers


def p50_p99(samples_ns: list[int]) -> tuple[float, float]:
    cuts = statistics.quantiles(samples_ns, n=100, method="inclusive")
    return cuts[49] / 1e6, cuts[98] / 1e6


def time_rounds(
    rounds: int, action: Callable[[int], object], undo: Callable[[], object]
) -> list[int]:
    """Time `action` `rounds` times; `undo` (untimed) restores the session's length."""
    gc.collect()
    samples = []
    for index in range(rounds):
        start = time.perf_counter_ns()
        action(index)
        samples.append(time.perf_counter_ns() - start)
        undo()
    return samples


def rounds_for(size: int) -> int:
    # The JSON rewrite of a 10,000-message file takes tens of ms; fewer rounds keep the
    # run short while p50 stays stable.
    return {10: 400, 1_000: 200}.get(size, 60)


def fresh_path(name: str) -> Path:
    path = CACHE_DIR / name
    for leftover in path.parent.glob(path.name + "*"):
        leftover.unlink()
    return path


def conversation(maker: TextMaker, size: int) -> list[dict[str, object]]:
    start = time.time() - size * 60
    roles = ("user", "assistant")
    return [
        {"role": roles[i % 2], "content": maker.message(roles[i % 2]), "created_at": start + i * 60}
        for i in range(size)
    ]


# Appending: this store, JSON file per session, openai-agents SQLiteSession


def append_this_store(maker: TextMaker) -> tuple[dict[int, list[int]], dict[int, list[int]]]:
    """append_message, and (for reference) the same SQL statements issued through sqlite3."""
    open_database(fresh_path("append-store.sqlite"))
    agents.ensure_defaults()
    api, floor = {}, {}
    for size in SESSION_SIZES:
        session_id = create_session().id
        append_many(session_id, conversation(maker, size))
        texts = [maker.message("user") for _ in range(rounds_for(size))]
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


# The 1M-message store, built once with bulk SQL and cached


def schema_key() -> str:
    """Hash of the store's schema as created by its migrations (plus the data version)."""
    probe = Path(tempfile.mkdtemp(prefix="bench-schema-")) / "probe.sqlite"
    open_database(probe)
    rows = database.execute_sql(
        "SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL ORDER BY name"
    ).fetchall()
    close_database()
    shutil.rmtree(probe.parent)
    text = json.dumps([rows, BUILD_VERSION, BIG_MESSAGES, BIG_SESSIONS])
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def build_big_store(path: Path, maker: TextMaker) -> None:
    """Bulk insert in one transaction; the FTS index is rebuilt once at the end, which is
    ~3x faster than letting the per-row triggers index 1M messages."""
    building = path.with_name(path.name + ".building")
    for leftover in building.parent.glob(building.name + "*"):
        leftover.unlink()
    open_database(building)
    agent, user = agents.ensure_defaults()
    per_session = BIG_MESSAGES // BIG_SESSIONS
    rng = random.Random(11)
    now = time.time()
    conn = database.connection()
    with database.atomic():
        triggers = conn.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'message'"
        ).fetchall()
        for name, _ in triggers:
            conn.execute(f"DROP TRIGGER {name}")
        weights = json.dumps(agent.baseline)
        message_id = 0
        for index in range(BIG_SESSIONS):
            session_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
            started = now - rng.uniform(0, 3 * 365 * 86400)
            rows = []
            for seq in range(per_session):
                message_id += 1
                role = ("user", "assistant")[seq % 2]
                stamp, parent = started + seq * 90, message_id - 1 if seq else None
                text = maker.message(role)
                rows.append((message_id, session_id, seq, parent, role, text, stamp, stamp))
            first_text, last_text, last_stamp = rows[0][5], rows[-1][5], rows[-1][6]
            trashed = started + 1 if index % 50 == 0 else None  # a few in the trash
            conn.execute(
                "INSERT INTO session (id, title, agent_id, user_id, created_at, updated_at,"
                " pinned, trashed_at, weights, message_count, preview)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (session_id, title_from(first_text), agent.id, user.id, started, last_stamp,
                 int(index % 500 == 0), trashed, weights, per_session, last_text[:160]),
            )  # fmt: skip
            conn.executemany(
                "INSERT INTO message (id, session_id, seq, parent_id, role, content, status,"
                " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, 'complete', ?, ?)",
                rows,
            )
        conn.execute("INSERT INTO message_fts (message_fts) VALUES ('rebuild')")
        for _, sql in triggers:
            conn.execute(sql)
    database.execute_sql("PRAGMA optimize")
    close_database()  # checkpoints the WAL into the file before it is renamed
    os.replace(building, path)


def open_big_store(maker: TextMaker) -> tuple[Path, float | None, float]:
    """(path, build seconds or None when cached, open seconds including the quick_check)."""
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    path = CACHE_DIR / f"store-1m-{schema_key()}.sqlite"
    built = None
    if not path.exists():
        start = time.perf_counter()
        build_big_store(path, maker)
        built = time.perf_counter() - start
    start = time.perf_counter()
    open_database(path)
    return path, built, time.perf_counter() - start


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
    print(f"{'(rounds per N)':<46}" + "".join(f"{rounds_for(n):>22}" for n in SESSION_SIZES))


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
