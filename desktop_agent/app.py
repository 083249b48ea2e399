"""Entry point and wiring: the command line, or the window when no command is given."""

from __future__ import annotations

import sys


def _open_window(data_dir: str | None, smoke: bool) -> int:
    # Qt is imported only when the window is wanted: CLI commands stay light.
    from desktop_agent.ui.main import run_gui

    return run_gui(data_dir, smoke=smoke)


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if args[:1] == ["--builtin-model-server"]:
        # The frozen app has no `python -m`: it starts its model process through here.
        from desktop_agent.llm.builtin_server import main as serve_model

        return serve_model()
    from desktop_agent.cli import run

    return run(args, open_window=_open_window)
