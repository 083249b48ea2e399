"""Other apps' exports, built from their documented structures (ChatGPT's `mapping` tree,
Claude.ai's `chat_messages`, Open WebUI's `history.messages`), for import tests."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import Any

T0 = 1_700_000_000.0


def text(*parts: str) -> dict[str, Any]:
    return {"content_type": "text", "parts": list(parts)}


def gpt_message(
    key: str,
    role: str,
    content: dict[str, Any],
    *,
    at: float,
    model: str | None = None,
    hidden: bool = False,
    name: str | None = None,
    metadata: dict[str, Any] | None = None,
) -> dict[str, Any]:
    meta: dict[str, Any] = dict(metadata or {})
    if model:
        meta["model_slug"] = model
    if hidden:
        meta["is_visually_hidden_from_conversation"] = True
    return {
        "id": key,
        "author": {"role": role, "name": name, "metadata": {}},
        "create_time": at,
        "update_time": None,
        "content": content,
        "status": "finished_successfully",
        "end_turn": True,
        "weight": 1.0,
        "metadata": meta,
        "recipient": "all",
    }


def gpt_conversation(
    conversation_id: str,
    title: str,
    nodes: list[tuple[str, str | None, dict[str, Any] | None]],
    current: str,
) -> dict[str, Any]:
    """`nodes`: (key, parent key, message or None), in the order the export lists them."""
    children: dict[str, list[str]] = {}
    for key, parent, _ in nodes:
        if parent is not None:
            children.setdefault(parent, []).append(key)
    mapping = {
        key: {"id": key, "message": message, "parent": parent, "children": children.get(key, [])}
        for key, parent, message in nodes
    }
    times = [m["create_time"] for _, _, m in nodes if m and m.get("create_time")]
    return {
        "title": title,
        "create_time": min(times, default=T0),
        "update_time": max(times, default=T0),
        "mapping": mapping,
        "moderation_results": [],
        "current_node": current,
        "plugin_ids": None,
        "conversation_id": conversation_id,
        "conversation_template_id": None,
        "id": conversation_id,
    }


def gpt_linear(conversation_id: str, turns: int, *, title: str = "", words: str = "") -> dict:
    """A plain back-and-forth of `turns` user/assistant pairs under a hidden system root."""
    nodes: list[tuple[str, str | None, dict[str, Any] | None]] = [
        ("root", None, None),
        ("sys", "root", gpt_message("sys", "system", text(""), at=T0, hidden=True)),
    ]
    parent = "sys"
    for turn in range(turns):
        for role in ("user", "assistant"):
            key = f"{conversation_id}-{turn}-{role}"
            body = f"{role} turn {turn} {words}".strip()
            model = "gpt-4o" if role == "assistant" else None
            at = T0 + turn * 10 + (1 if role == "assistant" else 0)
            nodes.append((key, parent, gpt_message(key, role, text(body), at=at, model=model)))
            parent = key
    return gpt_conversation(conversation_id, title or f"Chat {conversation_id}", nodes, parent)


def gpt_branched() -> dict[str, Any]:
    """A conversation with an edited user turn, a regenerated reply, custom instructions,
    reasoning, code, execution output, an image, a tool message and a hidden node."""
    m = gpt_message
    nodes: list[tuple[str, str | None, dict[str, Any] | None]] = [
        ("root", None, None),
        ("sys", "root", m("sys", "system", text(""), at=T0, hidden=True)),
        (
            "ctx",
            "sys",
            m(
                "ctx",
                "user",
                {
                    "content_type": "user_editable_context",
                    "user_profile": "I am a botanist.",
                    "user_instructions": "Answer in metric units.",
                },
                at=T0,
                hidden=True,
            ),
        ),
        ("u1", "ctx", m("u1", "user", text("How tall do oaks grow?"), at=T0 + 1)),
        ("a1", "u1", m("a1", "assistant", text("Up to 40 m."), at=T0 + 2, model="gpt-4o")),
        ("a1b", "u1", m("a1b", "assistant", text("About 20-40 m."), at=T0 + 3, model="gpt-4o")),
        ("u2", "a1b", m("u2", "user", text("Plot it"), at=T0 + 4)),
        ("u2b", "a1b", m("u2b", "user", text("Plot heights by species"), at=T0 + 5)),
        (
            "th",
            "u2b",
            m(
                "th",
                "assistant",
                {
                    "content_type": "thoughts",
                    "thoughts": [{"summary": "Planning", "content": "Use matplotlib."}],
                },
                at=T0 + 6,
                model="o3",
            ),
        ),
        (
            "rr",
            "th",
            m(
                "rr",
                "assistant",
                {"content_type": "reasoning_recap", "content": "Thought for 3 seconds"},
                at=T0 + 7,
                model="o3",
            ),
        ),
        (
            "code",
            "rr",
            m(
                "code",
                "assistant",
                {"content_type": "code", "language": "python", "text": "plot(heights)"},
                at=T0 + 8,
                model="o3",
            ),
        ),
        (
            "out",
            "code",
            m(
                "out",
                "tool",
                {"content_type": "execution_output", "text": "<Figure>"},
                at=T0 + 9,
                name="python",
            ),
        ),
        (
            "img",
            "out",
            m(
                "img",
                "user",
                {
                    "content_type": "multimodal_text",
                    "parts": [
                        {
                            "content_type": "image_asset_pointer",
                            "asset_pointer": "file-service://file-OakPhoto",
                            "width": 800,
                            "height": 600,
                        },
                        "Which species is this?",
                    ],
                },
                at=T0 + 10,
            ),
        ),
        ("a3", "img", m("a3", "assistant", text("A sessile oak."), at=T0 + 11, model="gpt-4o")),
    ]
    return gpt_conversation("conv-branched", "Oak heights", nodes, "a3")


def write_json(path: Path, value: object) -> Path:
    path.write_text(json.dumps(value), encoding="utf-8")
    return path


def write_zip(path: Path, members: dict[str, object]) -> Path:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, value in members.items():
            archive.writestr(name, json.dumps(value))
    return path


def claude_conversation(
    uuid: str, messages: list[dict[str, Any]], *, name: str = "A Claude chat", leaf: str = ""
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "uuid": uuid,
        "name": name,
        "created_at": "2024-05-01T10:00:00.000000Z",
        "updated_at": "2024-05-01T10:05:00.000000+00:00",
        "account": {"uuid": "acct-1"},
        "chat_messages": messages,
    }
    if leaf:
        body["current_leaf_message_uuid"] = leaf
    return body


def claude_message(
    uuid: str,
    sender: str,
    words: str = "",
    *,
    minute: int = 0,
    content: list[dict[str, Any]] | None = None,
    attachments: list[dict[str, Any]] | None = None,
    parent: str | None = None,
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "uuid": uuid,
        "text": words,
        "content": content if content is not None else [{"type": "text", "text": words}],
        "sender": sender,
        "created_at": f"2024-05-01T10:{minute:02d}:00.000000Z",
        "updated_at": f"2024-05-01T10:{minute:02d}:00.000000Z",
        "attachments": attachments or [],
        "files": [],
    }
    if parent is not None:
        body["parent_message_uuid"] = parent
    return body


def openwebui_chat(chat_id: str, messages: dict[str, dict[str, Any]], current: str) -> dict:
    return {
        "id": chat_id,
        "user_id": "user-1",
        "title": "Open WebUI chat",
        "chat": {
            "id": "",
            "title": "Open WebUI chat",
            "models": ["llama3"],
            "history": {"messages": messages, "currentId": current},
            "messages": [],
        },
        "updated_at": 1_715_000_100,
        "created_at": 1_715_000_000,
        "archived": False,
    }


def owui_message(
    key: str, parent: str | None, role: str, content: object, children: list[str], at: int
) -> dict[str, Any]:
    return {
        "id": key,
        "parentId": parent,
        "childrenIds": children,
        "role": role,
        "content": content,
        "timestamp": at,
        "model": "llama3" if role == "assistant" else None,
    }
