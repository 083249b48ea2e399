"""Importing a ChatGPT export: messages/s, peak RSS, re-import, and the longest wait of
another connection for the write lock while the import runs.

Generates a realistic `conversations.json` (each node with the metadata a real export
carries) of IMPORT_MESSAGES messages (env BENCH_IMPORT_MESSAGES; 1,000,000 makes a
~1 GB file), imports it in a child process (so its peak RSS is the import's own), then
imports the same file again. Meanwhile a second connection commits one small write
every 20 ms and records how long each waited. Run:
.venv/bin/python benchmarks/bench_imports.py
"""

from __future__ import annotations

import json
import os
import resource
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

IMPORT_MESSAGES = int(os.environ.get("BENCH_IMPORT_MESSAGES", "100000"))
PER_CONVERSATION = 50
TARGET_RATE = 20_000
TARGET_RSS_MB = 400
TARGET_LOCK_MS = 250
_TEXT = (
    "the quick brown fox jumps over the lazy dog while a careful reviewer reads every "
    "line of the proposal and asks whether the numbers in the second table add up "
)
_WORDS = _TEXT.split()


def _node(key: str, parent: str, role: str, at: float, text: str) -> dict[str, object]:
    return {
        "id": key,
        "message": {
            "id": key,
            "author": {"role": role, "name": None, "metadata": {}},
            "create_time": at,
            "update_time": None,
            "content": {"content_type": "text", "parts": [text]},
            "status": "finished_successfully",
            "end_turn": True,
            "weight": 1.0,
            "metadata": {
                "model_slug": "gpt-4o" if role == "assistant" else None,
                "request_id": "8f1c2a9d3b7e4f60-AMS",
                "message_type": None,
                "finish_details": {"type": "stop", "stop_tokens": [200002]},
                "citations": [],
                "timestamp_": "absolute",
            },
            "recipient": "all",
            "channel": None,
        },
        "parent": parent,
        "children": [],
    }


def write_export(path: Path, messages: int) -> int:
    """Stream a conversations.json of `messages` messages to `path`; returns its size."""
    with path.open("w", encoding="utf-8") as out:
        out.write("[")
        made = 0
        conversation = 0
        while made < messages:
            count = min(PER_CONVERSATION, messages - made)
            cid = f"00000000-0000-4000-8000-{conversation:012d}"
            mapping: dict[str, object] = {
                "root": {"id": "root", "message": None, "parent": None, "children": []}
            }
            parent = "root"
            for i in range(count):
                key = f"{cid[:24]}{conversation:06d}{i:06d}"
                role = "user" if i % 2 == 0 else "assistant"
                words = " ".join(_WORDS[(i + j) % len(_WORDS)] for j in range(20 + (i % 40)))
                mapping[key] = _node(key, parent, role, 1.7e9 + conversation * 100 + i, words)
                parent = key
            body = {
                "title": f"Conversation {conversation}",
                "create_time": 1.7e9 + conversation * 100,
                "update_time": 1.7e9 + conversation * 100 + count,
                "mapping": mapping,
                "moderation_results": [],
                "current_node": parent,
                "conversation_id": cid,
                "id": cid,
            }
            out.write(("," if conversation else "") + json.dumps(body))
            made += count
            conversation += 1
        out.write("]")
    return path.stat().st_size


def _child(data_dir: str, export: str) -> None:
    from desktop_agent.services.app_context import open_app
    from desktop_agent.services.importing import import_exports

    app = open_app(Path(data_dir))
    try:
        report = import_exports([export])
    finally:
        app.close()
    usage = resource.getrusage(resource.RUSAGE_SELF)
    rss_mb = usage.ru_maxrss / 1024
    counts = {o: report.count(o) for o in ("new", "updated", "unchanged", "skipped")}
    print(
        json.dumps(
            {
                "seconds": report.seconds,
                "added": report.messages_added,
                "longest_write_ms": report.longest_write_ms,
                "rss_mb": rss_mb,
                # CPU time (start-up included) is what the load on this machine leaves alone.
                "cpu_seconds": usage.ru_utime + usage.ru_stime,
                "counts": counts,
            }
        )
    )


class LockProbe(threading.Thread):
    """Another writer: one small committed write every 20 ms, each wait recorded."""

    def __init__(self, path: Path) -> None:
        super().__init__(daemon=True)
        self.path = path
        self.waits: list[float] = []
        self.stop = threading.Event()

    def run(self) -> None:
        while not self.path.exists():
            time.sleep(0.01)
        conn = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        conn.execute("CREATE TABLE IF NOT EXISTS bench_probe (t REAL)")
        while not self.stop.is_set():
            started = time.perf_counter()
            conn.execute("BEGIN IMMEDIATE")
            self.waits.append(time.perf_counter() - started)
            conn.execute("INSERT INTO bench_probe VALUES (?)", (time.time(),))
            conn.execute("COMMIT")
            time.sleep(0.02)
        conn.close()


def _run_child(data_dir: Path, export: Path, probe_db: Path | None) -> dict[str, object]:
    probe = LockProbe(probe_db) if probe_db is not None else None
    if probe is not None:
        probe.start()
    result = subprocess.run(
        [sys.executable, __file__, "--child", str(data_dir), str(export)],
        capture_output=True,
        text=True,
        check=True,
    )
    out: dict[str, object] = json.loads(result.stdout.strip().splitlines()[-1])
    if probe is not None:
        probe.stop.set()
        probe.join()
        out["lock_wait_max_ms"] = max(probe.waits, default=0.0) * 1000
        out["lock_probes"] = len(probe.waits)
    return out


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="bench-imports-") as tmp:
        root = Path(tmp)
        export = root / "conversations.json"
        started = time.perf_counter()
        size = write_export(export, IMPORT_MESSAGES)
        print(
            f"generated {IMPORT_MESSAGES:,} messages, {size / 1e6:,.0f} MB "
            f"in {time.perf_counter() - started:.1f} s"
        )
        data_dir = root / "data"
        # The store is created by a first empty open so the probe can attach at once.
        subprocess.run(
            [
                sys.executable,
                "-m",
                "desktop_agent",
                "--data-dir",
                str(data_dir),
                "sessions",
                "list",
            ],
            check=True,
            capture_output=True,
        )
        first = _run_child(data_dir, export, data_dir / "desktop-agent.sqlite3")
        rate = IMPORT_MESSAGES / float(first["seconds"])  # type: ignore[arg-type]
        print(
            f"import: {first['counts']} in {first['seconds']:.1f} s = {rate:,.0f} messages/s "
            f"(target ≥ {TARGET_RATE:,}: {'PASS' if rate >= TARGET_RATE else 'FAIL'})"
        )
        cpu = float(first["cpu_seconds"])  # type: ignore[arg-type]
        print(
            f"import CPU time: {cpu:.1f} s = {cpu / IMPORT_MESSAGES * 1e6:.0f} µs per message "
            f"({IMPORT_MESSAGES / cpu:,.0f} messages per CPU-second)"
        )
        print(
            f"import peak RSS: {first['rss_mb']:.0f} MB (target ≤ {TARGET_RSS_MB}: "
            f"{'PASS' if float(first['rss_mb']) <= TARGET_RSS_MB else 'FAIL'})"
        )  # type: ignore[arg-type]
        print(f"longest import transaction: {first['longest_write_ms']:.0f} ms")
        wait = float(first["lock_wait_max_ms"])  # type: ignore[arg-type]
        print(
            f"longest write-lock wait of another connection: {wait:.0f} ms over "
            f"{first['lock_probes']} writes (target ≤ {TARGET_LOCK_MS}: "
            f"{'PASS' if wait <= TARGET_LOCK_MS else 'FAIL'})"
        )
        again = _run_child(data_dir, export, None)
        share = float(again["seconds"]) / float(first["seconds"])  # type: ignore[arg-type]
        print(
            f"re-import of the same file: {again['counts']}, {again['added']} messages "
            f"added, {again['seconds']:.1f} s ({share:.0%} of the first import)"
        )


def bench_archive() -> None:
    """export-all of the 1,000,000-message store, then import-all into an empty store."""
    from benchmarks.store_corpus import TextMaker, open_big_store
    from desktop_agent.store import agents
    from desktop_agent.store.archive import export_all, import_all
    from desktop_agent.store.db import close_database, open_database

    path, built, _ = open_big_store(TextMaker(seed=3))
    if built is not None:
        print(f"built the 1M-message store in {built:.0f} s (cached for the next run)")
    with tempfile.TemporaryDirectory(prefix="bench-archive-") as tmp:
        archive = Path(tmp) / "everything.dagent"
        started = time.perf_counter()
        size = export_all(archive)
        exported = time.perf_counter() - started
        close_database()
        print(f"export-all of the 1M-message store: {exported:.1f} s, {size / 1e6:,.0f} MB")
        open_database(Path(tmp) / "empty.sqlite3")
        agents.ensure_defaults()
        started = time.perf_counter()
        report = import_all(archive)
        restored = time.perf_counter() - started
        close_database()
        print(
            f"import-all into an empty store: {restored:.1f} s "
            f"({report.added.get('message', 0):,} messages, exact: {report.restored_exactly})"
        )
    del path


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--child":
        _child(sys.argv[2], sys.argv[3])
    else:
        main()
        if os.environ.get("BENCH_ARCHIVE", "1") != "0":
            bench_archive()
