"""The command line declares its commands without importing them: the help text is the
same as declaring every module up front, and a command imports only its own module."""

from __future__ import annotations

import argparse
import subprocess
import sys

import pytest

from desktop_agent import cli
from desktop_agent.commands import (
    agents,
    archive,
    backups,
    chat,
    check,
    config,
    sessions,
    snapshots,
    store,
    weights,
)


def _eager_parser() -> argparse.ArgumentParser:
    """Every module registered up front: how the parser was built before it was lazy."""
    parser = cli.build_parser(with_commands=False)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    chat.register(commands)
    sessions.register(commands)
    weights.register(commands, cli._owner_options)
    snapshots.register(commands, cli._owner_options)  # registers `experiment` too
    agents.register(commands)
    config.register(commands)
    archive.register(commands)
    backups.register(commands)
    check.register(commands)
    store.register(commands)
    return parser


def _help(
    parser: argparse.ArgumentParser, argv: list[str], capsys: pytest.CaptureFixture[str]
) -> str:
    with pytest.raises(SystemExit) as exit_info:
        parser.parse_args([*argv, "--help"])
    assert exit_info.value.code == 0
    return capsys.readouterr().out


def _every_command_line(parser: argparse.ArgumentParser) -> list[list[str]]:
    """[] and every command and subcommand path, e.g. ["sessions", "search"]."""
    paths: list[list[str]] = [[]]
    stack: list[tuple[list[str], argparse.ArgumentParser]] = [([], parser)]
    while stack:
        prefix, current = stack.pop()
        for action in current._actions:
            if isinstance(action, argparse._SubParsersAction):
                for word, child in action.choices.items():
                    paths.append([*prefix, word])
                    stack.append(([*prefix, word], child))
    return paths


def test_every_help_text_is_what_the_modules_declare(capsys: pytest.CaptureFixture[str]) -> None:
    eager = _eager_parser()
    lines = _every_command_line(eager)
    assert ["sessions", "search"] in lines
    assert ["experiment", "report"] in lines
    assert ["users", "list"] in lines
    assert len(lines) > 40
    for argv in lines:
        assert _help(cli.build_parser(), argv, capsys) == _help(eager, argv, capsys), argv


def test_arguments_parse_the_same(capsys: pytest.CaptureFixture[str]) -> None:
    for argv in (
        ["sessions", "search", "tomato", "--limit", "5", "--json"],
        ["feedback", "12", "--down", "--tag", "too_long"],
        ["weights", "set", "--agent", "assistant", "--user", "ann", "verbosity=0.2"],
        ["experiment", "create", "--agent", "a", "--a", "x", "--b", "y", "--name", "n"],
        ["users", "list"],
    ):
        lazy = vars(cli.build_parser().parse_args(argv))
        eager = vars(_eager_parser().parse_args(argv))
        assert lazy.keys() == eager.keys()
        assert lazy.pop("handler").__qualname__ == eager.pop("handler").__qualname__
        assert lazy == eager


def test_a_command_imports_only_its_own_module() -> None:
    probe = (
        "import sys; from desktop_agent import cli;"
        " cli.build_parser().parse_args(['sessions', 'search', 'x']);"
        " print(sorted(m for m in sys.modules if m.startswith('desktop_agent.commands.')))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.strip() == "['desktop_agent.commands.sessions']"
