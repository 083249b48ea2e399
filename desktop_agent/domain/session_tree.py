"""Session file `format_version` 2: the whole tree (DESIGN.md "Session file").

Version 2 carries every version of every message with its parent and whether it is on
the shown branch, feedback with tags, compaction records, the session's weight events,
its goal, and where an imported conversation came from. Message ids are local to the
file (1, 2, …, parents first), so export → import → export gives the same document.
Version 1 files are read by `session_file.py`.
"""

from __future__ import annotations

from dataclasses import dataclass

from desktop_agent.domain.bulk import bulk_constructor
from desktop_agent.domain.canonical import (
    are_canonical_times,
    check_keys,
    open_envelope,
    parse_timestamp,
    require_object,
    require_str,
    require_uuid,
    type_name,
)
from desktop_agent.domain.envelope_text import dump_envelope
from desktop_agent.domain.errors import InvalidInputError
from desktop_agent.domain.session_file import (
    MAX_NAME_CHARS,
    ROLES,
    SESSION_FORMAT,
    STATUSES,
    _feedback,
    header_json,
)
from desktop_agent.domain.weights import WEIGHT_NAMES, check_weight_value, check_weights

TREE_FORMAT_VERSION = 2
KINDS = ("text", "reasoning", "tool", "instructions")
_WHAT = "session file"
_SESSION_KEYS = frozenset(
    {"id", "title", "agent", "user", "created_at", "updated_at", "goal", "weights"}
    | {"messages", "compactions", "weight_events", "source"}
)
_MESSAGE_KEYS = frozenset(
    {"id", "parent", "shown", "role", "content", "created_at", "status", "status_reason"}
    | {"model", "feedback", "kind", "reasoning", "source_key"}
)
_COMPACTION_KEYS = frozenset({"upto_message", "summary", "model", "created_at"})
_EVENT_KEYS = frozenset({"weight", "old", "new", "cause", "message", "created_at"})
_SOURCE_KEYS = frozenset({"app", "id", "instructions"})


@dataclass(frozen=True)
class TreeMessage:
    """One message of a version-2 session file, every version kept."""

    id: int  # local to the file: 1, 2, …; a parent always comes first
    parent: int | None
    shown: bool
    role: str
    content: str
    created_at: str
    status: str = "complete"
    status_reason: str = ""
    model: str = ""
    feedback: dict[str, object] | None = None  # {"rating": ±1, "tags": [...]}
    kind: str = "text"
    reasoning: str = ""
    source_key: str = ""  # the node's id in another app's export ("" if none)


@dataclass(frozen=True)
class TreeCompaction:
    """A compaction in a session file, pinned to the message it summarises up to."""

    upto_message: int
    summary: str
    model: str
    created_at: str


@dataclass(frozen=True)
class TreeWeightEvent:
    """A weight change in a session file, with its cause."""

    weight: str
    old: float
    new: float
    cause: str
    message: int | None
    created_at: str


@dataclass(frozen=True)
class TreeSource:
    """The other app a session was imported from, so a re-import recognises it."""

    app: str
    id: str
    instructions: str


@dataclass(frozen=True)
class SessionTree:
    """A version-2 session file's session: the whole tree and its history."""

    id: str
    title: str
    agent: str
    user: str
    created_at: str
    updated_at: str
    goal: str
    weights: dict[str, float] | None
    messages: tuple[TreeMessage, ...]
    compactions: tuple[TreeCompaction, ...] = ()
    weight_events: tuple[TreeWeightEvent, ...] = ()
    source: TreeSource | None = None


def is_tree_document(document: object) -> bool:
    return (
        isinstance(document, dict)
        and document.get("format") == SESSION_FORMAT
        and document.get("format_version") == TREE_FORMAT_VERSION
    )


def tree_body(tree: SessionTree) -> dict[str, object]:
    return {
        **header_json(tree),
        "messages": [_message_json(m) for m in tree.messages],
        "compactions": [
            {
                "upto_message": c.upto_message,
                "summary": c.summary,
                "model": c.model,
                "created_at": c.created_at,
            }
            for c in tree.compactions
        ],
        "weight_events": [
            {
                "weight": e.weight,
                "old": float(e.old),
                "new": float(e.new),
                "cause": e.cause,
                "message": e.message,
                "created_at": e.created_at,
            }
            for e in tree.weight_events
        ],
        "source": None
        if tree.source is None
        else {
            "app": tree.source.app,
            "id": tree.source.id,
            "instructions": tree.source.instructions,
        },
    }


def _message_json(m: TreeMessage) -> dict[str, object]:
    feedback = m.feedback
    if feedback is not None:
        tags = feedback.get("tags")
        feedback = {"rating": feedback.get("rating"), "tags": list(tags) if tags else []}  # type: ignore[call-overload]
    return {
        "id": m.id,
        "parent": m.parent,
        "shown": m.shown,
        "role": m.role,
        "content": m.content,
        "created_at": m.created_at,
        "status": m.status,
        "status_reason": m.status_reason,
        "model": m.model,
        "feedback": feedback,
        "kind": m.kind,
        "reasoning": m.reasoning,
        "source_key": m.source_key,
    }


def dump_session_tree(tree: SessionTree) -> bytes:
    """The file's bytes; refuses (InvalidInputError) a tree import would refuse."""
    return dump_tree_body(tree_body(tree))


def dump_tree_body(body: dict[str, object]) -> bytes:
    """The file's bytes for a body shaped as `tree_body` makes it; refuses
    (InvalidInputError) a body import would refuse."""
    # The same checks import makes. The body holds only what JSON holds (dicts with
    # string keys, lists, str, int, float, bool, None), so it is checked as it stands:
    # a round trip through json text (0.1 s at 10,000 messages) would give an equal value.
    check_keys(body, "session", required=_SESSION_KEYS)
    _tree_from_body(body, (), _checked_message_ids(body["messages"]))
    # The check above leaves every message free of floats (see dump_envelope).
    plain = frozenset({"messages"})
    return dump_envelope(SESSION_FORMAT, TREE_FORMAT_VERSION, "session", body, without_floats=plain)


def parse_tree_document(document: dict[str, object]) -> SessionTree:
    body = open_envelope(
        document, _WHAT, fmt=SESSION_FORMAT, version=TREE_FORMAT_VERSION, body_key="session"
    )
    return parse_tree_body(body)


def parse_tree_body(body: dict[str, object]) -> SessionTree:
    check_keys(body, "session", required=_SESSION_KEYS)
    messages = _parsed_messages(body["messages"])
    return _tree_from_body(body, messages, {m.id for m in messages})


def _tree_from_body(
    body: dict[str, object], messages: tuple[TreeMessage, ...], ids: set[int]
) -> SessionTree:
    where = "session"
    weights = body["weights"]
    if weights is not None:
        try:
            weights = check_weights(require_object(weights, f"{where}.weights"))
        except InvalidInputError as exc:
            raise InvalidInputError(f"{where}.weights: {exc}") from None
    return SessionTree(
        id=require_uuid(body["id"], f"{where}.id"),
        title=require_str(body["title"], f"{where}.title", max_len=MAX_NAME_CHARS),
        agent=_name(body["agent"], f"{where}.agent"),
        user=_name(body["user"], f"{where}.user"),
        created_at=parse_timestamp(body["created_at"], f"{where}.created_at"),
        updated_at=parse_timestamp(body["updated_at"], f"{where}.updated_at"),
        goal=require_str(body["goal"], f"{where}.goal"),
        weights=weights,
        messages=messages,
        compactions=tuple(_compactions(body["compactions"], ids)),
        weight_events=tuple(_events(body["weight_events"], ids)),
        source=_source(body["source"]),
    )


def _checked_message_ids(raw: object) -> set[int]:
    """The ids of the messages, when `_messages` would accept them all (it is called to
    name the problem when one is not)."""
    ids = _recognised_ids(raw)
    return {m.id for m in _messages(raw)} if ids is None else ids


def _parsed_messages(raw: object) -> tuple[TreeMessage, ...]:
    """What `_messages` returns, built straight from the fields when they are recognised
    (every file this app writes): 4x faster than checking field by field."""
    if _recognised_ids(raw) is None:
        return _messages(raw)
    assert isinstance(raw, list)
    build = bulk_constructor(TreeMessage)  # the fields in TreeMessage's order
    return tuple(
        build(
            fields["id"],
            fields["parent"],
            fields["shown"],
            fields["role"],
            fields["content"],
            fields["created_at"],
            fields["status"],
            fields["status_reason"],
            fields["model"],
            None
            if (feedback := fields["feedback"]) is None
            else _feedback(feedback, f"messages[{index}].feedback"),
            fields["kind"],
            fields["reasoning"],
            fields["source_key"],
        )
        for index, fields in enumerate(raw)
    )


def _recognised_ids(raw: object) -> set[int] | None:
    """The ids of the messages when each is as the store writes it (a known
    role/status/kind, strings, a canonical time, feedback only on a reply, checked by the
    same `_feedback`), recognised without building it; None when one is not."""
    if type(raw) is not list:
        return None
    seen: set[int] = set()
    shown_tip: int | None = None
    shown_started = False
    for fields in raw:
        if not (
            type(fields) is dict
            and fields.keys() == _MESSAGE_KEYS
            and ((feedback := fields["feedback"]) is None or fields["role"] == "assistant")
            and fields["role"] in ROLES
            and fields["status"] in STATUSES
            and fields["kind"] in KINDS
            and type(fields["content"]) is str
            and type(fields["status_reason"]) is str
            and type(fields["reasoning"]) is str
            and type(model := fields["model"]) is str
            and len(model) <= MAX_NAME_CHARS
            and type(source_key := fields["source_key"]) is str
            and len(source_key) <= MAX_NAME_CHARS
            and type(ident := fields["id"]) is int
            and ident >= 1
            and ident not in seen
            and ((parent := fields["parent"]) is None or (type(parent) is int and parent in seen))
            and type(shown := fields["shown"]) is bool
            and (not shown or (parent == shown_tip and not (parent is None and shown_started)))
        ):
            return None
        if feedback is not None:
            _feedback(feedback, f"messages[{len(seen)}].feedback")
        if shown:
            shown_tip, shown_started = ident, True
        seen.add(ident)
    return seen if are_canonical_times([fields["created_at"] for fields in raw]) else None


def _name(value: object, where: str) -> str:
    return require_str(value, where, max_len=MAX_NAME_CHARS, non_empty=True)


def _list(value: object, where: str) -> list[object]:
    if not isinstance(value, list):
        raise InvalidInputError(f"{where}: expected a list, got {type_name(value)}")
    return value


def _local_id(value: object, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise InvalidInputError(f"{where}: expected a message id (1, 2, …), got {value!r}"[:200])
    return value


def _messages(raw: object) -> tuple[TreeMessage, ...]:
    out: list[TreeMessage] = []
    seen: set[int] = set()
    shown_tip: int | None = None  # the shown branch must be one path from a root
    shown_started = False
    for index, item in enumerate(_list(raw, "messages")):
        where = f"messages[{index}]"
        fields = require_object(item, where)
        check_keys(fields, where, required=_MESSAGE_KEYS)
        ident = _local_id(fields["id"], f"{where}.id")
        if ident in seen:
            raise InvalidInputError(f"{where}.id: {ident} is used twice")
        parent = fields["parent"]
        if parent is not None:
            parent = _local_id(parent, f"{where}.parent")
            if parent not in seen:
                raise InvalidInputError(f"{where}.parent: no earlier message {parent}")
        shown = fields["shown"]
        if not isinstance(shown, bool):
            raise InvalidInputError(f"{where}.shown: expected true or false")
        if shown:
            if parent != shown_tip or (parent is None and shown_started):
                raise InvalidInputError(
                    f"{where}.shown: the shown messages must form one branch from the start"
                )
            shown_tip, shown_started = ident, True
        role = require_str(fields["role"], f"{where}.role")
        if role not in ROLES:
            raise InvalidInputError(f"{where}.role: unknown role {role[:40]!r}")
        status = require_str(fields["status"], f"{where}.status")
        if status not in STATUSES:
            raise InvalidInputError(f"{where}.status: unknown status {status[:40]!r}")
        kind = require_str(fields["kind"], f"{where}.kind")
        if kind not in KINDS:
            raise InvalidInputError(f"{where}.kind: unknown kind {kind[:40]!r}")
        feedback = fields["feedback"]
        if feedback is not None:
            if role != "assistant":
                raise InvalidInputError(f"{where}.feedback: only assistant replies carry feedback")
            feedback = _feedback(feedback, f"{where}.feedback")
        seen.add(ident)
        out.append(
            TreeMessage(
                id=ident,
                parent=parent,
                shown=shown,
                role=role,
                content=require_str(fields["content"], f"{where}.content"),
                created_at=parse_timestamp(fields["created_at"], f"{where}.created_at"),
                status=status,
                status_reason=require_str(fields["status_reason"], f"{where}.status_reason"),
                model=require_str(fields["model"], f"{where}.model", max_len=MAX_NAME_CHARS),
                feedback=feedback,
                kind=kind,
                reasoning=require_str(fields["reasoning"], f"{where}.reasoning"),
                source_key=require_str(
                    fields["source_key"], f"{where}.source_key", max_len=MAX_NAME_CHARS
                ),
            )
        )
    return tuple(out)


def _compactions(raw: object, ids: set[int]) -> list[TreeCompaction]:
    out = []
    for index, item in enumerate(_list(raw, "compactions")):
        where = f"compactions[{index}]"
        fields = require_object(item, where)
        check_keys(fields, where, required=_COMPACTION_KEYS)
        upto = _local_id(fields["upto_message"], f"{where}.upto_message")
        if upto not in ids:
            raise InvalidInputError(f"{where}.upto_message: no message {upto}")
        out.append(
            TreeCompaction(
                upto,
                require_str(fields["summary"], f"{where}.summary"),
                require_str(fields["model"], f"{where}.model", max_len=MAX_NAME_CHARS),
                parse_timestamp(fields["created_at"], f"{where}.created_at"),
            )
        )
    return out


def _events(raw: object, ids: set[int]) -> list[TreeWeightEvent]:
    out = []
    for index, item in enumerate(_list(raw, "weight_events")):
        where = f"weight_events[{index}]"
        fields = require_object(item, where)
        check_keys(fields, where, required=_EVENT_KEYS)
        weight = require_str(fields["weight"], f"{where}.weight")
        if weight not in WEIGHT_NAMES:
            raise InvalidInputError(f"{where}.weight: unknown weight {weight[:40]!r}")
        message = fields["message"]
        if message is not None:
            message = _local_id(message, f"{where}.message")
            if message not in ids:
                raise InvalidInputError(f"{where}.message: no message {message}")
        out.append(
            TreeWeightEvent(
                weight,
                check_weight_value(weight, fields["old"]),
                check_weight_value(weight, fields["new"]),
                require_str(fields["cause"], f"{where}.cause", max_len=MAX_NAME_CHARS),
                message,
                parse_timestamp(fields["created_at"], f"{where}.created_at"),
            )
        )
    return out


def _source(raw: object) -> TreeSource | None:
    if raw is None:
        return None
    fields = require_object(raw, "source")
    check_keys(fields, "source", required=_SOURCE_KEYS)
    return TreeSource(
        require_str(fields["app"], "source.app", max_len=40, non_empty=True),
        require_str(fields["id"], "source.id", max_len=MAX_NAME_CHARS, non_empty=True),
        require_str(fields["instructions"], "source.instructions"),
    )
