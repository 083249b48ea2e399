"""The command line as a person runs it (whole processes, medians), side by side with
what the same work costs without the app:

- `sessions search WORD` over 1,000,000 messages against a bare `python -c` that runs the
  same FTS query with `sqlite3` (the same interpreter, so start-up costs match);
- `sessions show`, `show --json`, `export` and `import` of a 10,000-message session.

The 1M-message store is store_corpus's cached one (a data dir links to it); the
10,000-message session is built once per schema. Exit status is 0 even when a target
fails. Run: .venv/bin/python benchmarks/bench_cli.py [--runs N]
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

from store_corpus import CACHE_DIR, TextMaker, conversation, open_big_store, schema_key

from desktop_agent.services.app_context import open_app
from desktop_agent.store import messages, sessions
from desktop_agent.store.db import close_database
from desktop_agent.store.search import _SQL, fts_query

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
BARE_PYTHON = getattr(sys, "_base_executable", sys.executable)
_NOT_A_USERS_SHELL = ("PYTHONDONTWRITEBYTECODE", "PYTHONUNBUFFERED")
# The CLI under test is this tree's, whatever else the venv has installed (a store built
# for this tree's schema opened by another tree's code would be migrated or refused).
# PYTHONDONTWRITEBYTECODE and PYTHONUNBUFFERED (set in some shells and CI runners) are
# not what a person's terminal has: the first recompiles every module on every run
# (~70 ms here), the second makes each print a system call.
ENV = {
    **{k: v for k, v in os.environ.items() if k not in _NOT_A_USERS_SHELL},
    "PYTHONPATH": str(ROOT),
    "DESKTOP_AGENT_NO_KEYRING": "1",
}
CLI = "import sys; from desktop_agent.app import main; sys.exit(main())"
BARE_SEARCH = (
    "import sqlite3, sys; db = sqlite3.connect(sys.argv[1]);"
    " print(len(db.execute(sys.argv[2], (sys.argv[3], 50)).fetchall()))"
)
SEARCH_WORDS = ("function", "module", "attribute", "exception", "returned")
SESSION_MESSAGES = 10_000
TARGET_SEARCH_RATIO = 3.0
TARGET_SHOW_S = 0.25
TARGET_IMPORT_S = 0.5


CPU: dict[str, list[float]] = {}  # CPU seconds (user + sys) of each process, by label


def wall(argv: list[str], label: str = "") -> float:
    """Seconds from spawn to exit. The child's CPU time is kept under `label`: on a busy
    machine wall times swing with the load; the CPU a command needs much less so."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, cwd=ROOT, env=ENV)
    elapsed = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    used = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    CPU.setdefault(label, []).append(used)
    return elapsed


def cpu_ms(label: str) -> float:
    return statistics.median(CPU[label]) * 1000


def cli(data_dir: Path, *args: str) -> list[str]:
    return [PYTHON, "-c", CLI, "--data-dir", str(data_dir), *args]


def search_data_dir(store: Path) -> Path:
    """A data dir whose database is a link to the cached 1M-message store."""
    data_dir = CACHE_DIR / f"cli-search-{schema_key()}"
    data_dir.mkdir(parents=True, exist_ok=True)
    link = data_dir / "desktop-agent.sqlite3"
    if not link.is_symlink():
        link.symlink_to(store)
    return data_dir


def measure_search(data_dir: Path, runs: int) -> tuple[float, float, float]:
    """Median seconds, runs interleaved: the CLI search; the same FTS query through
    sqlite3 in a bare `python3 -c` (the interpreter the venv was made from); and the
    same in this venv's python (whose start-up also loads the editable install's hook)."""
    sql = _SQL.format(extra="")
    path = str((data_dir / "desktop-agent.sqlite3").resolve())
    ours, bare, venv = [], [], []
    for word in SEARCH_WORDS:
        query = fts_query(word) or word
        wall(cli(data_dir, "sessions", "search", word))  # warm the page cache
        for _ in range(runs):
            ours.append(wall(cli(data_dir, "sessions", "search", word), "search"))
            bare.append(wall([BARE_PYTHON, "-c", BARE_SEARCH, path, sql, query], "bare"))
            venv.append(wall([PYTHON, "-c", BARE_SEARCH, path, sql, query], "venv"))
    return statistics.median(ours), statistics.median(bare), statistics.median(venv)


def session_data_dir(maker: TextMaker) -> tuple[Path, str]:
    """A data dir holding one 10,000-message session (every 20th reply rated)."""
    data_dir = CACHE_DIR / f"cli-session-{schema_key()}"
    marker = data_dir / "session-id"
    if marker.exists():
        return data_dir, marker.read_text().strip()
    shutil.rmtree(data_dir, ignore_errors=True)
    app = open_app(data_dir)
    session_id = sessions.create_session(title="Ten thousand").id
    ids = messages.append_many(session_id, conversation(maker, SESSION_MESSAGES))
    for message_id in ids[1::20]:
        messages.set_feedback(message_id, -1, ["too_long"])
    app.close()
    marker.write_text(session_id)
    return data_dir, session_id


def measure_session(data_dir: Path, session_id: str, runs: int) -> dict[str, float]:
    exported = CACHE_DIR / "cli-export.session.json"
    empty = CACHE_DIR / "cli-import-empty"
    shutil.rmtree(empty, ignore_errors=True)
    open_app(empty).close()
    target = CACHE_DIR / "cli-import-target"
    commands = {
        "sessions show ID": cli(data_dir, "sessions", "show", session_id),
        "sessions show ID --json": cli(data_dir, "sessions", "show", session_id, "--json"),
        "sessions export ID -o FILE": cli(
            data_dir, "sessions", "export", session_id, "-o", str(exported)
        ),
    }
    times: dict[str, list[float]] = {name: [] for name in [*commands, "sessions import FILE"]}
    for _ in range(runs):
        for name, argv in commands.items():
            times[name].append(wall(argv, name))
        shutil.rmtree(target, ignore_errors=True)
        shutil.copytree(empty, target)
        importing = cli(target, "sessions", "import", str(exported))
        times["sessions import FILE"].append(wall(importing, "sessions import FILE"))
    return {name: statistics.median(values) for name, values in times.items()}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    maker = TextMaker(seed=3)
    checks: list[tuple[bool, str]] = []

    startup = statistics.median(wall([PYTHON, "-c", "pass"]) for _ in range(args.runs))
    print(f"python -c pass (this interpreter's start-up): {startup * 1000:7.1f} ms")

    store, _, _ = open_big_store(maker)
    close_database()
    ours, bare, venv = measure_search(search_data_dir(store), args.runs)
    ratio = ours / bare
    print(f"\n`sessions search WORD` over 1,000,000 messages (median, {len(SEARCH_WORDS)} words)")
    print(f"  {'':<40}{'wall ms':>9}{'CPU ms':>9}")
    for name, seconds, label in (
        ("desktop-agent sessions search", ours, "search"),
        ("bare python3 -c + sqlite3, same query", bare, "bare"),
        ("venv python -c + sqlite3, same query", venv, "venv"),
    ):
        print(f"  {name:<40}{seconds * 1000:9.1f}{cpu_ms(label):9.1f}")
    print(f"  CLI / bare: {ratio:.2f}x wall, {cpu_ms('search') / cpu_ms('bare'):.2f}x CPU")
    label = f"search <= {TARGET_SEARCH_RATIO:.0f}x the bare sqlite3 query: {ratio:.2f}x"
    checks.append((ratio <= TARGET_SEARCH_RATIO, label))

    data_dir, session_id = session_data_dir(maker)
    figures = measure_session(data_dir, session_id, args.runs)
    print(f"\nA {SESSION_MESSAGES:,}-message session through the CLI (median of {args.runs})")
    print(f"  {'':<28}{'wall s':>8}{'CPU s':>8}")
    for name, seconds in figures.items():
        print(f"  {name:<28}{seconds:8.3f}{cpu_ms(name) / 1000:8.3f}")
        target = TARGET_IMPORT_S if "import" in name else TARGET_SHOW_S
        checks.append((seconds <= target, f"{name} <= {target} s: {seconds:.3f} s"))

    print("\nTargets")
    for ok, label in checks:
        print(f"  {'PASS' if ok else 'FAIL'}  {label}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
