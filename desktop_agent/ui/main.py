"""Start the window: QApplication, the store, the main window; `--smoke` checks it paints."""

from __future__ import annotations

import logging
import os
import sys
import threading
import time
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QEventLoop, QObject, QTimer
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QWidget

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from desktop_agent.ui.main_window import MainWindow

log = logging.getLogger(__name__)

SMOKE_TIMEOUT_MS = 20_000
# How long a start waits for the frame to paint before opening the store anyway (a
# window that is not exposed, e.g. started minimised, may not paint at all).
FRAME_WAIT_MS = 1_000
# Benchmarks set this to read the first-paint moment (time.monotonic(), system-wide on Linux).
PAINT_CLOCK_ENV = "DESKTOP_AGENT_PRINT_PAINT_CLOCK"


class FirstPaintWatcher(QObject):
    """Notes when `window` first paints, then calls `on_painted` once the whole frame is
    done (a zero-timer runs after the paint events of that pass).

    It watches the window alone: a top-level window is sent a paint event whenever its
    whole area is painted (on show, after update()). An application-wide filter would
    see every internal object too (layouts, extension buttons, the QWindow), and
    PySide6 would set up most of QtWidgets' classes to find their Python types: 164
    enum types built before the first frame, ~50 ms here."""

    def __init__(self, window: QWidget, on_painted: Callable[[], None]) -> None:
        super().__init__(window)
        self._window = window
        self._on_painted = on_painted
        self.painted_at: float | None = None
        window.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if self.painted_at is None and event.type() == QEvent.Type.Paint:
            self.painted_at = 0.0
            QTimer.singleShot(0, self._done)
        return False

    def _done(self) -> None:
        self.painted_at = time.monotonic()
        self._window.removeEventFilter(self)
        self._on_painted()


def create_application(argv: list[str] | None = None) -> QApplication:
    from desktop_agent import APP_ID, APP_NAME, __version__
    from desktop_agent.ui.theme import apply_system_theme

    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(argv or [sys.argv[0]])
    app.setApplicationName(APP_ID)
    app.setApplicationDisplayName(APP_NAME)
    app.setApplicationVersion(__version__)
    app.setOrganizationName(APP_ID)
    app.setDesktopFileName(APP_ID)
    icon = _app_icon()
    if icon is not None:
        app.setWindowIcon(icon)
    apply_system_theme(app)
    return app


def _app_icon() -> QIcon | None:
    """The app icon at every shipped size (None if the resources are missing)."""
    from desktop_agent import assets

    try:
        paths = [assets.icon_png(size) for size in assets.ICON_SIZES]
    except FileNotFoundError:
        return None
    icon = QIcon()
    for path in paths:
        icon.addFile(str(path))
    return None if icon.isNull() else icon


NO_DISPLAY = (
    "Desktop Agent needs a graphical display, and none is set (DISPLAY / WAYLAND_DISPLAY). "
    "The command line works without one: desktop-agent --help"
)


def _display_available() -> bool:
    """On Linux without X11 or Wayland, Qt would abort the process; say why instead."""
    if not sys.platform.startswith("linux") or os.environ.get("QT_QPA_PLATFORM"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def run_gui(data_dir: str | None, *, smoke: bool) -> int:
    """Open the window (the CLI calls this with no subcommand). Returns the exit code."""
    if not _display_available():
        if not smoke:
            print(NO_DISPLAY, file=sys.stderr)
            return 1
        # --smoke checks that the window can paint (CI, packaged builds): offscreen will do.
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    app = create_application()
    from desktop_agent.config.paths import resolve_data_dir
    from desktop_agent.ui.main_window import MainWindow

    # The frame (geometry, menus, "Loading…") paints first; the store opens after it.
    window = MainWindow(data_dir=resolve_data_dir(data_dir))
    try:
        return _run_window(app, window, data_dir, smoke=smoke)
    finally:
        if smoke:
            window.deleteLater()  # run in-process (tests): the window must not outlive it


def _run_window(app: QApplication, window: MainWindow, data_dir: str | None, *, smoke: bool) -> int:
    painted_at = _show_until_painted(app, window, SMOKE_TIMEOUT_MS if smoke else FRAME_WAIT_MS)
    if smoke and painted_at is None:
        window.close()
        print("error: the main window did not paint", file=sys.stderr)
        return 2
    if smoke and os.environ.get(PAINT_CLOCK_ENV):
        print(f"first-paint {painted_at:.6f}", flush=True)

    from desktop_agent.domain.errors import InvalidInputError
    from desktop_agent.services.app_context import open_app
    from desktop_agent.store.errors import StoreError

    try:
        # The integrity check after an unclean exit waits until the window has painted.
        # An unreachable team store is no start-up error: the window opens offline and
        # recovers by itself (ui/store_link.py); a refusal (password, role, schema) is.
        context = open_app(data_dir, defer_check=True, offline_ok=True)
    except (InvalidInputError, StoreError, OSError) as exc:
        log.error("cannot start: %s", exc)
        if smoke:
            print(f"error: {exc}", file=sys.stderr)
        else:
            from desktop_agent.ui.plain import show_plain_error

            show_plain_error(window, app.tr("Desktop Agent cannot start"), str(exc))
        window.close()
        return 1

    from desktop_agent.ui.worker import worker_pool

    pool = worker_pool()  # joined on aboutToQuit, and below for --smoke (no exec loop)
    hooks = (sys.excepthook, threading.excepthook)
    try:
        window.attach(context)
        _install_crash_dialog(context.data_dir)
        if smoke:
            return _smoke(app, window)
        return int(app.exec())
    finally:
        pool.join()
        sys.excepthook, threading.excepthook = hooks
        context.close()


def _show_until_painted(app: QApplication, window: QWidget, timeout_ms: int) -> float | None:
    """Show the window and run events until its first frame is painted; returns that
    moment (time.monotonic()), or None if it did not paint within `timeout_ms`."""
    # A local event loop, and no quit-on-last-window: QApplication.quit() outside
    # app.exec() leaves Qt's "quit now" flag set, and every later QEventLoop in the
    # process (a test run's waits, for one) would then return at once.
    quit_on_close = app.quitOnLastWindowClosed()
    app.setQuitOnLastWindowClosed(False)
    loop = QEventLoop()
    watcher = FirstPaintWatcher(window, loop.quit)
    timeout = QTimer()
    timeout.setSingleShot(True)
    timeout.timeout.connect(loop.quit)
    timeout.start(timeout_ms)
    window.show()
    if watcher.painted_at is None:
        loop.exec()
    timeout.stop()
    app.setQuitOnLastWindowClosed(quit_on_close)
    return watcher.painted_at or None


def _install_crash_dialog(data_dir: Path) -> None:
    from desktop_agent.config.log_setup import install_excepthooks, log_path
    from desktop_agent.ui.crash_dialog import CrashReporter
    from desktop_agent.ui.disk_watch import claim_disk_full

    reporter = CrashReporter(log_path(data_dir), QApplication.instance())
    # A synchronous write in a slot that meets a full disk ends here: read-only, no crash.
    install_excepthooks(reporter.report, handled=claim_disk_full)


def _smoke(app: QApplication, window: MainWindow) -> int:
    """The full window (store open, content in place) must paint too, with real fonts."""
    app.setQuitOnLastWindowClosed(False)  # see _show_until_painted
    loop = QEventLoop()
    painted: list[bool] = []

    def on_painted() -> None:
        painted.append(True)
        loop.quit()

    FirstPaintWatcher(window, on_painted)
    timeout = QTimer()
    timeout.setSingleShot(True)
    timeout.timeout.connect(loop.quit)
    timeout.start(SMOKE_TIMEOUT_MS)
    window.update()
    if not painted:
        loop.exec()
    timeout.stop()
    if not painted:
        window.close()
        print("error: the main window did not paint its content", file=sys.stderr)
        return 2
    if not real_fonts_available():
        window.close()
        print(
            "error: no fonts found: Qt cannot render text on this system "
            "(install a font package such as fonts-dejavu-core)",
            file=sys.stderr,
        )
        return 2
    extra = _bench_hook(window)
    window.close()
    if extra:
        print(extra)
    print("smoke ok")
    return 0


# fontconfig reports these aliases even when no font file exists at all.
_GENERIC_FAMILIES = frozenset({"Sans Serif", "Serif", "Monospace", "Sans", "Mono", "System-ui"})


def real_fonts_available() -> bool:
    """True when an actual font backs the UI: a window of blank boxes must not pass."""
    from PySide6.QtGui import QFontDatabase, QFontInfo

    families = set(QFontDatabase.families()) - _GENERIC_FAMILIES
    return bool(families) and bool(QFontInfo(QApplication.font()).family())


def _bench_hook(window: MainWindow) -> str:
    """Figures a benchmark asks for by environment (resident memory after first paint)."""
    if not os.environ.get(PAINT_CLOCK_ENV):
        return ""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    return f"rss-kb {int(line.split()[1])}"
    except OSError:
        return ""
    return ""
