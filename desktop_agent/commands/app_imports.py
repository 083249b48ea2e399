"""`sessions import` of another app's export (ChatGPT, Claude.ai, Open WebUI): a report
per conversation (new / updated / unchanged / skipped, with the reason), progress on
stderr, exit 3 only when nothing could be imported."""

from __future__ import annotations

import sys
import time
from typing import TYPE_CHECKING

from desktop_agent.commands import EXIT_INVALID, EXIT_OK, print_json
from desktop_agent.domain.errors import InvalidInputError

if TYPE_CHECKING:
    import argparse

    from desktop_agent.services.importing import ImportProgress, ImportReport

_PROGRESS_EVERY = 0.2  # seconds between progress lines on a terminal
_PROGRESS_EVERY_PIPED = 5.0  # a log file gets a line now and then, not hundreds


def is_app_export(path: str) -> bool:
    from desktop_agent.services.export_files import is_export_candidate

    return is_export_candidate(path)


def import_app_exports(args: argparse.Namespace) -> int:
    from desktop_agent.services.importing import import_exports

    exports = [name for name in args.files if is_app_export(name)]
    if len(exports) != len(args.files):
        others = ", ".join(name for name in args.files if name not in exports)
        raise InvalidInputError(
            f"{others}: not another app's export; import app exports and session files "
            "in separate commands"
        )
    reporter = _ProgressLine()
    try:
        report = import_exports(
            exports,
            progress=reporter.show,
            learn_from_ratings=getattr(args, "learn_from_ratings", False),
        )
    finally:
        reporter.end()
    if args.json:
        body = report.to_json()
        body["session_ids"] = [c.session_id for c in report.conversations if c.outcome == "new"]
        print_json(body)
    else:
        _print_report(report)
    return EXIT_OK if report.imported_anything else EXIT_INVALID


def _print_report(report: ImportReport) -> None:
    from desktop_agent.domain.importers.formats import LABELS

    for item in report.conversations:
        title = _terminal_safe(item.title)
        if item.outcome == "skipped":
            print(f"skipped    -{' ' * 35} {title}: {_terminal_safe(item.reason)}")
            continue
        added = f" (+{item.messages_added} messages)" if item.messages_added else ""
        print(f"{item.outcome:<10} {item.session_id} {title}{added}")
    for problem in report.problems:
        print(f"problem: {_terminal_safe(problem)}")
    source = LABELS.get(report.app, report.app or "unknown")
    print(f"{source} export: {report.summary()}")


def _terminal_safe(text: str) -> str:
    """Titles come from the export: control characters must not drive the terminal."""
    return "".join(ch if ch.isprintable() else " " for ch in text)[:200]


class _ProgressLine:
    def __init__(self) -> None:
        self._tty = sys.stderr.isatty()
        self._last = 0.0
        self._shown = False

    def show(self, progress: ImportProgress) -> None:
        now = time.monotonic()
        if now - self._last < (_PROGRESS_EVERY if self._tty else _PROGRESS_EVERY_PIPED):
            return
        self._last = now
        line = (
            f"Importing: {progress.fraction:4.0%} · {progress.conversations:,} conversations"
            f" · {progress.messages:,} messages"
        )
        sys.stderr.write(("\r" + line) if self._tty else (line + "\n"))
        sys.stderr.flush()
        self._shown = True

    def end(self) -> None:
        if self._shown and self._tty:
            sys.stderr.write("\n")
            sys.stderr.flush()
