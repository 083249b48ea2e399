"""Small, pure display helpers: times and labels as people read them."""

from __future__ import annotations

import html
import re
import time

from desktop_agent.domain.plasticity import FEEDBACK_TAGS


def short_time(stamp: float, now: float | None = None) -> str:
    """ "14:05" today, "Mon 14:05" this week, "21 Nov" this year, else "21 Nov 2025"."""
    now = time.time() if now is None else now
    local, today = time.localtime(stamp), time.localtime(now)
    if local.tm_year == today.tm_year and local.tm_yday == today.tm_yday:
        return time.strftime("%H:%M", local)
    if 0 <= now - stamp < 6 * 86400:
        return time.strftime("%a %H:%M", local)
    if local.tm_year == today.tm_year:
        return time.strftime("%d %b", local).lstrip("0")
    return time.strftime("%d %b %Y", local).lstrip("0")


def full_time(stamp: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(stamp))


def tag_label(tag: str) -> str:
    """too_long -> "Too long"."""
    return tag.replace("_", " ").capitalize()


def feedback_tags() -> list[str]:
    return list(FEEDBACK_TAGS)


def highlighted_html(text: str, spans: tuple[tuple[int, int], ...], color: str) -> str:
    """Escape `text` and mark the matched spans (search snippets)."""
    out: list[str] = []
    cursor = 0
    for start, end in sorted(spans):
        if start < cursor:
            continue
        out.append(html.escape(text[cursor:start]))
        out.append(
            f'<span style="background-color:{color}; font-weight:600">'
            f"{html.escape(text[start:end])}</span>"
        )
        cursor = end
    out.append(html.escape(text[cursor:]))
    return "".join(out)


_MARKUP = re.compile(r"(\*\*|__|`+|^#+\s*|^\s*[-*]\s+)", re.MULTILINE)


def plain_preview(text: str) -> str:
    """A one-line snippet without Markdown markup (list and session previews)."""
    return " ".join(_MARKUP.sub("", text).split())
