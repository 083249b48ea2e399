"""What the store benchmarks share: English-like text, timing helpers, and the
1,000,000-message store built once with bulk SQL and cached under CACHE_DIR (keyed by a
hash of the schema, so a migration triggers a rebuild)."""

from __future__ import annotations

import gc
import hashlib
import itertools
import json
import os
import random
import re
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from desktop_agent.store import agents
from desktop_agent.store.db import close_database, database, open_database
from desktop_agent.store.messages import title_from

CACHE_DIR = Path(tempfile.gettempdir()) / "desktop-agent-bench"
BUILD_VERSION = 1  # bump when the generated data changes, to invalidate the cache
BIG_MESSAGES = 1_000_000
BIG_SESSIONS = 10_000


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
