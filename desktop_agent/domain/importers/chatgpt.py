"""ChatGPT's data export: each conversation's `mapping` tree, every branch kept.

A conversation is `{"id" | "conversation_id", "title", "create_time", "update_time",
"mapping": {node_id: {"id", "message", "parent", "children"}}, "current_node"}`; times
are float Unix seconds. The root node's message is null; hidden nodes and empty system
nodes are not shown; custom instructions (`user_editable_context`, or a system message
with `is_user_system_message`) are kept with the conversation.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

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

if TYPE_CHECKING:
    from collections.abc import Mapping

APP = "chatgpt"
LABEL = "ChatGPT"
INSTRUCTIONS_LABEL = "Custom instructions (from ChatGPT):"
_INCOMPLETE = frozenset({"in_progress", "finished_partial_completion"})
_ROLES = frozenset({"user", "assistant", "system", "tool"})
_INSTRUCTION_PARTS = (("user_profile", "About you"), ("user_instructions", "How to respond"))


def mismatch(sample: object) -> str | None:
    """None when `sample` (the first conversation) looks like ChatGPT's; else why not."""
    if not isinstance(sample, dict):
        return "its conversations are not objects"
    if "mapping" not in sample:
        return "the first conversation has no 'mapping'"
    return None


def parse_conversation(
    raw: object, ratings: Mapping[tuple[str, str], int] | None = None
) -> ImportedConversation:
    """One exported conversation; InvalidInputError says why one cannot be imported."""
    if not isinstance(raw, dict):
        raise InvalidInputError("not a conversation object")
    source_id = required_id(
        raw.get("conversation_id") or raw.get("id"), "the conversation has no id"
    )
    mapping = raw.get("mapping")
    if not isinstance(mapping, dict) or not mapping:
        raise InvalidInputError("the conversation has no mapping (no messages)")
    ratings = ratings or {}
    nodes: list[Node] = []
    instructions: list[str] = []
    for order, (key, entry) in enumerate(mapping.items()):
        if not isinstance(entry, dict):
            raise InvalidInputError(f"mapping[{key[:40]!r}] is not an object")
        parent = key_or_none(entry.get("parent"))
        message, extra = _message(entry.get("message"), key, parent, source_id, ratings)
        if extra:
            instructions.append(extra)
        nodes.append(Node(key, parent, message, order))
    current = raw.get("current_node")
    return assemble(
        app=APP,
        source_id=source_id,
        title=raw.get("title"),
        created_at=_seconds(raw.get("create_time")),
        updated_at=_seconds(raw.get("update_time")),
        nodes=nodes,
        current_key=key_or_none(current),
        instructions="\n\n".join(dict.fromkeys(instructions)),
        instructions_label=INSTRUCTIONS_LABEL,
    )


def _seconds(value: object) -> float | None:
    if type(value) is float and value == value:  # the usual case, first
        return value
    if isinstance(value, int | float) and not isinstance(value, bool) and value == value:
        return float(value)
    return None


def _message(
    raw: object,
    key: str,
    parent_key: str | None,
    conversation_id: str,
    ratings: Mapping[tuple[str, str], int],
) -> tuple[ImportedMessage | None, str]:
    """The shown message of a node (or None) and any custom instructions it carries;
    `parent_key` is the exported parent (assemble re-attaches it past hidden nodes)."""
    if raw is None:
        return None, ""
    if not isinstance(raw, dict):
        raise InvalidInputError(f"mapping[{key[:40]!r}].message is not an object")
    # Each field is read once: this runs for every node of exports of millions.
    get = raw.get
    author = get("author")
    if not isinstance(author, dict):
        author = {}
    role = author.get("role")
    metadata = get("metadata")
    if not isinstance(metadata, dict):
        metadata = {}
    content = get("content")
    if not isinstance(content, dict):
        content = {}
    kind_name = content.get("content_type")
    if kind_name == "user_editable_context":
        return None, _custom_instructions(content)
    text = _text_of(content)
    if metadata:
        if metadata.get("is_user_system_message"):
            return None, text
        if metadata.get("is_visually_hidden_from_conversation"):
            return None, ""
    if kind_name == "model_editable_context":
        return None, ""
    if role == "system" and not text.strip():
        return None, ""
    kind = "text"
    if kind_name in ("thoughts", "reasoning_recap"):
        kind = "reasoning"
    elif role == "tool":
        kind = "tool"
        name = author.get("name")
        label = f"Tool output ({name})" if isinstance(name, str) and name else "Tool output"
        text = f"**{label}:**\n\n{text}"
    if not isinstance(role, str) or role not in _ROLES:
        raise InvalidInputError(f"mapping[{key[:40]!r}]: unknown author role {str(role)[:40]!r}")
    rating = None
    if ratings and role != "user":
        message_id = get("id")
        rating = ratings.get((conversation_id, message_id if isinstance(message_id, str) else key))
    model = metadata.get("model_slug")
    return (
        ImportedMessage(
            key,
            parent_key,
            "assistant" if role == "tool" else role,
            clean_text(text),
            _seconds(get("create_time")),
            model[:200] if isinstance(model, str) else "",
            kind,
            "",
            "incomplete" if get("status") in _INCOMPLETE else "complete",
            rating,
        ),
        "",
    )


def _custom_instructions(content: dict[str, object]) -> str:
    pieces = []
    for field, heading in _INSTRUCTION_PARTS:
        value = content.get(field)
        if isinstance(value, str) and value.strip():
            pieces.append(f"{heading}:\n{value.strip()}")
    return "\n\n".join(pieces)


def _text_of(content: dict[str, object]) -> str:
    """The words of every content type, as Markdown; unknown types are named, not lost."""
    kind = content.get("content_type")
    if kind == "text":  # nearly every message: plain parts first
        parts = content.get("parts")
        if type(parts) is list and len(parts) == 1 and type(parts[0]) is str:
            return parts[0]
    text = content.get("text")
    if kind == "code":
        language = content.get("language")
        fence = language if isinstance(language, str) and language != "unknown" else ""
        return f"```{fence}\n{_str(text)}\n```"
    if kind == "execution_output":
        return f"Output:\n```\n{_str(text)}\n```"
    if kind == "thoughts":
        thoughts = content.get("thoughts")
        pieces = []
        for thought in thoughts if isinstance(thoughts, list) else []:
            if isinstance(thought, dict):
                summary, body = _str(thought.get("summary")), _str(thought.get("content"))
                pieces.append(f"**{summary}**\n{body}" if summary else body)
        return "\n\n".join(pieces)
    if kind == "reasoning_recap":
        return _str(content.get("content"))
    if kind == "tether_quote":
        title, quoted = _str(content.get("title")), _str(text)
        quote = "\n".join(f"> {line}" for line in quoted.splitlines())
        return f"{title}\n{quote}" if title else quote
    if kind == "tether_browsing_display":
        return _str(content.get("result")) or _str(content.get("summary"))
    if kind == "system_error":
        return f"Error ({_str(content.get('name'))}): {_str(text)}"
    parts = content.get("parts")
    if isinstance(parts, list):
        return "\n".join(piece for piece in (_part_text(p) for p in parts) if piece)
    if isinstance(text, str):
        return text
    return f"[{_str(kind) or 'unknown'} content not imported]"


def _part_text(part: object) -> str:
    if isinstance(part, str):
        return part
    if not isinstance(part, dict):
        return ""
    kind = _str(part.get("content_type"))
    if kind == "image_asset_pointer":
        return f"[Image: {_asset_name(part)}{_size(part)}]"
    if kind == "audio_transcription":
        return _str(part.get("text"))
    if kind.endswith("asset_pointer"):
        label = kind.removesuffix("_asset_pointer").replace("_", " ").title()
        return f"[{label}: {_asset_name(part)}]"
    if isinstance(part.get("text"), str):
        return str(part["text"])
    return f"[{kind or 'attachment'}: {json.dumps(part, ensure_ascii=False)[:200]}]"


def _asset_name(part: dict[str, object]) -> str:
    pointer = _str(part.get("asset_pointer"))
    return pointer.rsplit("/", 1)[-1] or "unnamed"


def _size(part: dict[str, object]) -> str:
    width, height = part.get("width"), part.get("height")
    if isinstance(width, int) and isinstance(height, int):
        return f", {width}×{height}"
    return ""


def _str(value: object) -> str:
    return value if isinstance(value, str) else ""


def ratings_from_feedback(raw: object) -> dict[tuple[str, str], int]:
    """`message_feedback.json`: entries naming a conversation, a message and a rating."""
    out: dict[tuple[str, str], int] = {}
    for entry in raw if isinstance(raw, list) else []:
        if not isinstance(entry, dict):
            continue
        conversation = entry.get("conversation_id")
        message = entry.get("message_id") or entry.get("id")
        rating = _rating(entry.get("rating"))
        if isinstance(conversation, str) and isinstance(message, str) and rating is not None:
            out[(conversation, message)] = rating
    return out


def _rating(value: object) -> int | None:
    if value in ("thumbsUp", "thumbs_up", "up", "positive", 1):
        return 1
    if value in ("thumbsDown", "thumbs_down", "down", "negative", -1):
        return -1
    return None
