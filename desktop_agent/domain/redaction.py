"""Secrets out of text: the API key, whole or in part, wherever it appears."""

from __future__ import annotations

MIN_SECRET_FRAGMENT = 8


def redact(text: str, secret: str | None) -> str:
    """`text` with the API key replaced wherever it appears, whole or in part.

    Server messages are shortened before they reach here, so a key cut at the edge must
    not leak its first half: every run of 8+ characters that is part of the key goes.
    """
    if not secret:
        return text
    text = text.replace(secret, "[redacted]")
    if len(secret) < MIN_SECRET_FRAGMENT:
        return text
    out: list[str] = []
    i = 0
    while i < len(text):
        j = i + MIN_SECRET_FRAGMENT
        if j <= len(text) and text[i:j] in secret:
            while j < len(text) and text[i : j + 1] in secret:
                j += 1
            out.append("[redacted]")
            i = j
        else:
            out.append(text[i])
            i += 1
    return "".join(out)
