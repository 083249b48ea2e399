"""Open WebUI's chat export: a list of chats, each `chat.history.messages` keyed by id.

A message has `id`, `parentId`, `childrenIds`, `role`, `content`, `timestamp` (Unix
seconds) and `model`; `chat.history.currentId` is the shown leaf. A chat without a
history falls back to its flat `chat.messages` list. Non-text content (files, images)
becomes a visible placeholder instead of dropping the chat.
"""

from __future__ import annotations

from desktop_agent.domain.errors import InvalidInputError
from desktop_agent.domain.importers.tree import (
    ImportedConversation,
    ImportedMessage,
    Node,
    assemble,
    clean_text,
    key_or_none,
    required_id,
)

APP = "openwebui"
LABEL = "Open WebUI"
_ROLES = frozenset({"user", "assistant", "system"})


def mismatch(sample: object) -> str | None:
    if not isinstance(sample, dict):
        return "its conversations are not objects"
    chat = sample.get("chat")
    if not isinstance(chat, dict):
        return "the first conversation has no 'chat' object"
    if not isinstance(chat.get("history"), dict) and not isinstance(chat.get("messages"), list):
        return "the first conversation's 'chat' has neither 'history' nor 'messages'"
    return None


def parse_conversation(raw: object) -> ImportedConversation:
    if not isinstance(raw, dict):
        raise InvalidInputError("not a chat object")
    chat = raw.get("chat")
    if not isinstance(chat, dict):
        raise InvalidInputError("the chat has no 'chat' object")
    source_id = required_id(raw.get("id") or chat.get("id"), "the chat has no id")
    history = chat.get("history")
    nodes: list[Node] = []
    current = None
    if isinstance(history, dict) and isinstance(history.get("messages"), dict):
        for order, (key, entry) in enumerate(history["messages"].items()):
            parent = entry.get("parentId") if isinstance(entry, dict) else None
            nodes.append(Node(str(key), key_or_none(parent), _message(entry), order))
        current = history.get("currentId")
    elif isinstance(chat.get("messages"), list):
        previous = None
        for order, entry in enumerate(chat["messages"]):
            key = entry.get("id") if isinstance(entry, dict) else None
            key = key if isinstance(key, str) and key else f"#{order}"
            nodes.append(Node(key, previous, _message(entry), order))
            previous = key
        current = previous
    else:
        raise InvalidInputError("the chat has no messages")
    return assemble(
        app=APP,
        source_id=source_id,
        title=raw.get("title") or chat.get("title"),
        created_at=_seconds(raw.get("created_at")),
        updated_at=_seconds(raw.get("updated_at")),
        nodes=nodes,
        current_key=key_or_none(current),
    )


def _seconds(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    # Some versions write milliseconds or nanoseconds; bring them back to seconds.
    seconds = float(value)
    while seconds > 1e11:
        seconds /= 1000
    return seconds


def _message(entry: object) -> ImportedMessage | None:
    if not isinstance(entry, dict):
        raise InvalidInputError("a message is not an object")
    role = entry.get("role")
    if role not in _ROLES:
        raise InvalidInputError(f"unknown role {str(role)[:40]!r}")
    text = _content(entry.get("content")) + _files(entry.get("files"))
    if role == "system" and not text.strip():
        return None
    model = entry.get("model")
    return ImportedMessage(
        key="",
        parent_key=None,
        role=str(role),
        content=clean_text(text),
        created_at=_seconds(entry.get("timestamp")),
        model=model[:200] if isinstance(model, str) else "",
        status="complete" if entry.get("done", True) else "incomplete",
        rating=_rating(entry.get("annotation")),
    )


def _content(content: object) -> str:
    if isinstance(content, str):
        return content
    pieces = []
    for part in content if isinstance(content, list) else []:
        if isinstance(part, dict):
            if part.get("type") == "text":
                pieces.append(str(part.get("text") or ""))
            else:
                pieces.append(f"[{str(part.get('type') or 'attachment')[:40]}]")
    return "\n".join(pieces)


def _files(files: object) -> str:
    names = []
    for item in files if isinstance(files, list) else []:
        if isinstance(item, dict):
            name = item.get("name") or item.get("type") or "file"
            names.append(f"[{'Image' if item.get('type') == 'image' else 'File'}: {name}]")
    return ("\n\n" + "\n".join(names)) if names else ""


def _rating(annotation: object) -> int | None:
    if isinstance(annotation, dict) and annotation.get("rating") in (1, -1):
        return int(annotation["rating"])
    return None
