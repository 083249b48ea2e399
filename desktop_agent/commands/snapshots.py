"""`desktop-agent snapshot save|list|show|validate|whatif|diff|apply|export|import`
(and, through commands.experiments, `desktop-agent experiment ...`)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from desktop_agent.commands import (
    EXIT_OK,
    print_json,
    read_input_file,
    with_app,
    write_atomically,
)
from desktop_agent.commands.weights import event_json, owner_label, resolve_owner
from desktop_agent.domain.timestamps import to_iso

if TYPE_CHECKING:
    import argparse
    from collections.abc import Callable, Sequence

    from desktop_agent.domain.whatif import RequestDiff, WeightShift
    from desktop_agent.services.app_context import AppContext
    from desktop_agent.store.records import SnapshotRecord


def register(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
    owner_options: Callable[..., None],
) -> None:
    from desktop_agent.commands import experiments

    parser = commands.add_parser("snapshot", help="save, validate, compare, apply, move snapshots")
    sub = parser.add_subparsers(dest="snapshot_command", metavar="SUBCOMMAND")

    p = sub.add_parser("save", help="snapshot a session's, user's or agent's weights")
    owner_options(p)
    p.add_argument("--name", required=True, metavar="NAME")
    p.add_argument("--notes", default="", metavar="TEXT")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=_save)

    p = sub.add_parser("list", help="every snapshot, newest first")
    p.add_argument("--agent", metavar="NAME", help="only this agent's snapshots")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=_list)

    p = sub.add_parser("show", help="one snapshot with its saved validation report")
    p.add_argument("id", metavar="ID")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=_show)

    p = sub.add_parser("validate", help="judge a snapshot against the recorded feedback")
    p.add_argument("id", metavar="ID")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=_validate)

    p = sub.add_parser("whatif", help="what a snapshot would change in a session (read-only)")
    p.add_argument("candidate", metavar="ID|FILE", help="a snapshot, or a snapshot/weights file")
    p.add_argument("--session", required=True, metavar="ID")
    p.add_argument(
        "--replay",
        type=int,
        default=0,
        metavar="N",
        help="also re-ask the last N user turns with the candidate (calls the provider)",
    )
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=_whatif)

    p = sub.add_parser("diff", help="weight and request differences between two snapshots")
    p.add_argument("id_a", metavar="ID_A")
    p.add_argument("id_b", metavar="ID_B")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=_diff)

    p = sub.add_parser("apply", help="set a session's, user's or agent's weights to a snapshot")
    p.add_argument("id", metavar="ID")
    owner_options(p)
    p.add_argument("--force", action="store_true", help="apply a snapshot that failed validation")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=_apply)

    p = sub.add_parser("export", help="write a snapshot file (*.weights.json)")
    p.add_argument("id", metavar="ID")
    p.add_argument("-o", "--output", required=True, metavar="FILE")
    p.set_defaults(handler=_export)

    p = sub.add_parser("import", help="import a snapshot file or a bare weights object")
    p.add_argument("file", metavar="FILE")
    p.add_argument("--agent", metavar="NAME", help="import for this agent")
    p.add_argument("--name", metavar="NAME", help="name the imported snapshot")
    p.add_argument("--dry-run", action="store_true", help="show what would change; store nothing")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=_import)

    experiments.register(commands)


def snapshot_json(s: SnapshotRecord) -> dict[str, Any]:
    return {
        "id": s.id,
        "name": s.name,
        "agent": s.agent_name,
        "weights": s.weights,
        "plasticity": {"learning_rate": s.learning_rate, "decay": s.decay},
        "created_at": to_iso(s.created_at),
        "parent_id": s.parent_id,
        "source_session_id": s.source_session_id,
        "validation": s.validation,
        "notes": s.notes,
    }


def _verdict(s: SnapshotRecord) -> str:
    from desktop_agent.services.snapshots import stored_verdict

    return stored_verdict(s) or "-"


def _print_changes(changes: Sequence[WeightShift]) -> None:
    if not changes:
        print("No weight changes.")
    for change in changes:
        print(f"  {change.weight:<17} {change.before:.3f} → {change.after:.3f}")


def _print_request_diff(diff: RequestDiff) -> None:
    for text in diff.removed:
        print(f"  - {text}")
    for text in diff.added:
        print(f"  + {text}")
    for name, change in diff.parameters.items():
        print(f"  {name}: {change.before} → {change.after}")


@with_app
def _save(args: argparse.Namespace, app: AppContext) -> int:
    from desktop_agent.services import snapshots

    owner = resolve_owner(args)
    notes: list[str] = []
    if app.settings.learning.judge_goal_with_fast_model and owner.session_id is not None:
        service = app.chat_service()
        try:
            _progress, note = snapshots.judge_goal(owner.session_id, service)
        finally:
            service.close()
        notes.append(note)
    record = snapshots.save_snapshot(
        owner,
        args.name,
        notes=args.notes,
        thresholds=snapshots.thresholds_from(app.settings.validation),
        validation_notes=notes,
    )
    if args.json:
        print_json({**snapshot_json(record), "owner": owner_label(owner)})
        return EXIT_OK
    print(f"Saved snapshot {record.id} ({record.name!r}), validation: {_verdict(record)}.")
    for reason in snapshots.stored_reasons(record):
        print(f"  {reason}")
    return EXIT_OK


@with_app
def _list(args: argparse.Namespace, app: AppContext) -> int:
    from desktop_agent.services.snapshots import list_snapshots

    records = list_snapshots(agent_name=args.agent)
    if args.json:
        print_json([snapshot_json(s) for s in records])
        return EXIT_OK
    if not records:
        print("No snapshots.")
    for s in records:
        print(f"{s.id[:8]}  {to_iso(s.created_at)}  {_verdict(s):<4}  {s.agent_name:<12} {s.name}")
    return EXIT_OK


@with_app
def _show(args: argparse.Namespace, app: AppContext) -> int:
    from desktop_agent.services.snapshots import resolve_snapshot

    s = resolve_snapshot(args.id)
    if args.json:
        print_json(snapshot_json(s))
        return EXIT_OK
    print(f"{s.name}  ({s.id})")
    print(f"agent {s.agent_name}, saved {to_iso(s.created_at)}, validation {_verdict(s)}")
    print(f"parent {s.parent_id or '-'}, source session {s.source_session_id or '-'}")
    for name, value in s.weights.items():
        print(f"  {name:<17} {value:.3f}")
    print(f"  learning_rate     {s.learning_rate:.3f}\n  decay             {s.decay:.3f}")
    if s.notes:
        print(s.notes)
    return EXIT_OK


@with_app
def _validate(args: argparse.Namespace, app: AppContext) -> int:
    from desktop_agent.domain.calibration import METRIC_DEFINITIONS
    from desktop_agent.services import snapshots
    from desktop_agent.services.snapshots import resolve_snapshot

    record = resolve_snapshot(args.id)
    result = snapshots.validate_snapshot(
        record, thresholds=snapshots.thresholds_from(app.settings.validation)
    )
    if args.json:
        print_json(
            {"snapshot_id": record.id, **result.to_json(), "definitions": METRIC_DEFINITIONS}
        )
        return EXIT_OK
    print(f"{record.name}: {result.verdict}")
    for reason in result.report.reasons:
        print(f"  {reason}")
    for name, value in result.report.metrics.to_json().items():
        shown = "-" if value is None else f"{value:.3f}" if isinstance(value, float) else value
        print(f"  {name:<17} {shown}")
    for note in result.notes:
        print(f"note: {note}")
    return EXIT_OK


def _candidate(text: str, session_id: str) -> tuple[dict[str, float], dict[str, Any]]:
    """Weights from a snapshot (id, prefix or name) or, when `text` is a file, from it."""
    from desktop_agent.services.snapshots import candidate_from_file, resolve_snapshot

    if Path(text).is_file():
        raw = read_input_file(text)
        return candidate_from_file(raw, session_id), {"file": text}
    record = resolve_snapshot(text)
    return dict(record.weights), {"snapshot_id": record.id, "name": record.name}


@with_app
def _whatif(args: argparse.Namespace, app: AppContext) -> int:
    from desktop_agent.domain.errors import InvalidInputError
    from desktop_agent.services import snapshots
    from desktop_agent.services.sessions import resolve_session_id

    if args.replay < 0:
        raise InvalidInputError("--replay must be 0 or more")
    session_id = resolve_session_id(args.session)
    weights, source = _candidate(args.candidate, session_id)
    service = app.chat_service()
    try:
        result = snapshots.whatif_session(weights, session_id, service)
        replay = (
            snapshots.live_replay(weights, session_id, args.replay, service) if args.replay else []
        )
    finally:
        service.close()
    if args.json:
        replayed = {"replay": [turn.to_json() for turn in replay]} if args.replay else {}
        print_json({"candidate": source, **result.to_json(), **replayed})
        return EXIT_OK
    print(f"What-if for session {session_id} (nothing is changed):")
    _print_changes(result.changes)
    _print_request_diff(result.request_diff)
    predicted = result.predicted
    if predicted.rated_turns:
        print(
            f"Approval now {predicted.current_approval:.2f}; predicted "
            f"{predicted.predicted_approval:.2f} ({predicted.addressed} complaints "
            f"addressed, {predicted.worsened} worsened, "
            f"{predicted.upvotes_at_risk} upvotes at risk)"
        )
    for turn in replay:
        print(f"\nuser: {turn.user}\n  original:  {turn.original}")
        print(f"  candidate: {turn.candidate}")
    return EXIT_OK


@with_app
def _diff(args: argparse.Namespace, app: AppContext) -> int:
    from desktop_agent.services.snapshots import diff_snapshots, resolve_snapshot

    a, b = resolve_snapshot(args.id_a), resolve_snapshot(args.id_b)
    service = app.chat_service()
    try:
        result = diff_snapshots(a, b, service)
    finally:
        service.close()
    if args.json:
        print_json({"a": snapshot_json(a), "b": snapshot_json(b), **result.to_json()})
        return EXIT_OK
    print(f"{a.name} ({a.id[:8]}) → {b.name} ({b.id[:8]})")
    _print_changes(result.changes)
    _print_request_diff(result.request_diff)
    return EXIT_OK


@with_app
def _apply(args: argparse.Namespace, app: AppContext) -> int:
    from desktop_agent.services.snapshots import apply_snapshot, resolve_snapshot

    record = resolve_snapshot(args.id)
    owner = resolve_owner(args)
    events = apply_snapshot(record.id, owner, force=args.force)
    if args.json:
        print_json(
            {
                **owner_label(owner),
                "snapshot_id": record.id,
                "changes": [event_json(e) for e in events],
            }
        )
        return EXIT_OK
    print(f"Applied {record.name!r} ({record.id[:8]}).")
    if not events:
        print("No change: the weights already matched.")
    for e in events:
        print(f"  {e.weight}: {e.old:.3f} → {e.new:.3f}")
    return EXIT_OK


@with_app
def _export(args: argparse.Namespace, app: AppContext) -> int:
    from desktop_agent.services.snapshots import export_snapshot, resolve_snapshot

    record = resolve_snapshot(args.id)
    write_atomically(Path(args.output), export_snapshot(record.id))
    print(args.output)
    return EXIT_OK


@with_app
def _import(args: argparse.Namespace, app: AppContext) -> int:
    from desktop_agent.services import snapshots

    raw = read_input_file(args.file)
    result = snapshots.import_snapshot_file(
        raw,
        agent=args.agent,
        name=args.name,
        dry_run=args.dry_run,
        thresholds=snapshots.thresholds_from(app.settings.validation),
    )
    data = result.snapshot
    if args.json:
        print_json(result.to_json())
        return EXIT_OK
    verb = "Would import" if result.dry_run else "Imported"
    print(f"{verb} snapshot {data.id} ({data.name!r}) for agent {data.agent!r}.")
    print("Against the agent's baseline:")
    _print_changes(result.changes)
    for note in result.notes:
        print(f"note: {note}")
    return EXIT_OK
