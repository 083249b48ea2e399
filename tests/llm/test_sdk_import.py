"""The SDK's first import may come from several threads at once (a reply's reader, the
worker mapping an error, the UI): each must get the whole module."""

from __future__ import annotations

import subprocess
import sys

SCRIPT = """
import threading
from desktop_agent.llm.sdk import load_sdk

errors = []
barrier = threading.Barrier(8)

def first_use():
    barrier.wait()
    try:
        load_sdk()
        import openai
        from openai.types.chat import ChatCompletionChunk
        assert issubclass(openai.APITimeoutError, openai.APIConnectionError)
        ChatCompletionChunk.model_validate(
            {"id": "x", "choices": [], "created": 0, "model": "m",
             "object": "chat.completion.chunk"}
        )
    except BaseException as exc:
        errors.append(repr(exc))

threads = [threading.Thread(target=first_use) for _ in range(8)]
for t in threads:
    t.start()
for t in threads:
    t.join()
print(errors)
raise SystemExit(1 if errors else 0)
"""


def test_eight_threads_importing_the_sdk_at_once_all_get_it_whole() -> None:
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr
