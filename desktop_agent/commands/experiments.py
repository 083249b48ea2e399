"""`desktop-agent experiment create|report|list|stop|promote`: A/B tests of two snapshots."""

from __future__ import annotations

from typing import TYPE_CHECKING

from desktop_agent.commands import EXIT_OK, print_json, with_app
from desktop_agent.commands.weights import event_json
from desktop_agent.domain.experiments import arm_line, verdict_line

if TYPE_CHECKING:
    import argparse

    from desktop_agent.services.app_context import AppContext


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser("experiment", help="A/B test two snapshots across users")
    sub = parser.add_subparsers(dest="experiment_command", metavar="SUBCOMMAND")

    p = sub.add_parser("create", help="start an experiment; new sessions join an arm")
    p.add_argument("--agent", required=True, metavar="NAME")
    p.add_argument("--a", required=True, metavar="SNAPSHOT", dest="snapshot_a")
    p.add_argument("--b", required=True, metavar="SNAPSHOT", dest="snapshot_b")
    p.add_argument("--split", type=float, default=0.5, help="share of users in arm a")
    p.add_argument("--name", required=True, metavar="NAME")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=_create)

    p = sub.add_parser("report", help="approval per arm, p-value and winner")
    p.add_argument("name", metavar="NAME")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=_report)

    p = sub.add_parser("list", help="every experiment, newest first")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=_list)

    p = sub.add_parser("stop", help="stop assigning new sessions to arms")
    p.add_argument("name", metavar="NAME")
    p.set_defaults(handler=_stop)

    p = sub.add_parser("promote", help="apply the winner's snapshot to the agent and stop")
    p.add_argument("name", metavar="NAME")
    p.add_argument("--arm", choices=("a", "b"), help="promote this arm even without a winner")
    p.add_argument("--force", action="store_true", help="even if its snapshot failed validation")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=_promote)


@with_app
def _create(args: argparse.Namespace, app: AppContext) -> int:
    from desktop_agent.services import experiments

    record = experiments.create_experiment(
        name=args.name,
        agent=args.agent,
        snapshot_a=args.snapshot_a,
        snapshot_b=args.snapshot_b,
        split=args.split,
    )
    if args.json:
        print_json(experiments.experiment_json(record))
        return EXIT_OK
    print(f"Started experiment {record.name!r} ({record.id}) for agent {record.agent_name!r}.")
    return EXIT_OK


@with_app
def _report(args: argparse.Namespace, app: AppContext) -> int:
    from desktop_agent.services import experiments

    result = experiments.report(args.name)
    if args.json:
        print_json(result.to_json())
        return EXIT_OK
    experiment = result.experiment
    print(f"{experiment.name} ({experiment.status}), agent {experiment.agent_name}")
    for arm, stats in result.report.arms.items():
        print(f"  {arm_line(arm, stats)}")
    print(f"  {verdict_line(result.report)}")
    return EXIT_OK


@with_app
def _list(args: argparse.Namespace, app: AppContext) -> int:
    from desktop_agent.services import experiments

    records = experiments.list_experiments()
    if args.json:
        print_json([experiments.experiment_json(r) for r in records])
        return EXIT_OK
    if not records:
        print("No experiments.")
    for r in records:
        print(f"{r.id[:8]}  {r.status:<8} {r.agent_name:<12} {r.name}")
    return EXIT_OK


@with_app
def _stop(args: argparse.Namespace, app: AppContext) -> int:
    from desktop_agent.services import experiments

    record = experiments.stop(args.name)
    print(f"Experiment {record.name!r} is {record.status}.")
    return EXIT_OK


@with_app
def _promote(args: argparse.Namespace, app: AppContext) -> int:
    from desktop_agent.services import experiments

    record, events = experiments.promote(args.name, arm=args.arm, force=args.force)
    if args.json:
        print_json(
            {**experiments.experiment_json(record), "changes": [event_json(e) for e in events]}
        )
        return EXIT_OK
    print(f"Promoted arm {record.promoted} of {record.name!r} to agent {record.agent_name!r}.")
    for e in events:
        print(f"  {e.weight}: {e.old:.3f} → {e.new:.3f}")
    return EXIT_OK
