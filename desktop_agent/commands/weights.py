"""`desktop-agent feedback` and `desktop-agent weights show|set|history|revert`."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from desktop_agent.commands import EXIT_OK, print_json, with_app
from desktop_agent.domain.errors import InvalidInputError
from desktop_agent.domain.timestamps import to_iso

if TYPE_CHECKING:
    import argparse

    from desktop_agent.services.app_context import AppContext
    from desktop_agent.services.weights import Owner
    from desktop_agent.store.records import WeightEventRecord

OwnerOptions = Callable[..., None]


def register(
    commands: argparse._SubParsersAction[argparse.ArgumentParser], owner_options: OwnerOptions
) -> None:
    from desktop_agent.domain.plasticity import FEEDBACK_TAGS

    p = commands.add_parser("feedback", help="rate a reply; the session learns from it")
    p.add_argument("message_id", metavar="MESSAGE_ID", type=int)
    rating = p.add_mutually_exclusive_group(required=True)
    rating.add_argument("--up", action="store_true", help="thumbs up")
    rating.add_argument("--down", action="store_true", help="thumbs down")
    p.add_argument(
        "--tag",
        action="append",
        default=[],
        metavar="TAG",
        help=f"a reason ({', '.join(FEEDBACK_TAGS)}); repeatable",
    )
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=_feedback)

    parser = commands.add_parser("weights", help="show or set behaviour weights")
    sub = parser.add_subparsers(dest="weights_command", metavar="SUBCOMMAND")
    p = sub.add_parser("show", help="current weights, baseline and drift")
    owner_options(p)
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=_show)

    p = sub.add_parser("set", help="set weights (each a number in [0, 1])")
    owner_options(p)
    p.add_argument("assignments", metavar="NAME=VALUE", nargs="+")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=_set)

    p = sub.add_parser("history", help="every recorded change, oldest first")
    owner_options(p)
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=_history)

    p = sub.add_parser("revert", help="undo the last change (recorded as a new event)")
    owner_options(p)
    p.set_defaults(handler=_revert)


def resolve_owner(args: argparse.Namespace) -> Owner:
    from desktop_agent.services.weights import resolve_owner as owner_of

    if args.session and args.user:
        raise InvalidInputError("--user goes with --agent, not with --session")
    return owner_of(session=args.session, agent=args.agent, user=args.user)


def owner_label(owner: Owner) -> dict[str, Any]:
    from desktop_agent.services import agents

    label: dict[str, Any] = {"scope": owner.scope, "agent": agents.get_agent(owner.agent_id).name}
    if owner.session_id:
        label["session_id"] = owner.session_id
    if owner.user_id is not None:
        label["user"] = agents.get_user(owner.user_id).handle
    return label


def event_json(e: WeightEventRecord) -> dict[str, Any]:
    return {
        "id": e.id,
        "weight": e.weight,
        "old": e.old,
        "new": e.new,
        "cause": e.cause,
        "message_id": e.message_id,
        "created_at": to_iso(e.created_at),
    }


@with_app
def _feedback(args: argparse.Namespace, app: AppContext) -> int:
    from desktop_agent.services.learning import give_feedback

    rating = 1 if args.up else -1
    record, events = give_feedback(
        args.message_id, rating, args.tag, follow_session=app.settings.learning.follow_session
    )
    if args.json:
        print_json(
            {
                "message_id": args.message_id,
                "rating": record.rating,
                "tags": list(record.tags),
                "changes": [event_json(e) for e in events],
            }
        )
        return EXIT_OK
    print(f"Recorded {'👍' if rating > 0 else '👎'} on message {args.message_id}.")
    for e in events:
        print(f"  {e.weight}: {e.old:.3f} → {e.new:.3f} ({e.cause})")
    return EXIT_OK


@with_app
def _show(args: argparse.Namespace, app: AppContext) -> int:
    from desktop_agent.domain.drift import drift
    from desktop_agent.services.weights import baseline_of, current_weights

    owner = resolve_owner(args)
    weights = current_weights(owner)
    baseline = baseline_of(owner)
    if args.json:
        print_json(
            {
                **owner_label(owner),
                "weights": weights,
                "baseline": baseline,
                "drift": drift(weights, baseline),
            }
        )
        return EXIT_OK
    for name, value in weights.items():
        delta = value - baseline[name]
        mark = f"  ({delta:+.3f} from baseline)" if abs(delta) >= 0.0005 else ""
        print(f"{name:<17} {value:.3f}{mark}")
    return EXIT_OK


@with_app
def _set(args: argparse.Namespace, app: AppContext) -> int:
    from desktop_agent.domain.causes import MANUAL
    from desktop_agent.domain.weights import parse_assignment
    from desktop_agent.services.weights import current_weights, set_weights

    owner = resolve_owner(args)
    # Every assignment is checked before anything is stored.
    values = dict(parse_assignment(text) for text in args.assignments)
    events = set_weights(owner, values, cause=MANUAL)
    if args.json:
        print_json(
            {
                **owner_label(owner),
                "weights": current_weights(owner),
                "changes": [event_json(e) for e in events],
            }
        )
        return EXIT_OK
    if not events:
        print("No change.")
    for e in events:
        print(f"{e.weight}: {e.old:.3f} → {e.new:.3f}")
    return EXIT_OK


@with_app
def _history(args: argparse.Namespace, app: AppContext) -> int:
    from desktop_agent.services.weights import list_weight_events

    events = list_weight_events(resolve_owner(args))
    if args.json:
        print_json([event_json(e) for e in events])
        return EXIT_OK
    for e in events:
        where = f" msg #{e.message_id}" if e.message_id else ""
        print(f"{to_iso(e.created_at)}  {e.weight:<17} {e.old:.3f} → {e.new:.3f}  {e.cause}{where}")
    return EXIT_OK


@with_app
def _revert(args: argparse.Namespace, app: AppContext) -> int:
    from desktop_agent.services.weights import revert_last_change

    events = revert_last_change(resolve_owner(args))
    if not events:
        print("Nothing to revert.")
    for e in events:
        print(f"{e.weight}: {e.old:.3f} → {e.new:.3f} ({e.cause})")
    return EXIT_OK
