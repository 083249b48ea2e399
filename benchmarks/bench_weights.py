"""Time the pure weights path: learn from one feedback, then compile the next request.

Target: apply feedback + compile a request <= 1 ms at p50. Prints p50/p99 in µs.
Run: .venv/bin/python benchmarks/bench_weights.py
"""

from __future__ import annotations

import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from desktop_agent.domain.compiler import AgentProfile, compile_request
from desktop_agent.domain.cues import detect_cues
from desktop_agent.domain.plasticity import (
    FEEDBACK_TAGS,
    Plasticity,
    Signal,
    WeightChange,
    apply_changes,
    apply_signal,
)
from desktop_agent.domain.weights import DEFAULT_WEIGHTS

ROUNDS = 20_000
TARGET_P50_US = 1000.0

PROFILE = AgentProfile(
    name="assistant",
    system_prompt="You are a helpful assistant. " * 20,
    primary_model="gpt-4o",
    fast_model="gpt-4o-mini",
)
MESSAGES = [
    "Shorter please",
    "Can you explain how photosynthesis works in plants and algae?",
    "Don't ask, just do it",
    "Thanks, that's great!",
]


def percentiles(samples_ns: list[int]) -> tuple[float, float]:
    cuts = statistics.quantiles(samples_ns, n=100)
    return cuts[49] / 1000.0, cuts[98] / 1000.0


def measure(label: str, step: Callable[[int], object]) -> float:
    samples: list[int] = []
    for index in range(ROUNDS):
        start = time.perf_counter_ns()
        step(index)
        samples.append(time.perf_counter_ns() - start)
    p50, p99 = percentiles(samples)
    print(f"{label:<44} p50 {p50:8.1f} µs   p99 {p99:8.1f} µs   ({ROUNDS} rounds)")
    return p50


def main() -> int:
    rng = random.Random(7)
    tags = list(FEEDBACK_TAGS)
    signals = [Signal(rng.choice([-1, 1]), (rng.choice(tags),), "feedback") for _ in range(ROUNDS)]
    plasticity = Plasticity(learning_rate=0.15, decay=0.05)
    baseline = dict(DEFAULT_WEIGHTS)
    weights = dict(baseline)
    recent: list[WeightChange] = []

    def feedback_then_compile(index: int) -> object:
        nonlocal weights
        changes = apply_signal(weights, baseline, signals[index], plasticity, recent)
        weights = apply_changes(weights, changes)
        # Keep the last few learned changes, as the app does for thumbs-up reinforcement.
        recent.extend(changes)
        del recent[:-10]
        return compile_request(PROFILE, weights)

    p50 = measure("apply_signal + apply_changes + compile", feedback_then_compile)
    measure("compile_request alone", lambda _: compile_request(PROFILE, baseline))
    measure("detect_cues (short message)", lambda i: detect_cues(MESSAGES[i % len(MESSAGES)]))
    verdict = "ok" if p50 <= TARGET_P50_US else "OVER TARGET"
    print(f"target: feedback + compile p50 <= {TARGET_P50_US:.0f} µs -> {verdict}")
    return 0 if p50 <= TARGET_P50_US else 1


if __name__ == "__main__":
    raise SystemExit(main())
