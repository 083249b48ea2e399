"""Importing other apps' exports (ChatGPT, Claude.ai, Open WebUI) into sessions.

The export is read one conversation at a time and each conversation is saved in its own
transaction: memory stays bounded on a gigabyte file, another process streaming a reply
waits only milliseconds for the write lock, and Cancel keeps every conversation already
finished and never half of one. A broken conversation is skipped and reported.
"""

from __future__ import annotations

import contextlib
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from desktop_agent.domain.errors import InvalidInputError
from desktop_agent.domain.importers import chatgpt
from desktop_agent.services.export_files import ExportBundle, open_bundle
from desktop_agent.services.import_reader import ExportReader, PartProblem, ReadItem
from desktop_agent.store import agents, import_sources
from desktop_agent.store.agents import DEFAULT_AGENT, DEFAULT_USER

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence
    from pathlib import Path

NEW, UPDATED, UNCHANGED, SKIPPED = "new", "updated", "unchanged", "skipped"
OUTCOMES = (NEW, UPDATED, UNCHANGED, SKIPPED)
# Conversations are written in groups of about this many messages: one transaction per
# group keeps the write lock for tens of milliseconds, and commits stay few.
BATCH_MESSAGES = 500
FLUSH_SECONDS = 0.25  # a slow read (a zip, huge conversations) still shows progress
# SQLite has no queue for its write lock: a writer that waits retries after 1, 2, 5, 10…
# 100 ms, and an import that starts its next transaction at once can beat it every time
# (measured: another process waited 6 s). After each transaction the import leaves the
# lock free for a while, proportional to how long it held it, so a waiting writer's next
# retry finds it free. The pause may grow to SQLite's longest retry interval (100 ms):
# on a loaded machine a 25 ms budget stretches to ~200 ms of wall time, and a 30 ms pause
# after it let a waiter that was down to one retry per 100 ms miss it (695 ms waits).
TRANSACTION_SECONDS = 0.025  # a transaction takes no new conversation after this long
YIELD_SHARE = 0.5
YIELD_MIN_SECONDS = 0.003
YIELD_MAX_SECONDS = 0.1


@dataclass(frozen=True)
class ConversationOutcome:
    """What an import did with one conversation."""

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
    """How far an import has got, for the progress bar."""

    bytes_done: int
    bytes_total: int
    conversations: int
    messages: int

    @property
    def fraction(self) -> float:
        return min(1.0, self.bytes_done / self.bytes_total) if self.bytes_total else 0.0


@dataclass
class ImportReport:
    """What an import did, conversation by conversation."""

    files: list[str]
    app: str = ""  # the format detected ("chatgpt", "claude", "openwebui")
    conversations: list[ConversationOutcome] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # a part that could not be read
    cancelled: bool = False
    seconds: float = 0.0
    longest_write_ms: float = 0.0  # the longest transaction (how long others could wait)

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


def import_exports(
    paths: Sequence[str | Path],
    *,
    agent: str = DEFAULT_AGENT,
    user: str = DEFAULT_USER,
    progress: Callable[[ImportProgress], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
    learn_from_ratings: bool = False,
) -> ImportReport:
    """Import every conversation of these exports; raises InvalidInputError only when the
    files themselves are not an export of a known app (nothing was changed then).

    The other app's ratings become thumbs on the imported replies; they move the
    sessions' weights only with `learn_from_ratings`."""
    learn = learn_from_ratings
    started = time.monotonic()
    report = ImportReport(files=[str(p) for p in paths])
    bundle = open_bundle(paths)
    try:
        owner = import_sources.resolve_owner(agent, agents.owner_of_import(user))
        ratings = chatgpt.ratings_from_feedback(bundle.feedback)
        _run(bundle, report, owner, ratings, progress, cancelled or (lambda: False), learn)
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
    learn: bool,
) -> None:
    items = ExportReader(bundle, ratings, import_sources.known_versions()).items()
    pacing = _Pacing()
    batch: list[ReadItem] = []
    batch_messages = 0
    messages = 0
    flushed = time.monotonic()
    try:
        for item in items:
            if isinstance(item, PartProblem):
                report.problems.append(item.message)
                continue
            report.app = item.app
            if cancelled():
                report.cancelled = True
                return  # the unwritten batch is dropped whole: no half conversation
            batch.append(item)
            if item.conversation is not None:
                batch_messages += len(item.conversation.messages)
            if batch_messages >= BATCH_MESSAGES or time.monotonic() - flushed >= FLUSH_SECONDS:
                messages += _write(batch, owner, report, learn, pacing)
                batch, batch_messages, flushed = [], 0, time.monotonic()
                _tell(progress, bundle, item, report, messages)
        if batch and not cancelled():
            messages += _write(batch, owner, report, learn, pacing)
            _tell(progress, bundle, batch[-1], report, messages)
        elif batch:
            report.cancelled = True
    finally:
        items.close()  # closes the part being read
        # Only frees memory: a failure here must not hide the error that ended the import.
        with contextlib.suppress(Exception):
            import_sources.unstage()
    if not report.conversations and not report.problems and not report.cancelled:
        raise InvalidInputError(f"{', '.join(report.files)}: the export holds no conversations")
    if not report.conversations and report.problems:
        raise InvalidInputError("; ".join(report.problems))


class _Pacing:
    """When the next transaction may start: after each one the write lock stays free for
    a share of how long it was held. The import reads and parses the next conversations
    in that pause, so leaving the lock free costs it little time."""

    def __init__(self) -> None:
        self._free_until = 0.0

    def wait(self) -> None:
        pause = self._free_until - time.monotonic()
        if pause > 0:
            time.sleep(pause)

    def released(self, held: float) -> None:
        pause = min(YIELD_MAX_SECONDS, max(YIELD_MIN_SECONDS, held * YIELD_SHARE))
        self._free_until = time.monotonic() + pause


def _tell(
    progress: Callable[[ImportProgress], None] | None,
    bundle: ExportBundle,
    item: ReadItem,
    report: ImportReport,
    messages: int,
) -> None:
    if progress is not None:
        progress(
            ImportProgress(item.bytes_done, bundle.total_bytes, len(report.conversations), messages)
        )


def _learn_from(rated: list[tuple[int, int]]) -> None:
    """The other app's thumbs, learned as if given here (only when the user asked): the
    stored rating is taken back and given again through the learning service."""
    from desktop_agent.services import learning
    from desktop_agent.store import messages

    for message_id, rating in rated:
        messages.clear_feedback(message_id)
        learning.give_feedback(message_id, rating, (), follow_session=True)


def _write(
    batch: list[ReadItem],
    owner: import_sources.Owner,
    report: ImportReport,
    learn: bool,
    pacing: _Pacing,
) -> int:
    """Short transactions (TRANSACTION_SECONDS each, paced) for a few conversations,
    each in its own savepoint."""
    pending = [item.conversation for item in batch if item.conversation is not None]
    staged = import_sources.stage(pending)  # in the pause: it takes no lock
    saved: list[import_sources.SavedConversation | str] = []
    while pending:
        pacing.wait()
        started = time.monotonic()
        done = import_sources.save_conversations(
            pending, owner, budget_seconds=TRANSACTION_SECONDS, staged=staged
        )
        held = time.monotonic() - started
        pacing.released(held)
        report.longest_write_ms = max(report.longest_write_ms, held * 1000)
        saved += done
        pending, staged = pending[len(done) :], staged[len(done) :]
    added = 0
    results = iter(saved)
    for item in batch:
        conversation = item.conversation
        if item.unchanged_session:
            outcome = ConversationOutcome(
                item.app, item.source_id, item.title, UNCHANGED, item.unchanged_session
            )
        elif conversation is None:
            outcome = ConversationOutcome(
                item.app, item.source_id, item.title, SKIPPED, reason=item.reason
            )
        else:
            result = next(results)
            if isinstance(result, str):
                outcome = ConversationOutcome(
                    item.app, conversation.source_id, conversation.title, SKIPPED, reason=result
                )
            else:
                outcome = ConversationOutcome(
                    item.app,
                    conversation.source_id,
                    conversation.title,
                    result.status,
                    result.session_id,
                    result.added,
                    len(result.rated),
                )
                if learn:
                    _learn_from(result.rated)
        added += outcome.messages_added
        report.conversations.append(outcome)
    return added


def reasoning_of(message_ids: list[int]) -> dict[int, str]:
    """The thoughts an imported reply was folded with (kept apart from its words, which
    are what a model is sent), by message id; messages without any are left out."""
    notes = import_sources.notes_for(message_ids)
    return {message_id: note.reasoning for message_id, note in notes.items() if note.reasoning}
