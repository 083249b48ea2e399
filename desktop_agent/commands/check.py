"""`desktop-agent check [--repair]`: a full integrity check, and a repair into a new file."""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING

from desktop_agent.commands import EXIT_OK, EXIT_RUNTIME, print_json, team_store_refusal
from desktop_agent.services.app_context import STORE_URL_ENV

if TYPE_CHECKING:
    import argparse


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser(
        "check", help="check the store for damage (and --repair it into a new file)"
    )
    parser.add_argument(
        "--repair",
        action="store_true",
        help="copy everything readable into a new file beside the store (the old is kept)",
    )
    parser.add_argument("--json", action="store_true")
    parser.set_defaults(handler=_check)


def _check(args: argparse.Namespace) -> int:
    # The store is not opened through the app here: a damaged file would be refused.
    from desktop_agent.services.integrity import (
        RepairError,
        check_store,
        repair_data_dir,
        store_file,
    )
    from desktop_agent.services.team_store import shown_store

    path = store_file(args.data_dir)
    if not path.exists():
        url = os.environ.get(STORE_URL_ENV)
        if url:  # --store or the environment names a team store
            refusal = team_store_refusal("check", shown_store(url))
            print(f"desktop-agent: {refusal}", file=sys.stderr)
        else:
            print(f"desktop-agent: there is no store at {path} to check.", file=sys.stderr)
        return EXIT_RUNTIME
    report = check_store(args.data_dir)
    result: dict[str, object] = {
        "path": str(report.path),
        "ok": report.ok,
        "problems": report.problems,
    }
    if not args.json:
        print(report.summary())
    if args.repair and not report.ok:
        try:
            repaired = repair_data_dir(args.data_dir)
        except (RepairError, OSError) as exc:
            print(f"desktop-agent: {exc}", file=sys.stderr)
            return EXIT_RUNTIME
        result["repaired"] = {
            "path": str(repaired.repaired),
            "copied": repaired.copied,
            "lost": repaired.lost,
            "ok": repaired.check is not None and repaired.check.ok,
        }
        if not args.json:
            print(repaired.summary())
            print(
                f"To use the copy: quit Desktop Agent, move {repaired.damaged} aside, and "
                f"rename {repaired.repaired.name} to {repaired.damaged.name}."
            )
    if args.json:
        print_json(result)
    return EXIT_OK if report.ok else EXIT_RUNTIME
