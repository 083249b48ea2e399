"""A loopback HTTP server that answers chat requests the way a broken or hostile provider
would: malformed chunks, split surrogates, bodies that are not streams, HTML error pages,
endless lines, gzip bombs. Each chat request consumes one fault from a queue (the
default fault answers normally); `faults()` lists them, each with a one-line description.

    with HostileServer() as server:
        server.push("choices_null")
        ... ProviderClient(ProviderConfig(server.base_url, None)) ...

As a process (for CLI tests): ``python -m tests.support.hostile_server FAULT [FAULT...]``
prints the base URL on its first line, serves the faults in order (then normal answers)
and stops on SIGTERM/SIGINT.
"""

from __future__ import annotations

import functools
import json
import signal
import sys
import threading
import zlib
from collections import deque
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler
from typing import Any

import pytest

from tests.support.loopback import LoopbackHTTPServer, StartsAndCloses

Fault = Callable[["_Handler"], None]
_FAULTS: dict[str, tuple[str, Fault]] = {}
_MIB = 1 << 20


def fault(description: str) -> Callable[[Fault], Fault]:
    def register(function: Fault) -> Fault:
        _FAULTS[function.__name__] = (description, function)
        return function

    return register


def faults() -> dict[str, str]:
    """Every fault's name and what it does."""
    return {name: description for name, (description, _) in _FAULTS.items()}


def _chunk(delta: Any = None, finish: Any = None, **extra: Any) -> dict[str, Any]:
    choice = {"index": 0, "delta": {} if delta is None else delta, "finish_reason": finish}
    return {"id": "chatcmpl-hostile", "object": "chat.completion.chunk", "model": "hostile",
            "choices": [choice], **extra}  # fmt: skip


def _event(payload: Any) -> bytes:
    # ensure_ascii: non-ASCII goes out as \\uXXXX escapes, surrogate halves included.
    return b"data: " + json.dumps(payload, ensure_ascii=True).encode() + b"\n\n"


@functools.cache
def _gzip_of(block: bytes, total: int) -> bytes:
    """`total` bytes made of `block` repeated, gzip-compressed (built incrementally)."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    piece = block * (_MIB // len(block))
    out = [packer.compress(piece) for _ in range(total // len(piece))]
    out.append(packer.flush())
    return b"".join(out)


def _send_gzip_bomb(h: _Handler, status: int, filler: bytes, content_type: str) -> None:
    """`h.size` bytes (1 GiB unless pushed with a size) of `filler`, gzip-compressed."""
    h.send_body(status, _gzip_of(filler, h.size or 1 << 30), content_type, gzip=True)


# -- faults: chunks of the wrong shape ------------------------------------------------


@fault("a normal streamed answer 'Hello there.'")
def normal(h: _Handler) -> None:
    h.stream([_chunk({"content": "Hello "}), _chunk({"content": "there."}), _chunk(None, "stop")])


@fault("an emoji as two JSON-escaped surrogate halves in separate chunks")
def surrogate_split(h: _Handler) -> None:
    h.stream_raw(
        _event(_chunk({"content": "Smile \ud83d"}))
        + _event(_chunk({"content": "\ude00 and a pair in one chunk: \ud83d\udc4d"}))
        + _event(_chunk(None, "stop"))
    )


@fault("lone surrogate halves (a low half first, a high half at the very end)")
def lone_surrogates(h: _Handler) -> None:
    h.stream_raw(
        _event(_chunk({"content": "low \udc00 then text"}))
        + _event(_chunk({"content": " high at end \ud83d"}))
        + _event(_chunk(None, "stop"))
    )


@fault("a chunk with choices: null after some text")
def choices_null(h: _Handler) -> None:
    h.stream([_chunk({"content": "Before "}), {"id": "x", "choices": None}, _chunk(None, "stop")])


@fault("a delta whose content is an integer")
def content_int(h: _Handler) -> None:
    h.stream([_chunk({"content": "Count: "}), _chunk({"content": 42}), _chunk(None, "stop")])


@fault("a delta that is a string, not an object")
def delta_string(h: _Handler) -> None:
    h.stream([_chunk("oops"), _chunk(None, "stop")])


@fault("choices that is an object instead of a list")
def choices_object(h: _Handler) -> None:
    h.stream([{"choices": {"0": {"delta": {"content": "x"}}}}])


@fault("a chunk that is a JSON list")
def chunk_list(h: _Handler) -> None:
    h.stream([["not", "an", "object"]])


@fault("a finish_reason that is a number")
def finish_number(h: _Handler) -> None:
    h.stream([_chunk({"content": "x"}), _chunk(None, 7)])


@fault("a chunk that is not JSON")
def chunk_not_json(h: _Handler) -> None:
    h.stream_raw(_event(_chunk({"content": "ok "})) + b"data: {this is not json\n\n")


@fault("a chunk nested 200,000 levels deep (a recursion bomb for json.loads)")
def deep_json(h: _Handler) -> None:
    h.stream_raw(b"data: " + b"[" * 200_000 + b"]" * 200_000 + b"\n\n")


@fault("an error object inside a 200 stream, after some text")
def error_in_stream(h: _Handler) -> None:
    h.stream([_chunk({"content": "Start "}), {"error": {"message": "model overloaded"}}])


@fault("an SSE 'event: error' with a message")
def error_event(h: _Handler) -> None:
    h.stream_raw(b'event: error\ndata: {"error": {"message": "quota exhausted"}}\n\n')


@fault("invalid UTF-8 bytes inside a chunk's text")
def invalid_utf8(h: _Handler) -> None:
    h.stream_raw(
        b'data: {"choices":[{"index":0,"delta":{"content":"bad \xff\xfe bytes"}}]}\n\n'
        + _event(_chunk(None, "stop"))
    )


@fault("CR, CRLF and LF line endings, comments, and the body written one byte at a time")
def odd_framing(h: _Handler) -> None:
    body = (
        b": keep-alive\r\n\r\n"
        + b'data: {"choices":[{"index":0,"delta":{"content":"one "}}]}\r\n\r\n'
        + b'data: {"choices":[{"index":0,"delta":{"content":"two "}}]}\r\r'
        + b'data: {"choices":[{"index":0,"delta":{"content":"three"},"finish_reason":"stop"}]}\n\n'
        + b"data: [DONE]\n\n"
    )
    h.stream_raw(body, piece=1)


@fault("terminal escape sequences in the reply (title, clear screen, OSC 52 clipboard)")
def control_chars(h: _Handler) -> None:
    text = "A\x1b]0;pwned\x07B\x1b[2J\x1b]52;c;ZXZpbA==\x07C\u202eD\x9b31mE\n"
    h.stream([_chunk({"content": text}), _chunk(None, "stop")])


# -- faults: bodies that are not streams -----------------------------------------------


@fault("200 with a body that is not JSON")
def non_json_200(h: _Handler) -> None:
    h.send_body(200, b"Welcome to the proxy. Nothing to see here.", "text/plain")


@fault("200 with an empty body")
def empty_200(h: _Handler) -> None:
    h.send_body(200, b"", "application/json")


@fault("a plain (non-streamed) completion although a stream was asked for")
def plain_completion(h: _Handler) -> None:
    message = {"role": "assistant", "content": "A whole answer at once."}
    payload = {"id": "c", "model": "hostile",
               "choices": [{"index": 0, "message": message, "finish_reason": "stop"}]}  # fmt: skip
    h.send_body(200, json.dumps(payload).encode(), "application/json")


@fault("200 with a JSON object that holds no reply")
def json_without_reply(h: _Handler) -> None:
    h.send_body(200, b'{"status": "ok"}', "application/json")


@fault("200 with an HTML page (a captive portal)")
def html_200(h: _Handler) -> None:
    page = b"<!DOCTYPE html><html><head><title>Hotel Wi-Fi Login</title></head><body/></html>"
    h.send_body(200, page, "text/html")


@fault("502 with an HTML page full of markup and a script")
def html_502(h: _Handler) -> None:
    page = (
        b"<html><head><title>502 Bad Gateway</title><script>alert(1)</script></head>"
        b'<body><h1>Bad Gateway</h1><img src="file:///dev/zero"><p>nginx</p></body></html>'
    )
    h.send_body(502, page, "text/html")


# -- faults: size ----------------------------------------------------------------------


@fault("an unterminated line of `size` bytes (default 100 MiB) inside a stream")
def huge_line(h: _Handler) -> None:
    h.start_stream()
    h.write(b'data: {"choices":[{"delta":{"content":"')
    block = b"x" * _MIB
    for _ in range((h.size or 100 * _MIB) // _MIB):
        if not h.write(block):
            return
    h.finish_stream()


@fault("valid chunks forever (each 4 KiB of text)")
def endless_stream(h: _Handler) -> None:
    h.start_stream()
    event = _event(_chunk({"content": "y" * 4096}))
    while h.write(event):
        pass


@fault("a gzip bomb as a stream: `size` bytes (default 1 GiB) of zeros in one line")
def gzip_bomb_stream(h: _Handler) -> None:
    _send_gzip_bomb(h, 200, b"\0", "text/event-stream")


@fault("a gzip bomb of blank lines as a stream (1 GiB of newlines)")
def gzip_bomb_newlines(h: _Handler) -> None:
    _send_gzip_bomb(h, 200, b"\n", "text/event-stream")


@fault("a gzip bomb behind a 502 error (1 GiB of spaces)")
def gzip_bomb_error(h: _Handler) -> None:
    _send_gzip_bomb(h, 502, b" ", "text/plain")


@fault("a gzip bomb as a plain JSON answer (1 GiB)")
def gzip_bomb_plain(h: _Handler) -> None:
    _send_gzip_bomb(h, 200, b" ", "application/json")


@fault("a body that claims gzip but is not")
def corrupt_gzip(h: _Handler) -> None:
    h.send_body(200, b"\x1f\x8b\x08\x00garbage-garbage-garbage", "text/event-stream", gzip=True)


# -- the server ------------------------------------------------------------------------


class _Server(LoopbackHTTPServer):
    owner: HostileServer


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server
    size = 0

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        self.send_body(200, b'{"object":"list","data":[{"id":"hostile"}]}', "application/json")

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        owner = self.server.owner
        owner.requests.append(json.loads(body) if body else None)
        name, self.size = owner.next_fault()
        _FAULTS[name][1](self)
        self.close_connection = True

    # -- writing

    def write(self, data: bytes) -> bool:
        """Send one chunk of the chunked body; False once the client is gone."""
        if self.server.owner.stopping.is_set():
            return False
        try:
            self.wfile.write(f"{len(data):X}\r\n".encode() + data + b"\r\n")
            self.wfile.flush()
        except OSError:
            return False
        return True

    def start_stream(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()

    def finish_stream(self) -> None:
        self.write(b"")

    def stream(self, chunks: list[Any]) -> None:
        self.stream_raw(b"".join(_event(c) for c in chunks) + b"data: [DONE]\n\n")

    def stream_raw(self, body: bytes, piece: int = 0) -> None:
        self.start_stream()
        step = piece or len(body) or 1
        for start in range(0, len(body), step):
            if not self.write(body[start : start + step]):
                return
        self.finish_stream()

    def send_body(self, status: int, data: bytes, content_type: str, *, gzip: bool = False) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        if gzip:
            self.send_header("Content-Encoding", "gzip")
        self.end_headers()
        try:
            self.wfile.write(data)
        except OSError:
            pass


class HostileServer(StartsAndCloses):
    """`.base_url`, `.push(name, size=...)`, `.requests` (the parsed request bodies)."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self._server = _Server((host, port), _Handler)
        self._server.owner = self
        self._queue: deque[tuple[str, int]] = deque()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self.stopping = threading.Event()
        self.requests: list[Any] = []
        address = self._server.server_address
        self.base_url = f"http://{address[0]!s}:{address[1]}/v1"

    def push(self, *names: str, size: int = 0) -> None:
        for name in names:
            if name not in _FAULTS:
                raise ValueError(f"unknown fault {name!r}; known: {sorted(_FAULTS)}")
            with self._lock:
                self._queue.append((name, size))

    def next_fault(self) -> tuple[str, int]:
        with self._lock:
            return self._queue.popleft() if self._queue else ("normal", 0)

    def start(self) -> HostileServer:
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,))
        self._thread.start()
        return self

    def close(self) -> None:
        self.stopping.set()
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join()


@pytest.fixture
def hostile_server() -> Iterator[HostileServer]:
    with HostileServer() as server:
        yield server


def main(argv: list[str]) -> int:
    server = HostileServer()
    for item in argv:
        name, _, size = item.partition(":")
        server.push(name, size=int(size or 0))
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    with server:
        print(server.base_url, flush=True)
        while not stop.wait(0.2):
            pass
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
