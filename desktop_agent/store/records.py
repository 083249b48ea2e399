"""Plain, immutable records the store returns: no live peewee rows leave the store."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class AgentRecord:
    """An agent: its prompt, models, baseline weights and learning settings."""

    id: int
    name: str
    system_prompt: str
    primary_model: str
    fast_model: str
    baseline: dict[str, float]
    learning_rate: float
    decay: float
    created_at: float
    deleted: bool


@dataclass(frozen=True)
class UserRecord:
    """A user profile."""

    id: int
    handle: str
    display_name: str


@dataclass(frozen=True)
class SessionRecord:
    """A session with its agent's and user's names, as lists and headers show it."""

    id: str
    title: str
    agent_id: int
    agent_name: str
    agent_deleted: bool
    user_id: int
    user_handle: str
    created_at: float
    updated_at: float
    pinned: bool
    trashed_at: float | None
    goal: str
    goal_progress: float | None
    weights: dict[str, float]
    learning_enabled: bool
    message_count: int
    preview: str
    experiment_id: str | None = None
    arm: str | None = None

    @property
    def trashed(self) -> bool:
        return self.trashed_at is not None


@dataclass(frozen=True)
class FeedbackRecord:
    """A rating of a reply, with its tags."""

    rating: int  # +1 or -1
    tags: tuple[str, ...]
    created_at: float


@dataclass(frozen=True)
class MessageRecord:
    """One message, with its place among its versions."""

    id: int
    session_id: str
    seq: int
    parent_id: int | None
    role: str
    content: str
    status: str  # complete | incomplete | error
    status_reason: str
    model: str
    weights: dict[str, float] | None
    created_at: float
    updated_at: float
    active: bool = True
    feedback: FeedbackRecord | None = None
    version_index: int = 0  # 0-based position among its versions (siblings)
    version_count: int = 1


@dataclass(frozen=True)
class SearchHit:
    """A message that matched a search, with the matched terms marked."""

    message_id: int
    session_id: str
    session_title: str
    role: str
    snippet: str  # plain text; `spans` mark the matched terms
    spans: tuple[tuple[int, int], ...]
    created_at: float


@dataclass(frozen=True)
class WeightEventRecord:
    """One change of one weight, in a session, a user's state or an agent's baseline."""

    id: int
    scope: str  # session | user | agent
    session_id: str | None
    user_id: int | None
    agent_id: int
    weight: str
    old: float
    new: float
    cause: str
    message_id: int | None
    created_at: float


@dataclass(frozen=True)
class CompactionRecord:
    """A summary that stands in for the older turns of a branch."""

    id: int
    session_id: str
    upto_seq: int  # the summary covers active messages with seq <= upto_seq
    upto_message_id: int  # ...on the branch through this message (else it is stale)
    summary: str
    model: str
    created_at: float


@dataclass(frozen=True)
class SnapshotRecord:
    """A saved, immutable set of an agent's weights."""

    id: str
    name: str
    agent_name: str
    weights: dict[str, float]
    learning_rate: float
    decay: float
    created_at: float
    parent_id: str | None
    source_session_id: str | None
    validation: dict[str, object] | None
    notes: str


@dataclass(frozen=True)
class ExperimentRecord:
    """An A/B test between two snapshots of one agent."""

    id: str
    name: str
    agent_id: int
    agent_name: str
    snapshot_a: str
    snapshot_b: str
    split: float
    status: str
    created_at: float
    stopped_at: float | None
    promoted: str | None
    extra: dict[str, object] = field(default_factory=dict)
