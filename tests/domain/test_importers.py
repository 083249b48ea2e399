"""Other apps' exports read into the common tree: branches, shown branch, content types."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from desktop_agent.domain.errors import InvalidInputError
from desktop_agent.domain.importers import chatgpt, claude, openwebui
from desktop_agent.domain.importers.formats import (
    ExportReadError,
    detect_format,
    iter_items,
)
from desktop_agent.domain.importers.tree import (
    INSTRUCTIONS_KEY,
    ImportedConversation,
    ImportedMessage,
)
from tests.support.examples import examples
from tests.support.export_fixtures import (
    T0,
    claude_conversation,
    claude_message,
    gpt_branched,
    gpt_conversation,
    gpt_linear,
    gpt_message,
    openwebui_chat,
    owui_message,
    text,
)


def _by_key(conversation: ImportedConversation) -> dict[str, ImportedMessage]:
    return {m.key: m for m in conversation.messages}


def test_chatgpt_keeps_every_branch_and_shows_the_current_one() -> None:
    conversation = chatgpt.parse_conversation(gpt_branched())
    keys = [m.key for m in conversation.messages]
    # Both replies to u1 and both versions of the second question are kept.
    assert {"a1", "a1b", "u2", "u2b"} <= set(keys)
    messages = _by_key(conversation)
    assert messages["a1"].parent_key == messages["a1b"].parent_key == "u1"
    assert messages["u2"].parent_key == messages["u2b"].parent_key == "a1b"
    assert conversation.shown_keys() == [
        INSTRUCTIONS_KEY,
        "u1",
        "a1b",
        "u2b",
        "code",
        "out",
        "img",
        "a3",
    ]
    # Parents always come before their children (the store inserts in this order).
    seen: set[str] = set()
    for message in conversation.messages:
        assert message.parent_key is None or message.parent_key in seen
        seen.add(message.key)


def test_chatgpt_hidden_nodes_are_dropped_and_instructions_kept_visible() -> None:
    conversation = chatgpt.parse_conversation(gpt_branched())
    messages = _by_key(conversation)
    assert "sys" not in messages
    assert "ctx" not in messages
    assert "root" not in messages
    head = messages[INSTRUCTIONS_KEY]
    assert head.role == "system"
    assert head.kind == "instructions"
    assert "I am a botanist." in head.content
    assert "Answer in metric units." in head.content
    assert "Answer in metric units." in conversation.instructions
    assert messages["u1"].parent_key == INSTRUCTIONS_KEY


def test_chatgpt_reasoning_folds_into_the_reply_and_is_not_its_words() -> None:
    messages = _by_key(chatgpt.parse_conversation(gpt_branched()))
    assert "th" not in messages
    assert "rr" not in messages
    reply = messages["code"]
    assert reply.parent_key == "u2b"
    assert "Use matplotlib." in reply.reasoning
    assert "Thought for 3 seconds" in reply.reasoning
    assert "matplotlib" not in reply.content
    assert reply.content == "```python\nplot(heights)\n```"
    assert reply.model == "o3"


def test_chatgpt_content_types() -> None:
    messages = _by_key(chatgpt.parse_conversation(gpt_branched()))
    tool = messages["out"]
    assert tool.kind == "tool"
    assert tool.role == "assistant"
    assert "python" in tool.content
    assert "```\n<Figure>\n```" in tool.content
    image = messages["img"]
    assert "[Image: file-OakPhoto, 800×600]" in image.content
    assert "Which species is this?" in image.content
    assert messages["a1"].model == "gpt-4o"
    assert messages["u1"].created_at == pytest.approx(1_700_000_001.0)


def test_chatgpt_ratings_come_from_message_feedback() -> None:
    ratings = chatgpt.ratings_from_feedback(
        [
            {"conversation_id": "conv-branched", "message_id": "a1", "rating": "thumbsDown"},
            {"conversation_id": "conv-branched", "id": "a3", "rating": "thumbsUp"},
            {"conversation_id": "other", "message_id": "a1", "rating": "thumbsUp"},
            {"conversation_id": "conv-branched", "message_id": "u1", "rating": "thumbsUp"},
            "garbage",
        ]
    )
    messages = _by_key(chatgpt.parse_conversation(gpt_branched(), ratings))
    assert messages["a1"].rating == -1
    assert messages["a3"].rating == 1
    assert messages["u1"].rating is None  # only replies are rated
    assert messages["a1b"].rating is None


def test_chatgpt_without_current_node_shows_the_newest_branch() -> None:
    raw = gpt_branched()
    raw["current_node"] = "no-such-node"
    conversation = chatgpt.parse_conversation(raw)
    assert conversation.shown_keys()[-1] == "a3"


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (lambda c: c.pop("mapping"), "no mapping"),
        (lambda c: c.update(mapping={}), "no mapping"),
        (lambda c: c.update(mapping={"root": {"message": None, "parent": None}}), "no messages"),
        (lambda c: c.pop("id") and c.pop("conversation_id"), "no id"),
    ],
)
def test_chatgpt_broken_conversations_say_why(
    change: Callable[[dict[str, Any]], object], reason: str
) -> None:
    raw = gpt_linear("c1", 2)
    change(raw)
    with pytest.raises(InvalidInputError, match=reason):
        chatgpt.parse_conversation(raw)


def test_chatgpt_cycle_in_the_mapping_does_not_hang() -> None:
    raw = gpt_linear("c1", 2)
    raw["mapping"]["sys"]["parent"] = "c1-1-assistant"  # the root's child points at a leaf
    conversation = chatgpt.parse_conversation(raw)
    assert len(conversation.messages) == 4


def test_claude_linear_with_blocks_and_attachments() -> None:
    raw = claude_conversation(
        "cl-1",
        [
            claude_message(
                "m1",
                "human",
                "Summarise this",
                attachments=[{"file_name": "notes.txt", "extracted_content": "Oaks are tall."}],
            ),
            claude_message(
                "m2",
                "assistant",
                minute=1,
                content=[
                    {"type": "thinking", "thinking": "The file is short."},
                    {"type": "tool_use", "name": "search", "input": {"q": "oak"}},
                    {
                        "type": "tool_result",
                        "name": "search",
                        "content": [{"type": "text", "text": "hit"}],
                    },
                    {"type": "text", "text": "Oaks are tall."},
                ],
            ),
        ],
    )
    conversation = claude.parse_conversation(raw)
    first, second = conversation.messages
    assert first.role == "user"
    assert "📎 notes.txt" in first.content
    assert "Oaks are tall." in first.content
    assert second.parent_key == "m1"
    assert second.role == "assistant"
    assert second.reasoning == "The file is short."
    assert "The file is short." not in second.content
    assert "Tool call (search)" in second.content
    assert "hit" in second.content
    assert second.content.endswith("Oaks are tall.")
    assert conversation.title == "A Claude chat"
    assert conversation.created_at == pytest.approx(1_714_557_600.0)
    assert conversation.shown_keys() == ["m1", "m2"]


def test_claude_tree_variant_keeps_versions() -> None:
    root = "00000000-0000-4000-8000-000000000000"
    raw = claude_conversation(
        "cl-2",
        [
            claude_message("m1", "human", "Hi", parent=root),
            claude_message("m2", "assistant", "Hello", minute=1, parent="m1"),
            claude_message("m2b", "assistant", "Hey there", minute=2, parent="m1"),
            claude_message("m3", "human", "Bye", minute=3, parent="m2"),
        ],
        leaf="m2b",
    )
    conversation = claude.parse_conversation(raw)
    assert {m.key for m in conversation.messages} == {"m1", "m2", "m2b", "m3"}
    assert conversation.shown_keys() == ["m1", "m2b"]


def test_openwebui_history_tree() -> None:
    messages = {
        "a": owui_message("a", None, "user", "Hi", ["b", "c"], 1_715_000_000),
        "b": owui_message("b", "a", "assistant", "Hello", [], 1_715_000_001),
        "c": owui_message("c", "a", "assistant", [{"type": "image_url"}], [], 1_715_000_002),
    }
    conversation = openwebui.parse_conversation(openwebui_chat("ow-1", messages, "b"))
    assert [m.key for m in conversation.messages] == ["a", "b", "c"]
    assert conversation.shown_keys() == ["a", "b"]
    assert _by_key(conversation)["c"].content == "[image_url]"  # not dropped
    assert _by_key(conversation)["b"].model == "llama3"


def test_detection_names_every_format_tried() -> None:
    with pytest.raises(InvalidInputError) as caught:
        detect_format({"role": "user", "content": "hi"})
    message = str(caught.value)
    assert "ChatGPT: the first conversation has no 'mapping'" in message
    assert "Claude: the first conversation has no 'chat_messages'" in message
    assert "Open WebUI: the first conversation has no 'chat' object" in message
    assert detect_format(gpt_linear("c", 1)).app == "chatgpt"
    assert detect_format(claude_conversation("x", [])).app == "claude"
    assert detect_format(openwebui_chat("o", {}, "")).app == "openwebui"


def test_items_stream_one_by_one_and_a_broken_tail_raises_after_good_items() -> None:
    good = json.dumps([gpt_linear("c1", 1), gpt_linear("c2", 1)]).encode()
    broken = io.BufferedReader(io.BytesIO(good[:-40]))  # cut inside the second conversation
    items = iter_items(broken)
    seen = [next(items)]
    with pytest.raises(ExportReadError, match="not valid JSON"):
        next(items)
    assert [c["id"] for c in seen if isinstance(c, dict)] == ["c1"]
    assert len(list(iter_items(io.BufferedReader(io.BytesIO(good))))) == 2
    with pytest.raises(ExportReadError, match="not JSON"):
        list(iter_items(io.BufferedReader(io.BytesIO(b"PK\x03\x04 zip"))))


@st.composite
def _mappings(draw: st.DrawFn) -> tuple[dict[str, Any], set[str], list[str]]:
    """A random ChatGPT mapping: a null root, then nodes under random earlier nodes,
    some hidden; returns (conversation, keys of shown nodes, expected shown branch)."""
    count = draw(st.integers(min_value=1, max_value=20))
    nodes: list[tuple[str, str | None, dict[str, Any] | None]] = [("root", None, None)]
    hidden: set[str] = set()
    parent_of: dict[str, str] = {}
    for index in range(count):
        key = f"n{index}"
        parent = draw(st.sampled_from([n[0] for n in nodes]))
        role = draw(st.sampled_from(["user", "assistant"]))
        is_hidden = draw(st.booleans()) and draw(st.booleans())
        if is_hidden:
            hidden.add(key)
        message = gpt_message(key, role, text(f"{key} words"), at=T0 + index, hidden=is_hidden)
        nodes.append((key, parent, message))
        parent_of[key] = parent
    current = draw(st.sampled_from([n[0] for n in nodes[1:]]))
    path = []
    node: str | None = current
    while node is not None and node != "root":
        if node not in hidden:
            path.append(node)
        node = parent_of.get(node)
    shown = {n[0] for n in nodes[1:]} - hidden
    return gpt_conversation("random", "Random", nodes, current), shown, path[::-1]


@settings(max_examples=examples(ci=200, dev=50), deadline=None)
@given(case=_mappings())
def test_a_random_mapping_keeps_every_shown_node_and_the_current_branch(
    case: tuple[dict[str, Any], set[str], list[str]],
) -> None:
    raw, shown, branch = case
    if not shown:
        with pytest.raises(InvalidInputError, match="no messages"):
            chatgpt.parse_conversation(raw)
        return
    conversation = chatgpt.parse_conversation(raw)
    assert {m.key for m in conversation.messages} == shown  # every version, nothing hidden
    if branch:
        assert conversation.shown_keys() == branch
    seen: set[str] = set()
    for message in conversation.messages:  # parents first, and only shown parents
        assert message.parent_key is None or message.parent_key in seen
        seen.add(message.key)
