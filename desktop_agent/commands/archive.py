"""`desktop-agent export-all -o FILE` and `import-all FILE`: everything in one archive."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from desktop_agent.commands import EXIT_OK, local_store_app, print_json

if TYPE_CHECKING:
    import argparse

    from desktop_agent.services.app_context import AppContext


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = commands.add_parser(
        "export-all", help="every session, agent, learned weights, snapshot, experiment"
    )
    p.add_argument("-o", "--output", metavar="FILE", required=True)
    p.set_defaults(handler=_export_all)
    p = commands.add_parser(
        "import-all", help="restore an export-all archive, or merge it without overwriting"
    )
    p.add_argument("file", metavar="FILE")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=_import_all)


@local_store_app("export-all")
def _export_all(args: argparse.Namespace, app: AppContext) -> int:
    from desktop_agent.services.everything import export_everything

    size = export_everything(Path(args.output))
    print(f"Wrote {args.output} ({size / 1e6:,.1f} MB).")
    return EXIT_OK


@local_store_app("import-all")
def _import_all(args: argparse.Namespace, app: AppContext) -> int:
    from desktop_agent.services.everything import import_everything

    report = import_everything(app, Path(args.file))
    if args.json:
        print_json(report.to_json())
    else:
        print(report.summary())
    return EXIT_OK
