"""The snapshot file: lossless round trips and strict, well-explained rejection."""

from __future__ import annotations

import json
import uuid
from datetime import datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from desktop_agent.domain.canonical import MAX_FILE_BYTES, TIMESTAMP_FORMAT, sha256_hex
from desktop_agent.domain.errors import InvalidInputError
from desktop_agent.domain.snapshot_file import (
    SNAPSHOT_FORMAT,
    SnapshotData,
    dump_snapshot_file,
    parse_snapshot_file,
    snapshot_to_document,
)
from desktop_agent.domain.weights import DEFAULT_WEIGHTS, WEIGHT_NAMES
from tests.domain.file_mutations import JSON_VALUES, flipped_bytes, mutated_document
from tests.support.examples import examples

BASELINE = dict(DEFAULT_WEIGHTS)
SNAPSHOT = SnapshotData(
    id="1b4e28ba-2fa1-41d2-883f-0016d3cca427",
    name="support-v3",
    agent="support",
    weights={
        "verbosity": 0.42,
        "formality": 0.7,
        "autonomy": 0.5,
        "initiative": 0.8,
        "speed_vs_quality": 0.5,
    },
    learning_rate=0.15,
    decay=0.0,
    created_at="2026-11-21T22:47:16Z",
)

unit = st.floats(min_value=0.0, max_value=1.0)
timestamps = st.datetimes(min_value=datetime(1970, 1, 1), max_value=datetime(9999, 1, 1)).map(
    lambda moment: moment.strftime(TIMESTAMP_FORMAT)
)
uuids = st.uuids().map(str)
snapshots = st.builds(
    SnapshotData,
    id=uuids,
    name=st.text(min_size=1, max_size=200).filter(str.strip),
    agent=st.text(min_size=1, max_size=200).filter(str.strip),
    weights=st.fixed_dictionaries(dict.fromkeys(WEIGHT_NAMES, unit)),
    learning_rate=unit,
    decay=unit,
    created_at=timestamps,
    parent_id=st.none() | uuids,
    source_session_id=st.none() | uuids,
    validation=st.none() | st.dictionaries(st.text(max_size=10), JSON_VALUES, max_size=5),
    notes=st.text(),
)


def parse(raw: bytes) -> SnapshotData | dict[str, float]:
    parsed = parse_snapshot_file(raw, baseline=BASELINE)
    if parsed.snapshot is not None:
        assert parsed.bare_weights is None
        return parsed.snapshot
    assert parsed.bare_weights is not None
    return parsed.bare_weights


def document(**changes: object) -> dict[str, object]:
    doc = snapshot_to_document(SNAPSHOT)
    body = doc["snapshot"]
    assert isinstance(body, dict)
    body.update(changes)
    doc["sha256"] = sha256_hex(body)
    return doc


def encoded(doc: object) -> bytes:
    return json.dumps(doc, allow_nan=True).encode("utf-8")


def test_the_file_follows_the_documented_envelope() -> None:
    doc = json.loads(dump_snapshot_file(SNAPSHOT))
    assert list(doc) == ["format", "format_version", "snapshot", "sha256"]
    assert doc["format"] == SNAPSHOT_FORMAT
    assert doc["format_version"] == 1
    assert doc["snapshot"]["plasticity"] == {"learning_rate": 0.15, "decay": 0.0}
    canonical = json.dumps(
        doc["snapshot"], sort_keys=True, separators=(",", ":"), ensure_ascii=False
    )
    assert doc["sha256"] == __import__("hashlib").sha256(canonical.encode()).hexdigest()


@settings(deadline=None)
@given(snapshots)
def test_round_trip_is_lossless(snapshot: SnapshotData) -> None:
    assert parse(dump_snapshot_file(snapshot)) == snapshot


def test_a_bare_weights_object_takes_the_rest_from_the_baseline() -> None:
    baseline = dict.fromkeys(WEIGHT_NAMES, 0.3)
    parsed = parse_snapshot_file(b'{"autonomy": 0.5, "formality": 1}', baseline=baseline)
    assert parsed.snapshot is None
    assert parsed.bare_weights == {**baseline, "autonomy": 0.5, "formality": 1.0}


def test_a_byte_order_mark_is_tolerated() -> None:
    assert parse(b"\xef\xbb\xbf" + dump_snapshot_file(SNAPSHOT)) == SNAPSHOT


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b'{"autonomy": 0.5, "mood": 0.1}', "unknown weight 'mood'"),
        (b'{"autonomy": 1.5}', "between 0 and 1"),
        (b'{"autonomy": true}', "must be a number"),
        (b'{"autonomy": "0.5"}', "must be a number"),
        (b'{"autonomy": NaN}', "NaN is not a number"),
        (b'{"autonomy": Infinity}', "Infinity is not a number"),
        (b'{"autonomy": 1e400}', "out of range"),
        (b'{"autonomy": 0.5, "autonomy": 0.6}', "duplicate key 'autonomy'"),
        (b"{}", "empty"),
        (b"[0.5]", "got a JSON list"),
        (b"", "empty"),
        (b'{"autonomy": \xff}', "not valid UTF-8 at byte 13"),
        (b'{\n  "autonomy": 0.5,\n}', "invalid JSON at line 3 column 1"),
        (b"[" * 100_000, "invalid JSON"),
        (b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
    ],
)
def test_bad_bare_files_are_rejected_with_the_problem_named(raw: bytes, message: str) -> None:
    with pytest.raises(InvalidInputError, match=message):
        parse(raw)


def test_files_over_one_mebibyte_are_refused_before_parsing() -> None:
    raw = b'{"autonomy": 0.5}' + b" " * MAX_FILE_BYTES
    with pytest.raises(InvalidInputError, match="1 MiB"):
        parse(raw)


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda d: d.update(format="something/else"), "format is 'something/else'"),
        (lambda d: d.update(format_version=2), "format_version 2 is not supported"),
        (lambda d: d.update(format_version=True), "format_version must be an integer"),
        (lambda d: d.update(extra=1), "unknown key 'extra'"),
        (lambda d: d.pop("sha256"), "missing 'sha256'"),
        (lambda d: d.update(sha256="0" * 64), "checksum mismatch"),
        (lambda d: d.update(sha256="xyz"), "64 lowercase hex digits"),
        (lambda d: d["snapshot"].update(name="changed"), "checksum mismatch"),
    ],
)
def test_bad_envelopes_are_rejected(mutate: object, message: str) -> None:
    doc = snapshot_to_document(SNAPSHOT)
    assert callable(mutate)
    mutate(doc)
    with pytest.raises(InvalidInputError, match=message):
        parse(encoded(doc))


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"id": "not-a-uuid"}, r"snapshot\.id: not a UUID"),
        ({"name": ""}, r"snapshot\.name: must not be empty"),
        ({"name": "x" * 201}, r"snapshot\.name: longer than 200"),
        ({"agent": 7}, r"snapshot\.agent: expected a string, got a number"),
        ({"weights": {"verbosity": 0.5}}, r"snapshot\.weights: missing 'formality'"),
        ({"weights": [0.5]}, r"snapshot\.weights: expected an object"),
        ({"plasticity": {"learning_rate": 2, "decay": 0}}, r"learning_rate: must be between"),
        ({"plasticity": {"learning_rate": 0.1}}, r"plasticity: missing 'decay'"),
        ({"created_at": "yesterday"}, r"created_at: not an ISO 8601 time"),
        ({"parent_id": 5}, r"parent_id: expected a string"),
        ({"validation": "good"}, r"validation: expected an object"),
        ({"notes": None}, r"notes: expected a string"),
        ({"script": "rm -rf /"}, r"unknown key 'script'"),
    ],
)
def test_bad_fields_are_rejected_even_with_a_matching_checksum(
    changes: dict[str, object], message: str
) -> None:
    with pytest.raises(InvalidInputError, match=message):
        parse(encoded(document(**changes)))


def test_times_with_offsets_are_normalised_to_utc() -> None:
    parsed = parse(encoded(document(created_at="2026-11-21T23:47:16+01:00")))
    assert isinstance(parsed, SnapshotData)
    assert parsed.created_at == "2026-11-21T22:47:16Z"


def test_writing_refuses_data_import_would_refuse_or_change() -> None:
    with pytest.raises(InvalidInputError, match="name"):
        dump_snapshot_file(SnapshotData(**{**SNAPSHOT.__dict__, "name": " "}))
    with pytest.raises(InvalidInputError, match="created_at"):
        dump_snapshot_file(
            SnapshotData(**{**SNAPSHOT.__dict__, "created_at": "2026-11-21T22:47:16+00:00"})
        )
    with pytest.raises(InvalidInputError, match="cannot be written"):
        dump_snapshot_file(SnapshotData(**{**SNAPSHOT.__dict__, "weights": {}}))


@settings(deadline=None)
@given(st.binary(max_size=2000))
def test_arbitrary_bytes_raise_only_invalid_input(raw: bytes) -> None:
    try:
        parse(raw)
    except InvalidInputError:
        pass


@settings(deadline=None, max_examples=examples(ci=300, dev=60))
@given(st.data())
def test_damaged_files_raise_only_invalid_input(data: st.DataObject) -> None:
    snapshot = data.draw(snapshots)
    raw = data.draw(
        mutated_document(snapshot_to_document(snapshot), "snapshot")
        | flipped_bytes(dump_snapshot_file(snapshot))
    )
    try:
        parsed = parse(raw)
    except InvalidInputError:
        return
    weights = parsed.weights if isinstance(parsed, SnapshotData) else parsed
    assert set(weights) == set(WEIGHT_NAMES)
    assert all(0.0 <= value <= 1.0 for value in weights.values())
    if isinstance(parsed, SnapshotData):
        assert uuid.UUID(parsed.id)
        assert 0.0 <= parsed.learning_rate <= 1.0
        assert 0.0 <= parsed.decay <= 1.0
