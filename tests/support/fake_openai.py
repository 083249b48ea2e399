"""A real loopback HTTP server speaking the OpenAI chat-completions protocol, for tests.

Each request to POST /v1/chat/completions (or /chat/completions) consumes one scripted
behaviour from a FIFO queue; when the queue is empty the default behaviour answers (an
echo of the last user message). Every request is recorded so tests can assert what the
client sent. Use it as a context manager, as the `fake_openai` pytest fixture (defined in
fixtures.py, so this module runs without pytest, e.g. in benchmarks), or as a
standalone process:

    python -m tests.support.fake_openai --port 0 --script script.json

prints the base URL (``http://127.0.0.1:PORT/v1``) on its first stdout line and serves
until SIGTERM/SIGINT. A script is a JSON list of behaviours (the queue) or an object
``{"queue": [...], "default": {...}, "models": [...], "require_api_key": "..."}``;
a behaviour is ``{"type": "reply"|"echo"|"error"|"hang"|"cut"|"slow_stream", ...fields}``.

A running server also accepts ``POST /_fake/push`` (a behaviour or a list of them, as in
the script) and ``GET /_fake/requests`` (the recorded requests) so that tests driving a
subprocess can script and inspect it.
"""

from __future__ import annotations

import argparse
import json
import signal
import socket
import sys
import threading
import time
from collections import deque
from dataclasses import asdict, dataclass
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from types import FrameType
from typing import Any

from tests.support.loopback import LoopbackHTTPServer, StartsAndCloses

DEFAULT_MODELS = ("fake-model", "fake-fast-model")


# --- behaviours --------------------------------------------------------------------------


@dataclass(frozen=True)
class Reply:
    """A normal answer; streamed in `chunks` pieces (or pieces of `chunk_size` chars).

    `finish_reason=None` ends the stream with [DONE] but without a finish reason.
    """

    text: str
    chunks: int | None = None
    chunk_size: int | None = None
    delay_per_chunk: float = 0.0
    finish_reason: str | None = "stop"
    model: str | None = None  # None: echo the requested model


@dataclass(frozen=True)
class Echo:
    """The default: replies `prefix + last user message`, in `chunks` pieces when streaming."""

    prefix: str = "Echo: "
    chunks: int = 3
    delay_per_chunk: float = 0.0


@dataclass(frozen=True)
class Error:
    """An HTTP error with an OpenAI-style error body and optional Retry-After header."""

    status: int
    message: str = "Something went wrong"
    retry_after: float | None = None  # seconds, sent as the Retry-After header
    error_type: str | None = None
    raw_body: str | None = None  # sent verbatim instead of the JSON error body


@dataclass(frozen=True)
class Hang:
    """Sends nothing for `seconds` (or until the server stops), then hangs up.

    With `text_before_hang` a streamed answer first sends that text, then stalls.
    """

    seconds: float = 30.0
    text_before_hang: str = ""


@dataclass(frozen=True)
class Cut:
    """Sends `text_before_cut` in `after_chunks` SSE chunks, then closes abruptly (no [DONE])."""

    text_before_cut: str = "Partial answer"
    after_chunks: int = 2
    delay_per_chunk: float = 0.0


Behaviour = Reply | Echo | Error | Hang | Cut


def slow_stream(chunks: int = 400, delay_per_chunk: float = 0.05, word: str = "tick") -> Reply:
    """A long stream of numbered words with a delay per chunk (for kill -9 and cancel tests)."""
    text = "".join(f"{word}{i} " for i in range(chunks))
    return Reply(text=text, chunks=chunks, delay_per_chunk=delay_per_chunk)


def behaviour_from_json(raw: dict[str, Any]) -> Behaviour:
    """Build a behaviour from its script form, e.g. ``{"type": "error", "status": 429}``."""
    fields_ = dict(raw)
    kind = fields_.pop("type", None)
    if kind == "slow_stream":
        return slow_stream(**fields_)
    classes: dict[str, type[Any]] = {
        "reply": Reply,
        "echo": Echo,
        "error": Error,
        "hang": Hang,
        "cut": Cut,
    }
    if kind not in classes:
        raise ValueError(f"unknown behaviour type {kind!r}; expected one of {sorted(classes)}")
    behaviour: Behaviour = classes[kind](**fields_)
    return behaviour


# --- records -----------------------------------------------------------------------------


@dataclass(frozen=True)
class RecordedRequest:
    method: str
    path: str
    headers: dict[str, str]  # lower-cased names
    body: Any  # parsed JSON, or None when the body was empty or not JSON

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def _split(text: str, chunks: int | None = None, chunk_size: int | None = None) -> list[str]:
    if chunk_size:
        return [text[i : i + chunk_size] for i in range(0, len(text), chunk_size)] or [""]
    count = max(1, min(chunks or 3, len(text)))
    step, extra = divmod(len(text), count)
    pieces, start = [], 0
    for i in range(count):
        end = start + step + (1 if i < extra else 0)
        pieces.append(text[start:end])
        start = end
    return pieces


def _last_user_text(body: Any) -> str:
    messages = body.get("messages") if isinstance(body, dict) else None
    for message in reversed(messages or []):
        if isinstance(message, dict) and message.get("role") == "user":
            content = message.get("content")
            if isinstance(content, list):  # content parts
                return "".join(str(p.get("text", "")) for p in content if isinstance(p, dict))
            return str(content or "")
    return ""


# --- the server --------------------------------------------------------------------------


class _Server(LoopbackHTTPServer):
    owner: FakeOpenAIServer


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server
    _completion_id = "chatcmpl-fake-0"

    def log_message(self, format: str, *args: Any) -> None:
        pass  # tests read the recorded requests, not a log

    def setup(self) -> None:
        super().setup()
        self.server.owner._track(self.connection, add=True)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self.server.owner._track(self.connection, add=False)

    # -- routing

    def do_GET(self) -> None:
        owner = self.server.owner
        path = self.path.split("?", 1)[0].rstrip("/")
        if not path.startswith("/_fake/"):  # the control endpoints are not provider traffic
            owner._record(self, None)
        if path in ("/v1/models", "/models"):
            if not self._authorised():
                return
            data = [
                {"id": m, "object": "model", "created": 0, "owned_by": "fake"} for m in owner.models
            ]
            self._send_json(200, {"object": "list", "data": data})
        elif path == "/_fake/requests":
            self._send_json(200, [r.to_json() for r in owner.requests])
        else:
            self._send_json(404, {"error": {"message": f"no route {path}", "type": "not_found"}})

    def do_POST(self) -> None:
        owner = self.server.owner
        path = self.path.split("?", 1)[0].rstrip("/")
        body = self._read_body()
        if path == "/_fake/push":
            items = body if isinstance(body, list) else [body]
            for item in items:
                owner.push(behaviour_from_json(item))
            self._send_json(200, {"queued": len(items)})
            return
        owner._record(self, body)
        if path not in ("/v1/chat/completions", "/chat/completions"):
            self._send_json(404, {"error": {"message": f"no route {path}", "type": "not_found"}})
            return
        if not self._authorised():
            return
        if not isinstance(body, dict) or not isinstance(body.get("messages"), list):
            self._send_json(400, {"error": {"message": "messages is required", "type": "bad"}})
            return
        self._serve_chat(owner._next_behaviour(), body)

    # -- behaviours

    def _serve_chat(self, behaviour: Behaviour, body: dict[str, Any]) -> None:
        self._completion_id = self.server.owner._new_completion_id()
        stream = bool(body.get("stream"))
        model = str(body.get("model", "fake-model"))
        if isinstance(behaviour, Echo):
            behaviour = Reply(
                text=behaviour.prefix + _last_user_text(body),
                chunks=behaviour.chunks,
                delay_per_chunk=behaviour.delay_per_chunk,
            )
        if isinstance(behaviour, Error):
            self._send_error(behaviour)
        elif isinstance(behaviour, Hang):
            if stream and behaviour.text_before_hang:
                self._start_stream()
                self._send_event(self._chunk(model, {"role": "assistant", "content": ""}, None))
                self._send_event(self._chunk(model, {"content": behaviour.text_before_hang}, None))
            self.server.owner._stopping.wait(behaviour.seconds)
            self._abort()
        elif isinstance(behaviour, Cut):
            pieces = _split(behaviour.text_before_cut, chunks=behaviour.after_chunks)
            if stream:
                self._start_stream()
                self._send_event(self._chunk(model, {"role": "assistant", "content": ""}, None))
                for piece in pieces:
                    if self.server.owner._stopping.wait(behaviour.delay_per_chunk):
                        break
                    self._send_event(self._chunk(model, {"content": piece}, None))
            else:
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", "1000")
                self.end_headers()
                self.wfile.write(b'{"id": "chatcmpl-cut", "choices": [')
            self._abort()
        else:
            model = behaviour.model or model
            if stream:
                self._serve_stream(behaviour, body, model)
            else:
                pieces = _split(behaviour.text, behaviour.chunks, behaviour.chunk_size)
                if self.server.owner._stopping.wait(behaviour.delay_per_chunk * len(pieces)):
                    self._abort()
                    return
                self._send_json(200, self._completion(model, behaviour, body))

    def _serve_stream(self, reply: Reply, body: dict[str, Any], model: str) -> None:
        owner = self.server.owner
        pieces = _split(reply.text, reply.chunks, reply.chunk_size)
        self._start_stream()
        self._send_event(self._chunk(model, {"role": "assistant", "content": ""}, None))
        for piece in pieces:
            if owner._stopping.wait(reply.delay_per_chunk):
                self._abort()
                return
            self._send_event(self._chunk(model, {"content": piece}, None))
        self._send_event(self._chunk(model, {}, reply.finish_reason))
        options = body.get("stream_options")
        if isinstance(options, dict) and options.get("include_usage"):
            usage_chunk = self._chunk(model, {}, None)
            usage_chunk["choices"] = []
            usage_chunk["usage"] = self._usage(body, reply.text)
            self._send_event(usage_chunk)
        self._write_chunk(b"data: [DONE]\n\n")
        self._write_chunk(b"")  # the last chunk of the chunked transfer encoding

    # -- helpers

    def _authorised(self) -> bool:
        required = self.server.owner.require_api_key
        if required is None or self.headers.get("Authorization") == f"Bearer {required}":
            return True
        self._send_error(Error(401, "Incorrect API key provided.", error_type="invalid_api_key"))
        return False

    def _read_body(self) -> Any:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            return json.loads(raw) if raw else None
        except (json.JSONDecodeError, UnicodeDecodeError):
            return None

    def _send_json(self, status: int, payload: Any, headers: dict[str, str] | None = None) -> None:
        data = json.dumps(payload).encode()
        self._send_bytes(status, data, "application/json", headers)

    def _send_bytes(
        self, status: int, data: bytes, content_type: str, headers: dict[str, str] | None = None
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def _send_error(self, error: Error) -> None:
        headers = {} if error.retry_after is None else {"Retry-After": f"{error.retry_after:g}"}
        if error.raw_body is not None:
            self._send_bytes(error.status, error.raw_body.encode(), "text/plain", headers)
            return
        payload = {
            "error": {
                "message": error.message,
                "type": error.error_type or "fake_error",
                "param": None,
                "code": None,
            }
        }
        self._send_json(error.status, payload, headers)

    def _start_stream(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()

    def _write_chunk(self, data: bytes) -> None:
        self.wfile.write(f"{len(data):X}\r\n".encode() + data + b"\r\n")
        self.wfile.flush()

    def _send_event(self, payload: dict[str, Any]) -> None:
        self._write_chunk(b"data: " + json.dumps(payload).encode() + b"\n\n")

    def _abort(self) -> None:
        """Close the connection without finishing the answer, as a crashed server would."""
        self.close_connection = True
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def _chunk(self, model: str, delta: dict[str, Any], finish: str | None) -> dict[str, Any]:
        return {
            "id": self._completion_id,
            "object": "chat.completion.chunk",
            "created": int(time.time()),
            "model": model,
            "choices": [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}],
        }

    def _completion(self, model: str, reply: Reply, body: dict[str, Any]) -> dict[str, Any]:
        return {
            "id": self._completion_id,
            "object": "chat.completion",
            "created": int(time.time()),
            "model": model,
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": reply.text},
                    "logprobs": None,
                    "finish_reason": reply.finish_reason or "stop",
                }
            ],
            "usage": self._usage(body, reply.text),
        }

    @staticmethod
    def _usage(body: dict[str, Any], text: str) -> dict[str, int]:
        prompt = sum(len(str(m.get("content", ""))) // 4 + 4 for m in body.get("messages", []))
        completion = len(text) // 4 + 1
        return {
            "prompt_tokens": prompt,
            "completion_tokens": completion,
            "total_tokens": prompt + completion,
        }


class FakeOpenAIServer(StartsAndCloses):
    """The server object: `.base_url`, `.requests`, `.push(behaviour)`, `.close()`."""

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        default: Behaviour | None = None,
        models: list[str] | None = None,
        require_api_key: str | None = None,
    ) -> None:
        self.default: Behaviour = default or Echo()
        self.models: list[str] = list(models if models is not None else DEFAULT_MODELS)
        self.require_api_key = require_api_key
        self._queue: deque[Behaviour] = deque()
        self._requests: list[RecordedRequest] = []
        self._lock = threading.Condition()
        self._connections: set[socket.socket] = set()
        self._stopping = threading.Event()
        self._counter = 0
        self._httpd = _Server((host, port), _Handler)
        self._httpd.owner = self
        self._thread: threading.Thread | None = None
        bound_host, bound_port = self._httpd.server_address[:2]
        assert isinstance(bound_host, str)  # an IPv4 address: never bytes
        self.root_url = f"http://{bound_host}:{bound_port}"
        self.base_url = f"{self.root_url}/v1"

    # -- life cycle

    def start(self) -> FakeOpenAIServer:
        self._thread = threading.Thread(
            target=self._httpd.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="fake-openai-server",
        )
        self._thread.start()
        return self

    def close(self) -> None:
        """Stop serving, interrupt hanging or streaming answers, join every thread."""
        if self._stopping.is_set():
            return
        self._stopping.set()
        if self._thread is not None:
            self._httpd.shutdown()
            self._thread.join()
        with self._lock:
            connections = list(self._connections)
        for connection in connections:  # wakes handlers blocked reading keep-alive sockets
            try:
                connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        self._httpd.server_close()

    # -- scripting and inspection

    def push(self, *behaviours: Behaviour) -> None:
        """Queue behaviours; each chat request consumes one, oldest first."""
        with self._lock:
            self._queue.extend(behaviours)

    @property
    def pending(self) -> int:
        with self._lock:
            return len(self._queue)

    @property
    def requests(self) -> list[RecordedRequest]:
        with self._lock:
            return list(self._requests)

    @property
    def chat_requests(self) -> list[RecordedRequest]:
        return [r for r in self.requests if r.path.rstrip("/").endswith("/chat/completions")]

    def wait_for_requests(self, count: int, timeout: float = 10.0) -> bool:
        """Block until at least `count` requests arrived; False on timeout."""
        with self._lock:
            return self._lock.wait_for(lambda: len(self._requests) >= count, timeout)

    # -- used by the handler

    def _track(self, connection: socket.socket, *, add: bool) -> None:
        with self._lock:
            if add:
                self._connections.add(connection)
            else:
                self._connections.discard(connection)

    def _record(self, handler: BaseHTTPRequestHandler, body: Any) -> None:
        headers = {name.lower(): value for name, value in handler.headers.items()}
        record = RecordedRequest(handler.command, handler.path, headers, body)
        with self._lock:
            self._requests.append(record)
            self._lock.notify_all()

    def _next_behaviour(self) -> Behaviour:
        with self._lock:
            return self._queue.popleft() if self._queue else self.default

    def _new_completion_id(self) -> str:
        with self._lock:
            self._counter += 1
            return f"chatcmpl-fake-{self._counter}"


# --- standalone process ------------------------------------------------------------------


def _load_script(path: Path | None) -> dict[str, Any]:
    if path is None:
        return {}
    raw = json.loads(path.read_text(encoding="utf-8"))
    return {"queue": raw} if isinstance(raw, list) else dict(raw)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Loopback fake OpenAI server for tests.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--script", type=Path, help="JSON list of behaviours, or an object")
    args = parser.parse_args(argv)
    script = _load_script(args.script)
    default = script.get("default")
    server = FakeOpenAIServer(
        host=args.host,
        port=args.port,
        default=behaviour_from_json(default) if default else None,
        models=script.get("models"),
        require_api_key=script.get("require_api_key"),
    )
    server.push(*(behaviour_from_json(item) for item in script.get("queue", [])))
    stop = threading.Event()

    def _on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, _on_signal)
    signal.signal(signal.SIGINT, _on_signal)
    with server:
        print(server.base_url, flush=True)
        while not stop.wait(0.2):  # a short wait so signals are handled promptly
            pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
