"""Stored times as ISO 8601 text: the fast formatter gives exactly datetime's answer."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from desktop_agent.domain.timestamps import from_iso, to_iso


def _reference(ts: float) -> str:
    return datetime.fromtimestamp(ts, tz=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@given(st.floats(min_value=-1e10, max_value=253_402_300_799.0, allow_nan=False))
def test_any_time_formats_as_datetime_does(ts: float) -> None:
    assert to_iso(ts) == _reference(ts)


@pytest.mark.parametrize(
    "ts",
    [
        0.0,
        1_700_000_000.0,
        1_700_000_000.4999995,
        1_700_000_000.9999994,  # rounds down to .999999: the same second
        1_700_000_000.9999996,  # datetime rounds this up into the next second
        1_700_000_000.999999,
        -0.0000001,
        -86_400.5,
        253_402_300_799.0,  # the last second of year 9999
        86_399.9,  # the last second of a day (the date is cached by day)
        86_400.0,
        951_868_799.0,  # 2000-02-29T23:59:59Z
        951_868_800.0,
    ],
)
def test_times_next_to_a_second_boundary(ts: float) -> None:
    assert to_iso(ts) == _reference(ts)


def test_a_time_round_trips_to_the_second() -> None:
    assert to_iso(from_iso("2024-02-29T23:59:59Z")) == "2024-02-29T23:59:59Z"
