"""The command line: global options, subcommands, exit codes. With no subcommand it
opens the window. Every command runs the same services the GUI uses."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence

from desktop_agent import __version__
from desktop_agent.commands import EXIT_OK, EXIT_RUNTIME, EXIT_USAGE, CommandFailed

Handler = Callable[[argparse.Namespace], int]


def _owner_options(parser: argparse.ArgumentParser, *, required: bool = True) -> None:
    group = parser.add_mutually_exclusive_group(required=required)
    group.add_argument("--session", metavar="ID", help="a session (id or unique prefix)")
    group.add_argument("--agent", metavar="NAME", help="an agent (its baseline, or a user's state)")
    parser.add_argument("--user", metavar="HANDLE", help="with --agent: that user's learned state")


# Every subcommand's name: without one of these on the command line the window opens,
# and the subcommands' parsers (and the modules behind them) need not be built first.
COMMAND_NAMES = frozenset(
    {
        "chat",
        "sessions",
        "feedback",
        "weights",
        "snapshot",
        "experiment",
        "agents",
        "users",
        "config",
        "store",
    }
)


def build_parser(*, with_commands: bool = True) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="desktop-agent",
        description="Conversations with LLM agents whose history and learned behaviour "
        "survive every restart. With no command, opens the window.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument(
        "--data-dir",
        metavar="DIR",
        help="where the database and settings live "
        "(default: $DESKTOP_AGENT_DATA_DIR, else the platform's user data dir)",
    )
    parser.add_argument(
        "--store",
        metavar="URL",
        help="use the PostgreSQL team store postgresql://ROLE@HOST:PORT/DB instead of the "
        "data dir's SQLite file (default: $DESKTOP_AGENT_STORE_URL)",
    )
    parser.add_argument(
        "--smoke", action="store_true", help="open the main window, let it paint, exit 0"
    )
    parser.add_argument(
        "--install-desktop-entry",
        action="store_true",
        help="add Desktop Agent to this user's application menu (Linux)",
    )
    parser.add_argument(
        "--uninstall-desktop-entry",
        action="store_true",
        help="remove what --install-desktop-entry added",
    )
    if not with_commands:
        parser.set_defaults(command=None)
        return parser
    from desktop_agent.commands import agents, chat, config, sessions, snapshots, store, weights

    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    chat.register(commands)
    sessions.register(commands)
    weights.register(commands, _owner_options)
    snapshots.register(commands, _owner_options)
    agents.register(commands)
    config.register(commands)
    store.register(commands)
    return parser


OpenWindow = Callable[[str | None, bool], int]


def _names_a_command(argv: Sequence[str]) -> bool:
    """Whether the full parser is needed: a positional word (a command, or a mistyped
    one that deserves the list of commands) or a request for help."""
    args = list(argv)
    for index, arg in enumerate(args):
        if arg in ("-h", "--help"):
            return True
        if arg.startswith("-"):
            continue
        if index > 0 and args[index - 1] in ("--data-dir", "--store"):
            continue
        return True
    return False


def run(argv: Sequence[str], open_window: OpenWindow | None = None) -> int:
    """Run a command; with none, call `open_window(data_dir, smoke)` (app.py passes the
    GUI, so this module never imports Qt)."""
    wants_command = _names_a_command(argv)
    parser = build_parser(with_commands=wants_command)
    try:
        args = parser.parse_args(list(argv))
    except SystemExit as exc:  # argparse: --help/--version (0) or a usage error (2)
        return int(exc.code) if isinstance(exc.code, int) else EXIT_USAGE

    if args.store:  # read by open_app, in this process (CLI or window) only
        os.environ["DESKTOP_AGENT_STORE_URL"] = args.store
    if args.install_desktop_entry or args.uninstall_desktop_entry:
        return _desktop_entry(install=bool(args.install_desktop_entry))
    if args.command is None:
        if open_window is None:
            parser.print_help()
            return EXIT_USAGE
        return open_window(args.data_dir, args.smoke)

    handler: Handler | None = getattr(args, "handler", None)
    if handler is None:  # a command group without its subcommand, e.g. `sessions`
        parser.parse_args([*argv, "--help"])
        return EXIT_USAGE
    try:
        return handler(args)
    except CommandFailed as exc:
        print(f"desktop-agent: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("desktop-agent: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # `desktop-agent ... | head`: the reader left; not an error
        # Python would fail again flushing stdout at exit; point it at /dev/null.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_OK
    except Exception as exc:  # noqa: BLE001 - a bug: report it plainly, exit 1
        import traceback

        traceback.print_exc()
        print(f"desktop-agent: internal error: {exc}", file=sys.stderr)
        return EXIT_RUNTIME


def _desktop_entry(*, install: bool) -> int:
    from desktop_agent import desktop_entry

    try:
        if install:
            paths = desktop_entry.install_desktop_entry()
        else:
            paths = desktop_entry.uninstall_desktop_entry()
    except OSError as exc:
        print(f"desktop-agent: {exc}", file=sys.stderr)
        return EXIT_RUNTIME
    for path in paths:
        print(path)
    return EXIT_OK
