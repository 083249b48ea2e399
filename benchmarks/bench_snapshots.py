"""Print how long snapshot validation and snapshot file dump + parse take, in memory and
through the store (targets: export or import of one snapshot <= 10 ms; validation over
10,000 rated turns read from the store <= 50 ms).

Each measurement is a function in MEASUREMENTS returning (label, best, median) seconds.
"""

from __future__ import annotations

import json
import random
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

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


@contextmanager
def temporary_store() -> Iterator[None]:
    from desktop_agent.store import agents
    from desktop_agent.store.db import close_database, open_database

    with tempfile.TemporaryDirectory() as directory:
        open_database(Path(directory) / "bench.sqlite3")
        agents.ensure_defaults()
        try:
            yield
        finally:
            close_database()


def measure_store_export_import() -> list[tuple[str, float, float]]:
    from desktop_agent.services import snapshots
    from desktop_agent.store import agents
    from desktop_agent.store.weights import Owner

    with temporary_store():
        owner = Owner.agent(agents.get_agent("assistant").id)
        record = snapshots.save_snapshot(owner, "bench")
        raw = snapshots.export_snapshot(record.id)
        export = best_of(lambda: snapshots.export_snapshot(record.id))
        # Each import stores a new snapshot (the id clashes, so it gets a new one).
        imported = best_of(lambda: snapshots.import_snapshot_file(raw))
    return [
        ("store export of one snapshot (target <= 10 ms)", *export),
        ("store import of one snapshot (target <= 10 ms)", *imported),
    ]


def measure_store_validation() -> tuple[str, float, float]:
    from desktop_agent.services import snapshots
    from desktop_agent.store import messages, sessions
    from desktop_agent.store.db import database
    from desktop_agent.store.models import Feedback, Message
    from desktop_agent.store.weights import Owner

    turns = make_turns(10_000)
    with temporary_store():
        session = sessions.create_session()
        now = time.time()
        with database.atomic():
            for index, turn in enumerate(turns):
                row = Message.create(
                    session_id=session.id,
                    seq=index,
                    role="assistant",
                    content=f"reply {index}",
                    status="complete",
                    weights=json.dumps(dict(turn.weights)),
                    created_at=now + index,
                    updated_at=now + index,
                )
                Feedback.create(
                    message_id=row.id,
                    rating=turn.rating,
                    tags=json.dumps(list(turn.tags)),
                    created_at=now + index,
                )
        assert messages.count_messages(session.id) == 10_000
        owner = Owner.session(session.id)
        best, median = best_of(lambda: snapshots.validate_owner(owner))
    return "validation over 10,000 rated turns from the store (target <= 50 ms)", best, median


def _single(
    measure: Callable[[], tuple[str, float, float]],
) -> Callable[[], list[tuple[str, float, float]]]:
    return lambda: [measure()]


MEASUREMENTS: list[Callable[[], list[tuple[str, float, float]]]] = [
    _single(measure_validation),
    _single(measure_file_round_trip),
    measure_store_export_import,
    _single(measure_store_validation),
]


def main() -> None:
    for measure in MEASUREMENTS:
        for label, best, median in measure():
            print(f"{label}: best {best * 1000:.2f} ms, median {median * 1000:.2f} ms")


if __name__ == "__main__":
    main()
