"""`desktop-agent store init URL`: create or upgrade a PostgreSQL team store."""

from __future__ import annotations

from typing import TYPE_CHECKING

from desktop_agent.commands import EXIT_OK, opening_failures

if TYPE_CHECKING:
    import argparse


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
