"""The session file (`*.session.json`, Markdown export) and the foreign shapes import accepts.

Import reads three shapes (DESIGN.md "Session file"): our checksummed envelope, a bare
OpenAI messages list, and a file-per-session object `{"id", "created_at", "messages"}`.
Every field is checked; errors name the place, e.g. "messages[3].role: unknown role 'bot'".
"""

from __future__ import annotations

import hashlib
import re
import uuid
from dataclasses import dataclass
from typing import Protocol

from desktop_agent.domain.canonical import (
    check_keys,
    decode_json_file,
    is_canonical_time,
    make_envelope,
    open_envelope,
    parse_timestamp,
    require_object,
    require_str,
    require_uuid,
    sha256_hex,
    type_name,
)
from desktop_agent.domain.errors import InvalidInputError
from desktop_agent.domain.json_text import dumps_indented
from desktop_agent.domain.weights import WEIGHT_NAMES, check_weights

SESSION_FORMAT = "desktop-agent/session"
SESSION_FORMAT_VERSION = 1
ROLES = ("system", "user", "assistant")
STATUSES = ("complete", "incomplete", "error")
MAX_NAME_CHARS = 200
# Sessions can be long (a 10,000-message file is ordinary); snapshots stay capped at 1 MiB.
MAX_SESSION_FILE_BYTES = 256 * 1024 * 1024
TITLE_CHARS = 60  # a derived title keeps this much of the first user message
UNTITLED = "Imported session"
_WHAT = "session file"
_TAG = re.compile(r"[a-z][a-z0-9_]{0,63}")
# Foreign ids that are not UUIDs map to uuid5(_ID_NAMESPACE, id): the same file always
# imports under the same id, so the store's clash rule (new id) applies to re-imports.
_ID_NAMESPACE = uuid.UUID("5b3c2f0e-8a1d-4a57-9a55-3f2f6f1f4d21")
_SESSION_KEYS = frozenset(
    {"id", "title", "agent", "user", "created_at", "updated_at", "goal", "weights", "messages"}
)
_MESSAGE_KEYS = frozenset({"role", "content", "created_at", "status", "feedback"})
# Tool traffic cannot be replayed without the tool calls that produced it, so foreign
# imports skip it (documented in docs/validation.md) rather than refuse the whole file.
_SKIPPED_ROLES = frozenset({"tool", "function"})


@dataclass(frozen=True)
class MessageData:
    """One message of a version-1 session file."""

    role: str  # one of ROLES
    content: str
    created_at: str  # "YYYY-MM-DDTHH:MM:SSZ", UTC
    status: str = "complete"  # one of STATUSES
    feedback: dict[str, object] | None = None  # {"rating": 1 | -1, "tags": [str, ...]}


@dataclass(frozen=True)
class SessionData:
    """A version-1 session file's session: the shown branch only."""

    id: str  # canonical UUID string
    title: str
    agent: str
    user: str
    created_at: str
    updated_at: str
    goal: str
    weights: dict[str, float] | None
    messages: tuple[MessageData, ...]


# Writing


def _tags_of(feedback: dict[str, object]) -> list[str]:
    tags = feedback.get("tags")
    return [str(tag) for tag in tags] if isinstance(tags, list | tuple) else []


def _message_to_json(message: MessageData) -> dict[str, object]:
    feedback = message.feedback
    if feedback is not None:
        feedback = {"rating": feedback.get("rating"), "tags": _tags_of(feedback)}
    return {
        "role": message.role,
        "content": message.content,
        "created_at": message.created_at,
        "status": message.status,
        "feedback": feedback,
    }


class SessionHeader(Protocol):
    """What both session file versions say about the session before its messages."""

    @property
    def id(self) -> str: ...
    @property
    def title(self) -> str: ...
    @property
    def agent(self) -> str: ...
    @property
    def user(self) -> str: ...
    @property
    def created_at(self) -> str: ...
    @property
    def updated_at(self) -> str: ...
    @property
    def goal(self) -> str: ...
    @property
    def weights(self) -> dict[str, float] | None: ...


def header_json(session: SessionHeader) -> dict[str, object]:
    """The body's first keys, in file order (version 1 and the tree alike)."""
    weights = session.weights
    return {
        "id": session.id,
        "title": session.title,
        "agent": session.agent,
        "user": session.user,
        "created_at": session.created_at,
        "updated_at": session.updated_at,
        "goal": session.goal,
        "weights": None if weights is None else {n: float(weights[n]) for n in WEIGHT_NAMES},
    }


def _session_body(session: SessionData) -> dict[str, object]:
    return {
        **header_json(session),
        "messages": [_message_to_json(message) for message in session.messages],
    }


def session_to_document(session: SessionData) -> dict[str, object]:
    """The envelope as plain JSON values, checksum included."""
    return make_envelope(SESSION_FORMAT, SESSION_FORMAT_VERSION, "session", _session_body(session))


def dump_session_json(session: SessionData) -> bytes:
    """The file's bytes. Raises InvalidInputError rather than write a file import would refuse."""
    try:
        body = _session_body(session)
    except (AttributeError, KeyError, TypeError, ValueError) as exc:
        raise InvalidInputError(f"session cannot be written: {exc}") from None
    _check_reads_back(body)
    document = {
        "format": SESSION_FORMAT,
        "format_version": SESSION_FORMAT_VERSION,
        "session": body,
        "sha256": sha256_hex(body),
    }
    return (dumps_indented(document, allow_nan=False) + "\n").encode("utf-8")


def _check_reads_back(body: dict[str, object]) -> None:
    """Import must take back exactly what was written. The header goes through the
    reader; a message already in canonical form (nearly all of them: the store writes
    them so) is recognised without it, which keeps a 10,000-message export fast."""
    messages = body["messages"]
    assert isinstance(messages, list)
    reread = _session_body(_session_from_body({**body, "messages": []}))
    problems = [key for key, value in body.items() if key != "messages" and reread[key] != value]
    for index, message in enumerate(messages):
        if not _plainly_canonical(message):
            again = _message_to_json(_envelope_message(message, f"messages[{index}]"))
            if again != message:
                problems.append(f"messages[{index}]")
    if problems:
        raise InvalidInputError(
            f"session cannot be written: {problems[0]} is not in canonical form "
            "(times must read YYYY-MM-DDTHH:MM:SSZ, ids must be lowercase UUIDs)"
        )


def _plainly_canonical(message: dict[str, object]) -> bool:
    """True only when `_envelope_message` would return this message unchanged."""
    return (
        message["feedback"] is None
        and message["role"] in ROLES
        and message["status"] in STATUSES
        and type(message["content"]) is str
        and is_canonical_time(message["created_at"])
    )


def _feedback_line(feedback: dict[str, object]) -> str:
    verdict = "👍 helpful" if feedback.get("rating") == 1 else "👎 not helpful"
    tags = _tags_of(feedback)
    return f"*Feedback: {verdict}" + (f" — {', '.join(tags)}*" if tags else "*")


def dump_session_markdown(session: SessionData) -> str:
    """A readable export: title, metadata, then each message under a role heading."""
    lines = [
        f"# {session.title.strip() or UNTITLED}",
        "",
        f"- **Session:** `{session.id}`",
        f"- **Agent:** {session.agent} · **User:** {session.user}",
        f"- **Created:** {session.created_at} · **Updated:** {session.updated_at}",
    ]
    if session.goal.strip():
        lines.append(f"- **Goal:** {session.goal.strip()}")
    if session.weights is not None:
        shown = ", ".join(f"{n} {session.weights[n]:.2f}" for n in WEIGHT_NAMES)
        lines.append(f"- **Weights:** {shown}")
    lines.append(f"- **Messages:** {len(session.messages)}")
    for message in session.messages:
        status = "" if message.status == "complete" else f" · *{message.status}*"
        lines += ["", "---", "", f"## {message.role.capitalize()} · {message.created_at}{status}"]
        lines += ["", message.content.rstrip() or "*(empty)*"]
        if message.feedback is not None:
            lines += ["", _feedback_line(message.feedback)]
    return "\n".join(lines) + "\n"


# Reading


def parse_session_file(
    raw: bytes, *, default_agent: str = "assistant", default_user: str = "local", now: str
) -> SessionData:
    """Check an imported file in any accepted shape; `now` stamps times a shape lacks."""
    now = parse_timestamp(now, "now")
    default_agent = _name(default_agent, "default agent")
    default_user = _name(default_user, "default user")
    document = decode_json_file(raw, _WHAT, max_bytes=MAX_SESSION_FILE_BYTES)
    if isinstance(document, list):
        fallback_id = _id_from_bytes(bytes(raw))
        return _from_foreign({"messages": document}, fallback_id, default_agent, default_user, now)
    if not isinstance(document, dict):
        raise InvalidInputError(
            f"{_WHAT}: expected a session envelope, a list of messages or an object with "
            f"'messages', got {type_name(document)}"
        )
    if "format" in document:
        return _parse_envelope(document)
    if "messages" in document:
        fallback_id = _id_from_bytes(bytes(raw))
        return _from_foreign(document, fallback_id, default_agent, default_user, now)
    raise InvalidInputError(
        f"{_WHAT}: not a session: expected 'format' (a session envelope) or 'messages'"
    )


def _id_from_bytes(raw: bytes) -> str:
    return str(uuid.uuid5(_ID_NAMESPACE, hashlib.sha256(raw).hexdigest()))


def _parse_envelope(document: dict[str, object]) -> SessionData:
    body = open_envelope(
        document, _WHAT, fmt=SESSION_FORMAT, version=SESSION_FORMAT_VERSION, body_key="session"
    )
    return _session_from_body(body)


def _session_from_body(body: dict[str, object]) -> SessionData:
    where = "session"
    check_keys(body, where, required=_SESSION_KEYS)
    weights = body["weights"]
    if weights is not None:
        weights_obj = require_object(weights, f"{where}.weights")
        missing = [name for name in WEIGHT_NAMES if name not in weights_obj]
        if missing:
            raise InvalidInputError(f"{where}.weights: missing {missing[0]!r}")
        try:
            weights = check_weights(weights_obj)
        except InvalidInputError as exc:
            raise InvalidInputError(f"{where}.weights: {exc}") from None
    messages = body["messages"]
    if not isinstance(messages, list):
        raise InvalidInputError(f"{where}.messages: expected a list, got {type_name(messages)}")
    return SessionData(
        id=require_uuid(body["id"], f"{where}.id"),
        title=require_str(body["title"], f"{where}.title", max_len=MAX_NAME_CHARS),
        agent=_name(body["agent"], f"{where}.agent"),
        user=_name(body["user"], f"{where}.user"),
        created_at=parse_timestamp(body["created_at"], f"{where}.created_at"),
        updated_at=parse_timestamp(body["updated_at"], f"{where}.updated_at"),
        goal=require_str(body["goal"], f"{where}.goal"),
        weights=weights,
        messages=tuple(_envelope_message(m, f"messages[{i}]") for i, m in enumerate(messages)),
    )


def _name(value: object, where: str) -> str:
    return require_str(value, where, max_len=MAX_NAME_CHARS, non_empty=True)


def _envelope_message(raw: object, where: str) -> MessageData:
    fields = require_object(raw, where)
    check_keys(fields, where, required=_MESSAGE_KEYS)
    role = _role(fields["role"], where)
    status = require_str(fields["status"], f"{where}.status")
    if status not in STATUSES:
        raise InvalidInputError(f"{where}.status: unknown status {status[:40]!r}")
    feedback = fields["feedback"]
    if feedback is not None:
        if role != "assistant":
            raise InvalidInputError(f"{where}.feedback: only assistant replies carry feedback")
        feedback = _feedback(feedback, f"{where}.feedback")
    return MessageData(
        role=role,
        content=require_str(fields["content"], f"{where}.content"),
        created_at=parse_timestamp(fields["created_at"], f"{where}.created_at"),
        status=status,
        feedback=feedback,
    )


def _role(value: object, where: str) -> str:
    role = require_str(value, f"{where}.role")
    if role not in ROLES:
        raise InvalidInputError(f"{where}.role: unknown role {role[:40]!r}")
    return role


def _feedback(value: object, where: str) -> dict[str, object]:
    fields = require_object(value, where)
    check_keys(fields, where, required={"rating", "tags"})
    rating = fields["rating"]
    if isinstance(rating, bool) or rating not in (1, -1):
        raise InvalidInputError(f"{where}.rating: expected 1 or -1, got {rating!r}"[:200])
    tags = fields["tags"]
    if not isinstance(tags, list):
        raise InvalidInputError(f"{where}.tags: expected a list, got {type_name(tags)}")
    for index, tag in enumerate(tags):
        if not isinstance(tag, str) or not _TAG.fullmatch(tag):
            raise InvalidInputError(
                f"{where}.tags[{index}]: expected a tag such as 'too_long', got {tag!r}"[:200]
            )
    if len(set(tags)) != len(tags):
        raise InvalidInputError(f"{where}.tags: a tag is repeated")
    return {"rating": 1 if rating == 1 else -1, "tags": list(tags)}


# Foreign shapes


def _from_foreign(
    document: dict[str, object], fallback_id: str, agent: str, user: str, now: str
) -> SessionData:
    """A bare messages list (wrapped) or a file-per-session object; unknown keys ignored."""
    created_at = now
    if document.get("created_at") is not None:
        created_at = parse_timestamp(document["created_at"], "created_at")
    updated_at = created_at
    if document.get("updated_at") is not None:
        updated_at = parse_timestamp(document["updated_at"], "updated_at")
    raw_messages = document["messages"]
    if not isinstance(raw_messages, list):
        raise InvalidInputError(f"messages: expected a list, got {type_name(raw_messages)}")
    messages = []
    for index, raw in enumerate(raw_messages):
        message = _foreign_message(raw, f"messages[{index}]", created_at)
        if message is not None:
            messages.append(message)
    if not messages:
        raise InvalidInputError(f"{_WHAT}: no messages to import")
    title = document.get("title")
    if title is not None:
        title = require_str(title, "title", max_len=MAX_NAME_CHARS).strip()
    return SessionData(
        id=_foreign_id(document.get("id"), fallback_id),
        title=title or _derive_title(messages),
        agent=agent,
        user=user,
        created_at=created_at,
        updated_at=max(updated_at, created_at, *(m.created_at for m in messages)),
        goal="",
        weights=None,
        messages=tuple(messages),
    )


def _foreign_id(value: object, fallback_id: str) -> str:
    if value is None:
        return fallback_id
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise InvalidInputError(f"id: expected a string, got {type_name(value)}")
    text = str(value)
    if not text.strip() or len(text) > MAX_NAME_CHARS:
        raise InvalidInputError(f"id: must be 1 to {MAX_NAME_CHARS} characters")
    try:
        return require_uuid(text, "id")
    except InvalidInputError:
        return str(uuid.uuid5(_ID_NAMESPACE, text))


def _foreign_message(raw: object, where: str, default_time: str) -> MessageData | None:
    """One OpenAI-style message, or None for tool traffic that import skips."""
    fields = require_object(raw, where)
    if "role" not in fields:
        raise InvalidInputError(f"{where}: missing 'role'")
    role = require_str(fields["role"], f"{where}.role")
    if role in _SKIPPED_ROLES:
        return None
    if role == "developer":  # OpenAI's newer name for the system role
        role = "system"
    role = _role(role, where)
    content = fields.get("content")
    if content is None:
        if role == "assistant" and (fields.get("tool_calls") or fields.get("function_call")):
            return None
        raise InvalidInputError(f"{where}: missing 'content'")
    created_at = default_time
    if fields.get("created_at") is not None:
        created_at = parse_timestamp(fields["created_at"], f"{where}.created_at")
    return MessageData(role, _content_text(content, f"{where}.content"), created_at)


def _content_text(content: object, where: str) -> str:
    """A string, or OpenAI content parts: text parts joined, other parts noted by type."""
    if isinstance(content, str):
        return content
    if not isinstance(content, list):
        raise InvalidInputError(f"{where}: expected a string or a list of parts")
    pieces = []
    for index, raw_part in enumerate(content):
        part = require_object(raw_part, f"{where}[{index}]")
        kind = require_str(part.get("type"), f"{where}[{index}].type", non_empty=True)
        if kind in ("text", "refusal"):
            pieces.append(require_str(part.get(kind), f"{where}[{index}].{kind}"))
        else:
            pieces.append(f"[{kind[:40]} omitted]")
    return "\n".join(pieces)


def _derive_title(messages: list[MessageData]) -> str:
    for message in messages:
        if message.role == "user":
            words = " ".join(message.content.split())
            if words:
                if len(words) <= TITLE_CHARS:
                    return words
                return words[: TITLE_CHARS - 1].rstrip() + "…"
    return UNTITLED
