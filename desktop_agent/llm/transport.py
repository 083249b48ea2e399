"""An HTTP transport that bounds what a server can make the app hold in memory.

The SDK reads an error body or a plain completion whole (`response.read()`), after
decompression: a gzip bomb behind a 502 inflated to ~900 MB. This transport asks only
for gzip/deflate, decompresses them itself in bounded pieces and strips the header (so
httpx does not decode twice), keeps at most ERROR_BODY_BYTES of an error body (only its
first line is ever shown) and refuses a non-stream body over PLAIN_BODY_BYTES. A stream
passes through decompressed and is bounded by `stream_reader`, which reads it line by line.
"""

from __future__ import annotations

import zlib
from typing import TYPE_CHECKING

import httpx2

from desktop_agent.llm.stream_reader import (
    MAX_PLAIN_BODY_BYTES,
    AnswerNotUnderstood,
    AnswerTooLarge,
)

if TYPE_CHECKING:
    from collections.abc import Iterator
    from types import TracebackType

ERROR_BODY_BYTES = 64 << 10
PLAIN_BODY_BYTES = MAX_PLAIN_BODY_BYTES
_PIECE = 64 << 10  # decompressed bytes produced per step
_DECODED_HERE = {"gzip", "x-gzip", "deflate"}


class BoundedTransport(httpx2.BaseTransport):
    """Wraps a transport (normally `httpx2.HTTPTransport`); see the module docstring."""

    def __init__(self, inner: httpx2.BaseTransport) -> None:
        self._inner = inner

    def handle_request(self, request: httpx2.Request) -> httpx2.Response:
        # brotli/zstd would be decoded by httpx in one unbounded read: never ask for them.
        request.headers["Accept-Encoding"] = "gzip, deflate"
        response = self._inner.handle_request(request)
        encodings = [
            value.strip().lower()
            for value in response.headers.get_list("content-encoding", split_commas=True)
            if value.strip().lower() not in ("", "identity")
        ]
        decode = bool(encodings) and all(e in _DECODED_HERE for e in encodings)
        headers = response.headers.copy()
        if decode:
            del headers["content-encoding"]
            headers.pop("content-length", None)
        content_type = headers.get("content-type", "").lower()
        if response.status_code >= 400:
            limit, cut_quietly = ERROR_BODY_BYTES, True
        elif "text/event-stream" in content_type:
            limit, cut_quietly = None, False  # bounded line by line by stream_reader
        else:
            limit, cut_quietly = PLAIN_BODY_BYTES, False
        stream = _BoundedStream(
            response.stream,  # type: ignore[arg-type]
            encodings if decode else [],
            limit,
            cut_quietly=cut_quietly,
        )
        return httpx2.Response(
            status_code=response.status_code,
            headers=headers,
            stream=stream,
            extensions=response.extensions,
            request=request,
        )

    def close(self) -> None:
        self._inner.close()

    def __exit__(
        self,
        exc_type: type[BaseException] | None = None,
        exc_value: BaseException | None = None,
        traceback: TracebackType | None = None,
    ) -> None:
        self.close()


class _BoundedStream(httpx2.SyncByteStream):
    def __init__(
        self,
        raw: httpx2.SyncByteStream,
        encodings: list[str],
        limit: int | None,
        *,
        cut_quietly: bool,
    ) -> None:
        self._raw = raw
        # Content-Encoding lists the codings in the order applied: undo the last first.
        self._decoders = [_decompressor(e) for e in reversed(encodings)]
        self._limit = limit
        self._cut_quietly = cut_quietly

    def __iter__(self) -> Iterator[bytes]:
        total = 0
        for piece in self._decoded():
            if self._limit is not None and total + len(piece) > self._limit:
                if self._cut_quietly:
                    yield piece[: self._limit - total]
                    return
                raise AnswerTooLarge(
                    f"it sent a body larger than {self._limit >> 20} MiB where a single "
                    "answer was expected"
                )
            total += len(piece)
            yield piece

    def _decoded(self) -> Iterator[bytes]:
        pieces: Iterator[bytes] = iter(self._raw)
        for decoder in self._decoders:
            pieces = _inflate(decoder, pieces)
        yield from pieces

    def close(self) -> None:
        self._raw.close()


def _decompressor(encoding: str) -> zlib._Decompress:
    if encoding == "deflate":
        return zlib.decompressobj()  # zlib-wrapped, as the spec says (raw is retried below)
    return zlib.decompressobj(16 + zlib.MAX_WBITS)


def _inflate(decoder: zlib._Decompress, pieces: Iterator[bytes]) -> Iterator[bytes]:
    """Decompress in bounded steps: one small input can never become one huge output."""
    first = True
    for data in pieces:
        try:
            out = decoder.decompress(data, _PIECE)
        except zlib.error:
            if not first:
                raise _corrupt() from None
            # Some servers send raw deflate under "deflate".
            decoder = zlib.decompressobj(-zlib.MAX_WBITS)
            try:
                out = decoder.decompress(data, _PIECE)
            except zlib.error:
                raise _corrupt() from None
        first = False
        while out:
            yield out
            if not decoder.unconsumed_tail:
                break
            try:
                out = decoder.decompress(decoder.unconsumed_tail, _PIECE)
            except zlib.error:
                raise _corrupt() from None
    try:
        tail = decoder.flush()
    except zlib.error:
        raise _corrupt() from None
    if tail:
        yield tail


def _corrupt() -> AnswerNotUnderstood:
    # Not an httpx error on purpose: the SDK would retry it and call it a network failure.
    return AnswerNotUnderstood("its compressed body is corrupt")
