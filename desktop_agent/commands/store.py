"""`desktop-agent store init URL`: create or upgrade a PostgreSQL team store."""

from __future__ import annotations

from typing import TYPE_CHECKING

from desktop_agent.commands import EXIT_INVALID, EXIT_OK, EXIT_RUNTIME, CommandFailed

if TYPE_CHECKING:
    import argparse


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser("store", help="the PostgreSQL team store")
    sub = parser.add_subparsers(dest="store_command", metavar="COMMAND")
    init = sub.add_parser(
        "init",
        help="create or upgrade a team store's schema and row-level security "
        "(run by the role that owns the database)",
    )
    init.add_argument("url", metavar="URL", help="postgresql://OWNER@HOST:PORT/DB")
    init.set_defaults(handler=_init)


def _init(args: argparse.Namespace) -> int:
    from desktop_agent.config.secrets import store_password
    from desktop_agent.domain.errors import InvalidInputError
    from desktop_agent.store import pg_schema
    from desktop_agent.store.db import StoreError
    from desktop_agent.store.team import init_team_store, parse_store_url

    try:
        address = parse_store_url(args.url)
        version = init_team_store(args.url, password=store_password(address.display))
    except InvalidInputError as exc:
        raise CommandFailed(str(exc), EXIT_INVALID) from exc
    except StoreError as exc:
        raise CommandFailed(str(exc), EXIT_RUNTIME) from exc
    print(f"The team store at {address.server} is ready (schema {version}).")
    print(
        f"Each member connects as their own role (the role name is their user handle); "
        f"give a role access with: GRANT {pg_schema.MEMBERS_ROLE} TO <role>;"
    )
    return EXIT_OK
