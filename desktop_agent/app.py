"""Entry point and wiring: the command line, or the window when no command is given."""

from __future__ import annotations

import gc
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
    from desktop_agent.cli import names_a_command, run

    code = run(args, open_window=_open_window)
    if argv is None and names_a_command(args):
        # This call is the whole process (the scripts, `python -m`, the frozen app) and it
        # ends now. Python's exit would still walk every object the collector tracks,
        # ~15 ms of each command here; frozen objects are skipped. Nothing waits on that
        # walk: the store and files are closed by now, atexit handlers (logging, the
        # built-in model) still run, and objects no cycle holds are still freed.
        gc.freeze()
    return code
