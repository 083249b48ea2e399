"""Pathological text laid out in bounded time: the chat shows a collapsed preview, the
message viewer switches to a plain view laid out a piece at a time.

Qt's line breaking is quadratic in the length of an unbreakable run (a 1 MB token took
143 s; 300 KB of hex 8.9 s) and linear but slow in total length (10 MB of prose, 8 s),
all on the UI thread. So the chat lays out at most PREVIEW_CHARS of a message, with a
zero-width break opportunity every BREAK_EVERY characters of any longer run, and says how
to see all of it; the viewer shows huge text as plain blocks of at most PIECE_CHARS, which
QPlainTextEdit lays out only when they scroll into view.
"""

from __future__ import annotations

import re

PREVIEW_CHARS = 16_000
BREAK_EVERY = 120
VIEWER_RICH_CHARS = 200_000  # beyond this the viewer shows plain text
VIEWER_LONGEST_RUN = 2_000  # an unbroken run longer than this also means plain text
PIECE_CHARS = 2_000

_ZWSP = "\u200b"
_LONG_RUN = re.compile(rf"\S{{{BREAK_EVERY + 1},}}")
_VIEWER_RUN = re.compile(rf"\S{{{VIEWER_LONGEST_RUN},}}")


def breakable(text: str, every: int = BREAK_EVERY) -> str:
    """`text` with a zero-width space every `every` characters of a long unbroken run."""

    def split(match: re.Match[str]) -> str:
        run = match.group()
        return _ZWSP.join(run[i : i + every] for i in range(0, len(run), every))

    return _LONG_RUN.sub(split, text)


def chat_preview(text: str) -> str:
    """What the chat lays out for a message: the whole text when short, else its start
    and a note saying how to see the rest (Markdown, like the message itself)."""
    if len(text) <= PREVIEW_CHARS:
        return breakable(text) if _LONG_RUN.search(text) else text
    cut = text[:PREVIEW_CHARS]
    space = max(cut.rfind(" ", PREVIEW_CHARS - 200), cut.rfind("\n", PREVIEW_CHARS - 200))
    if space > 0:
        cut = cut[:space]
    if cut.count("```") % 2:
        cut += "\n```"  # close a code block left open by the cut
    note = (
        f"\n\n*Showing the first {len(cut):,} of {len(text):,} characters. "
        "Double-click the message to show all.*"
    )
    return breakable(cut) + note


def needs_plain_view(text: str) -> bool:
    """Whether the viewer should show `text` as plain pieces instead of Markdown."""
    if len(text) > VIEWER_RICH_CHARS:
        return True
    return _VIEWER_RUN.search(text) is not None


def plain_pieces(text: str, width: int = PIECE_CHARS) -> str:
    """`text` with every line longer than `width` shown as several (display only)."""
    lines = []
    for line in text.split("\n"):
        if len(line) <= width:
            lines.append(line)
        else:
            lines.extend(line[i : i + width] for i in range(0, len(line), width))
    return "\n".join(lines)
