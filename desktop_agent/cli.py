"""The command line: global options, subcommands, exit codes. With no subcommand it
opens the window. Every command runs the same services the GUI uses."""

from __future__ import annotations

import argparse
import contextlib
import functools
import importlib
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from typing import Any, cast

from desktop_agent import __version__
from desktop_agent.commands import EXIT_OK, EXIT_RUNTIME, EXIT_USAGE, CommandFailed

Handler = Callable[[argparse.Namespace], int]


def _owner_options(parser: argparse.ArgumentParser, *, required: bool = True) -> None:
    group = parser.add_mutually_exclusive_group(required=required)
    group.add_argument("--session", metavar="ID", help="a session (id or unique prefix)")
    group.add_argument("--agent", metavar="NAME", help="an agent (its baseline, or a user's state)")
    parser.add_argument("--user", metavar="HANDLE", help="with --agent: that user's learned state")


# Each command word as `desktop-agent --help` lists it, and the module in commands/ that
# declares its arguments and handlers. A module is imported only when its word is used:
# importing them all cost 82-137 ms, most of a `sessions search` (tests/cli/test_parser.py
# checks every help text against the modules' own declarations).
COMMANDS: tuple[tuple[str, str, str], ...] = (
    ("chat", "send a message and print the reply", "chat"),
    ("sessions", "list, show, search, export, import, delete", "sessions"),
    ("feedback", "rate a reply; the session learns from it", "weights"),
    ("weights", "show or set behaviour weights", "weights"),
    ("snapshot", "save, validate, compare, apply, move snapshots", "snapshots"),
    ("experiment", "A/B test two snapshots across users", "experiments"),
    ("agents", "list, create, edit and delete agents", "agents"),
    ("users", "local user profiles", "agents"),
    ("config", "show or change settings and the API key", "config"),
    ("export-all", "every session, agent, learned weights, snapshot, experiment", "archive"),
    ("import-all", "restore an export-all archive, or merge it without overwriting", "archive"),
    ("backup", "list or restore automatic backups", "backups"),
    ("check", "check the store for damage (and --repair it into a new file)", "check"),
    ("store", "create or upgrade a PostgreSQL team store", "store"),
)
_TAKES_OWNER_OPTIONS = frozenset({"weights", "snapshots"})


class _Formatter(argparse.HelpFormatter):
    """argparse's own, told the terminal's width: left to itself it imports shutil (and
    bz2, lzma and zlib with it, ~3 ms of every command) to read the width each time it
    is made, which is at every add_argument."""

    def __init__(self, prog: str, **kwargs: Any) -> None:
        kwargs.setdefault("width", _terminal_columns() - 2)
        super().__init__(prog, **kwargs)


@functools.cache
def _terminal_columns() -> int:
    """shutil.get_terminal_size's rule: $COLUMNS, else the terminal's, else 80."""
    try:
        columns = int(os.environ.get("COLUMNS", "0"))
    except ValueError:
        columns = 0
    if columns <= 0:
        try:
            columns = os.get_terminal_size(sys.__stdout__.fileno()).columns  # type: ignore[union-attr]
        except (AttributeError, ValueError, OSError):
            columns = 0
    return columns or 80


class _CommandParser(argparse.ArgumentParser):
    """A command's parser that declares its arguments (importing its module) the first
    time the command line reaches it; nested parsers get `load = None` and parse as usual."""

    load: Callable[[], None] | None = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", _Formatter)
        super().__init__(*args, **kwargs)

    def parse_known_args(  # type: ignore[override]
        self, args: Sequence[str] | None = None, namespace: argparse.Namespace | None = None
    ) -> tuple[argparse.Namespace, list[str]]:
        if self.load is not None:
            load, self.load = self.load, None
            load()
        return super().parse_known_args(args, namespace)


class _Declared:
    """Stands in for the subparsers action while a command module registers: hands back
    the parser already declared for a word instead of adding a second one."""

    def __init__(self, action: argparse._SubParsersAction[Any]) -> None:
        self._action = action

    def add_parser(self, name: str, **kwargs: Any) -> argparse.ArgumentParser:
        parser = self._action.choices[name]
        if isinstance(parser, _CommandParser):
            parser.load = None  # a module declaring two words (weights: feedback too)
        kwargs.pop("help", None)  # already shown from COMMANDS
        for key, value in kwargs.items():
            setattr(parser, key, value)
        return parser


def _register(module: str, action: argparse._SubParsersAction[Any]) -> None:
    commands = importlib.import_module(f"desktop_agent.commands.{module}")
    into = cast("argparse._SubParsersAction[argparse.ArgumentParser]", _Declared(action))
    if module in _TAKES_OWNER_OPTIONS:
        commands.register(into, _owner_options)
    else:
        commands.register(into)


def build_parser(*, with_commands: bool = True) -> argparse.ArgumentParser:
    parser = _CommandParser(
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
        "-v",
        "--verbose",
        action="store_true",
        help="log everything (DEBUG) to stderr as well as to the log file in the data dir",
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
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_CommandParser)
    for word, help_line, module in COMMANDS:
        command = commands.add_parser(word, help=help_line)
        command.load = functools.partial(_register, module, commands)
    return parser


OpenWindow = Callable[[str | None, bool], int]


def _setup_logging(data_dir: str | None, *, verbose: bool) -> None:
    from desktop_agent.commands.output import neutralise
    from desktop_agent.config.log_setup import install_excepthooks, setup_logging
    from desktop_agent.config.paths import resolve_data_dir

    try:
        directory = resolve_data_dir(data_dir)
    except OSError:
        directory = None
    # The stderr handler is made before (and outlives) the command's neutralised output:
    # it neutralises its own records.
    setup_logging(directory, verbose=verbose, terminal_text=neutralise)
    install_excepthooks()


def names_a_command(argv: Sequence[str]) -> bool:
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
    wants_command = names_a_command(argv)
    parser = build_parser(with_commands=wants_command)
    try:
        args = parser.parse_args(list(argv))
    except SystemExit as exc:  # argparse: --help/--version (0) or a usage error (2)
        return int(exc.code) if isinstance(exc.code, int) else EXIT_USAGE

    if args.store:  # read by open_app, in this process (CLI or window) only
        os.environ["DESKTOP_AGENT_STORE_URL"] = args.store
    _setup_logging(args.data_dir, verbose=bool(args.verbose))
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
    from desktop_agent.commands.output import neutralised_output

    # Every line the command prints passes through here: stored text, file names and
    # server messages can carry terminal control sequences.
    with neutralised_output(json_mode=bool(getattr(args, "json", False))), _quit_signals_stop():
        return _run_handler(handler, args)


@contextlib.contextmanager
def _quit_signals_stop() -> Iterator[None]:
    """SIGTERM and SIGHUP stop a command the way Ctrl+C does (a reply being written is
    kept and closed with a reason) instead of killing it mid-write."""
    from desktop_agent.domain.errors import Terminated

    def stop(signum: int, _frame: object) -> None:
        raise Terminated(signal.Signals(signum).name, signum)

    previous: dict[int, Any] = {}
    if threading.current_thread() is threading.main_thread():
        for name in ("SIGTERM", "SIGHUP"):
            number = getattr(signal, name, None)
            if number is not None:
                previous[number] = signal.signal(number, stop)
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)


def _run_handler(handler: Handler, args: argparse.Namespace) -> int:
    try:
        return handler(args)
    except CommandFailed as exc:
        print(f"desktop-agent: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt as exc:
        print(f"desktop-agent: interrupted{_by_signal(exc)}", file=sys.stderr)
        return int(getattr(exc, "exit_code", 130))
    except BrokenPipeError:  # `desktop-agent ... | head`: the reader left; not an error
        # Python would fail again flushing stdout at exit; point it at /dev/null.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_OK
    except Exception as exc:
        import logging
        import traceback

        logging.getLogger("desktop_agent.cli").error("internal error", exc_info=exc)
        if not args.verbose:  # --verbose already printed it, through the log
            traceback.print_exc()
        print(f"desktop-agent: internal error: {exc}", file=sys.stderr)
        return EXIT_RUNTIME


def _by_signal(exc: BaseException) -> str:
    name = getattr(exc, "signal_name", None)
    return f" ({name})" if name else ""


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
