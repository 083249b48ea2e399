"""The built-in model's child process: llama.cpp's OpenAI-compatible server (xllamacpp).

Started by `llm.builtin.BuiltinModel` as `python -m desktop_agent.llm.builtin_server`
(or `desktop-agent --builtin-model-server` in the frozen app). It reads one JSON line
of settings from stdin (so the per-run API key never shows in `ps`), loads the model,
prints one JSON line `{"address": ...}` (or `{"error": ...}`) to stdout, and serves
until stdin closes. stdin closes when the app quits *or dies*, however it dies, so the
model never outlives the app; a poll of the parent's id is a second guard. (Not
PR_SET_PDEATHSIG: it fires when the *thread* that started the child ends, and the app
starts the model from a short-lived worker thread.)
"""

from __future__ import annotations

import json
import os
import sys
import threading
from typing import Any


def _watch_parent(parent: int) -> None:
    """Exit as soon as stdin closes or the parent process is gone."""

    def wait() -> None:
        try:
            while sys.stdin.buffer.read(4096):
                pass
        except (OSError, ValueError):
            pass
        os._exit(0)

    def poll() -> None:
        # On Linux a reparented child sees a new parent id; elsewhere, this is the net
        # under the stdin guard.
        while True:
            threading.Event().wait(1.0)
            if os.getppid() != parent:
                os._exit(0)

    threading.Thread(target=wait, name="stdin-guard", daemon=True).start()
    threading.Thread(target=poll, name="parent-guard", daemon=True).start()


def _params(settings: dict[str, Any]) -> Any:
    import xllamacpp

    params = xllamacpp.CommonParams()
    params.model.path = settings["model_file"]
    params.model_alias = {settings["model_name"]}
    params.n_ctx = int(settings["context_size"])
    params.n_parallel = 1
    threads = int(settings["threads"])
    params.cpuparams.n_threads = threads
    params.cpuparams_batch.n_threads = threads
    params.hostnames = ["127.0.0.1"]  # loopback only: nothing else on the network sees it
    params.ui = False  # no web UI: the app is the only client
    # llama.cpp keeps up to 8 GiB of old prompts' caches in RAM by default; the app
    # has one conversation at a time, and the slot's own cache covers a growing one.
    params.cache_ram_mib = 0
    params.port = 0  # the system picks a free port, reported back via listening_address
    params.api_keys = [settings["api_key"]]
    params.verbosity = int(settings.get("log_verbosity", 0))
    return params


def serve(settings: dict[str, Any]) -> int:
    # OpenMP reads this once, when the runtime loads: llama.cpp's default spin-waiting
    # gives 0.6 tokens/s on 2 busy cores, passive waiting 42-60 (measured).
    os.environ.setdefault("OMP_WAIT_POLICY", "passive")
    try:
        import xllamacpp

        server = xllamacpp.Server(_params(settings))
    except Exception as exc:  # noqa: BLE001 - reported to the app as one line
        print(json.dumps({"error": f"{type(exc).__name__}: {exc}"}), flush=True)
        return 1
    print(json.dumps({"address": server.listening_address}), flush=True)
    threading.Event().wait()  # serve until the stdin guard ends the process
    return 0


def main() -> int:
    parent = os.getppid()
    line = sys.stdin.readline()
    try:
        settings = json.loads(line)
    except json.JSONDecodeError:
        print(json.dumps({"error": "no settings received"}), flush=True)
        return 2
    _watch_parent(parent)
    return serve(settings)


if __name__ == "__main__":
    sys.exit(main())
