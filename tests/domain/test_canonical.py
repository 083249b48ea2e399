"""Checksums and canonical times: the fast routes decide exactly as the plain ones do."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from desktop_agent.domain.canonical import (
    are_canonical_times,
    canonical_json,
    checksum_matches,
    is_canonical_time,
    parse_timestamp,
    sha256_hex,
)
from tests.domain.file_mutations import JSON_VALUES


@given(value=JSON_VALUES, other=JSON_VALUES)
def test_a_checksum_matches_its_own_value_and_no_other(value: object, other: object) -> None:
    assert checksum_matches(value, sha256_hex(value))
    if canonical_json(other) != canonical_json(value):
        assert not checksum_matches(value, sha256_hex(other))


def test_floats_orjson_writes_its_own_way_still_match() -> None:
    # orjson writes 0.00001 where canonical JSON writes 1e-05: the fast text misses, the
    # canonical one decides.
    body = {"weights": {"verbosity": 1e-05, "formality": 2.5e-07}, "messages": ["x"]}
    assert checksum_matches(body, sha256_hex(body))
    assert not checksum_matches(body, sha256_hex({**body, "messages": ["y"]}))


@given(st.datetimes(min_value=datetime(1000, 1, 1), max_value=datetime(9999, 12, 31)))
def test_a_canonical_time_is_what_parsing_returns_unchanged(moment: datetime) -> None:
    text = moment.replace(microsecond=0, tzinfo=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert is_canonical_time(text)
    assert parse_timestamp(text, "t") == text


@pytest.mark.parametrize(
    "text",
    [
        "2024-02-30T00:00:00Z",  # no such day
        "2023-02-29T00:00:00Z",
        "2024-13-01T00:00:00Z",
        "2024-01-01T24:00:00Z",
        "2024-01-01T00:60:00Z",
        "0999-01-01T00:00:00Z",  # strftime would not write four digits
        "2024-01-01T00:00:00+00:00",  # a time, but not in canonical form
        "2024-01-01 00:00:00Z",
        "2024-01-01T00:00:00Z\n",
        20240101,
    ],
)
def test_anything_else_is_not_taken_as_canonical(text: object) -> None:
    assert not is_canonical_time(text)


def test_one_time_that_is_not_canonical_among_many_is_found() -> None:
    times: list[object] = [f"2024-01-{day:02d}T12:00:00Z" for day in range(1, 29)]
    assert are_canonical_times(times)
    for bad in ("2024-02-30T12:00:00Z", "2024-01-01T12:00:60Z", None, "2024-01-01T12:00:00Z "):
        assert not are_canonical_times([*times, bad])
