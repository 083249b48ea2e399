"""What the loopback test servers share: an HTTP server that joins its handler threads
and shrugs off clients that hang up, and `with` around start() and close()."""

from __future__ import annotations

import sys
from http.server import ThreadingHTTPServer
from types import TracebackType
from typing import Any, Self


class LoopbackHTTPServer(ThreadingHTTPServer):
    # Handler threads are joined in server_close(), so a test leaves no thread behind.
    daemon_threads = False
    block_on_close = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that hangs up mid-answer is normal here (timeouts, cancels, cuts, and
        # every bound a hostile answer is meant to hit).
        if isinstance(sys.exc_info()[1], OSError):
            return
        super().handle_error(request, client_address)


class StartsAndCloses:
    """`with server:` starts it and closes it again, whatever happens inside."""

    def start(self) -> object:
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
