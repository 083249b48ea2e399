"""`desktop-agent store init URL` (create or upgrade a PostgreSQL team store) and `store
copy --to/--from URL` (the data dir's SQLite store into a team store and back)."""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING

from desktop_agent.commands import (
    EXIT_OK,
    EXIT_RUNTIME,
    opening_failures,
    print_json,
    with_app,
)

if TYPE_CHECKING:
    import argparse

    from desktop_agent.services.app_context import AppContext
    from desktop_agent.services.store_copy import CopyReport


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser("store", help="create or upgrade a PostgreSQL team store")
    sub = parser.add_subparsers(dest="store_command", metavar="COMMAND")
    init = sub.add_parser(
        "init",
        help="create or upgrade a team store's schema and row-level security "
        "(run by the role that owns the database)",
    )
    init.add_argument("url", metavar="URL", help="postgresql://OWNER@HOST:PORT/DB")
    init.set_defaults(handler=_init)
    copy = sub.add_parser(
        "copy",
        help="copy your sessions, the agents they use with their snapshots and experiments, "
        "and your learned weights from the data dir's store into a team store (--to) or "
        "back (--from); re-runnable",
    )
    where = copy.add_mutually_exclusive_group(required=True)
    where.add_argument("--to", metavar="URL", help="postgresql://ROLE@HOST:PORT/DB")
    where.add_argument(
        "--from", dest="source", metavar="URL", help="postgresql://ROLE@HOST:PORT/DB"
    )
    copy.add_argument(
        "--user",
        default="local",
        help="the local user handle whose data is copied (--to) or who receives it "
        "(--from); default: local",
    )
    copy.add_argument("--json", action="store_true", help="print the summary as JSON")
    copy.set_defaults(handler=_copy)


def _init(args: argparse.Namespace) -> int:
    from desktop_agent.services.team_store import init_store

    with opening_failures():
        ready = init_store(args.url)
    print(f"The team store at {ready.server} is ready (schema {ready.version}).")
    print(
        f"Each member connects as their own role (the role name is their user handle); "
        f"give a role access with: GRANT {ready.members_role} TO <role>;"
    )
    return EXIT_OK


def _copy(args: argparse.Namespace) -> int:
    # The copy is always between the data dir's SQLite file and the URL given, whatever
    # --store or $DESKTOP_AGENT_STORE_URL would open otherwise.
    from desktop_agent.services.app_context import STORE_URL_ENV

    os.environ.pop(STORE_URL_ENV, None)
    return _copy_in_app(args)


@with_app
def _copy_in_app(args: argparse.Namespace, _app: AppContext) -> int:
    from desktop_agent.services.store_copy import copy_from_team, copy_to_team

    def progress(done: int, total: int) -> None:
        if not args.json and sys.stderr.isatty():
            end = "\n" if done == total else ""
            print(f"\rCopying sessions: {done}/{total}", end=end, file=sys.stderr, flush=True)

    with opening_failures():
        if args.to:
            report = copy_to_team(args.to, user=args.user, progress=progress)
        else:
            report = copy_from_team(args.source, user=args.user, progress=progress)
    if args.json:
        print_json(report.to_json())
    else:
        _print_copy(report)
    return EXIT_RUNTIME if report.any_failed else EXIT_OK


def _print_copy(report: CopyReport) -> None:
    team = f"the team store at {report.server} (as {report.role})"
    here = f"this data dir (user {report.user})"
    source, target = (here, team) if report.direction == "to" else (team, here)
    print(f"Copy from {source} into {target}:")
    for session_id, reason in report.failed:
        print(f"  failed   {session_id}: {reason}")
    for session_id in report.kept:
        print(f"  kept     {session_id}: changed on one side since it was copied; left as is")
    if report.agents_created:
        print(f"  agents created: {', '.join(report.agents_created)}")
    if report.snapshots_copied:
        print(f"  snapshots copied: {len(report.snapshots_copied)}")
    if report.learned_copied:
        print(f"  learned weights copied for: {', '.join(report.learned_copied)}")
    _print_experiments(report)
    print(
        f"{len(report.copied)} sessions copied, {len(report.unchanged)} already there, "
        f"{len(report.kept)} kept as they were, {len(report.failed)} failed"
        + ("" if report.copied_anything or report.any_failed else " (nothing new to copy)")
    )


def _print_experiments(report: CopyReport) -> None:
    for experiment_id, reason in report.experiments_failed:
        print(f"  failed   experiment {experiment_id}: {reason}")
    for experiment_id in report.experiments_kept:
        print(f"  kept     experiment {experiment_id}: changed on one side since; left as is")
    if report.experiments_copied or report.experiments_unchanged or report.experiments_kept:
        print(
            f"  experiments copied: {len(report.experiments_copied)}, already there: "
            f"{len(report.experiments_unchanged) + len(report.experiments_kept)}"
            + (
                f" (your arm carried over in {len(report.assignments_copied)})"
                if report.assignments_copied
                else ""
            )
        )
