"""Pure helpers of the llm layer: Retry-After parsing, safe URLs, redaction, token estimates."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest

from desktop_agent.llm.errors import display_url, parse_retry_after, redact
from desktop_agent.llm.tokens import (
    MESSAGE_OVERHEAD_TOKENS,
    REPLY_PRIMING_TOKENS,
    estimate_message_tokens,
    estimate_tokens,
)


@pytest.mark.parametrize(
    ("headers", "seconds"),
    [
        ({"retry-after": "12"}, 12.0),
        ({"retry-after": "1.5"}, 1.5),
        ({"retry-after-ms": "2500"}, 2.5),
        ({"retry-after-ms": "2500", "retry-after": "9"}, 2.5),
        ({"retry-after": "soon"}, None),
        ({}, None),
    ],
)
def test_parse_retry_after(headers: dict[str, str], seconds: float | None) -> None:
    assert parse_retry_after(headers) == seconds


def test_parse_retry_after_http_date() -> None:
    when = datetime.now(UTC) + timedelta(seconds=30)
    seconds = parse_retry_after({"retry-after": format_datetime(when, usegmt=True)})
    assert seconds is not None
    assert 25 <= seconds <= 31


def test_display_url_drops_credentials_and_query() -> None:
    assert display_url("https://bob:pw@api.example.com:8443/v1?key=k") == (
        "https://api.example.com:8443/v1"
    )
    assert display_url("http://localhost:11434/v1") == "http://localhost:11434/v1"


def test_redact() -> None:
    assert redact("key sk-abc was wrong", "sk-abc") == "key [redacted] was wrong"
    assert redact("nothing to hide", None) == "nothing to hide"
    assert redact("nothing to hide", "") == "nothing to hide"


def test_estimate_tokens_is_about_four_characters_per_token() -> None:
    assert estimate_tokens("") == 0
    assert estimate_tokens("abc") == 1
    assert estimate_tokens("abcd") == 1
    assert estimate_tokens("abcde") == 2
    assert estimate_tokens("x" * 4000) == 1000


def test_estimate_message_tokens_adds_overhead_per_message() -> None:
    messages: list[dict[str, object]] = [
        {"role": "system", "content": "x" * 40},
        {"role": "user", "content": [{"type": "text", "text": "y" * 8}]},
        {"role": "assistant", "content": None},
    ]
    expected = REPLY_PRIMING_TOKENS + 3 * MESSAGE_OVERHEAD_TOKENS + 10 + 2
    assert estimate_message_tokens(messages) == expected
    assert estimate_message_tokens([]) == REPLY_PRIMING_TOKENS


def test_estimate_grows_with_history() -> None:
    short = [{"role": "user", "content": "hi"}]
    longer = [*short, {"role": "assistant", "content": "hello " * 50}]
    assert estimate_message_tokens(longer) > estimate_message_tokens(short)
