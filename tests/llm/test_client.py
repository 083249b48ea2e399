"""ProviderClient against the real loopback fake server: requests, streams, errors, cancel."""

from __future__ import annotations

import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator

import pytest

from desktop_agent.llm.client import ChatStream, ProviderClient, ProviderConfig
from desktop_agent.llm.errors import ProviderError
from tests.support.fake_openai import Cut, Error, FakeOpenAIServer, Hang, Reply, slow_stream

API_KEY = "sk-test-0123456789abcdef-SECRET"
USER = [{"role": "user", "content": "Hello there"}]


@pytest.fixture
def client(fake_openai: FakeOpenAIServer) -> Iterator[ProviderClient]:
    config = ProviderConfig(fake_openai.base_url, API_KEY, timeout_seconds=5.0, max_retries=0)
    with ProviderClient(config) as provider:
        yield provider


@pytest.fixture
def patient_client(fake_openai: FakeOpenAIServer) -> Iterator[ProviderClient]:
    """A read timeout far longer than any test: a prompt end can only be the cancel."""
    config = ProviderConfig(fake_openai.base_url, API_KEY, timeout_seconds=120.0, max_retries=0)
    with ProviderClient(config) as provider:
        yield provider


def _stream_error(stream: ChatStream) -> ProviderError:
    with pytest.raises(ProviderError) as info:
        for _ in stream:
            pass
    return info.value


def test_complete_returns_the_reply_and_sends_the_request_fields(
    fake_openai: FakeOpenAIServer, client: ProviderClient
) -> None:
    messages = [{"role": "system", "content": "Be brief."}, *USER]

    reply = client.complete(messages, model="fake-model", max_tokens=64, temperature=0.3)

    assert reply == "Echo: Hello there"
    (request,) = fake_openai.chat_requests
    assert request.path == "/v1/chat/completions"
    assert request.headers["authorization"] == f"Bearer {API_KEY}"
    assert request.body["model"] == "fake-model"
    assert request.body["messages"] == messages
    assert request.body["max_tokens"] == 64
    assert request.body["temperature"] == 0.3
    assert not request.body.get("stream")


def test_unset_generation_parameters_are_not_sent(
    fake_openai: FakeOpenAIServer, client: ProviderClient
) -> None:
    client.complete(USER, model="fake-model", max_tokens=None, temperature=None)

    body = fake_openai.chat_requests[0].body
    assert "max_tokens" not in body
    assert "temperature" not in body


def test_stream_deltas_concatenate_to_the_reply(
    fake_openai: FakeOpenAIServer, client: ProviderClient
) -> None:
    fake_openai.push(Reply("The quick brown fox jumps.", chunks=5))

    stream = client.stream_chat(USER, model="fake-model", max_tokens=32, temperature=0.7)
    deltas = list(stream)

    assert len(deltas) == 5
    assert "".join(deltas) == "The quick brown fox jumps."
    assert stream.text == "The quick brown fox jumps."
    assert stream.finish_reason == "stop"
    assert stream.model == "fake-model"
    body = fake_openai.chat_requests[0].body
    assert body["stream"] is True
    assert body["max_tokens"] == 32
    assert body["temperature"] == 0.7


def test_stream_sends_nothing_until_iterated(
    fake_openai: FakeOpenAIServer, client: ProviderClient
) -> None:
    stream = client.stream_chat(USER, model="fake-model")
    assert fake_openai.requests == []
    deltas = list(stream)
    assert "".join(deltas) == "Echo: Hello there"
    assert len(deltas) == 3


def test_length_finish_reason_is_reported(
    fake_openai: FakeOpenAIServer, client: ProviderClient
) -> None:
    fake_openai.push(Reply("Truncated by budg", finish_reason="length"))

    stream = client.stream_chat(USER, model="fake-model", max_tokens=4)

    assert "".join(stream) == "Truncated by budg"
    assert stream.finish_reason == "length"


def test_local_server_without_key_gets_a_placeholder(fake_openai: FakeOpenAIServer) -> None:
    with ProviderClient(ProviderConfig(fake_openai.base_url, None, max_retries=0)) as provider:
        assert provider.complete(USER, model="llama3") == "Echo: Hello there"
    assert fake_openai.chat_requests[0].headers["authorization"] == "Bearer not-needed"


def test_list_models(fake_openai: FakeOpenAIServer, client: ProviderClient) -> None:
    fake_openai.models = ["llama3.2", "qwen2.5:7b"]
    assert client.list_models() == ["llama3.2", "qwen2.5:7b"]


def test_max_completion_tokens_is_used_when_the_model_refuses_max_tokens(
    fake_openai: FakeOpenAIServer, client: ProviderClient
) -> None:
    fake_openai.push(
        Error(
            400,
            "Unsupported parameter: 'max_tokens' is not supported with this model. "
            "Use 'max_completion_tokens' instead.",
        )
    )

    assert client.complete(USER, model="o-model", max_tokens=50) == "Echo: Hello there"
    assert "".join(client.stream_chat(USER, model="o-model", max_tokens=50)) == "Echo: Hello there"

    first, second, third = (r.body for r in fake_openai.chat_requests)
    assert first["max_tokens"] == 50
    assert second["max_completion_tokens"] == 50
    assert "max_tokens" not in second
    assert third["max_completion_tokens"] == 50


# --- errors ------------------------------------------------------------------------------


def test_401_names_the_key_setting(fake_openai: FakeOpenAIServer, client: ProviderClient) -> None:
    fake_openai.push(Error(401, "Incorrect API key provided"))

    error = _stream_error(client.stream_chat(USER, model="fake-model"))

    assert error.kind == "auth"
    assert error.status == 401
    assert str(error) == (
        "The provider rejected the API key (HTTP 401). Check the key in Settings or OPENAI_API_KEY."
    )


def test_429_message_carries_the_retry_after_seconds(
    fake_openai: FakeOpenAIServer, client: ProviderClient
) -> None:
    fake_openai.push(Error(429, "Slow down", retry_after=12))

    with pytest.raises(ProviderError) as info:
        client.complete(USER, model="fake-model")

    assert info.value.kind == "rate_limit"
    assert info.value.retry_after == 12
    assert "retry in 12 s" in str(info.value)


def test_429_without_retry_after_still_reads_well(
    fake_openai: FakeOpenAIServer, client: ProviderClient
) -> None:
    fake_openai.push(Error(429, "You exceeded your current quota"))

    error = _stream_error(client.stream_chat(USER, model="fake-model"))

    assert error.kind == "rate_limit"
    assert error.retry_after is None
    assert "Rate limited by the provider" in str(error)
    assert "You exceeded your current quota" in str(error)


def test_500_includes_the_short_server_message(
    fake_openai: FakeOpenAIServer, client: ProviderClient
) -> None:
    fake_openai.push(Error(500, "The model crashed\n while loading"))

    error = _stream_error(client.stream_chat(USER, model="fake-model"))

    assert error.kind == "server"
    assert error.status == 500
    assert str(error) == (
        "The provider had a server error (HTTP 500): The model crashed while loading."
    )


def test_non_json_error_body_is_shown_shortened(
    fake_openai: FakeOpenAIServer, client: ProviderClient
) -> None:
    fake_openai.push(Error(502, raw_body="Bad Gateway " + "x" * 1000))

    with pytest.raises(ProviderError) as info:
        client.complete(USER, model="fake-model")

    assert info.value.kind == "server"
    assert "HTTP 502" in str(info.value)
    assert "Bad Gateway" in str(info.value)
    assert len(str(info.value)) < 300


def test_404_points_at_model_and_base_url(
    fake_openai: FakeOpenAIServer, client: ProviderClient
) -> None:
    fake_openai.push(Error(404, "model 'lama3' not found"))

    error = _stream_error(client.stream_chat(USER, model="lama3"))

    assert error.kind == "not_found"
    assert "model 'lama3' not found" in str(error)
    assert "Check the model name and the base URL." in str(error)


def test_timeout_when_the_server_never_answers(fake_openai: FakeOpenAIServer) -> None:
    fake_openai.push(Hang(30), Hang(30))
    config = ProviderConfig(fake_openai.base_url, API_KEY, timeout_seconds=0.3, max_retries=0)
    with ProviderClient(config) as provider:
        with pytest.raises(ProviderError) as info:
            provider.complete(USER, model="fake-model")
        stream_error = _stream_error(provider.stream_chat(USER, model="fake-model"))

    assert info.value.kind == "timeout"
    assert str(info.value) == "The provider did not answer within 0.3 s."
    assert stream_error.kind == "timeout"


def test_stall_mid_stream_keeps_the_partial_text(fake_openai: FakeOpenAIServer) -> None:
    fake_openai.push(Hang(30, text_before_hang="So far"))
    config = ProviderConfig(fake_openai.base_url, API_KEY, timeout_seconds=0.3, max_retries=0)
    with ProviderClient(config) as provider:
        stream = provider.stream_chat(USER, model="fake-model")
        error = _stream_error(stream)

    assert error.kind == "stream_cut"
    assert error.partial is True
    assert (
        str(error) == "The reply stopped mid-way (no data for 0.3 s); the partial reply was kept."
    )
    assert stream.text == "So far"


def test_unreachable_names_the_url_and_reason() -> None:
    with socket.socket() as probe:  # a port that was free a moment ago: nothing listens
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    base_url = f"http://127.0.0.1:{port}/v1"
    with ProviderClient(ProviderConfig(base_url, API_KEY, max_retries=0)) as provider:
        error = _stream_error(provider.stream_chat(USER, model="fake-model"))

    assert error.kind == "unreachable"
    assert str(error).startswith(f"Cannot reach the provider at {base_url}: ")
    assert "refused" in str(error).lower()


def test_stream_cut_mid_way_keeps_the_partial_text(
    fake_openai: FakeOpenAIServer, client: ProviderClient
) -> None:
    fake_openai.push(Cut("Half of the ans", after_chunks=3))
    stream = client.stream_chat(USER, model="fake-model")

    error = _stream_error(stream)

    assert error.kind == "stream_cut"
    assert error.partial is True
    assert str(error) == (
        "The reply was cut off mid-way (connection closed); the partial reply was kept."
    )
    assert stream.text == "Half of the ans"
    assert stream.finish_reason is None


def test_stream_ending_without_finish_reason_counts_as_cut(
    fake_openai: FakeOpenAIServer, client: ProviderClient
) -> None:
    fake_openai.push(Reply("Dropped by a proxy", finish_reason=None))
    stream = client.stream_chat(USER, model="fake-model")

    error = _stream_error(stream)

    assert error.kind == "stream_cut"
    assert error.partial is True
    assert stream.text == "Dropped by a proxy"


def test_streams_are_never_retried(fake_openai: FakeOpenAIServer) -> None:
    fake_openai.push(Error(500, "transient"))
    config = ProviderConfig(fake_openai.base_url, API_KEY, max_retries=2)
    with ProviderClient(config) as provider:
        error = _stream_error(provider.stream_chat(USER, model="fake-model"))

    assert error.kind == "server"
    assert len(fake_openai.chat_requests) == 1


def test_complete_is_retried_up_to_max_retries(fake_openai: FakeOpenAIServer) -> None:
    fake_openai.push(Error(503, "warming up", retry_after=0.01))
    config = ProviderConfig(fake_openai.base_url, API_KEY, max_retries=1)
    with ProviderClient(config) as provider:
        assert provider.complete(USER, model="fake-model") == "Echo: Hello there"

    assert len(fake_openai.chat_requests) == 2


@pytest.mark.parametrize(
    "behaviour",
    [
        Error(400, f"Bad key {API_KEY} in request"),
        Error(401, f"Incorrect API key provided: {API_KEY}"),
        Error(403, f"Key {API_KEY} lacks access"),
        Error(404, f"No model for {API_KEY}"),
        Error(429, f"Quota for {API_KEY}", retry_after=3),
        Error(500, f"crash near {API_KEY}"),
        Error(502, raw_body=f"proxy error {API_KEY}"),
    ],
)
def test_the_api_key_never_appears_in_error_messages(
    fake_openai: FakeOpenAIServer, client: ProviderClient, behaviour: Error
) -> None:
    fake_openai.push(behaviour)

    error = _stream_error(client.stream_chat(USER, model="fake-model"))

    assert API_KEY not in str(error)
    assert API_KEY not in repr(error)
    assert API_KEY[4:-4] not in str(error)


def test_credentials_in_the_base_url_are_not_shown() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = ProviderConfig(f"http://user:hunter2@127.0.0.1:{port}/v1", None, max_retries=0)
    with ProviderClient(config) as provider, pytest.raises(ProviderError) as info:
        provider.list_models()

    assert "hunter2" not in str(info.value)
    assert f"http://127.0.0.1:{port}/v1" in str(info.value)


# --- cancel ------------------------------------------------------------------------------


def test_cancel_from_another_thread_stops_the_stream_promptly(
    fake_openai: FakeOpenAIServer, client: ProviderClient
) -> None:
    fake_openai.push(slow_stream(chunks=400, delay_per_chunk=0.02))  # 8 s if never cancelled
    stream = client.stream_chat(USER, model="fake-model")
    first_delta = threading.Event()
    canceller = threading.Thread(target=lambda: stream.cancel() if first_delta.wait(10) else None)
    canceller.start()

    received = []
    for delta in stream:
        received.append(delta)
        first_delta.set()
    canceller.join()

    assert stream.cancelled
    assert stream.finish_reason is None
    assert 1 <= len(received) < 50
    assert stream.text == "".join(received)


def test_cancel_while_the_server_is_silent_stops_promptly(
    fake_openai: FakeOpenAIServer, patient_client: ProviderClient
) -> None:
    # A model that is still thinking sends nothing: cancel must not wait for the timeout.
    fake_openai.push(Hang(60, text_before_hang="Thinking"))
    stream = patient_client.stream_chat(USER, model="fake-model")  # 120 s read timeout
    first_delta = threading.Event()
    canceller = threading.Thread(target=lambda: stream.cancel() if first_delta.wait(10) else None)
    canceller.start()

    started = time.monotonic()
    for _ in stream:
        first_delta.set()
    elapsed = time.monotonic() - started
    canceller.join()

    assert stream.cancelled
    assert stream.text == "Thinking"
    assert elapsed < 30  # not the server's 60 s silence, nor the 120 s read timeout


def test_cancel_after_the_end_leaves_the_client_usable(client: ProviderClient) -> None:
    stream = client.stream_chat(USER, model="fake-model")
    assert "".join(stream) == "Echo: Hello there"

    stream.cancel()

    assert "".join(client.stream_chat(USER, model="fake-model")) == "Echo: Hello there"
    assert client.complete(USER, model="fake-model") == "Echo: Hello there"


def test_cancel_before_iterating_sends_nothing(
    fake_openai: FakeOpenAIServer, client: ProviderClient
) -> None:
    stream = client.stream_chat(USER, model="fake-model")
    stream.cancel()

    assert list(stream) == []
    assert fake_openai.requests == []


def test_a_stream_is_iterated_only_once(client: ProviderClient) -> None:
    stream = client.stream_chat(USER, model="fake-model")
    list(stream)
    with pytest.raises(RuntimeError, match="only once"):
        list(stream)


def test_the_client_works_from_several_threads(
    fake_openai: FakeOpenAIServer, client: ProviderClient
) -> None:
    results: dict[int, str] = {}

    def ask(n: int) -> None:
        results[n] = client.complete([{"role": "user", "content": f"q{n}"}], model="m")

    threads = [threading.Thread(target=ask, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert results == {n: f"Echo: q{n}" for n in range(6)}


# --- import cost -------------------------------------------------------------------------


def test_importing_the_llm_layer_does_not_import_openai() -> None:
    code = (
        "import desktop_agent.llm, desktop_agent.llm.client, desktop_agent.llm.errors, "
        "desktop_agent.llm.tokens, sys; print('openai' in sys.modules)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.strip() == "False"


def test_cancel_before_the_first_byte_stops_promptly(
    fake_openai: FakeOpenAIServer, patient_client: ProviderClient
) -> None:
    # No headers yet, so no socket to shut down: the caller must still be freed at once.
    fake_openai.push(Hang(60))
    stream = patient_client.stream_chat(USER, model="fake-model")  # 120 s read timeout
    canceller = threading.Thread(
        target=lambda: stream.cancel() if fake_openai.wait_for_requests(1, timeout=10) else None
    )
    canceller.start()

    started = time.monotonic()
    received = list(stream)
    elapsed = time.monotonic() - started
    canceller.join()

    assert received == []
    assert stream.cancelled
    assert elapsed < 30  # not the server's 60 s silence, nor the 120 s read timeout
