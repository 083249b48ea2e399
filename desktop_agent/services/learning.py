"""Feedback and correction cues move a session's weights (and, by default, the user's
learned state) through the plasticity rule; every change is stored as an event."""

from __future__ import annotations

from typing import TYPE_CHECKING

from desktop_agent.domain.causes import REINFORCE, Cause
from desktop_agent.domain.plasticity import Plasticity, Signal, WeightChange, apply_signal
from desktop_agent.store import agents, messages, sessions
from desktop_agent.store.db import database
from desktop_agent.store.weights import Owner, apply_weight_changes, list_weight_events, set_weights

if TYPE_CHECKING:
    from collections.abc import Sequence

    from desktop_agent.store.records import FeedbackRecord, WeightEventRecord

RECENT_EVENTS = 50  # how far back a thumbs up looks for learned changes to reinforce


def _learn(
    session_id: str, signal: Signal, message_id: int | None, follow_session: bool
) -> list[WeightEventRecord]:
    session = sessions.get_session(session_id)
    if not session.learning_enabled:
        return []
    agent = agents.get_agent(session.agent_id)
    owner = Owner.session(session_id)
    recent = _since_last_reinforcement(list_weight_events(owner)[-RECENT_EVENTS:])
    changes = apply_signal(
        session.weights,
        agent.baseline,
        signal,
        Plasticity(agent.learning_rate, agent.decay),
        recent,
    )
    if not changes:
        return []
    with database.atomic():
        events = apply_weight_changes(
            owner, [(c.weight, c.old, c.new, c.cause) for c in changes], message_id=message_id
        )
        if follow_session and events:
            follow(session_id)
    return events


def _since_last_reinforcement(events: Sequence[WeightEventRecord]) -> list[WeightChange]:
    """Learned changes after the previous thumbs up: a lesson is reinforced once, not on
    every later thumbs up."""
    start = 0
    for index, event in enumerate(events):
        if event.cause == REINFORCE:
            start = index + 1
    return [WeightChange(e.weight, e.old, e.new, Cause(e.cause)) for e in events[start:]]


def follow(session_id: str) -> list[WeightEventRecord]:
    """Copy the session's weights to its user's learned state for the agent."""
    session = sessions.get_session(session_id)
    return set_weights(
        Owner.user(session.user_id, session.agent_id),
        session.weights,
        cause=Cause.session(session_id),
    )


def give_feedback(
    message_id: int, rating: int, tags: Sequence[str] = (), *, follow_session: bool = True
) -> tuple[FeedbackRecord, list[WeightEventRecord]]:
    """Store thumbs up/down with reason tags on a reply, then learn from what is new.

    Reasons given one at a time (a click per tag) add up on the same rating, and each
    is learned once: repeating feedback already given changes nothing. A changed rating
    replaces the earlier one and is learned as given.
    """
    signal = Signal(rating=rating, tags=tuple(tags), source="feedback")  # validates tags
    message = messages.get_message(message_id)
    earlier = message.feedback
    if earlier is not None and earlier.rating == rating:
        fresh = tuple(tag for tag in signal.tags if tag not in earlier.tags)
        if not fresh:
            return earlier, []
        stored, signal = (*earlier.tags, *fresh), Signal(rating, fresh, "feedback")
    else:
        stored = signal.tags
    with database.atomic():
        record = messages.set_feedback(message_id, rating, stored)
        events = _learn(message.session_id, signal, message_id, follow_session)
    return record, events


def learn_from_cues(
    session_id: str, text: str, *, follow_session: bool = True
) -> list[WeightEventRecord]:
    """A correction in the user's next message ("shorter please") is weaker feedback
    on the reply before it."""
    from desktop_agent.domain.cues import detect_cues  # compiles many patterns: on use

    tags = detect_cues(text)
    if not tags:
        return []
    previous = [m for m in messages.conversation(session_id) if m.role == "assistant"]
    if not previous:  # nothing was said yet that the cue could be about
        return []
    signal = Signal(rating=0, tags=tags, source="cue")
    return _learn(session_id, signal, previous[-1].id, follow_session)
