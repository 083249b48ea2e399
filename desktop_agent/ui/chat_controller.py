"""Chat intents (send, stop, retry, regenerate, edit, feedback, versions) run off the UI
thread through the worker pool; the reply job yields typed events that come back by
signal into the message model."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal, Slot

from desktop_agent.ui.errors import ErrorKind
from desktop_agent.ui.worker import Worker, worker_pool

if TYPE_CHECKING:
    from collections.abc import Callable, Generator, Sequence

    from desktop_agent.services.app_context import AppContext
    from desktop_agent.services.chat import ChatService, ReplyOutcome
    from desktop_agent.store.records import MessageRecord, WeightEventRecord
    from desktop_agent.ui.disk_watch import DiskWatch
    from desktop_agent.ui.events import StoreEvents
    from desktop_agent.ui.message_model import MessageListModel
    from desktop_agent.ui.store_link import StoreLink


@dataclass(frozen=True)
class UserMessageSaved:
    """The user's message (new, or a new version of it) is on disk."""

    record: MessageRecord
    learned: Sequence[WeightEventRecord] = ()


@dataclass(frozen=True)
class ReplyStarted:
    """The reply's row exists (empty, `incomplete`); deltas follow."""

    record: MessageRecord


@dataclass(frozen=True)
class Delta:
    """A piece of a streamed reply."""

    text: str


@dataclass(frozen=True)
class Note:
    """A remark for the status bar (e.g. the history was summarised)."""

    text: str


ReplyEvent = UserMessageSaved | ReplyStarted | Delta | Note

log = logging.getLogger(__name__)

NOT_CONFIGURED = (
    "No provider is set up yet. Open Settings (Ctrl+,) to enter an API key or the address "
    "of a local server such as Ollama; everything else works without one."
)


def describe_changes(events: Sequence[WeightEventRecord]) -> str:
    if not events:
        return ""
    seen: dict[str, WeightEventRecord] = {}
    for event in events:
        if event.scope == "session":
            seen[event.weight] = event
    parts = [f"{e.weight} {e.old:.2f} → {e.new:.2f}" for e in seen.values()]
    return "Learned: " + ", ".join(parts) if parts else ""


class ChatController(QObject):
    """Runs the chat intents; committed writes are announced on the StoreEvents hub
    (`sessionChanged` when messages change, `weightsChanged` when learning moved weights).

    Signals:
    busyChanged(bool): a reply started or ended.
    errorRaised(str, object): a clear message and its ErrorKind (what the bar offers).
    notice(str): something worth a line in the status bar.
    userPosted(object): the user's message is on disk (the composer may clear).
    """

    busyChanged = Signal(bool)
    errorRaised = Signal(str, object)
    notice = Signal(str)
    userPosted = Signal(object)

    def __init__(
        self,
        context: AppContext,
        model: MessageListModel,
        events: StoreEvents,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._context = context
        self._model = model
        self._events = events
        self._reply: Worker | None = None
        self._reply_session: str | None = None
        self.disk_watch: DiskWatch | None = None  # set by the window: a full disk is not a failure
        # Set by the window: an unreachable team store refuses sends (the text stays).
        self.store_link: StoreLink | None = None
        self._stream_record: MessageRecord | None = None
        self._stream_text: list[str] = []
        self._retry: Callable[[], None] | None = None

    @property
    def busy(self) -> bool:
        return self._reply is not None

    def provider_configured(self) -> bool:
        return self._context.provider().configured

    # -- intents

    def _ready(self) -> bool:
        """No reply running and a provider set up (else say how to set one up)."""
        if self.busy:
            return False
        if not self.provider_configured():
            self.errorRaised.emit(self.tr(NOT_CONFIGURED), ErrorKind.NOT_CONFIGURED)
            return False
        refusal = self.store_link.refusal() if self.store_link is not None else ""
        if refusal:
            self.errorRaised.emit(refusal, ErrorKind.FAILED)
            return False
        return True

    def _reply_job(
        self,
        session_id: str,
        before: Callable[[ChatService], UserMessageSaved] | None = None,
        regenerate_of: int | None = None,
    ) -> Callable[[Worker], Generator[ReplyEvent, None, ReplyOutcome]]:
        """A worker job: `before` (e.g. commit the user's message), then stream a reply."""
        context = self._context

        def job(worker: Worker) -> Generator[ReplyEvent, None, ReplyOutcome]:
            from desktop_agent.services.chat import ReplyRun

            service = context.chat_service()
            try:
                if before is not None:
                    yield before(service)
                run = ReplyRun(service, session_id, regenerate_of=regenerate_of)
                worker.on_cancel(run.cancel)
                # ReplyRun reports by callback, from inside its stream loop.
                return run.run(
                    lambda record: worker.publish(ReplyStarted(record)),
                    lambda text: worker.publish(Delta(text)),
                    lambda text: worker.publish(Note(text)),
                )
            finally:
                service.close()

        return job

    def send(self, session_id: str, text: str) -> bool:
        if not text.strip() or not self._ready():
            return False

        def post(service: ChatService) -> UserMessageSaved:
            user, learned = service.post_user_message(session_id, text)
            return UserMessageSaved(user, tuple(learned))

        self._start_reply(session_id, self._reply_job(session_id, post))
        return True

    def regenerate(self, message_id: int) -> bool:
        """A new version of a reply (earlier versions stay switchable); also Retry."""
        session_id = self._model.session_id
        if session_id is None or not self._ready():
            return False
        self._start_reply(session_id, self._reply_job(session_id, regenerate_of=message_id))
        return True

    def edit_and_resend(self, message_id: int, text: str) -> bool:
        """A new version of the user's message, then a reply to it."""
        session_id = self._model.session_id
        if session_id is None or not text.strip() or not self._ready():
            return False

        def edit(service: ChatService) -> UserMessageSaved:
            from desktop_agent.services import messages

            return UserMessageSaved(messages.edit_user_message(message_id, text))

        self._start_reply(session_id, self._reply_job(session_id, edit))
        return True

    def stop(self) -> None:
        """Cancel the stream; the partial reply is kept (marked incomplete)."""
        if self._reply is not None:
            self._reply.cancel()

    def retry(self) -> bool:
        action, self._retry = self._retry, None
        if action is None:
            return False
        action()
        return True

    def give_feedback(self, message_id: int, rating: int, tags: Sequence[str] = ()) -> None:
        """Quick (a few small commits), so it runs here; learning happens in the service."""
        from desktop_agent.services.learning import give_feedback
        from desktop_agent.services.messages import get_message

        try:
            _record, events = give_feedback(
                message_id,
                rating,
                tags,
                follow_session=self._context.settings.learning.follow_session,
            )
        except (ValueError, LookupError) as exc:
            self.errorRaised.emit(str(exc), ErrorKind.FAILED)
            return
        message = get_message(message_id)
        self._model.update_record(message)
        thanks = (
            self.tr("Thanks — noted.") if rating > 0 else self.tr("Thanks — the agent will adjust.")
        )
        self.notice.emit(describe_changes(events) or thanks)
        if events:
            self._events.weightsChanged.emit(message.session_id)

    def switch_version(self, message_id: int, step: int) -> bool:
        """Show the previous (-1) or next (+1) version of a message; False at either end."""
        from desktop_agent.services import messages

        siblings = messages.versions_of(message_id)
        ids = [m.id for m in siblings]
        if message_id not in ids:
            return False
        target = ids.index(message_id) + step
        if not 0 <= target < len(ids):
            return False
        branch = messages.switch_version(ids[target])
        self._model.replace_tail(branch)
        self._events.sessionChanged.emit(siblings[0].session_id)
        return True

    def shutdown(self) -> None:
        """Closing: stop the stream (the partial reply is saved by the worker, which the
        pool joins on quit) and leave the model idle."""
        self.stop()
        worker_pool().cancel(self)
        if self._reply is not None:
            self._model.end_stream()
            self._reply = None

    # -- the reply worker's events (queued onto this, the UI thread)

    def _start_reply(self, session_id: str, job: Callable[[Worker], object]) -> None:
        self._retry = None
        worker = Worker(job, "reply")
        worker.yielded.connect(self._on_event)
        worker.returned.connect(self._on_returned)
        worker.errored.connect(self._on_errored)
        self._reply = worker
        self._reply_session = session_id
        self._stream_record = None
        self._stream_text = []
        self.busyChanged.emit(True)
        worker_pool().start(worker, owner=self)

    @Slot(object)
    def _on_event(self, event: ReplyEvent) -> None:
        if isinstance(event, Delta):
            # Kept whole, so a return to this session mid-reply shows every character.
            self._stream_text.append(event.text)
            self._model.add_delta(event.text)
        elif isinstance(event, ReplyStarted):
            self._stream_record = event.record
            self._model.begin_stream(event.record)
        elif isinstance(event, UserMessageSaved):
            self._on_user_saved(event)
        elif isinstance(event, Note) and event.text:
            self.notice.emit(event.text)

    def _on_user_saved(self, event: UserMessageSaved) -> None:
        record = event.record
        if record.version_count > 1:
            self._model.replace_from(record)
        else:
            self._model.append_record(record)
        self.userPosted.emit(record)
        self._events.sessionChanged.emit(record.session_id)
        if event.learned:
            self.notice.emit(describe_changes(event.learned))
            self._events.weightsChanged.emit(record.session_id)

    def reattach_stream(self) -> None:
        """After the model loaded a session: if its reply is still streaming, show it live."""
        record = self._stream_record
        if self._reply is not None and record is not None:
            self._model.resume_stream(record, "".join(self._stream_text))

    @Slot(object)
    def _on_returned(self, outcome: ReplyOutcome) -> None:
        if self._reply is None:
            return  # shut down while the reply ended
        self._model.end_stream(outcome.message)
        session_id = self._reply_session
        self._reply = None
        self._reply_session = None
        self.busyChanged.emit(False)
        if outcome.error is not None:
            log.warning("reply %s ended with an error: %r", outcome.message.id, outcome.error)
        if outcome.error is not None and session_id != self._model.session_id:
            # The user moved to another conversation: Retry there would regenerate this
            # reply from the wrong history, so only say what happened.
            self.notice.emit(self.tr("A reply in another conversation failed: %s") % outcome.error)
        elif outcome.error is not None:
            failed_id = outcome.message.id
            self._retry = lambda: self._retry_reply(failed_id)
            self.errorRaised.emit(str(outcome.error), ErrorKind.RETRYABLE)
        if session_id:
            self._events.sessionChanged.emit(session_id)

    def _retry_reply(self, message_id: int) -> None:
        self.regenerate(message_id)

    @Slot(object)
    def _on_errored(self, exc: BaseException) -> None:
        if self._reply is None:
            return
        self._model.end_stream()
        session_id = self._reply_session
        self._reply = None
        self._reply_session = None
        self.busyChanged.emit(False)
        if self.store_link is not None:
            self.store_link.report(exc)  # offline: the window says so and probes
        if self.disk_watch is None or not self.disk_watch.report(exc):
            self.errorRaised.emit(str(exc) or type(exc).__name__, ErrorKind.FAILED)
        if session_id:
            self._events.sessionChanged.emit(session_id)
