"""The shape every importer produces: a conversation whose messages form a tree.

Importers describe each exported node (its key, its parent, and a message or None for a
node that is not shown); `assemble` turns that into messages ordered parents first,
hidden nodes dropped with their children re-attached to the nearest shown ancestor,
and reasoning folded into the reply it led to.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from desktop_agent.domain.errors import InvalidInputError

if TYPE_CHECKING:
    from collections.abc import Sequence

ROLES = ("system", "user", "assistant")
# text: ordinary words; reasoning: the model's thoughts (kept and shown marked, never
# sent back to a model as its words); tool: tool calls and outputs; instructions: the
# user's custom instructions from the other app.
KINDS = ("text", "reasoning", "tool", "instructions")
INSTRUCTIONS_KEY = "custom-instructions"
MAX_TITLE_CHARS = 200
TITLE_CHARS = 60


@dataclass(frozen=True)
class ImportedMessage:
    """One message of another app's conversation, ready to store."""

    key: str  # the node's id in the export: what a later import recognises it by
    parent_key: str | None
    role: str  # one of ROLES
    content: str
    created_at: float | None  # Unix seconds; None when the export has no time
    model: str = ""
    kind: str = "text"  # one of KINDS
    reasoning: str = ""  # thoughts that led to this reply
    status: str = "complete"  # complete | incomplete
    rating: int | None = None  # +1 / -1 from the other app's thumbs


@dataclass(frozen=True)
class ImportedConversation:
    """One conversation of another app's export, as a tree of messages."""

    app: str  # "chatgpt" | "claude" | "openwebui"
    source_id: str
    title: str
    created_at: float
    updated_at: float
    messages: tuple[ImportedMessage, ...]  # every parent before its children
    current_key: str | None  # the last message of the branch shown in the other app
    instructions: str = ""
    version: str = ""  # the export's last-change stamp (see formats.identity)

    def shown_keys(self) -> list[str]:
        """Keys of the shown branch, first message first."""
        parents = {m.key: m.parent_key for m in self.messages}
        path: list[str] = []
        key = self.current_key
        while key is not None and key in parents and len(path) <= len(parents):
            path.append(key)
            key = parents[key]
        return path[::-1]


@dataclass
class Node:
    """One exported node as an importer read it; `message` None means not shown."""

    key: str
    parent: str | None
    message: ImportedMessage | None
    order: int  # position in the export: breaks ties between siblings of equal time


def required_id(value: object, problem: str) -> str:
    """A conversation's id as exported: non-empty text, else InvalidInputError(problem)."""
    if not isinstance(value, str) or not value:
        raise InvalidInputError(problem)
    return value


def key_or_none(value: object) -> str | None:
    """A parent or current-node key as exported: text, or None for anything else."""
    return value if isinstance(value, str) else None


def clean_text(text: str) -> str:
    """Lone surrogates (legal JSON escapes) cannot be stored as UTF-8: replace them."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-8", "surrogatepass").decode("utf-8", "replace")
    return text


def derive_title(title: object, messages: Sequence[ImportedMessage], fallback: str) -> str:
    if isinstance(title, str) and title.strip():
        return clean_text(" ".join(title.split()))[:MAX_TITLE_CHARS]
    for message in messages:
        if message.role == "user" and message.kind == "text":
            words = " ".join(message.content.split())
            if words:
                if len(words) <= TITLE_CHARS:
                    return words
                return words[: TITLE_CHARS - 1].rstrip() + "…"
    return fallback


def _kept_parents(nodes: dict[str, Node]) -> dict[str, str | None]:
    """Each node's nearest shown ancestor; a cycle or a missing parent ends the walk."""
    resolved: dict[str, str | None] = {}
    for start in nodes:
        path: list[str] = []
        on_path: set[str] = set()
        key: str | None = nodes[start].parent
        answer: str | None = None
        while key is not None:
            if key in resolved and nodes[key].message is None:
                answer = resolved[key]
                break
            node = nodes.get(key)
            if node is None or key in on_path or key == start:
                break  # a missing parent or a cycle: the node becomes a root
            if node.message is not None:
                answer = key
                break
            path.append(key)
            on_path.add(key)
            key = node.parent
        resolved[start] = answer
        for hidden in path:
            resolved.setdefault(hidden, answer)
    return resolved


def assemble(
    *,
    app: str,
    source_id: str,
    title: object,
    created_at: float | None,
    updated_at: float | None,
    nodes: Sequence[Node],
    current_key: str | None,
    instructions: str = "",
    instructions_label: str = "",
) -> ImportedConversation:
    """The conversation in tree form; InvalidInputError when nothing in it is shown."""
    by_key: dict[str, Node] = {}
    for node in nodes:
        by_key.setdefault(node.key, node)
    parents = _kept_parents(by_key)
    kept = [n for n in by_key.values() if n.message is not None]
    if not kept:
        raise InvalidInputError("the conversation has no messages")
    current = current_key if current_key in by_key else None
    if current is not None and by_key[current].message is None:
        current = parents.get(current)
    children = _break_cycles(kept, parents)
    for siblings in children.values():
        if len(siblings) > 1:
            siblings.sort(key=lambda n: (_time_of(n), n.order))
    messages, current = _walk(children, current)
    if instructions.strip():
        messages = _with_instructions(messages, instructions, instructions_label)
    if current is None or current not in {m.key for m in messages}:
        current = _newest_leaf(messages)
    times = [m.created_at for m in messages if m.created_at is not None]
    start = created_at if created_at is not None else (min(times) if times else 0.0)
    end = max([start, *([updated_at] if updated_at is not None else []), *times])
    return ImportedConversation(
        app=app,
        source_id=source_id,
        title=derive_title(title, messages, "Imported conversation"),
        created_at=start,
        updated_at=end,
        messages=tuple(messages),
        current_key=current,
        instructions=instructions.strip(),
    )


def _break_cycles(kept: list[Node], parents: dict[str, str | None]) -> dict[str | None, list[Node]]:
    """Children by parent; a loop of parents (a damaged export) is cut at its first node
    so that every shown node hangs below a root."""
    while True:
        children: dict[str | None, list[Node]] = {}
        for node in kept:
            children.setdefault(parents[node.key], []).append(node)
        reached: set[str] = set()
        stack = [n.key for n in children.get(None, [])]
        while stack:
            key = stack.pop()
            reached.add(key)
            stack.extend(n.key for n in children.get(key, []))
        stray = next((n for n in kept if n.key not in reached), None)
        if stray is None:
            return children
        parents[stray.key] = None


def _time_of(node: Node) -> float:
    message = node.message
    if message is None or message.created_at is None:
        return float("inf")
    return message.created_at


def _walk(
    children: dict[str | None, list[Node]], current: str | None
) -> tuple[list[ImportedMessage], str | None]:
    """Depth-first, parents first; reasoning with one assistant child folds into it."""
    out: list[ImportedMessage] = []
    # (node, parent key in the output, reasoning carried down from a folded node)
    stack: list[tuple[Node, str | None, str]] = [
        (n, None, "") for n in reversed(children.get(None, []))
    ]
    while stack:
        node, parent_key, carried = stack.pop()
        message = node.message
        assert message is not None  # only shown nodes are in `children`
        below = children.get(node.key, [])
        thoughts = _join(carried, message.reasoning or "")
        if message.kind == "reasoning" and len(below) == 1:
            child = below[0].message
            if child is not None and child.role == "assistant" and child.kind != "instructions":
                if current == node.key:
                    current = below[0].key
                stack.append((below[0], parent_key, _join(thoughts, message.content)))
                continue
        if message.kind == "reasoning":
            # A reasoning node that led to no single reply stays, its words marked.
            message = replace(message, content="", reasoning=_join(thoughts, message.content))
        elif thoughts != message.reasoning:
            message = replace(message, reasoning=thoughts)
        if message.key != node.key or message.parent_key != parent_key:
            message = replace(message, key=node.key, parent_key=parent_key)
        out.append(message)
        stack.extend((child, node.key, "") for child in reversed(below))
    return out, current


def _join(first: str, second: str) -> str:
    if first and second:
        return f"{first}\n\n{second}"
    return first or second


def _with_instructions(
    messages: list[ImportedMessage], instructions: str, label: str
) -> list[ImportedMessage]:
    """Custom instructions become a visible system message above the first messages."""
    times = [m.created_at for m in messages if m.created_at is not None]
    head = ImportedMessage(
        key=INSTRUCTIONS_KEY,
        parent_key=None,
        role="system",
        content=f"{label}\n\n{instructions.strip()}" if label else instructions.strip(),
        created_at=min(times) if times else None,
        kind="instructions",
    )
    rooted = [
        replace(m, parent_key=INSTRUCTIONS_KEY) if m.parent_key is None else m for m in messages
    ]
    return [head, *rooted]


def _newest_leaf(messages: Sequence[ImportedMessage]) -> str | None:
    """With no (usable) current node, show the branch through the newest children."""
    last_child: dict[str | None, str] = {}
    for message in messages:
        last_child[message.parent_key] = message.key
    key = last_child.get(None)
    seen = 0
    while key is not None and key in last_child and seen <= len(messages):
        key = last_child[key]
        seen += 1
    return key


def check_role(role: str) -> str:
    if role not in ROLES:
        raise InvalidInputError(f"unknown role {role[:40]!r}")
    return role
