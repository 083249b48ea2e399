"""Entry point: parse arguments, then run the CLI or open the window."""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    from desktop_agent.cli import run

    return run(sys.argv[1:] if argv is None else argv)
