"""Importing other apps' exports (ChatGPT, Claude.ai, Open WebUI) into sessions.

The export is read one conversation at a time and each conversation is saved in its own
transaction: memory stays bounded on a gigabyte file, another process streaming a reply
waits only milliseconds for the write lock, and Cancel keeps every conversation already
finished and never half of one. A broken conversation is skipped and reported.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from desktop_agent.domain.errors import InvalidInputError
from desktop_agent.domain.importers import chatgpt
from desktop_agent.domain.importers.formats import (
    ExportFormat,
    ExportReadError,
    describe,
    detect_format,
    iter_items,
    parse_conversation,
)
from desktop_agent.services.export_files import ExportBundle, open_bundle
from desktop_agent.store import import_sources
from desktop_agent.store.agents import DEFAULT_AGENT, DEFAULT_USER

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Sequence
    from pathlib import Path
    from typing import IO

NEW, UPDATED, UNCHANGED, SKIPPED = "new", "updated", "unchanged", "skipped"
OUTCOMES = (NEW, UPDATED, UNCHANGED, SKIPPED)


@dataclass(frozen=True)
class ConversationOutcome:
    app: str
    source_id: str
    title: str
    outcome: str  # one of OUTCOMES
    session_id: str | None = None
    messages_added: int = 0
    ratings_added: int = 0
    reason: str = ""  # why a conversation was skipped

    def to_json(self) -> dict[str, object]:
        return {
            "app": self.app,
            "source_id": self.source_id,
            "title": self.title,
            "outcome": self.outcome,
            "session_id": self.session_id,
            "messages_added": self.messages_added,
            "ratings_added": self.ratings_added,
            "reason": self.reason,
        }


@dataclass(frozen=True)
class ImportProgress:
    part: str
    bytes_done: int
    bytes_total: int
    conversations: int
    messages: int

    @property
    def fraction(self) -> float:
        return min(1.0, self.bytes_done / self.bytes_total) if self.bytes_total else 0.0


@dataclass
class ImportReport:
    files: list[str]
    app: str = ""  # the format detected ("chatgpt", "claude", "openwebui")
    conversations: list[ConversationOutcome] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # a part that could not be read
    cancelled: bool = False
    seconds: float = 0.0

    def count(self, outcome: str) -> int:
        return sum(1 for c in self.conversations if c.outcome == outcome)

    @property
    def messages_added(self) -> int:
        return sum(c.messages_added for c in self.conversations)

    @property
    def imported_anything(self) -> bool:
        """False only when nothing could be imported: every conversation was skipped."""
        return any(c.outcome != SKIPPED for c in self.conversations)

    def summary(self) -> str:
        counts = ", ".join(f"{self.count(o)} {o}" for o in OUTCOMES)
        head = f"{len(self.conversations)} conversations: {counts}; "
        head += f"{self.messages_added:,} messages added"
        return head + (" (cancelled)" if self.cancelled else "")

    def to_json(self) -> dict[str, object]:
        return {
            "files": self.files,
            "app": self.app,
            "cancelled": self.cancelled,
            "counts": {o: self.count(o) for o in OUTCOMES},
            "messages_added": self.messages_added,
            "problems": self.problems,
            "conversations": [c.to_json() for c in self.conversations],
        }


class _CountingReader:
    """A byte stream that tells how far it has been read (for the progress bar)."""

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


def import_exports(
    paths: Sequence[str | Path],
    *,
    agent: str = DEFAULT_AGENT,
    user: str = DEFAULT_USER,
    progress: Callable[[ImportProgress], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> ImportReport:
    """Import every conversation of these exports; raises InvalidInputError only when the
    files themselves are not an export of a known app (nothing was changed then)."""
    started = time.monotonic()
    report = ImportReport(files=[str(p) for p in paths])
    bundle = open_bundle(paths)
    try:
        owner = import_sources.resolve_owner(agent, user)
        ratings = chatgpt.ratings_from_feedback(bundle.feedback)
        _run(bundle, report, owner, ratings, progress, cancelled or (lambda: False))
    finally:
        bundle.close()
    report.seconds = time.monotonic() - started
    return report


def _run(
    bundle: ExportBundle,
    report: ImportReport,
    owner: import_sources.Owner,
    ratings: dict[tuple[str, str], int],
    progress: Callable[[ImportProgress], None] | None,
    cancelled: Callable[[], bool],
) -> None:
    fmt: ExportFormat | None = None
    done_before, messages = 0, 0
    for part in bundle.parts:
        with part.open() as raw_stream:
            stream = _CountingReader(raw_stream)
            items = _items(stream, part.name)
            for index, raw in enumerate(items):
                if fmt is None:
                    fmt = _detect(raw, part.name)
                    report.app = fmt.app
                if cancelled():
                    report.cancelled = True
                    return
                outcome = _import_one(fmt, raw, index, owner, ratings)
                report.conversations.append(outcome)
                messages += outcome.messages_added
                if progress is not None:
                    progress(
                        ImportProgress(
                            part.name,
                            done_before + stream.done,
                            bundle.total_bytes,
                            len(report.conversations),
                            messages,
                        )
                    )
            if items.problem:
                report.problems.append(items.problem)
        done_before += part.size
    if fmt is None and not report.problems:
        raise InvalidInputError(f"{', '.join(report.files)}: the export holds no conversations")
    if not report.conversations and report.problems:
        raise InvalidInputError("; ".join(report.problems))


class _Items:
    """The part's items; a read error ends them and is kept as the part's problem."""

    def __init__(self, stream: _CountingReader, name: str) -> None:
        self._stream, self._name = stream, name
        self.problem = ""

    def __iter__(self) -> Iterator[object]:
        try:
            yield from iter_items(self._stream)  # type: ignore[arg-type]
        except ExportReadError as exc:
            self.problem = f"{self._name}: {exc}"


def _items(stream: _CountingReader, name: str) -> _Items:
    return _Items(stream, name)


def _detect(raw: object, name: str) -> ExportFormat:
    try:
        return detect_format(raw)
    except InvalidInputError as exc:
        raise InvalidInputError(f"{name}: {exc}") from None


def _import_one(
    fmt: ExportFormat,
    raw: object,
    index: int,
    owner: import_sources.Owner,
    ratings: dict[tuple[str, str], int],
) -> ConversationOutcome:
    source_id, title = describe(raw)
    try:
        conversation = parse_conversation(fmt, raw, ratings)
    except InvalidInputError as exc:
        return ConversationOutcome(
            fmt.app, source_id, title or f"conversation {index + 1}", SKIPPED, reason=str(exc)
        )
    saved = import_sources.save_conversation(conversation, owner)
    return ConversationOutcome(
        fmt.app,
        conversation.source_id,
        conversation.title,
        saved.status,
        saved.session_id,
        saved.added,
        saved.rated,
    )
