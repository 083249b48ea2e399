"""Print the peak memory of one streamed reply against each size fault of the hostile
server (an unterminated 100 MiB line, gzip bombs, an endless stream): the client runs in a
fresh process per fault and reports its peak RSS and what it was told.

    python benchmarks/bench_hostile_memory.py [REPO]

REPO (default: this checkout) is where the client code is imported from, so the same
server can measure an older checkout for a before/after figure.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.support.hostile_server import HostileServer

FAULTS = [
    ("normal", 0),
    ("huge_line", 100 << 20),
    ("endless_stream", 0),
    ("gzip_bomb_stream", 1 << 30),
    ("gzip_bomb_newlines", 1 << 30),
    ("gzip_bomb_plain", 1 << 30),
    ("gzip_bomb_error", 1 << 30),
]

TIMEOUT = 120  # seconds: an unbounded client reads an endless stream forever

CLIENT = """
import resource, sys, time
from desktop_agent.llm.client import ProviderClient, ProviderConfig
from desktop_agent.llm.errors import ProviderError
start = time.monotonic()
outcome, size = "ok", 0
with ProviderClient(ProviderConfig(sys.argv[1], None, timeout_seconds=30, max_retries=0)) as c:
    try:
        for delta in c.stream_chat([{"role": "user", "content": "hi"}], model="m"):
            size += len(delta)
    except ProviderError as exc:
        outcome = str(exc)
    except Exception as exc:
        outcome = f"{type(exc).__name__}: {exc}"
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(f"{peak:.0f}\\t{time.monotonic() - start:.1f}\\t{size}\\t{outcome[:110]}")
"""


def main() -> None:
    repo = Path(sys.argv[1]).resolve() if len(sys.argv) > 1 else Path(__file__).parents[1]
    print(f"client code from {repo}")
    print(f"{'fault':<20} {'peak MB':>8} {'seconds':>8} {'chars':>9}  outcome")
    with HostileServer() as server:
        for name, size in FAULTS:
            server.push(name, size=size)
            try:
                done = subprocess.run(
                    [sys.executable, "-c", CLIENT, server.base_url],
                    cwd=repo,
                    capture_output=True,
                    text=True,
                    timeout=TIMEOUT,
                    check=False,
                )
            except subprocess.TimeoutExpired:
                print(f"{name:<20} {'?':>8} {TIMEOUT:>8} {'?':>9}  still reading: stopped")
                continue
            line = done.stdout.strip().splitlines()[-1] if done.stdout.strip() else ""
            peak, seconds, chars, outcome = ([*line.split("\t"), "", "", "", ""])[:4]
            if not line:
                outcome = (done.stderr.strip().splitlines() or ["(no output)"])[-1][:110]
            print(f"{name:<20} {peak:>8} {seconds:>8} {chars:>9}  {outcome}")


if __name__ == "__main__":
    main()
