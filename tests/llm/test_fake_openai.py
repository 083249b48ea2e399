"""The fake OpenAI server itself: scripting, clean shutdown, and the standalone process."""

from __future__ import annotations

import http.client
import json
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from desktop_agent.llm.client import ProviderClient, ProviderConfig
from desktop_agent.llm.errors import ProviderError
from tests.support.fake_openai import (
    Echo,
    Error,
    FakeOpenAIServer,
    Hang,
    Reply,
    behaviour_from_json,
    slow_stream,
)

REPO = Path(__file__).resolve().parents[2]
USER = [{"role": "user", "content": "ping"}]


def _post_json(url: str, payload: Any) -> Any:
    request = urllib.request.Request(
        url, data=json.dumps(payload).encode(), headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


def _get_json(url: str) -> Any:
    with urllib.request.urlopen(url, timeout=10) as response:
        return json.loads(response.read())


def test_queue_is_consumed_in_order_then_the_default_echoes(
    fake_openai: FakeOpenAIServer,
) -> None:
    fake_openai.push(Reply("first"), Reply("second"))
    with ProviderClient(ProviderConfig(fake_openai.base_url, None, max_retries=0)) as client:
        replies = [client.complete(USER, model="m") for _ in range(3)]

    assert replies == ["first", "second", "Echo: ping"]
    assert fake_openai.pending == 0


def test_paths_without_the_v1_prefix_also_answer(fake_openai: FakeOpenAIServer) -> None:
    body = _post_json(f"{fake_openai.root_url}/chat/completions", {"model": "m", "messages": USER})
    assert body["object"] == "chat.completion"
    assert body["choices"][0]["message"]["content"] == "Echo: ping"
    assert body["usage"]["total_tokens"] > 0


def test_stream_has_role_chunk_content_chunks_finish_usage_and_done(
    fake_openai: FakeOpenAIServer,
) -> None:
    fake_openai.push(Reply("abcdef", chunk_size=2))
    payload = {
        "model": "m",
        "messages": USER,
        "stream": True,
        "stream_options": {"include_usage": True},
    }
    request = urllib.request.Request(
        f"{fake_openai.base_url}/chat/completions",
        data=json.dumps(payload).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.headers["Content-Type"] == "text/event-stream"
        events = [e for e in response.read().decode().split("\n\n") if e]

    assert events[-1] == "data: [DONE]"
    chunks = [json.loads(e.removeprefix("data: ")) for e in events[:-1]]
    assert all(c["object"] == "chat.completion.chunk" for c in chunks)
    assert len({c["id"] for c in chunks}) == 1
    assert chunks[0]["choices"][0]["delta"] == {"role": "assistant", "content": ""}
    contents = [c["choices"][0]["delta"].get("content") for c in chunks[1:4]]
    assert contents == ["ab", "cd", "ef"]
    assert chunks[4]["choices"][0]["finish_reason"] == "stop"
    assert chunks[5]["choices"] == []
    assert chunks[5]["usage"]["completion_tokens"] > 0


def test_required_api_key_is_checked() -> None:
    with FakeOpenAIServer(require_api_key="right-key") as server:
        config = ProviderConfig(server.base_url, "wrong-key", max_retries=0)
        with ProviderClient(config) as client, pytest.raises(ProviderError, match="HTTP 401"):
            client.complete(USER, model="m")
        with ProviderClient(ProviderConfig(server.base_url, "right-key")) as client:
            assert client.complete(USER, model="m") == "Echo: ping"


def test_close_interrupts_hanging_and_streaming_answers_and_joins_threads() -> None:
    threads_before = set(threading.enumerate())
    server = FakeOpenAIServer().start()
    server.push(Hang(60), slow_stream(chunks=1000, delay_per_chunk=0.05))
    hung = http.client.HTTPConnection("127.0.0.1", int(server.root_url.rsplit(":", 1)[1]))
    streaming = http.client.HTTPConnection("127.0.0.1", int(server.root_url.rsplit(":", 1)[1]))
    body = json.dumps({"model": "m", "messages": USER, "stream": True})
    try:
        hung.request("POST", "/v1/chat/completions", body)
        streaming.request("POST", "/v1/chat/completions", body)
        response = streaming.getresponse()
        response.read1()  # the stream has started
        assert server.wait_for_requests(2)

        started = time.monotonic()
        server.close()
        # The hung answer would hold its connection for 60 s and the stream for 50 s:
        # closing well before either means close() interrupted them.
        assert time.monotonic() - started < 30
    finally:
        hung.close()
        streaming.close()
        server.close()  # also when an assertion failed: its threads would hang the exit
    assert set(threading.enumerate()) <= threads_before


def test_control_endpoints_push_and_list_requests(fake_openai: FakeOpenAIServer) -> None:
    answer = _post_json(
        f"{fake_openai.root_url}/_fake/push",
        [{"type": "reply", "text": "scripted"}, {"type": "error", "status": 500}],
    )
    assert answer == {"queued": 2}
    assert fake_openai.pending == 2

    with ProviderClient(ProviderConfig(fake_openai.base_url, None, max_retries=0)) as client:
        assert client.complete(USER, model="m") == "scripted"

    recorded = _get_json(f"{fake_openai.root_url}/_fake/requests")
    assert [r["path"] for r in recorded] == ["/v1/chat/completions"]
    assert recorded[0]["body"]["messages"] == USER


def test_behaviours_from_script_json() -> None:
    assert behaviour_from_json({"type": "echo", "prefix": "> "}) == Echo(prefix="> ")
    assert behaviour_from_json({"type": "error", "status": 429, "retry_after": 5}) == Error(
        429, retry_after=5
    )
    assert behaviour_from_json({"type": "hang", "seconds": 2}) == Hang(2)
    slow = behaviour_from_json({"type": "slow_stream", "chunks": 3, "delay_per_chunk": 0.1})
    assert slow == slow_stream(chunks=3, delay_per_chunk=0.1)
    with pytest.raises(ValueError, match="unknown behaviour type"):
        behaviour_from_json({"type": "explode"})


@pytest.mark.slow
def test_standalone_process_prints_its_url_serves_the_script_and_stops_on_sigterm(
    tmp_path: Path,
) -> None:
    script = tmp_path / "script.json"
    script.write_text(
        json.dumps({"queue": [{"type": "reply", "text": "from script"}], "models": ["x1"]})
    )
    command = [sys.executable, "-m", "tests.support.fake_openai", "--port", "0"]
    with subprocess.Popen(
        [*command, "--script", str(script)],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    ) as process:
        try:
            assert process.stdout is not None
            base_url = process.stdout.readline().strip()
            assert base_url.startswith("http://127.0.0.1:")
            assert base_url.endswith("/v1")
            with ProviderClient(ProviderConfig(base_url, None, max_retries=0)) as client:
                assert client.list_models() == ["x1"]
                assert client.complete(USER, model="m") == "from script"
                assert "".join(client.stream_chat(USER, model="m")) == "Echo: ping"
        finally:
            process.send_signal(signal.SIGTERM)
            _, stderr = process.communicate(timeout=10)
    assert process.returncode == 0, stderr
