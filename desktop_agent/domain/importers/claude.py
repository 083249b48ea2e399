"""Claude.ai's data export: `conversations.json`, each conversation's `chat_messages`.

A conversation is `{"uuid", "name", "created_at", "updated_at", "chat_messages": [...]}`
with ISO 8601 times; a message has `uuid`, `sender` (human | assistant), `text`, content
blocks (`text`, `thinking`, `tool_use`, `tool_result`) and `attachments`
(`file_name`, `extracted_content`), kept with the message. Where messages carry
`parent_message_uuid` (and the conversation `current_leaf_message_uuid`), the tree is
kept as versions; otherwise the messages follow one another.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

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

APP = "claude"
LABEL = "Claude"
_ROLES = {"human": "user", "assistant": "assistant"}


def mismatch(sample: object) -> str | None:
    if not isinstance(sample, dict):
        return "its conversations are not objects"
    if "chat_messages" not in sample:
        return "the first conversation has no 'chat_messages'"
    return None


def parse_conversation(raw: object) -> ImportedConversation:
    if not isinstance(raw, dict):
        raise InvalidInputError("not a conversation object")
    source_id = required_id(raw.get("uuid"), "the conversation has no uuid")
    chat = raw.get("chat_messages")
    if not isinstance(chat, list):
        raise InvalidInputError("'chat_messages' is not a list")
    tree = any(isinstance(m, dict) and m.get("parent_message_uuid") for m in chat)
    nodes: list[Node] = []
    previous: str | None = None
    for order, entry in enumerate(chat):
        if not isinstance(entry, dict):
            raise InvalidInputError(f"chat_messages[{order}] is not an object")
        key = entry.get("uuid")
        key = key if isinstance(key, str) and key else f"#{order}"
        parent = entry.get("parent_message_uuid") if tree else previous
        nodes.append(Node(key, key_or_none(parent), _message(entry, order), order))
        previous = key
    leaf = raw.get("current_leaf_message_uuid")
    return assemble(
        app=APP,
        source_id=source_id,
        title=raw.get("name"),
        created_at=parse_time(raw.get("created_at")),
        updated_at=parse_time(raw.get("updated_at")),
        nodes=nodes,
        current_key=leaf if isinstance(leaf, str) else (previous if not tree else None),
    )


def parse_time(value: object) -> float | None:
    """ISO 8601 (with Z or an offset; a naive time is UTC) as Unix seconds."""
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.timestamp()


def _message(entry: dict[str, object], order: int) -> ImportedMessage | None:
    sender = entry.get("sender")
    if sender not in _ROLES:
        raise InvalidInputError(f"chat_messages[{order}]: unknown sender {str(sender)[:40]!r}")
    words, thinking, tool = _blocks(entry)
    words += _attachments(entry)
    if not words.strip() and not thinking.strip():
        return None  # an empty turn (a cancelled reply) is not shown
    return ImportedMessage(
        key="",
        parent_key=None,
        role=_ROLES[str(sender)],
        content=clean_text(words),
        created_at=parse_time(entry.get("created_at")),
        kind="tool" if tool and not words.strip() else "text",
        reasoning=clean_text(thinking),
    )


def _blocks(entry: dict[str, object]) -> tuple[str, str, bool]:
    """(words, thinking, whether a tool block was there); plain `text` without blocks."""
    content = entry.get("content")
    if not isinstance(content, list) or not content:
        text = entry.get("text")
        return (text if isinstance(text, str) else ""), "", False
    words: list[str] = []
    thinking: list[str] = []
    tool = False
    for block in content:
        if not isinstance(block, dict):
            continue
        kind = block.get("type")
        if kind == "text":
            words.append(_str(block.get("text")))
        elif kind == "thinking":
            thinking.append(_str(block.get("thinking")))
        elif kind == "tool_use":
            tool = True
            arguments = json.dumps(block.get("input"), ensure_ascii=False, indent=2)
            words.append(f"**Tool call ({_str(block.get('name'))}):**\n```json\n{arguments}\n```")
        elif kind == "tool_result":
            tool = True
            words.append(f"**Tool result ({_str(block.get('name'))}):**\n\n{_result(block)}")
        else:
            words.append(f"[{_str(kind) or 'unknown'} block not imported]")
    return "\n\n".join(w for w in words if w), "\n\n".join(t for t in thinking if t), tool


def _result(block: dict[str, object]) -> str:
    content = block.get("content")
    if isinstance(content, str):
        return content
    pieces = []
    for item in content if isinstance(content, list) else []:
        if isinstance(item, dict) and isinstance(item.get("text"), str):
            pieces.append(str(item["text"]))
    return "\n".join(pieces)


def _attachments(entry: dict[str, object]) -> str:
    pieces = []
    attachments, files = entry.get("attachments"), entry.get("files")
    for item in attachments if isinstance(attachments, list) else []:
        if isinstance(item, dict):
            name = _str(item.get("file_name")) or "attachment"
            body = _str(item.get("extracted_content"))
            pieces.append(f"📎 {name}\n```\n{body}\n```" if body else f"📎 {name}")
    for item in files if isinstance(files, list) else []:
        if isinstance(item, dict):
            pieces.append(f"[File: {_str(item.get('file_name')) or 'unnamed'}]")
    return ("\n\n" + "\n\n".join(pieces)) if pieces else ""


def _str(value: object) -> str:
    return value if isinstance(value, str) else ""
