"""Which app an export came from, and its conversations read one at a time.

Exports can be a gigabyte: the file is read in chunks (json_stream) so only one
conversation is in memory at once. Detection looks at the first conversation only.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import IO, TYPE_CHECKING

from desktop_agent.domain.errors import InvalidInputError
from desktop_agent.domain.importers import chatgpt, claude, openwebui
from desktop_agent.domain.importers.json_stream import JsonStreamError, NotUtf8Error, json_items

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Mapping

    from desktop_agent.domain.importers.tree import ImportedConversation

_UTF8_BOM = b"\xef\xbb\xbf"


@dataclass(frozen=True)
class ExportFormat:
    """Another chat app's export, and how to tell a file is one."""

    app: str
    label: str
    mismatch: Callable[[object], str | None]


FORMATS = (
    ExportFormat(chatgpt.APP, chatgpt.LABEL, chatgpt.mismatch),
    ExportFormat(claude.APP, claude.LABEL, claude.mismatch),
    ExportFormat(openwebui.APP, openwebui.LABEL, openwebui.mismatch),
)
LABELS = {f.app: f.label for f in FORMATS}


class ExportReadError(InvalidInputError):
    """The file stopped being valid JSON part-way (conversations before it are fine)."""


def detect_format(sample: object) -> ExportFormat:
    """The format whose shape the first conversation has, or InvalidInputError listing
    every format tried and why each did not match."""
    reasons = []
    for fmt in FORMATS:
        reason = fmt.mismatch(sample)
        if reason is None:
            return fmt
        reasons.append(f"{fmt.label}: {reason}")
    raise InvalidInputError("not an export of a known app (tried " + "; ".join(reasons) + ")")


def sniff_top_level(stream: IO[bytes]) -> str:
    """'list', 'object' or 'other' from the first bytes; the stream is left unread."""
    peek = getattr(stream, "peek", None)
    head = peek(64) if peek is not None else b""
    head = head.removeprefix(_UTF8_BOM).lstrip()
    if head.startswith(b"["):
        return "list"
    if head.startswith(b"{"):
        return "object"
    return "other"


def iter_items(stream: IO[bytes]) -> Iterator[object]:
    """The top-level list's items one by one (a single object counts as a list of one).

    A file that stops being valid JSON raises ExportReadError where it breaks; items
    before that point have already been yielded.
    """
    kind = sniff_top_level(stream)
    if kind == "other":
        raise ExportReadError("the file is not JSON (it does not start with '[' or '{')")
    try:
        yield from json_items(stream)
    except NotUtf8Error:
        raise ExportReadError("the file is not UTF-8 text") from None
    except JsonStreamError as exc:
        raise ExportReadError(f"the file is not valid JSON: {str(exc)[:200]}") from None


def parse_conversation(
    fmt: ExportFormat, raw: object, ratings: Mapping[tuple[str, str], int] | None = None
) -> ImportedConversation:
    """One conversation in the common tree; InvalidInputError when it cannot be imported."""
    if fmt.app == chatgpt.APP:
        return chatgpt.parse_conversation(raw, ratings)
    if fmt.app == claude.APP:
        return claude.parse_conversation(raw)
    return openwebui.parse_conversation(raw)


def ratings_by_conversation(ratings: Mapping[tuple[str, str], int]) -> dict[str, str]:
    """Each conversation's ratings as one comparable string (part of its version)."""
    grouped: dict[str, list[tuple[str, int]]] = {}
    for (conversation, message), rating in ratings.items():
        grouped.setdefault(conversation, []).append((message, rating))
    return {c: repr(sorted(items)) for c, items in grouped.items()}


def conversation_identity(
    fmt: ExportFormat, raw: object, rated: Mapping[str, str] | None = None
) -> tuple[str, str] | None:
    """(source id, version) read cheaply, without building the tree: the version changes
    whenever the other app changed the conversation (its last-change time and size) or
    its ratings did, so an equal version on re-import means "unchanged"."""
    if not isinstance(raw, dict):
        return None
    ident, _title = describe(raw)
    if not ident:
        return None
    if fmt.app == chatgpt.APP:
        stamp, size = raw.get("update_time"), len(raw.get("mapping") or ())
        return ident, f"{stamp!r}:{size}:{(rated or {}).get(ident, '')}"
    if fmt.app == claude.APP:
        return ident, f"{raw.get('updated_at')!r}:{len(raw.get('chat_messages') or ())}"
    chat = raw.get("chat") if isinstance(raw.get("chat"), dict) else {}
    history = chat.get("history") if isinstance(chat, dict) else None
    messages = history.get("messages") if isinstance(history, dict) else None
    return ident, f"{raw.get('updated_at')!r}:{len(messages or ())}"


def describe(raw: object) -> tuple[str, str]:
    """(id, title) of a conversation, as far as they can be read, for the skip report."""
    if not isinstance(raw, dict):
        return "", ""
    chat = raw.get("chat") if isinstance(raw.get("chat"), dict) else {}
    assert isinstance(chat, dict)
    ident = raw.get("conversation_id") or raw.get("id") or raw.get("uuid") or chat.get("id")
    title = raw.get("title") or raw.get("name") or chat.get("title")
    return (
        ident[:200] if isinstance(ident, str) else "",
        title[:200] if isinstance(title, str) else "",
    )
