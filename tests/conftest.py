"""Shared test setup: offscreen Qt, every data dir and provider variable isolated per test."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

pytest_plugins = ["tests.support.fixtures"]


@pytest.fixture(autouse=True)
def _isolated_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No test reads the developer's data dir, keyring or provider settings."""
    data_dir = tmp_path / "data"
    monkeypatch.setenv("DESKTOP_AGENT_DATA_DIR", str(data_dir))
    monkeypatch.setenv("DESKTOP_AGENT_NO_KEYRING", "1")
    for name in (
        "OPENAI_API_KEY",
        "OPENAI_BASE_URL",
        "DESKTOP_AGENT_MODEL",
        "DESKTOP_AGENT_MODEL_FILE",
        "OPENAI_ORG_ID",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
