"""A team store's password saved from Settings → Storage lives in a real OS keyring
(GNOME Keyring over a private D-Bus session) and is what the app logs in with — checked
against a real PostgreSQL cluster; it never reaches the settings file."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.config.test_keyring import UNLOCK_THEN_RUN
from tests.support.pg_cluster import PASSWORD, PASSWORD_ROLE
from tests.support.postgres import TeamStore

REPO = Path(__file__).resolve().parents[2]

PROBE = """
import json, sys
from desktop_agent.config.secrets import store_password
from desktop_agent.services.team_store import check_store, storage_choice
from desktop_agent.store.errors import StoreError
url, password = sys.argv[1], sys.argv[2]
wrong = storage_choice(url, "not the password")
try:
    check_store(url)
    refused = ""
except StoreError as exc:
    refused = str(exc)
choice = storage_choice(url, password)
try:
    check_store(url)
    answer = "connected"
except StoreError as exc:
    answer = str(exc)
print(json.dumps({"saved": choice.password_saved, "url": choice.url, "refused": refused,
                  "answer": answer, "in_keyring": store_password(choice.url) == password}))
"""


@pytest.mark.skipif(
    not (shutil.which("dbus-run-session") and shutil.which("gnome-keyring-daemon")),
    reason="needs gnome-keyring and dbus-user-session (make test installs them as root)",
)
def test_the_store_password_goes_to_the_keyring_and_logs_in(
    tmp_path: Path, team_store: TeamStore
) -> None:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DESKTOP_AGENT_NO_KEYRING", "PGPASSWORD", "PGPASSFILE")
    }
    home = tmp_path / "home"  # a fresh keyring and no ~/.pgpass
    home.mkdir()
    env["HOME"] = str(home)
    url = team_store.url(PASSWORD_ROLE)
    in_session = ["dbus-run-session", "--", "sh", "-c", UNLOCK_THEN_RUN, "sh"]
    done = subprocess.run(
        [*in_session, sys.executable, "-c", PROBE, url, PASSWORD],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["saved"] is True
    assert result["url"] == url
    assert result["in_keyring"] is True
    # The wrong one saved first was refused by the server; the right one logged in (the
    # role is not a member, which only a logged-in role can be told).
    assert "refused the password" in result["refused"]
    assert f"role {PASSWORD_ROLE!r} has no rights" in result["answer"]
    for path in tmp_path.rglob("*"):
        if path.is_file() and "keyrings" not in path.parts:
            assert PASSWORD.encode() not in path.read_bytes(), path
