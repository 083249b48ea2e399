"""The weights snapshot file (`*.weights.json`): writing it and checking it on import.

Nothing read from a file is ever executed or used as a path: every field is checked
against the contract in DESIGN.md ("Snapshot file") and returned as plain data.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from typing import TYPE_CHECKING

from desktop_agent.domain.canonical import (
    check_keys,
    decode_json_file,
    make_envelope,
    open_envelope,
    parse_timestamp,
    require_object,
    require_str,
    require_unit_float,
    require_uuid,
)
from desktop_agent.domain.errors import InvalidInputError
from desktop_agent.domain.weights import WEIGHT_NAMES, check_weights

if TYPE_CHECKING:
    from collections.abc import Mapping

SNAPSHOT_FORMAT = "desktop-agent/weights-snapshot"
SNAPSHOT_FORMAT_VERSION = 1
MAX_NAME_CHARS = 200
_WHAT = "snapshot file"
_REQUIRED_KEYS = frozenset({"id", "name", "agent", "weights", "plasticity", "created_at"})
_OPTIONAL_KEYS = frozenset({"parent_id", "source_session_id", "validation", "notes"})


@dataclass(frozen=True)
class SnapshotData:
    """A snapshot as a file holds it."""

    id: str
    name: str
    agent: str
    weights: dict[str, float]
    learning_rate: float
    decay: float
    created_at: str  # "YYYY-MM-DDTHH:MM:SSZ", UTC
    parent_id: str | None = None
    source_session_id: str | None = None
    validation: dict[str, object] | None = None  # a ValidationReport.to_json(), if validated
    notes: str = ""


@dataclass(frozen=True)
class ParsedSnapshotFile:
    """What an imported file held: a full snapshot, or only (completed) weights."""

    snapshot: SnapshotData | None
    bare_weights: dict[str, float] | None


def snapshot_to_document(snapshot: SnapshotData) -> dict[str, object]:
    """The envelope as plain JSON values, checksum included."""
    body: dict[str, object] = {
        "id": snapshot.id,
        "name": snapshot.name,
        "agent": snapshot.agent,
        "weights": {name: float(snapshot.weights[name]) for name in WEIGHT_NAMES},
        "plasticity": {
            "learning_rate": float(snapshot.learning_rate),
            "decay": float(snapshot.decay),
        },
        "created_at": snapshot.created_at,
        "parent_id": snapshot.parent_id,
        "source_session_id": snapshot.source_session_id,
        "validation": snapshot.validation,
        "notes": snapshot.notes,
    }
    return make_envelope(SNAPSHOT_FORMAT, SNAPSHOT_FORMAT_VERSION, "snapshot", body)


def dump_snapshot_file(snapshot: SnapshotData) -> bytes:
    """The file's bytes. Raises InvalidInputError rather than write a file import would refuse."""
    try:
        document = snapshot_to_document(snapshot)
    except (KeyError, TypeError, ValueError) as exc:
        raise InvalidInputError(f"snapshot cannot be written: {exc}") from None
    checked = _snapshot_from_body(document["snapshot"])
    _require_canonical(snapshot, checked)
    text = json.dumps(document, indent=2, ensure_ascii=False, allow_nan=False)
    return (text + "\n").encode("utf-8")


def _require_canonical(given: SnapshotData, checked: SnapshotData) -> None:
    """Refuse data that import would read back differently (e.g. a non-UTC time)."""
    for field in dataclasses.fields(SnapshotData):
        if getattr(given, field.name) != getattr(checked, field.name):
            raise InvalidInputError(
                f"snapshot cannot be written: {field.name} {getattr(given, field.name)!r} "
                f"is not in canonical form ({getattr(checked, field.name)!r})"
            )


def parse_snapshot_file(raw: bytes, *, baseline: Mapping[str, float]) -> ParsedSnapshotFile:
    """Check an imported file; `baseline` fills the weights a bare weights object leaves out."""
    base = check_weights(baseline)
    document = decode_json_file(raw, _WHAT)
    if not isinstance(document, dict):
        raise InvalidInputError(
            f"{_WHAT}: expected a snapshot envelope or a weights object, got a JSON "
            f"{'list' if isinstance(document, list) else 'value'}"
        )
    if "format" not in document:
        if not document:
            raise InvalidInputError(f"{_WHAT}: the weights object is empty")
        try:
            return ParsedSnapshotFile(None, check_weights(document, base))
        except InvalidInputError as exc:
            raise InvalidInputError(f"{_WHAT}: {exc}") from None
    return ParsedSnapshotFile(_parse_envelope(document), None)


def _parse_envelope(document: dict[str, object]) -> SnapshotData:
    body = open_envelope(
        document, _WHAT, fmt=SNAPSHOT_FORMAT, version=SNAPSHOT_FORMAT_VERSION, body_key="snapshot"
    )
    return _snapshot_from_body(body)


def _optional_uuid(value: object, where: str) -> str | None:
    return None if value is None else require_uuid(value, where)


def _snapshot_from_body(body: object) -> SnapshotData:
    where = f"{_WHAT}: snapshot"
    fields = require_object(body, where)
    check_keys(fields, where, required=_REQUIRED_KEYS, optional=_OPTIONAL_KEYS)
    weights_obj = require_object(fields["weights"], f"{where}.weights")
    missing = [name for name in WEIGHT_NAMES if name not in weights_obj]
    if missing:
        raise InvalidInputError(f"{where}.weights: missing {missing[0]!r}")
    try:
        weights = check_weights(weights_obj)
    except InvalidInputError as exc:
        raise InvalidInputError(f"{where}.weights: {exc}") from None
    plasticity = require_object(fields["plasticity"], f"{where}.plasticity")
    check_keys(plasticity, f"{where}.plasticity", required={"learning_rate", "decay"})
    validation = fields.get("validation")
    if validation is not None:
        validation = require_object(validation, f"{where}.validation")
    return SnapshotData(
        id=require_uuid(fields["id"], f"{where}.id"),
        name=require_str(fields["name"], f"{where}.name", max_len=MAX_NAME_CHARS, non_empty=True),
        agent=require_str(
            fields["agent"], f"{where}.agent", max_len=MAX_NAME_CHARS, non_empty=True
        ),
        weights=weights,
        learning_rate=require_unit_float(
            plasticity["learning_rate"], f"{where}.plasticity.learning_rate"
        ),
        decay=require_unit_float(plasticity["decay"], f"{where}.plasticity.decay"),
        created_at=parse_timestamp(fields["created_at"], f"{where}.created_at"),
        parent_id=_optional_uuid(fields.get("parent_id"), f"{where}.parent_id"),
        source_session_id=_optional_uuid(
            fields.get("source_session_id"), f"{where}.source_session_id"
        ),
        validation=validation,
        notes=require_str(fields.get("notes", ""), f"{where}.notes"),
    )
