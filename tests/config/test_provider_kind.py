"""Which provider answers: the built-in model unless a server is set up, or as chosen."""

from __future__ import annotations

import pytest

from desktop_agent.config.settings import (
    PROVIDER_BUILTIN,
    PROVIDER_SERVER,
    Settings,
    coerce_settings,
    effective_provider,
)
from desktop_agent.domain.errors import InvalidInputError


def resolve(settings: Settings, env: dict[str, str], stored_key: str | None = None) -> str:
    return effective_provider(settings, stored_key, env).kind


def test_nothing_set_up_means_the_built_in_model() -> None:
    provider = effective_provider(Settings(), None, {})
    assert provider.builtin
    assert provider.configured
    assert (provider.context_size, provider.threads, provider.model_file) == (4096, 0, "")


@pytest.mark.parametrize(
    ("env", "stored_key", "base_url"),
    [
        ({"OPENAI_API_KEY": "sk-env"}, None, None),
        ({"OPENAI_BASE_URL": "http://localhost:11434/v1"}, None, None),
        ({}, "sk-stored", None),
        ({}, None, "http://localhost:1234/v1"),
    ],
)
def test_a_key_or_a_server_address_anywhere_means_the_server(
    env: dict[str, str], stored_key: str | None, base_url: str | None
) -> None:
    settings = Settings()
    if base_url:
        settings.provider.base_url = base_url
    assert resolve(settings, env, stored_key) == PROVIDER_SERVER


def test_an_explicit_choice_wins_over_the_automatic_rule() -> None:
    settings = Settings()
    settings.provider.kind = PROVIDER_BUILTIN
    assert resolve(settings, {"OPENAI_API_KEY": "sk-env"}) == PROVIDER_BUILTIN
    settings.provider.kind = PROVIDER_SERVER
    server = effective_provider(settings, None, {})
    assert server.kind == PROVIDER_SERVER
    assert not server.configured  # chosen but not set up: the app says how to set it up


def test_the_model_file_variable_overrides_the_setting() -> None:
    settings = Settings()
    settings.provider.builtin_model_file = "/models/a.gguf"
    assert effective_provider(settings, None, {}).model_file == "/models/a.gguf"
    env = {"DESKTOP_AGENT_MODEL_FILE": "/models/b.gguf"}
    assert effective_provider(settings, None, env).model_file == "/models/b.gguf"


@pytest.mark.parametrize(
    ("provider", "message"),
    [
        ({"kind": "cloud"}, "provider.kind must be"),
        ({"builtin_context_size": 100}, "builtin_context_size must be between 512"),
        ({"builtin_threads": 1000}, "builtin_threads must be between 0 and 256"),
        ({"builtin_model_file": 3}, "builtin_model_file must be a string"),
    ],
)
def test_bad_built_in_settings_are_refused_with_the_key(
    provider: dict[str, object], message: str
) -> None:
    with pytest.raises(InvalidInputError, match=message):
        coerce_settings({"provider": provider})
