"""Reading an export on a thread of its own while the caller writes to the store.

Parsing (building Python objects from JSON) holds the GIL; SQLite's inserts and the
full-text indexing release it, so on two cores reading the next conversations while
the previous ones are written roughly halves an import's time. The queue is bounded:
memory stays at a few conversations however big the file is.
"""

from __future__ import annotations

import queue
import threading
from dataclasses import dataclass, replace
from typing import IO, TYPE_CHECKING

from desktop_agent.domain.errors import InvalidInputError
from desktop_agent.domain.importers.formats import (
    ExportFormat,
    ExportReadError,
    conversation_identity,
    describe,
    detect_format,
    iter_items,
    parse_conversation,
    ratings_by_conversation,
)

if TYPE_CHECKING:
    from collections.abc import Iterator

    from desktop_agent.domain.importers.tree import ImportedConversation
    from desktop_agent.services.export_files import ExportBundle

_QUEUE_SIZE = 64
_END = object()


@dataclass(frozen=True)
class ReadItem:
    """One conversation read from the export: parsed, or the reason it cannot be."""

    app: str
    bytes_done: int  # of the whole bundle, for progress
    conversation: ImportedConversation | None
    source_id: str = ""
    title: str = ""
    reason: str = ""
    unchanged_session: str = ""  # the session it was imported as, when nothing changed


@dataclass(frozen=True)
class PartProblem:
    """A part stopped being readable; conversations before it were delivered."""

    message: str


class _CountingReader:
    """A byte stream that tells how far it has been read."""

    def __init__(self, stream: IO[bytes]) -> None:
        self._stream = stream
        self.done = 0

    def read(self, size: int = -1) -> bytes:
        data = self._stream.read(size)
        self.done += len(data)
        return data

    def peek(self, size: int = 0) -> bytes:
        peek = getattr(self._stream, "peek", None)
        return peek(size) if peek is not None else b""


class ExportReader:
    """Iterate ReadItem / PartProblem in export order; `close()` stops the thread."""

    def __init__(
        self,
        bundle: ExportBundle,
        ratings: dict[tuple[str, str], int],
        known: dict[tuple[str, str], tuple[str, str]],
    ) -> None:
        self._bundle = bundle
        self._ratings = ratings
        self._rated = ratings_by_conversation(ratings)
        self._known = known  # (app, source id) -> (version, session id), read-only here
        self._queue: queue.Queue[object] = queue.Queue(maxsize=_QUEUE_SIZE)
        self._stopping = threading.Event()
        self.format: ExportFormat | None = None
        self._thread = threading.Thread(target=self._read, name="export-reader", daemon=True)
        self._thread.start()

    def __iter__(self) -> Iterator[ReadItem | PartProblem]:
        while True:
            item = self._queue.get()
            if item is _END:
                return
            if isinstance(item, BaseException):
                raise item
            assert isinstance(item, ReadItem | PartProblem)
            yield item

    def pending(self) -> bool:
        return not self._queue.empty()

    def close(self) -> None:
        self._stopping.set()
        while self._thread.is_alive():
            try:  # unblock a put() waiting on a full queue
                self._queue.get(timeout=0.05)
            except queue.Empty:
                pass
        self._thread.join()

    def _put(self, item: object) -> bool:
        while not self._stopping.is_set():
            try:
                self._queue.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def _read(self) -> None:
        try:
            done_before = 0
            for part in self._bundle.parts:
                with part.open() as raw:
                    stream = _CountingReader(raw)
                    if not self._read_part(part.name, stream, done_before):
                        return
                done_before += part.size
            self._put(_END)
        except BaseException as exc:  # noqa: BLE001 - handed to the consuming thread
            self._put(exc)

    def _read_part(self, name: str, stream: _CountingReader, done_before: int) -> bool:
        try:
            for index, raw in enumerate(iter_items(stream)):  # type: ignore[arg-type]
                if self._stopping.is_set():
                    return False
                if self.format is None:
                    try:
                        self.format = detect_format(raw)
                    except InvalidInputError as exc:
                        raise InvalidInputError(f"{name}: {exc}") from None
                if not self._put(self._parse(self.format, raw, index, done_before + stream.done)):
                    return False
        except ExportReadError as exc:
            return self._put(PartProblem(f"{name}: {exc}"))
        return True

    def _parse(self, fmt: ExportFormat, raw: object, index: int, done: int) -> ReadItem:
        identity = conversation_identity(fmt, raw, self._rated)
        version = ""
        if identity is not None:
            source_id, version = identity
            stored_version, session_id = self._known.get((fmt.app, source_id), ("", ""))
            if stored_version == version:  # the same as last time: no need for the tree
                _ident, title = describe(raw)
                return ReadItem(fmt.app, done, None, source_id, title, "", session_id)
        try:
            parsed = parse_conversation(fmt, raw, self._ratings)
            return ReadItem(fmt.app, done, replace(parsed, version=version))
        except InvalidInputError as exc:
            source_id, title = describe(raw)
            return ReadItem(
                fmt.app, done, None, source_id, title or f"conversation {index + 1}", str(exc)
            )
