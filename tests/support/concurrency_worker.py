"""One of several processes hammering one store with the app's own services, for the
concurrency test and benchmark: chats streamed from the loopback provider, renames,
weight changes, imports and searches in a loop for a given time.

    python -m tests.support.concurrency_worker DATA_DIR BASE_URL SECONDS SEED

prints one JSON line: counts of each action, replies by status, and every error (type
and message). Uncaught exceptions in any thread are counted as tracebacks.
"""

from __future__ import annotations

import json
import random
import sys
import threading
import time
import traceback
from collections import Counter
from typing import Any


def main(argv: list[str]) -> int:
    data_dir, base_url, seconds, seed = argv[0], argv[1], float(argv[2]), int(argv[3])
    import os

    os.environ["OPENAI_BASE_URL"] = base_url
    os.environ["OPENAI_API_KEY"] = "sk-test"
    tracebacks: list[str] = []
    threading.excepthook = lambda args: tracebacks.append(
        "".join(traceback.format_exception(args.exc_type, args.exc_value, args.exc_traceback))
    )
    from desktop_agent.services import sessions as session_service
    from desktop_agent.services import weights as weight_service
    from desktop_agent.services.app_context import open_app
    from desktop_agent.services.chat import ReplyRun
    from desktop_agent.services.search import search_messages

    rng = random.Random(seed)
    app = open_app(data_dir)
    app.settings.provider.max_retries = 0
    service = app.chat_service()
    counts: Counter[str] = Counter()
    statuses: Counter[str] = Counter()
    errors: list[str] = []
    own: list[str] = []
    deadline = time.monotonic() + seconds
    try:
        while time.monotonic() < deadline:
            action = rng.choice(["chat", "chat", "rename", "weights", "search", "new"])
            try:
                if action == "new" or not own:
                    own.append(session_service.start_session().id)
                elif action == "chat":
                    session_id = rng.choice(own)
                    service.post_user_message(session_id, f"hello {rng.random()}")
                    outcome = ReplyRun(service, session_id).run()
                    statuses[outcome.status] += 1
                    if outcome.status != "complete":
                        errors.append(f"reply {outcome.status}: {outcome.message.status_reason}")
                elif action == "rename":
                    session_service.rename_session(rng.choice(own), f"title {rng.random()}")
                elif action == "weights":
                    owner = weight_service.session_owner(rng.choice(own))
                    weight_service.set_weights(owner, {"verbosity": rng.random()})
                else:
                    search_messages("hello", limit=5)
                counts[action] += 1
            except Exception as exc:  # noqa: BLE001 - every failure is reported, by type
                errors.append(f"{type(exc).__name__}: {exc}")
    finally:
        service.close()
        app.close()
    result: dict[str, Any] = {
        "counts": counts,
        "statuses": statuses,
        "errors": errors,
        "tracebacks": tracebacks,
    }
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
