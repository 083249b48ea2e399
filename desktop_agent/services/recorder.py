"""Keep a streaming reply on disk while it streams: the reply loses at most
FLUSH_INTERVAL of text to a kill -9, even when the provider stalls mid-reply."""

from __future__ import annotations

import threading
import time
from typing import TYPE_CHECKING, TypeVar

from desktop_agent.services.connection import store_connection
from desktop_agent.store import messages
from desktop_agent.store.errors import StoreOfflineError

if TYPE_CHECKING:
    from collections.abc import Callable

FLUSH_INTERVAL = 0.2  # seconds; the promise to users is 250 ms
# How long the end of a reply keeps trying while another instance holds the store.
BUSY_PATIENCE_SECONDS = 120.0
# How long the end of a reply keeps trying while the team store's server is unreachable
# (a restart takes a few seconds); past it the reply stays `incomplete` as last flushed.
OFFLINE_PATIENCE_SECONDS = 15.0

T = TypeVar("T")


def is_busy(exc: BaseException) -> bool:
    """Whether `exc` is SQLite's "database is locked/busy" (another writer, past the timeout)."""
    text = str(exc).lower()
    return "database is locked" in text or "database is busy" in text


def is_retryable(exc: BaseException) -> bool:
    """Busy (SQLite, another writer) or offline (a team store's dropped connection): an
    idempotent write is safely tried again later."""
    return is_busy(exc) or isinstance(exc, StoreOfflineError)


def when_free(action: Callable[[], T], patience: float = BUSY_PATIENCE_SECONDS) -> T:
    """`action()` (idempotent), retried while the store is busy with another instance's
    writes, or for a while when a team store's connection dropped (each retry reconnects)."""
    started = time.monotonic()
    delay = 0.05
    while True:
        try:
            return action()
        except Exception as exc:
            waited = time.monotonic() - started
            offline = isinstance(exc, StoreOfflineError)
            if not is_retryable(exc) or waited > (
                OFFLINE_PATIENCE_SECONDS if offline else patience
            ):
                raise
        time.sleep(delay)
        delay = min(delay * 2, 1.0)


class ReplyRecorder:
    """Collects deltas and commits the text so far at most every FLUSH_INTERVAL.

    A small ticker thread flushes pending text when no chunk arrives: flushing only
    on the next chunk would leave text unsaved for as long as the provider stalls.
    """

    def __init__(self, message_id: int, initial: str = "") -> None:
        self.message_id = message_id
        self._parts: list[str] = [initial] if initial else []
        self._saved_length = len(initial)
        self._length = len(initial)
        self._lock = threading.Lock()
        self._last_flush = time.monotonic()
        self._stop = threading.Event()
        self._ticker = threading.Thread(target=self._tick, name="reply-recorder", daemon=True)
        self._ticker.start()

    @property
    def text(self) -> str:
        with self._lock:
            return "".join(self._parts)

    def add(self, delta: str) -> None:
        with self._lock:
            self._parts.append(delta)
            self._length += len(delta)
            due = time.monotonic() - self._last_flush >= FLUSH_INTERVAL
        if due:
            self.flush()

    def flush(self) -> None:
        with self._lock:
            if self._length == self._saved_length:
                self._last_flush = time.monotonic()
                return
            text = "".join(self._parts)
            self._parts = [text]
            # Committed under the lock so two flushes never land out of order.
            try:
                messages.update_content(self.message_id, text)
            except Exception as exc:
                if not is_retryable(exc):
                    raise
                # Another instance holds the write lock past the busy timeout, or the team
                # store's connection dropped: the text stays pending and goes with the
                # next flush (which reconnects); the reply is never cut.
                self._last_flush = time.monotonic()
                return
            self._saved_length = len(text)
            self._last_flush = time.monotonic()

    def _tick(self) -> None:
        with store_connection():
            while not self._stop.wait(FLUSH_INTERVAL / 2):
                with self._lock:
                    due = (
                        self._length != self._saved_length
                        and time.monotonic() - self._last_flush >= FLUSH_INTERVAL
                    )
                if due:
                    try:
                        self.flush()
                    except Exception:  # noqa: BLE001 - a full disk; the next write meets it too
                        return  # stop ticking, without a thread traceback on the terminal

    def close(self) -> str:
        """Stop the ticker (joined) and return the full text; the caller finalises it."""
        self._stop.set()
        self._ticker.join()
        return self.text
