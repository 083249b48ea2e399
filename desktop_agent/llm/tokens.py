"""Cheap token estimates for context budgeting, without a tokenizer.

The rule: one token per 4 characters of text (rounded up), which is close to what
OpenAI's and Llama-family tokenizers give for English prose and errs high for code
and non-Latin scripts only mildly. Each message adds `MESSAGE_OVERHEAD_TOKENS` for
its role and separators, and a request adds `REPLY_PRIMING_TOKENS` for the start of
the assistant's reply (the figures OpenAI documents for its chat format). Budgets
built on it should keep a margin; it is an estimate, not a count.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

CHARS_PER_TOKEN = 4
MESSAGE_OVERHEAD_TOKENS = 4
REPLY_PRIMING_TOKENS = 3


def estimate_tokens(text: str) -> int:
    """About one token per 4 characters, rounded up; 0 for empty text."""
    return -(-len(text) // CHARS_PER_TOKEN)


def _content_text(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):  # OpenAI content parts
        return "".join(str(part.get("text", "")) for part in content if isinstance(part, Mapping))
    return "" if content is None else str(content)


def estimate_message_tokens(messages: Iterable[Mapping[str, Any]]) -> int:
    """Estimated prompt tokens of a chat request: content + per-message overhead + priming."""
    total = REPLY_PRIMING_TOKENS
    for message in messages:
        total += MESSAGE_OVERHEAD_TOKENS + estimate_tokens(_content_text(message.get("content")))
        if message.get("name"):
            total += estimate_tokens(str(message["name"]))
    return total
