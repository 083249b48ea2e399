"""Logging: a rotating file in the data dir, no secret in any record, --verbose to stderr,
uncaught exceptions logged with their traceback."""

from __future__ import annotations

import logging
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from desktop_agent.cli import run
from desktop_agent.config.log_setup import (
    LOGGER_NAME,
    install_excepthooks,
    log_path,
    register_secret,
    setup_logging,
)

KEY = "sk-proj-abcdefghijklmnopqrstuvwxyz0123456789"


@pytest.fixture
def restore_logging() -> Iterator[None]:
    hooks = (sys.excepthook, threading.excepthook)
    yield
    sys.excepthook, threading.excepthook = hooks
    setup_logging(None)


@pytest.mark.usefixtures("restore_logging")
def test_records_go_to_the_log_file_without_the_key(tmp_path: Path) -> None:
    path = setup_logging(tmp_path)
    assert path == log_path(tmp_path)
    register_secret(KEY)
    log = logging.getLogger(LOGGER_NAME + ".test")
    log.info("calling the provider with %s", KEY)
    log.info("a key cut short: %s…", KEY[:20])
    log.info("never seen before: sk-other0123456789abcdef and Bearer abcdefghijklmnop")
    try:
        raise RuntimeError(f"server said: bad key {KEY}")
    except RuntimeError:
        log.exception("request failed")
    text = path.read_text(encoding="utf-8")
    assert "calling the provider with [redacted]" in text
    assert "Traceback" in text
    assert "RuntimeError" in text
    for secret in (KEY, KEY[:20], "sk-other0123456789abcdef", "abcdefghijklmnop"):
        assert secret not in text
    assert oct(path.parent.stat().st_mode & 0o777) == "0o700"


@pytest.mark.usefixtures("restore_logging")
def test_an_uncaught_exception_is_logged_and_reported(tmp_path: Path) -> None:
    path = setup_logging(tmp_path)
    assert path is not None
    reported: list[tuple[str, str]] = []
    install_excepthooks(lambda summary, details: reported.append((summary, details)))
    register_secret(KEY)
    try:
        raise KeyError(f"lost {KEY}")
    except KeyError:
        sys.excepthook(*sys.exc_info())  # what Python does with an uncaught exception
    thread = threading.Thread(target=lambda: 1 / 0, name="doomed")
    thread.start()
    thread.join()

    (summary, details), (thread_summary, _) = reported
    assert summary.startswith("KeyError")
    assert KEY not in summary
    assert "[redacted]" in summary
    assert "Traceback" in details
    assert KEY not in details
    assert thread_summary.startswith("ZeroDivisionError")
    text = path.read_text(encoding="utf-8")
    assert text.count("uncaught exception") == 2
    assert "[doomed]" in text


@pytest.mark.usefixtures("restore_logging")
def test_verbose_logs_debug_to_stderr(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["--data-dir", str(tmp_path), "--verbose", "sessions", "list"]) == 0
    logging.getLogger(LOGGER_NAME + ".test").debug("a debug line")
    err = capsys.readouterr().err
    assert "DEBUG desktop_agent.test" in err
    # Without --verbose, stderr stays quiet.
    assert run(["--data-dir", str(tmp_path), "sessions", "list"]) == 0
    logging.getLogger(LOGGER_NAME + ".test").debug("another debug line")
    assert "another debug line" not in capsys.readouterr().err


@pytest.mark.usefixtures("restore_logging")
def test_verbose_stderr_shows_control_characters_and_the_file_keeps_them(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(["--data-dir", str(tmp_path), "--verbose", "sessions", "list"]) == 0
    capsys.readouterr()
    hostile = "title \x1b]0;pwned\x07 then \x1b[2J\x1b[31mred\x9b1m \u202eevil"
    # Logged after the command, when its neutralised stdout/stderr wrapper is gone.
    logging.getLogger(LOGGER_NAME + ".test").info("renamed to %s", hostile)
    err = capsys.readouterr().err
    assert "renamed to title" in err
    for raw in ("\x1b", "\x07", "\x9b", "\u202e"):
        assert raw not in err
    assert "␛]0;pwned␇" in err
    assert "␛[2J" in err
    # The log file is for diagnosis: the record as it was.
    assert f"renamed to {hostile}" in log_path(tmp_path).read_text(encoding="utf-8")
