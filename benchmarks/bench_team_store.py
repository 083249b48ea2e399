"""The team store's figures beside SQLite's, on loopback, in one run (ms):
append one committed message (p50/p99; beside it, alternated round by round, the same
append in five statements as before da_append_message and the one call without waiting
for the WAL flush, plus what one fdatasync costs on this disk: the floor of any durable
commit), search over BENCH_TEAM_MESSAGES messages
(default 1,000,000) p50, the first page of 10,000 sessions, and an experiment report
over 100 members x 100 rated turns. Starts its own durable PostgreSQL 15 cluster
(fsync on) and stops it at the end. Exit status 0: the figures are the output.
Run: .venv/bin/python benchmarks/bench_team_store.py
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from desktop_agent.store import agents, experiments, messages, sessions
from desktop_agent.store import snapshots as snapshot_store
from desktop_agent.store.db import close_database, database, open_database
from desktop_agent.store.search import search_messages
from desktop_agent.store.team import open_team_store
from tests.support.pg_cluster import OWNER, PG_BIN, start_server

MESSAGES = int(os.environ.get("BENCH_TEAM_MESSAGES", "1000000"))
SESSIONS = 10_000
MEMBERS, TURNS = 100, 100
WORDS = "lighthouse keeper harbour storm lantern rope anchor tide gull cliff".split()  # noqa: SIM905


def p50_p99(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[int(len(ordered) * 0.99) - 1]


def timed(func, rounds: int) -> list[float]:  # type: ignore[no-untyped-def]
    out = []
    for _ in range(rounds):
        start = time.perf_counter()
        func()
        out.append((time.perf_counter() - start) * 1000)
    return out


def append_figures() -> tuple[float, float]:
    session = sessions.create_session()
    for i in range(50):  # warm up
        messages.append_message(session.id, "user", f"warm {i}")
    return p50_p99(timed(lambda: messages.append_message(session.id, "user", "hello there"), 500))


def append_before_after() -> dict[str, tuple[float, float]]:
    """Team store appends in five statements (BEGIN, touch the session, last position,
    INSERT, COMMIT: what a store without da_append_message does), in one call, and in one
    call without waiting for the WAL flush (synchronous_commit off for this measurement
    only: the app never turns it off) to show what the disk's flush costs. Alternated
    round by round so all three see the same load on this shared machine."""
    team = database.obj
    session = sessions.create_session()
    variants = {"five": (False, "on"), "one": (True, "on"), "no flush": (True, "off")}
    samples: dict[str, list[float]] = {name: [] for name in variants}
    for round_ in range(550):
        for name, (one_call, sync) in variants.items():
            team.append_function = one_call
            database.execute_sql(f"SET synchronous_commit = {sync}")
            start = time.perf_counter()
            messages.append_message(session.id, "user", "hello there")
            if round_ >= 50:  # the first rounds warm up
                samples[name].append((time.perf_counter() - start) * 1000)
    team.append_function = True
    database.execute_sql("SET synchronous_commit = on")
    return {name: p50_p99(values) for name, values in samples.items()}


def fsync_ms(directory: Path) -> str:
    """What one WAL flush (fdatasync of an 8 kB write) costs on this disk: the floor of
    any durable commit, whatever the client does."""
    tool = PG_BIN / "pg_test_fsync"
    target = directory / "fsync.probe"
    args = [str(tool), "-s", "2", "-f", str(target)]
    if os.geteuid() == 0:
        args = ["runuser", "-u", "postgres", "--", *args]
    out = subprocess.run(args, check=False, capture_output=True, text=True).stdout
    for line in out.splitlines():
        if line.strip().startswith("fdatasync") and "ops/sec" in line:
            usecs = line.split()[-2]
            return f"{float(usecs) / 1000:.2f} ms per fdatasync (pg_test_fsync)"
    return "pg_test_fsync gave no figure"


def main() -> None:
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        open_database(Path(tmp) / "bench.sqlite3")
        agents.ensure_defaults()
        rows.append(("append one message p50 / p99", append_figures()))
        close_database()

    server = start_server(durable=True)
    try:
        db = server.new_database("team_initialised")
        server.sql("GRANT desktop_agent_members TO alice")
        open_team_store(server.url("alice", db))
        agents.ensure_defaults()
        pg = append_before_after()
        pg_append = pg["one"]
        flush = fsync_ms(server.directory)

        t0 = time.perf_counter()
        # Bulk data server-side, as the owner (no row-level security), owned by alice.
        server.sql(
            "INSERT INTO session (id, title, agent_id, user_id, created_at, updated_at,"
            " weights, owner) SELECT 'bench-' || i, 'session ' || i, 1,"
            " (SELECT id FROM user_profile WHERE handle = 'alice'), i, i, '{}', 'alice'"
            f" FROM generate_series(1, {SESSIONS}) i",
            database=db,
            role=OWNER,
        )
        words = "ARRAY[" + ",".join(f"'{w}'" for w in WORDS) + "]"
        server.sql(
            "INSERT INTO message (session_id, seq, role, content, status, created_at,"
            " updated_at, owner) SELECT 'bench-' || (1 + i % " + str(SESSIONS) + "), i,"
            f" 'user', 'word' || (i % 50000) || ' ' || ({words})[1 + i % 10] || ' text "
            f"number ' || i, 'complete', i, i, 'alice' FROM generate_series(1, {MESSAGES}) i",
            database=db,
            role=OWNER,
        )
        server.sql("ANALYZE", database=db, role=OWNER)
        build = time.perf_counter() - t0
        search = statistics.median(timed(lambda: search_messages("word4242"), 30))
        page = statistics.median(timed(lambda: sessions.list_sessions(limit=100), 30))

        # 100 members x 100 rated turns in one experiment (rows made by the owner).
        a = snapshot_store.save_snapshot(
            name="a", agent_name="assistant", weights={}, learning_rate=0.1, decay=0
        )
        b = snapshot_store.save_snapshot(
            name="b", agent_name="assistant", weights={}, learning_rate=0.1, decay=0
        )
        exp = experiments.create_experiment(
            name="bench", agent_id=1, snapshot_a=a.id, snapshot_b=b.id, split=0.5
        )
        server.sql(
            "INSERT INTO user_profile (handle, created_at) SELECT 'member' || u, 0"
            f" FROM generate_series(1, {MEMBERS}) u",
            database=db,
            role=OWNER,
        )
        server.sql(
            f"INSERT INTO experiment_assignment SELECT '{exp.id}', id,"
            " CASE WHEN id % 2 = 0 THEN 'a' ELSE 'b' END, 0 FROM user_profile"
            " WHERE handle LIKE 'member%'",
            database=db,
            role=OWNER,
        )
        server.sql(
            "INSERT INTO session (id, title, agent_id, user_id, created_at, updated_at,"
            f" weights, owner, experiment_id, arm) SELECT 'x-' || id, 't', 1, id, 0, 0, '{{}}',"
            f" handle, '{exp.id}', CASE WHEN id % 2 = 0 THEN 'a' ELSE 'b' END"
            " FROM user_profile WHERE handle LIKE 'member%'",
            database=db,
            role=OWNER,
        )
        server.sql(
            "WITH m AS (INSERT INTO message (session_id, seq, role, content, status,"
            " created_at, updated_at, owner) SELECT s.id, t, 'assistant', 'reply', 'complete',"
            f" t, t, s.owner FROM session s, generate_series(1, {TURNS}) t"
            " WHERE s.id LIKE 'x-%' RETURNING id, owner)"
            " INSERT INTO feedback (message_id, rating, created_at, owner)"
            " SELECT id, CASE WHEN id % 3 = 0 THEN -1 ELSE 1 END, 0, owner FROM m",
            database=db,
            role=OWNER,
        )
        from desktop_agent.services import experiments as experiment_service

        report = statistics.median(timed(lambda: experiment_service.report("bench"), 20))
        close_database()
        print(f"PostgreSQL 15 on loopback (durable), {MESSAGES:,} messages built in {build:.0f} s")
        print(f"{'figure':<46}{'SQLite':>16}{'PostgreSQL':>16}")
        s50, s99 = rows[0][1]
        print(
            f"{'append one committed message p50 / p99':<46}{s50:>7.3f} / {s99:<6.3f}"
            f"{pg_append[0]:>7.3f} / {pg_append[1]:.3f}   (target p50 <= 2 ms)"
        )
        for name, label in (
            ("five", "  the same in 5 statements (before)"),
            ("no flush", "  one call, not waiting for the WAL flush (*)"),
        ):
            print(f"{label:<46}{'':>16}{pg[name][0]:>7.3f} / {pg[name][1]:.3f}")
        print(f"{'  the disk alone':<46}{'':>16}   {flush}")
        print("(*) synchronous_commit off for this measurement only; the app keeps it on")
        print(
            f"{'search over the messages, p50':<46}{'see bench_store':>16}{search:>13.2f}"
            "   (target <= 50 ms)"
        )
        print(f"{'first page of 10,000 sessions':<46}{'see bench_store':>16}{page:>13.2f}")
        print(
            f"{'experiment report, 100 members x 100 turns':<46}{'':>16}{report:>13.2f}"
            "   (target <= 200 ms)"
        )
    finally:
        server.stop()


if __name__ == "__main__":
    main()
