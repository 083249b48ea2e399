"""Reading an export one conversation at a time, in the importing thread.

Parsing holds the GIL, so a reading thread beside the writer would not run in parallel:
measured here, one made the import slower (each return from SQLite's C code waited for
the reader to hand the GIL back) than reading in the writer's own pauses, which it takes
anyway to leave the write lock free for other processes (see services.importing).
"""

from __future__ import annotations

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
    from collections.abc import Generator, Iterator

    from desktop_agent.domain.importers.tree import ImportedConversation
    from desktop_agent.services.export_files import ExportBundle


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
    """Iterate ReadItem / PartProblem in export order; only the conversation being
    parsed is in memory, however big the file is."""

    def __init__(
        self,
        bundle: ExportBundle,
        ratings: dict[tuple[str, str], int],
        known: dict[tuple[str, str], tuple[str, str]],
    ) -> None:
        self._bundle = bundle
        self._ratings = ratings
        self._rated = ratings_by_conversation(ratings)
        self._known = known  # (app, source id) -> (version, session id)
        self.format: ExportFormat | None = None

    def items(self) -> Generator[ReadItem | PartProblem, None, None]:
        """The items; close() the generator to stop early (it closes the open part)."""
        done_before = 0
        for part in self._bundle.parts:
            with part.open() as raw:
                yield from self._read_part(part.name, _CountingReader(raw), done_before)
            done_before += part.size

    def _read_part(
        self, name: str, stream: _CountingReader, done_before: int
    ) -> Iterator[ReadItem | PartProblem]:
        try:
            for index, raw in enumerate(iter_items(stream)):  # type: ignore[arg-type]
                if self.format is None:
                    try:
                        self.format = detect_format(raw)
                    except InvalidInputError as exc:
                        raise InvalidInputError(f"{name}: {exc}") from None
                yield self._parse(self.format, raw, index, done_before + stream.done)
        except ExportReadError as exc:
            yield PartProblem(f"{name}: {exc}")

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
