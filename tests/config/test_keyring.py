"""The API key in a real OS keyring (GNOME Keyring over a private D-Bus session), and the
user-only file with a warning where no keyring exists. Never in the data dir's other files."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from desktop_agent.config.secrets import SecretStore

REPO = Path(__file__).resolve().parents[2]
SECRET = "sk-test-keyring-0123456789"

PROBE = """
import json, sys
from pathlib import Path
from desktop_agent.config.secrets import SecretStore
store = SecretStore(Path(sys.argv[1]))
status = store.set(sys.argv[2])
got = store.get()
known = store.has_key()
store.clear()
print(json.dumps({"backend": status.backend, "warning": status.warning, "got": got,
                  "known": known, "after_clear": store.get(), "known_after": store.has_key()}))
"""

UNLOCK_THEN_RUN = (
    'printf unlock | gnome-keyring-daemon --unlock --components=secrets >/dev/null 2>&1; exec "$@"'
)


@pytest.mark.skipif(
    not (shutil.which("dbus-run-session") and shutil.which("gnome-keyring-daemon")),
    reason="needs gnome-keyring and dbus-user-session (make test installs them as root)",
)
def test_the_key_goes_to_the_system_keyring_when_there_is_one(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    env = {k: v for k, v in os.environ.items() if k != "DESKTOP_AGENT_NO_KEYRING"}
    home = tmp_path / "home"  # a fresh keyring, not the developer's
    home.mkdir()
    env["HOME"] = str(home)
    done = subprocess.run(
        [
            "dbus-run-session",
            "--",
            "sh",
            "-c",
            UNLOCK_THEN_RUN,
            "sh",
            sys.executable,
            "-c",
            PROBE,
            str(data_dir),
            SECRET,
        ],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result == {
        "backend": "keyring",
        "warning": "",
        "got": SECRET,
        "known": True,  # without asking the keyring: start-up stays fast
        "after_clear": None,
        "known_after": False,
    }
    assert not (data_dir / "api-key.secret").exists()
    for path in tmp_path.rglob("*"):
        if path.is_file() and "keyrings" not in path.parts:
            assert SECRET.encode() not in path.read_bytes(), path


def test_without_a_keyring_the_key_is_a_user_only_file_with_a_warning(tmp_path: Path) -> None:
    store = SecretStore(tmp_path)  # conftest disables the keyring for every test
    status = store.set(SECRET)
    assert status.backend == "file"
    assert "readable only by you" in status.warning
    key_file = tmp_path / "api-key.secret"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert store.get() == SECRET
    assert store.has_key()
    store.clear()
    assert store.get() is None
    assert not store.has_key()
    assert not key_file.exists()


def test_the_window_path_never_imports_keyring_just_to_show_the_status(tmp_path: Path) -> None:
    probe = (
        "import sys; from desktop_agent.services.app_context import open_app;"
        f"ctx = open_app({str(tmp_path / 'data')!r}); p = ctx.provider();"
        "print(p.kind, 'keyring' in sys.modules)"
    )
    env = {k: v for k, v in os.environ.items() if k != "DESKTOP_AGENT_NO_KEYRING"}
    done = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    # No key stored: the built-in model answers, found without importing keyring.
    assert done.stdout.split() == ["builtin", "False"]
