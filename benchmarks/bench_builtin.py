"""The built-in model on this machine: cold start to first streamed text (process start
and model load included), load time, and generation speed with 1 and 2 threads.

    .venv/bin/python benchmarks/bench_builtin.py

Each thread count starts a fresh model process (OMP_WAIT_POLICY=passive, as the app
sets it) and streams the same prompts with a fixed seed. Prints figures only.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from desktop_agent.llm.builtin import BuiltinConfig, BuiltinModel
from desktop_agent.llm.builtin_client import BuiltinClient

PROMPTS = (
    "Explain what a database index is.",
    "Write a short poem about the sea.",
    "How do I reverse a list in Python?",
)
MAX_TOKENS = 160
SEED = 42


def run(threads: int) -> None:
    model = BuiltinModel(BuiltinConfig(threads=threads))
    client = BuiltinClient(model)
    try:
        first_reply = None
        rates = []
        for index, prompt in enumerate(PROMPTS):
            started = time.monotonic()
            stream = client.stream_chat(
                [{"role": "user", "content": prompt}],
                model=model.config.name,
                max_tokens=MAX_TOKENS,
                temperature=0.0,
                seed=SEED,
            )
            first = None
            pieces = 0
            for _delta in stream:
                pieces += 1
                if first is None:
                    first = time.monotonic()
            ended = time.monotonic()
            if index == 0:
                first_reply = (first or ended) - started
            if first is not None and pieces > 1:
                rates.append((pieces - 1) / max(ended - first, 1e-6))
        print(
            f"threads {threads}: model load {model.load_seconds:.2f} s, cold Send → first text "
            f"{first_reply:.2f} s, generation {statistics.median(rates):.0f} tokens/s (median "
            f"of {len(rates)} replies, {MAX_TOKENS} tokens max)"
        )
    finally:
        client.close()
        model.stop()


def main() -> int:
    for threads in (1, 2):
        run(threads)
    return 0


if __name__ == "__main__":
    sys.exit(main())
