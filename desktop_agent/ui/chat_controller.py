"""Chat intents (send, stop, retry, regenerate, edit, feedback, versions) run off the UI
thread through one WorkerRunner; results come back by signals into the message model."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal, Slot

from desktop_agent.ui.worker import Worker, WorkerRunner

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from desktop_agent.services.app_context import AppContext
    from desktop_agent.services.chat import ChatService, ReplyOutcome
    from desktop_agent.store.records import MessageRecord, WeightEventRecord
    from desktop_agent.ui.message_model import MessageListModel

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
    """Signals:
    busyChanged(bool): a reply started or ended.
    errorRaised(str, bool): a clear message, and whether Retry makes sense.
    notice(str): something worth a line in the status bar.
    userPosted(object): the user's message is on disk (the composer may clear).
    sessionTouched(str): a session's activity changed (the list re-sorts).
    weightsChanged(str): a session's weights moved (learning).
    """

    busyChanged = Signal(bool)
    errorRaised = Signal(str, bool)
    notice = Signal(str)
    userPosted = Signal(object)
    sessionTouched = Signal(str)
    weightsChanged = Signal(str)

    def __init__(
        self, context: AppContext, model: MessageListModel, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self._context = context
        self._model = model
        self._runner = WorkerRunner(self)
        self._reply: Worker | None = None
        self._reply_session: str | None = None
        self._stream_record: MessageRecord | None = None
        self._stream_text: list[str] = []
        self._retry: Callable[[], None] | None = None

    @property
    def busy(self) -> bool:
        return self._reply is not None

    @property
    def runner(self) -> WorkerRunner:
        return self._runner

    def provider_configured(self) -> bool:
        return self._context.provider().configured

    # -- intents

    def _ready(self) -> bool:
        """No reply running and a provider set up (else say how to set one up)."""
        if self.busy:
            return False
        if not self.provider_configured():
            self.errorRaised.emit(NOT_CONFIGURED, False)
            return False
        return True

    def _reply_job(
        self,
        session_id: str,
        before: Callable[[ChatService, Worker], None] | None = None,
        regenerate_of: int | None = None,
    ) -> Callable[[Worker], ReplyOutcome]:
        """A worker job: `before` (e.g. commit the user's message), then stream a reply."""
        context = self._context

        def job(worker: Worker) -> ReplyOutcome:
            from desktop_agent.services.chat import ReplyRun

            service = context.chat_service()
            try:
                if before is not None:
                    before(service, worker)
                run = ReplyRun(service, session_id, regenerate_of=regenerate_of)
                worker.on_cancel(run.cancel)
                return run.run(worker.started.emit, worker.delta.emit, worker.note.emit)
            finally:
                service.close()

        return job

    def send(self, session_id: str, text: str) -> bool:
        if not text.strip() or not self._ready():
            return False

        def post(service: ChatService, worker: Worker) -> None:
            user, events = service.post_user_message(session_id, text)
            worker.progress.emit(user)
            if events:
                worker.note.emit(describe_changes(events))

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

        def edit(service: ChatService, worker: Worker) -> None:
            from desktop_agent.services import messages

            worker.progress.emit(messages.edit_user_message(message_id, text))

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
            self.errorRaised.emit(str(exc), False)
            return
        message = get_message(message_id)
        self._model.update_record(message)
        thanks = "Thanks — noted." if rating > 0 else "Thanks — the agent will adjust."
        self.notice.emit(describe_changes(events) or thanks)
        if events:
            self.weightsChanged.emit(message.session_id)

    def switch_version(self, message_id: int, step: int) -> None:
        from desktop_agent.services import messages

        siblings = messages.versions_of(message_id)
        ids = [m.id for m in siblings]
        if message_id not in ids:
            return
        target = ids.index(message_id) + step
        if not 0 <= target < len(ids):
            return
        branch = messages.switch_version(ids[target])
        self._model.replace_tail(branch)
        self.sessionTouched.emit(siblings[0].session_id)

    def shutdown(self) -> None:
        """Closing: stop the stream (the partial reply is saved) and join the threads."""
        self.stop()
        self._runner.shutdown()
        if self._reply is not None:
            self._model.end_stream()
            self._reply = None

    # -- the reply worker's signals (queued onto this, the UI thread)

    def _start_reply(self, session_id: str, job: Callable[[Worker], object]) -> None:
        self._retry = None
        worker = Worker(job, "reply")
        worker.progress.connect(self._on_progress)
        worker.started.connect(self._on_started)
        worker.delta.connect(self._on_delta)
        worker.note.connect(self._on_note)
        worker.finished.connect(self._on_finished)
        worker.failed.connect(self._on_failed)
        self._reply = worker
        self._reply_session = session_id
        self._stream_record = None
        self._stream_text = []
        self._runner.start(worker)
        self.busyChanged.emit(True)

    @Slot(object)
    def _on_progress(self, record: MessageRecord) -> None:
        if record.version_count > 1:
            self._model.replace_from(record)
        else:
            self._model.append_record(record)
        self.userPosted.emit(record)
        self.sessionTouched.emit(record.session_id)

    @Slot(object)
    def _on_started(self, record: MessageRecord) -> None:
        self._stream_record = record
        self._model.begin_stream(record)

    @Slot(str)
    def _on_delta(self, text: str) -> None:
        # Kept whole, so a return to this session mid-reply shows every character.
        self._stream_text.append(text)
        self._model.add_delta(text)

    def reattach_stream(self) -> None:
        """After the model loaded a session: if its reply is still streaming, show it live."""
        record = self._stream_record
        if self._reply is not None and record is not None:
            self._model.resume_stream(record, "".join(self._stream_text))

    @Slot(str)
    def _on_note(self, text: str) -> None:
        if text:
            self.notice.emit(text)

    @Slot(object)
    def _on_finished(self, outcome: ReplyOutcome) -> None:
        self._model.end_stream(outcome.message)
        session_id = self._reply_session
        self._reply = None
        self._reply_session = None
        self.busyChanged.emit(False)
        if outcome.error is not None and session_id != self._model.session_id:
            # The user moved to another conversation: Retry there would regenerate this
            # reply from the wrong history, so only say what happened.
            self.notice.emit(f"A reply in another conversation failed: {outcome.error}")
        elif outcome.error is not None:
            failed_id = outcome.message.id
            self._retry = lambda: self._retry_reply(failed_id)
            self.errorRaised.emit(str(outcome.error), True)
        if session_id:
            self.sessionTouched.emit(session_id)

    def _retry_reply(self, message_id: int) -> None:
        self.regenerate(message_id)

    @Slot(object)
    def _on_failed(self, exc: BaseException) -> None:
        self._model.end_stream()
        session_id = self._reply_session
        self._reply = None
        self._reply_session = None
        self.busyChanged.emit(False)
        self.errorRaised.emit(str(exc) or type(exc).__name__, False)
        if session_id:
            self.sessionTouched.emit(session_id)
