"""Shared test setup: offscreen Qt, every data dir and provider variable isolated per test."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import settings

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

# Property tests: a quick pass while developing, the full search in CI (`.ci/run` runs
# with CI=true). HYPOTHESIS_PROFILE=ci or =dev picks one explicitly. Tests that need more
# than the default number of examples ask `tests.support.examples.examples` for theirs.
settings.register_profile("ci", max_examples=100, print_blob=True)
settings.register_profile("dev", max_examples=25)


def _hypothesis_profile() -> str:
    chosen = os.environ.get("HYPOTHESIS_PROFILE", "").strip()
    if chosen:
        return chosen
    in_ci = os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")
    return "ci" if in_ci else "dev"


settings.load_profile(_hypothesis_profile())

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
