"""Print how long snapshot validation and snapshot file dump + parse take.

Each measurement is a function in MEASUREMENTS returning (label, seconds); add store
import/export timings by appending another function.
"""

from __future__ import annotations

import random
import statistics
import time
import uuid
from collections.abc import Callable

from desktop_agent.domain.calibration import TAG_DIRECTIONS, RatedTurn, validate_weights
from desktop_agent.domain.snapshot_file import SnapshotData, dump_snapshot_file, parse_snapshot_file
from desktop_agent.domain.weights import DEFAULT_WEIGHTS, WEIGHT_NAMES

REPEATS = 20
BASELINE = dict(DEFAULT_WEIGHTS)


def best_of(action: Callable[[], object], repeats: int = REPEATS) -> tuple[float, float]:
    """(best, median) wall time in seconds over `repeats` runs."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return min(times), statistics.median(times)


def make_turns(count: int, seed: int = 7) -> list[RatedTurn]:
    rng = random.Random(seed)
    tags = list(TAG_DIRECTIONS)
    turns = []
    for _ in range(count):
        weights = {name: rng.random() for name in WEIGHT_NAMES}
        if rng.random() < 0.7:
            turns.append(RatedTurn(1, (), weights))
        else:
            turns.append(RatedTurn(-1, tuple(rng.sample(tags, rng.randint(0, 2))), weights))
    return turns


def measure_validation() -> tuple[str, float, float]:
    turns = make_turns(10_000)
    recent = [turn.weights for turn in turns[-10:]]
    candidate = {name: 0.4 for name in WEIGHT_NAMES}
    best, median = best_of(
        lambda: validate_weights(candidate, BASELINE, turns, recent_weights=recent)
    )
    return "validate_weights over 10,000 rated turns", best, median


def measure_file_round_trip() -> tuple[str, float, float]:
    snapshot = SnapshotData(
        id=str(uuid.uuid4()),
        name="bench",
        agent="assistant",
        weights=BASELINE,
        learning_rate=0.15,
        decay=0.0,
        created_at="2026-11-21T22:47:16Z",
    )
    best, median = best_of(
        lambda: parse_snapshot_file(dump_snapshot_file(snapshot), baseline=BASELINE)
    )
    return "snapshot file dump + parse", best, median


MEASUREMENTS: list[Callable[[], tuple[str, float, float]]] = [
    measure_validation,
    measure_file_round_trip,
]


def main() -> None:
    for measure in MEASUREMENTS:
        label, best, median = measure()
        print(f"{label}: best {best * 1000:.2f} ms, median {median * 1000:.2f} ms")


if __name__ == "__main__":
    main()
