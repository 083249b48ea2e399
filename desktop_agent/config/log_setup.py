"""Logging for the app and the CLI: a rotating file in the data dir (stderr too with
--verbose), every record passed through secret redaction, uncaught exceptions logged
with their traceback."""

from __future__ import annotations

import logging
import re
import sys
import threading
import traceback
from typing import TYPE_CHECKING

from desktop_agent.domain.redaction import redact

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path
    from types import TracebackType

LOGGER_NAME = "desktop_agent"
LOG_DIR_NAME = "logs"
LOG_FILE_NAME = "desktop-agent.log"
LOG_MAX_BYTES = 1_000_000
LOG_BACKUPS = 4
FORMAT = "%(asctime)s %(levelname)s %(name)s [%(threadName)s] %(message)s"

# Key-shaped text is redacted even when the key itself was never seen by this process
# (e.g. quoted back by a server, or pasted into a message that ends up in a traceback).
_KEY_PATTERNS = (
    re.compile(r"\bsk-[A-Za-z0-9_\-]{8,}"),
    re.compile(r"(?i)(bearer\s+)[A-Za-z0-9_\-\.=]{8,}"),
    re.compile(r"(?i)(api[_-]?key[\"']?\s*[:=]\s*[\"']?)[^\s\"',;]{8,}"),
)
_secrets: set[str] = set()
_secrets_lock = threading.Lock()


def register_secret(secret: str | None) -> None:
    """Redact this value (the API key, once read) from every later log record."""
    if secret:
        with _secrets_lock:
            _secrets.add(secret)


def redact_secrets(text: str) -> str:
    with _secrets_lock:
        known = list(_secrets)
    for secret in known:
        text = redact(text, secret)
    for pattern in _KEY_PATTERNS:
        text = pattern.sub(
            lambda m: (m.group(1) if m.groups() else "") + "[redacted]",
            text,
        )
    return text


class RedactingFilter(logging.Filter):
    """Formats the record's message and traceback here, redacted, so no handler ever
    sees the raw text (a handler's own formatting would bypass a message-only filter)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = redact_secrets(record.getMessage())
        record.args = None
        if record.exc_info:
            record.exc_text = redact_secrets("".join(traceback.format_exception(*record.exc_info)))
            record.exc_info = None
        if record.stack_info:
            record.stack_info = redact_secrets(record.stack_info)
        return True


class _RotatingFile(logging.Handler):
    """A RotatingFileHandler made on the first record: `logging.handlers` (which pulls in
    socket, pickle and queue) stays off the start-up path of the window and the CLI."""

    def __init__(self, path: Path) -> None:
        super().__init__()
        self._path = path
        self._target: logging.Handler | None = None
        self._unwritable = False

    def emit(self, record: logging.LogRecord) -> None:
        if self._unwritable:
            return
        if self._target is None:
            from logging.handlers import RotatingFileHandler

            try:
                # User-only, like the data dir open_app makes (logs may quote conversations).
                self._path.parent.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
                self._path.parent.mkdir(mode=0o700, exist_ok=True)
                self._target = RotatingFileHandler(
                    self._path, maxBytes=LOG_MAX_BYTES, backupCount=LOG_BACKUPS, encoding="utf-8"
                )
            except OSError as exc:  # a read-only data dir still runs, without a log file
                self._unwritable = True
                print(
                    f"desktop-agent: cannot write the log file {self._path}: {exc}", file=sys.stderr
                )
                return
            self._target.setFormatter(self.formatter)
        self._target.emit(record)

    def close(self) -> None:
        if self._target is not None:
            self._target.close()
        super().close()


def log_path(data_dir: Path) -> Path:
    return data_dir / LOG_DIR_NAME / LOG_FILE_NAME


class _TerminalFormatter(logging.Formatter):
    """The formatted record passed through `shown` (the CLI's control-character
    neutraliser) before it reaches a terminal; the log file keeps the text as it was."""

    def __init__(self, shown: Callable[[str], str]) -> None:
        super().__init__(FORMAT)
        self._shown = shown

    def format(self, record: logging.LogRecord) -> str:
        return self._shown(super().format(record))


def setup_logging(
    data_dir: Path | None,
    *,
    verbose: bool = False,
    terminal_text: Callable[[str], str] | None = None,
) -> Path | None:
    """Send the app's records to the rotating log file (when the data dir is writable)
    and, with `verbose`, to stderr at DEBUG, each record through `terminal_text` when
    given (stored titles and model text can carry escape sequences). Returns the log
    file's path, if any."""
    logger = logging.getLogger(LOGGER_NAME)
    for handler in list(logger.handlers):
        logger.removeHandler(handler)
        handler.close()
    logger.setLevel(logging.DEBUG if verbose else logging.INFO)
    logger.propagate = False
    formatter = logging.Formatter(FORMAT)
    path: Path | None = None
    if data_dir is not None:
        file_handler = _RotatingFile(log_path(data_dir))
        file_handler.setFormatter(formatter)
        file_handler.addFilter(RedactingFilter())
        logger.addHandler(file_handler)
        path = log_path(data_dir)
    if verbose:
        stream = logging.StreamHandler(sys.stderr)
        stream.setLevel(logging.DEBUG)
        stream.setFormatter(
            formatter if terminal_text is None else _TerminalFormatter(terminal_text)
        )
        stream.addFilter(RedactingFilter())
        logger.addHandler(stream)
    if not logger.handlers:
        logger.addHandler(logging.NullHandler())
    return path


def install_excepthooks(
    on_crash: Callable[[str, str], None] | None = None,
    handled: Callable[[BaseException], bool] | None = None,
) -> None:
    """Log every uncaught exception (main thread and other threads) with its traceback;
    `on_crash(summary, details)` then shows it (the window's crash dialog). An error
    `handled(error)` takes (a full disk: the window turns read-only) is no crash."""
    log = logging.getLogger(LOGGER_NAME + ".crash")

    def report(kind: type[BaseException], value: BaseException, tb: TracebackType | None) -> None:
        if issubclass(kind, KeyboardInterrupt):
            sys.__excepthook__(kind, value, tb)
            return
        on_ui_thread = threading.current_thread() is threading.main_thread()
        if handled is not None and on_ui_thread and handled(value):
            return
        log.critical("uncaught exception", exc_info=(kind, value, tb))
        if on_crash is not None:
            details = redact_secrets("".join(traceback.format_exception(kind, value, tb)))
            summary = redact_secrets(f"{kind.__name__}: {value}")
            on_crash(summary, details)

    def report_thread(args: threading.ExceptHookArgs) -> None:
        if args.exc_value is None:
            return
        report(args.exc_type, args.exc_value, args.exc_traceback)

    sys.excepthook = report
    threading.excepthook = report_thread
