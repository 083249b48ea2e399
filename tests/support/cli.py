"""Run `desktop-agent ARGS` and get its exit code, stdout and stderr.

In this process by default: the same entry point as `python -m desktop_agent`, with its
own stdin, stdout and stderr, environment additions, logging and exception hooks, all put
back afterwards. Starting a Python process for each command cost ~0.5 s on an idle
machine and several seconds on a busy one, and CLI tests run hundreds. Tests about the
process itself (a second writer, a kill, the real interpreter start) pass `process=True`.
"""

from __future__ import annotations

import contextlib
import io
import logging
import os
import subprocess
import sys
import threading
from collections.abc import Iterator, Mapping
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
TIMEOUT_SECONDS = 60


def run_cli(
    data_dir: Path,
    *args: str,
    stdin: str | None = None,
    env: Mapping[str, str] | None = None,
    process: bool = False,
) -> subprocess.CompletedProcess[str]:
    """`desktop-agent --data-dir DATA_DIR ARGS`, with `env` added to the environment."""
    argv = ["--data-dir", str(data_dir), *args]
    if process:
        return subprocess.run(
            [sys.executable, "-m", "desktop_agent", *argv],
            cwd=REPO,
            env={**os.environ, **(env or {})},
            input=stdin,
            capture_output=True,
            text=True,
            timeout=TIMEOUT_SECONDS,
            check=False,
        )
    return _run_in_process(argv, stdin or "", env or {})


def _run_in_process(
    argv: list[str], stdin: str, env: Mapping[str, str]
) -> subprocess.CompletedProcess[str]:
    from desktop_agent.app import main

    out, err = _stream(""), _stream("")
    with (
        _environment(env),
        _logging_and_hooks_restored(),
        _standard_streams(_stream(stdin), out, err),
    ):
        try:
            code = main(argv)
        except SystemExit as exc:  # as the interpreter maps it
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    return subprocess.CompletedProcess(["desktop-agent", *argv], code, _text_of(out), _text_of(err))


def _stream(text: str) -> io.TextIOWrapper:
    """A text stream with a byte `buffer` beneath, like the real standard streams."""
    return io.TextIOWrapper(io.BytesIO(text.encode()), encoding="utf-8", write_through=True)


def _text_of(stream: io.TextIOWrapper) -> str:
    stream.flush()
    buffer = stream.buffer
    assert isinstance(buffer, io.BytesIO)
    # Universal newlines, as subprocess.run(text=True) reads a child's output; bytes that
    # are not UTF-8 come through (as surrogates) for the test to see.
    text = buffer.getvalue().decode("utf-8", errors="surrogateescape")
    return text.replace("\r\n", "\n").replace("\r", "\n")


@contextlib.contextmanager
def _standard_streams(
    stdin: io.TextIOWrapper, stdout: io.TextIOWrapper, stderr: io.TextIOWrapper
) -> Iterator[None]:
    saved = sys.stdin, sys.stdout, sys.stderr
    sys.stdin, sys.stdout, sys.stderr = stdin, stdout, stderr
    try:
        yield
    finally:
        sys.stdin, sys.stdout, sys.stderr = saved


@contextlib.contextmanager
def _environment(additions: Mapping[str, str]) -> Iterator[None]:
    saved = {name: os.environ.get(name) for name in additions}
    os.environ.update(additions)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


@contextlib.contextmanager
def _logging_and_hooks_restored() -> Iterator[None]:
    """The CLI sets up the app's logger (a log file in the data dir) and the exception
    hooks for its process; a test process gets its own back, and the file closed."""
    from desktop_agent.config.log_setup import LOGGER_NAME

    logger = logging.getLogger(LOGGER_NAME)
    handlers, level, propagate = list(logger.handlers), logger.level, logger.propagate
    hooks = sys.excepthook, threading.excepthook
    try:
        yield
    finally:
        sys.excepthook, threading.excepthook = hooks
        for handler in list(logger.handlers):
            if handler not in handlers:
                logger.removeHandler(handler)
                handler.close()
        for handler in handlers:
            if handler not in logger.handlers:
                logger.addHandler(handler)
        logger.setLevel(level)
        logger.propagate = propagate
