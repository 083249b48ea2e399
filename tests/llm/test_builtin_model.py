"""The real built-in model (SmolLM2-135M-Instruct on xllamacpp) in its child process:
weights change its replies, and a crash, a hang or a kill ends the reply `incomplete`
with a reason while the next request restarts it. No timing assertions."""

from __future__ import annotations

import os
import signal
import statistics
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from desktop_agent.config.settings import PROVIDER_BUILTIN, Settings, effective_provider
from desktop_agent.domain.compiler import AgentProfile, compile_request, with_reminder
from desktop_agent.domain.weights import DEFAULT_WEIGHTS
from desktop_agent.llm.builtin import BuiltinConfig, builtin_model, stop_builtin_models
from desktop_agent.llm.builtin_client import BuiltinClient
from desktop_agent.llm.errors import ProviderError
from desktop_agent.services.builtin_model import builtin_client
from desktop_agent.services.chat import ChatService, ReplyRun
from desktop_agent.store import messages, sessions

pytestmark = pytest.mark.slow

SEED = 7
PROMPTS = ("Explain what a database index is.", "How do I keep houseplants alive?")


@pytest.fixture(scope="module", autouse=True)
def _one_model_process_per_module() -> Iterator[None]:
    try:
        yield
    finally:
        stop_builtin_models()


@pytest.fixture
def client() -> Iterator[BuiltinClient]:
    settings = Settings()
    settings.provider.kind = PROVIDER_BUILTIN
    with builtin_client(effective_provider(settings, None, env={})) as made:
        yield made


def builtin_service(timeout: float = 60.0) -> ChatService:
    settings = Settings()
    settings.provider.kind = PROVIDER_BUILTIN
    settings.provider.timeout_seconds = timeout
    provider = effective_provider(settings, None, env={})
    return ChatService(provider, settings.provider, settings.learning, seed=SEED)


def test_verbosity_changes_the_length_of_real_replies(client: BuiltinClient) -> None:
    profile = AgentProfile("t", "You are a helpful assistant.", "m", "m")

    def median_words(verbosity: float) -> float:
        compiled = compile_request(profile, {**DEFAULT_WEIGHTS, "verbosity": verbosity})
        counts = []
        for prompt in PROMPTS:
            messages = [
                {"role": "system", "content": compiled.system_prompt},
                {"role": "user", "content": prompt},
            ]
            reply = client.complete(
                with_reminder(messages, compiled),  # what the app sends
                model=compiled.model,
                # The compiled budget, capped so the long side stays quick to run.
                max_tokens=min(compiled.max_tokens, 200),
                temperature=0.0,
                seed=SEED,
            )
            counts.append(len(reply.split()))
        return statistics.median(counts)

    terse, detailed = median_words(0.05), median_words(0.95)
    assert detailed > 2 * terse, (terse, detailed)


def test_a_turn_through_the_chat_service_streams_and_stores(store: object) -> None:
    session = sessions.create_session()
    service = builtin_service()
    try:
        service.post_user_message(session.id, "What is the capital of France?")
        outcome = ReplyRun(service, session.id).run()
    finally:
        service.close()
    reply = outcome.message
    assert reply.status == "complete", reply.status_reason
    assert "Paris" in reply.content
    assert reply.model == "SmolLM2-135M-Instruct.Q4_1"
    assert messages.get_message(reply.id).content == reply.content


def _reply_with_fault(
    session_id: str, fault: signal.Signals, timeout: float = 60.0
) -> tuple[str, str, int]:
    """Start a long reply, send `fault` to the model process after the first text, and
    return the stored status, reason and the process id that was hit."""
    service = builtin_service(timeout)
    hit: list[int] = []

    def on_delta(_delta: str) -> None:
        if not hit:
            pid = service.client.model.pid  # type: ignore[attr-defined]
            assert pid is not None
            hit.append(pid)
            os.kill(pid, fault)

    try:
        service.post_user_message(session_id, "Write a long story about a lighthouse keeper.")
        outcome = ReplyRun(service, session_id).run(on_delta=on_delta)
    finally:
        service.close()
    assert hit, "no text arrived before the fault"
    stored = messages.get_message(outcome.message.id)
    return stored.status, stored.status_reason, hit[0]


def _next_turn_works(session_id: str, previous_pid: int) -> None:
    service = builtin_service()
    try:
        service.post_user_message(session_id, "Say hello.")
        outcome = ReplyRun(service, session_id).run()
        model = service.client.model  # type: ignore[attr-defined]
        assert model.pid not in (None, previous_pid)
    finally:
        service.close()
    assert outcome.message.status == "complete", outcome.message.status_reason
    assert outcome.message.content


def test_a_model_killed_mid_reply_ends_it_incomplete_and_the_next_send_restarts_it(
    store: object,
) -> None:
    session = sessions.create_session()
    status, reason, pid = _reply_with_fault(session.id, signal.SIGKILL)
    assert status == "incomplete"
    assert "built-in model stopped unexpectedly (killed by signal 9)" in reason
    assert "Send again" in reason
    # Nothing stored is lost: the user's message and the partial reply are there.
    stored = messages.conversation(session.id)
    assert [m.role for m in stored] == ["user", "assistant"]
    assert stored[1].content
    _next_turn_works(session.id, pid)


def test_a_hung_model_is_stopped_and_the_next_send_restarts_it(store: object) -> None:
    session = sessions.create_session()
    status, reason, pid = _reply_with_fault(session.id, signal.SIGSTOP, timeout=2.0)
    assert status == "incomplete"
    assert "stopped answering (nothing for 2 s)" in reason
    _next_turn_works(session.id, pid)


def test_a_bad_model_file_fails_the_reply_with_its_name_and_keeps_the_message(
    store: object, tmp_path: Path
) -> None:
    bad = tmp_path / "weights.gguf"
    bad.write_text("not a model")
    settings = Settings()
    settings.provider.kind = PROVIDER_BUILTIN
    provider = effective_provider(settings, None, env={"DESKTOP_AGENT_MODEL_FILE": str(bad)})
    service = ChatService(provider, settings.provider, settings.learning)
    session = sessions.create_session()
    try:
        service.post_user_message(session.id, "hello?")
        outcome = ReplyRun(service, session.id).run()
    finally:
        service.close()
    assert outcome.message.status == "error"
    assert f"{bad} is not a GGUF model" in outcome.message.status_reason
    assert isinstance(outcome.error, ProviderError)
    assert messages.conversation(session.id)[0].content == "hello?"


def test_the_model_process_ends_when_the_app_is_killed() -> None:
    # A stand-in app: starts the model, prints its pid, then waits to be killed.
    script = textwrap.dedent(
        """
        import sys, threading
        from desktop_agent.llm.builtin import BuiltinConfig, builtin_model
        model = builtin_model(BuiltinConfig())
        model.endpoint()
        print(model.pid, flush=True)
        threading.Event().wait()
        """
    )
    with subprocess.Popen(
        [sys.executable, "-c", script], stdout=subprocess.PIPE, text=True, cwd=os.getcwd()
    ) as app:
        try:
            assert app.stdout is not None
            child = int(app.stdout.readline())
            assert _alive(child)
            app.kill()  # kill -9: no atexit, no cleanup in the app
            app.wait()
            deadline = time.monotonic() + 30
            while _alive(child) and time.monotonic() < deadline:
                time.sleep(0.1)
            assert not _alive(child), "the model process outlived the app"
        finally:
            if app.poll() is None:
                app.kill()


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as fh:
            return fh.read().split()[2] != "Z"  # a zombie has exited
    except FileNotFoundError:
        return False


def test_quitting_stops_the_model_process() -> None:
    model = builtin_model(BuiltinConfig())
    model.endpoint()
    pid = model.pid
    assert pid is not None
    stop_builtin_models()
    assert not model.running
    assert not _alive(pid)
