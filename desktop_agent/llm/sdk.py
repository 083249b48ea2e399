"""The openai SDK, imported once, on one thread at a time.

`import openai` happens on first use (it costs ~0.4 s), and first use can come from two
threads at once: a reply's reader thread and the worker or UI thread mapping an error.
CPython's per-module import locks then hand one thread a partially initialised module
("cannot import name ... from partially initialized module 'pydantic._internal...'"),
seen intermittently in the window tests. Every lazy import of the SDK goes through
`load_sdk()` first, which imports it, and builds the chunk model's validator, under one
lock.
"""

from __future__ import annotations

import threading

_lock = threading.Lock()
_loaded = False


def load_sdk() -> None:
    """Import openai and httpx2 completely (idempotent, thread-safe, cheap once done)."""
    global _loaded
    if _loaded:
        return
    with _lock:
        if _loaded:
            return
        import httpx2  # noqa: F401
        import openai  # noqa: F401
        from openai._constants import DEFAULT_CONNECTION_LIMITS  # noqa: F401
        from openai.types.chat import ChatCompletion, ChatCompletionChunk

        # pydantic builds a model's validator (importing more of itself) on first use.
        ChatCompletionChunk.model_validate(
            {
                "id": "warm-up",
                "choices": [],
                "created": 0,
                "model": "m",
                "object": "chat.completion.chunk",
            }
        )
        ChatCompletion.model_validate(
            {
                "id": "warm-up",
                "choices": [],
                "created": 0,
                "model": "m",
                "object": "chat.completion",
            }
        )
        _loaded = True
