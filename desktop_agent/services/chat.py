"""One conversation turn, end to end: the user's message is committed, the request is
compiled from the session's weights and fitted to the context budget, and the reply is
streamed onto disk as it arrives. Used by the CLI directly and by the GUI's worker."""

from __future__ import annotations

import dataclasses
import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from desktop_agent.config.settings import EffectiveProvider, LearningSettings, ProviderSettings
from desktop_agent.domain.compiler import (
    AgentProfile,
    CompiledRequest,
    compile_request,
    with_reminder,
)
from desktop_agent.domain.context import ContextPlan, Summary, Turn, plan_context, summary_prompt
from desktop_agent.domain.errors import InvalidInputError
from desktop_agent.llm.errors import ProviderError
from desktop_agent.llm.tokens import estimate_tokens
from desktop_agent.services import learning
from desktop_agent.services.recorder import ReplyRecorder, when_free
from desktop_agent.store import agents, compactions, messages, sessions, versions

if TYPE_CHECKING:
    from collections.abc import Callable

    from desktop_agent.llm.client import ChatStream, ProviderClient
    from desktop_agent.store.records import (
        AgentRecord,
        MessageRecord,
        SessionRecord,
        WeightEventRecord,
    )

STOPPED_REASON = "Stopped by you; the partial reply was kept."
LENGTH_REASON = "The reply reached its token budget and may end abruptly."
SUMMARY_MAX_TOKENS = 600
SUMMARY_INPUT_RESERVE = 1_000


@dataclass(frozen=True)
class PreparedRequest:
    """Everything a reply is generated from, decided before the call."""

    session: SessionRecord
    agent: AgentRecord
    compiled: CompiledRequest
    plan: ContextPlan
    compaction_note: str = ""  # set when a summary was made, or failed and trimming was used


@dataclass(frozen=True)
class ReplyOutcome:
    """The stored reply and, when it failed, why."""

    message: MessageRecord
    request: PreparedRequest | None
    error: ProviderError | None = None

    @property
    def status(self) -> str:
        return self.message.status


@dataclass
class ChatService:
    """Stateless between turns: everything lives in the store."""

    provider: EffectiveProvider
    provider_settings: ProviderSettings = field(default_factory=ProviderSettings)
    learning_settings: LearningSettings = field(default_factory=LearningSettings)
    seed: int | None = None  # fixed sampling seed (evaluations and tests); None: random
    _client: ProviderClient | None = None

    @property
    def client(self) -> ProviderClient:
        if self._client is None and self.provider.builtin:
            from desktop_agent.services.builtin_model import builtin_client

            self._client = builtin_client(self.provider)
        if self._client is None:
            # Loaded when a request is made, not when the window opens.
            from desktop_agent.llm.client import ProviderClient, ProviderConfig

            self._client = ProviderClient(
                ProviderConfig(
                    base_url=self.provider.base_url,
                    api_key=self.provider.api_key,
                    timeout_seconds=self.provider.timeout_seconds,
                    max_retries=self.provider.max_retries,
                )
            )
        return self._client

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None

    # -- the user's side of a turn

    def post_user_message(
        self, session_id: str, text: str
    ) -> tuple[MessageRecord, list[WeightEventRecord]]:
        """Commit the user's message (before any request leaves) and learn from its cues."""
        if not text.strip():
            raise InvalidInputError("the message is empty")
        session = sessions.get_session(session_id)
        if session.trashed:
            raise InvalidInputError("this session is in the trash; restore it to continue")
        events = learning.learn_from_cues(
            session_id, text, follow_session=self.learning_settings.follow_session
        )
        return messages.append_message(session_id, "user", text), events

    # -- the request

    def profile(self, agent: AgentRecord) -> AgentProfile:
        if self.provider.builtin:
            # An agent's model names belong to servers; here the one model file answers.
            from desktop_agent.llm.builtin import model_name

            name = model_name(self.provider.model_file or None)
            return AgentProfile(agent.name, agent.system_prompt, name, name)
        primary = agent.primary_model or self.provider.model
        return AgentProfile(
            name=agent.name,
            system_prompt=agent.system_prompt,
            primary_model=primary,
            fast_model=agent.fast_model or self.provider.fast_model or primary,
        )

    def compile(self, session: SessionRecord) -> tuple[AgentRecord, CompiledRequest]:
        agent = agents.get_agent(session.agent_id)
        compiled = compile_request(self.profile(agent), session.weights)
        if self.provider.builtin:
            # The reply shares the model's context with the prompt: leave half for history.
            budget = min(compiled.max_tokens, self.provider.context_size // 2)
            compiled = dataclasses.replace(compiled, max_tokens=budget)
        return agent, compiled

    def prepare(self, session_id: str, *, exclude_id: int | None = None) -> PreparedRequest:
        """Compile the weights and fit history to the budget, compacting when allowed.

        May call the provider (the fast model) to summarise: call it off the UI thread.
        """
        session = sessions.get_session(session_id)
        agent, compiled = self.compile(session)
        turns = [
            Turn(m.seq, m.role, m.content)
            for m in messages.conversation(session_id)
            if m.id != exclude_id and m.role != "system" and m.content and m.status != "error"
        ]
        budget = self.provider_settings.context_budget(compiled.model)
        if self.provider.builtin:
            budget = min(budget, self.provider.context_size)
        stored = compactions.latest_compaction(session_id)
        summary = Summary(stored.upto_seq, stored.summary) if stored else None

        def plan(with_summary: Summary | None, tokens: int = budget) -> ContextPlan:
            return plan_context(
                compiled.system_prompt,
                turns,
                budget=tokens,
                reply_tokens=compiled.max_tokens,
                estimate=estimate_tokens,
                summary=with_summary,
            )

        current = plan(summary)
        note = ""
        if current.compact_upto_seq is not None and self.provider_settings.compaction:
            # Compact generously (keep half the budget verbatim) so the next turns
            # do not each need a new summary.
            cut = plan(summary, budget // 2 + compiled.max_tokens // 2).compact_upto_seq
            cut = current.compact_upto_seq if cut is None else cut
            try:
                summary = self._summarise(session_id, agent, summary, turns, cut)
                current = plan(summary)
                note = f"Older turns (up to #{cut + 1}) are sent as a summary."
            except ProviderError as exc:
                note = f"Could not summarise older turns ({exc}); they were left out instead."
        return PreparedRequest(session, agent, compiled, current, note)

    def _summarise(
        self,
        session_id: str,
        agent: AgentRecord,
        previous: Summary | None,
        turns: list[Turn],
        cut: int,
    ) -> Summary:
        fast_model = self.profile(agent).fast_model
        start = -1 if previous is None else previous.upto_seq
        pending = [t for t in turns if start < t.seq <= cut]
        # Fit the summariser's own budget, newest first; originals stay stored anyway.
        room = self.provider_settings.context_budget(fast_model) - SUMMARY_INPUT_RESERVE
        chosen: list[Turn] = []
        for turn in reversed(pending):
            room -= estimate_tokens(turn.content) + 8
            if chosen and room < 0:
                break
            chosen.append(turn)
        chosen.reverse()
        text = self.client.complete(
            summary_prompt(previous, chosen),
            model=fast_model,
            max_tokens=SUMMARY_MAX_TOKENS,
            temperature=0.2,
        ).strip()
        if not text:
            raise ProviderError("The model returned an empty summary.", kind="bad_response")
        last = [m for m in messages.conversation(session_id) if m.seq == cut]
        compactions.add_compaction(session_id, cut, last[0].id, text, fast_model)
        return Summary(cut, text)


class ReplyRun:
    """One streamed reply; `cancel()` may be called from any thread (the GUI's Stop)."""

    def __init__(
        self, service: ChatService, session_id: str, *, regenerate_of: int | None = None
    ) -> None:
        self._service = service
        self.session_id = session_id
        self._regenerate_of = regenerate_of
        self._cancel = threading.Event()
        self._stream: ChatStream | None = None
        self._lock = threading.Lock()

    def cancel(self) -> None:
        self._cancel.set()
        with self._lock:
            if self._stream is not None:
                self._stream.cancel()

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def run(
        self,
        on_started: Callable[[MessageRecord], None] | None = None,
        on_delta: Callable[[str], None] | None = None,
        on_note: Callable[[str], None] | None = None,
    ) -> ReplyOutcome:
        """Create the reply (`incomplete`, on disk), stream into it, then finalise it."""
        service = self._service
        session = sessions.get_session(self.session_id)
        _agent, compiled = service.compile(session)
        used = dict(compiled.weights) or session.weights
        if self._regenerate_of is not None:
            reply = versions.start_regeneration(
                self._regenerate_of, model=compiled.model, weights=used
            )
        else:
            reply = messages.append_message(
                self.session_id,
                "assistant",
                "",
                status="incomplete",
                model=compiled.model,
                weights=used,
            )
        if on_started is not None:
            on_started(reply)
        recorder = ReplyRecorder(reply.id)
        request: PreparedRequest | None = None
        error: ProviderError | None = None
        try:
            request = service.prepare(self.session_id, exclude_id=reply.id)
            if request.compaction_note and on_note is not None:
                on_note(request.compaction_note)
            stream = service.client.stream_chat(
                with_reminder(request.plan.messages, request.compiled),
                model=request.compiled.model,
                max_tokens=request.compiled.max_tokens,
                temperature=request.compiled.temperature,
                seed=service.seed,
            )
            with self._lock:
                self._stream = stream
                if self._cancel.is_set():
                    stream.cancel()
            for delta in stream:
                recorder.add(delta)
                if on_delta is not None:
                    on_delta(delta)
            finish_reason = stream.finish_reason
        except ProviderError as exc:
            error, finish_reason = exc, None
        except KeyboardInterrupt as exc:
            # Ctrl+C (or SIGTERM/SIGHUP, see cli.py) in the CLI is a Stop: keep what
            # arrived, say why it ended, then let the caller exit.
            self._cancel.set()
            reason = getattr(exc, "reason", None) or STOPPED_REASON
            messages.finish_message(reply.id, recorder.close(), "incomplete", reason)
            raise
        except Exception as exc:
            # A bug, or the store failing mid-reply: never leave the reply looking as if
            # it were still streaming. Record what arrived and why it ended, then re-raise.
            text = recorder.close()
            messages.finish_message(
                reply.id, text, "incomplete" if text else "error", f"Internal error: {exc}"
            )
            raise
        finally:
            text = recorder.close()
        status, reason = self._final_status(text, error, finish_reason)
        # Waits its turn if another instance is writing: a finished reply is never lost.
        final = when_free(lambda: messages.finish_message(reply.id, text, status, reason))
        return ReplyOutcome(final, request, error)

    def _final_status(
        self, text: str, error: ProviderError | None, finish_reason: str | None
    ) -> tuple[str, str]:
        if error is not None:
            return ("incomplete" if text else "error"), str(error)
        if self._cancel.is_set():
            return "incomplete", STOPPED_REASON
        if finish_reason == "length":
            return "complete", LENGTH_REASON
        return "complete", ""
