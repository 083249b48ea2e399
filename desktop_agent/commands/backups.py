"""`desktop-agent backup list | restore NAME`: the rolling copies of the store."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from desktop_agent.commands import EXIT_OK, local_store_app, print_json

if TYPE_CHECKING:
    import argparse

    from desktop_agent.services.app_context import AppContext


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser("backup", help="list or restore automatic backups")
    sub = parser.add_subparsers(dest="backup_command", metavar="ACTION", required=True)
    p = sub.add_parser("list", help="backups, newest first")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=_list)
    p = sub.add_parser("now", help="make a backup now")
    p.set_defaults(handler=_now)
    p = sub.add_parser("restore", help="replace the store with a backup (backs it up first)")
    p.add_argument("name", metavar="NAME")
    p.set_defaults(handler=_restore)


@local_store_app("backup list")
def _list(args: argparse.Namespace, app: AppContext) -> int:
    from desktop_agent.services.backups import list_backups

    backups = list_backups(app.data_dir)
    if args.json:
        print_json([b.to_json() for b in backups])
        return EXIT_OK
    if not backups:
        print(f"No backups yet (they go to {app.data_dir / 'backups'}).")
    for b in backups:
        when = time.strftime("%Y-%m-%d %H:%M", time.localtime(b.created_at))
        print(f"{b.name}  {when}  {b.size / 1e6:,.1f} MB  {b.kind}")
    return EXIT_OK


@local_store_app("backup now")
def _now(args: argparse.Namespace, app: AppContext) -> int:
    from desktop_agent.services.backups import make_backup

    made = make_backup(app.database_path, app.data_dir, keep=app.settings.backups.keep)
    print(f"Backed up to {made.path}")
    return EXIT_OK


@local_store_app("backup restore")
def _restore(args: argparse.Namespace, app: AppContext) -> int:
    from desktop_agent.services.backups import restore_open_store

    saved = restore_open_store(
        app.database_path, app.data_dir, args.name, keep=app.settings.backups.keep
    )
    print(f"Restored {args.name}. The store as it was is saved as {saved.name}.")
    return EXIT_OK
