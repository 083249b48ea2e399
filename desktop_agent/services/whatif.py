"""Read-only simulation of candidate weights on a session (what-if, live replay), snapshot
diffs, and judging a session goal's progress with the fast model."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from desktop_agent.domain.calibration import RatedTurn
from desktop_agent.domain.compiler import AgentProfile, compile_request, with_reminder
from desktop_agent.domain.context import Turn, plan_context
from desktop_agent.domain.snapshot_file import parse_snapshot_file
from desktop_agent.domain.weights import check_weights
from desktop_agent.domain.whatif import (
    ReplayedTurn,
    SnapshotDiff,
    ValueChange,
    WhatIfReport,
    diff_requests,
    predict_from_feedback,
    weight_changes,
)
from desktop_agent.llm.errors import ProviderError
from desktop_agent.llm.tokens import estimate_tokens
from desktop_agent.store import agents, messages, sessions
from desktop_agent.store import snapshots as store
from desktop_agent.store.errors import NotFoundError

if TYPE_CHECKING:
    from collections.abc import Mapping

    from desktop_agent.services.chat import ChatService
    from desktop_agent.store.records import AgentRecord, SnapshotRecord

GOAL_JUDGE_TURNS = 20
GOAL_JUDGE_CHARS = 2_000  # per message: enough to judge, bounded cost
_NUMBER = re.compile(r"(\d+(?:\.\d+)?|\.\d+)\s*(%?)")


def candidate_from_file(raw: bytes, session_id: str) -> dict[str, float]:
    """Weights from a snapshot file or a bare weights object (gaps: the agent's baseline)."""
    session = sessions.get_session(session_id)
    parsed = parse_snapshot_file(raw, baseline=agents.get_agent(session.agent_id).baseline)
    if parsed.snapshot is not None:
        return dict(parsed.snapshot.weights)
    assert parsed.bare_weights is not None
    return parsed.bare_weights


def _session_turns(session_id: str) -> list[RatedTurn]:
    return [RatedTurn(r, t, w) for r, t, w in store.feedback_turns([session_id])]


def whatif_session(
    candidate: Mapping[str, float], session_id: str, service: ChatService
) -> WhatIfReport:
    """How the session's request and figures would change under `candidate`.

    Reads only: the session, its messages and its weights stay exactly as they are.
    """
    session = sessions.get_session(session_id)
    profile = service.profile(agents.get_agent(session.agent_id))
    full = check_weights(candidate, session.weights)
    return WhatIfReport(
        session_id=session.id,
        changes=weight_changes(session.weights, full),
        request_diff=diff_requests(
            compile_request(profile, session.weights), compile_request(profile, full)
        ),
        predicted=predict_from_feedback(full, _session_turns(session_id)),
    )


def _profile_for(agent_name: str, service: ChatService) -> AgentProfile:
    try:
        return service.profile(agents.get_agent(agent_name))
    except NotFoundError:
        model = service.provider.model
        return AgentProfile(agent_name, agents.DEFAULT_SYSTEM_PROMPT, model, model)


def diff_snapshots(a: SnapshotRecord, b: SnapshotRecord, service: ChatService) -> SnapshotDiff:
    """Weight changes from a to b and what they change in the compiled request (compiled
    for a's agent, so only the weights differ)."""
    profile = _profile_for(a.agent_name, service)
    plasticity = {
        key: ValueChange(getattr(a, key), getattr(b, key))
        for key in ("learning_rate", "decay")
        if getattr(a, key) != getattr(b, key)
    }
    return SnapshotDiff(
        changes=weight_changes(a.weights, b.weights),
        plasticity=plasticity,
        request_diff=diff_requests(
            compile_request(profile, a.weights), compile_request(profile, b.weights)
        ),
    )


def live_replay(
    candidate_weights: Mapping[str, float], session_id: str, n: int, service: ChatService
) -> list[ReplayedTurn]:
    """Re-ask the session's last `n` user turns with the candidate weights.

    Each answer is produced from the history up to that user turn, compiled with the
    candidate weights, and returned beside the original reply. Nothing is stored.
    """
    if n < 1:
        return []
    session = sessions.get_session(session_id)
    agent = agents.get_agent(session.agent_id)
    compiled = compile_request(service.profile(agent), check_weights(candidate_weights))
    budget = service.provider_settings.context_budget(compiled.model)
    conversation = [
        m
        for m in messages.conversation(session_id)
        if m.role in ("user", "assistant") and m.content and m.status != "error"
    ]
    user_positions = [i for i, m in enumerate(conversation) if m.role == "user"][-n:]
    results: list[ReplayedTurn] = []
    for position in user_positions:
        asked = conversation[position]
        history = [Turn(m.seq, m.role, m.content) for m in conversation[: position + 1]]
        plan = plan_context(
            compiled.system_prompt,
            history,
            budget=budget,
            reply_tokens=compiled.max_tokens,
            estimate=estimate_tokens,
        )
        answer = service.client.complete(
            with_reminder(plan.messages, compiled),
            model=compiled.model,
            max_tokens=compiled.max_tokens,
            temperature=compiled.temperature,
        )
        following = conversation[position + 1 : position + 2]
        original = following[0].content if following and following[0].role == "assistant" else ""
        results.append(ReplayedTurn(asked.id, asked.content, original, answer))
    return results


def parse_progress(text: str) -> float | None:
    """The first number in a judge's answer as progress in [0, 1] ("0.7", "70%"), or None."""
    match = _NUMBER.search(text)
    if match is None:
        return None
    value = float(match.group(1))
    if match.group(2):
        value /= 100.0
    return value if 0.0 <= value <= 1.0 else None


def _judge_prompt(goal: str, session_id: str) -> list[dict[str, str]]:
    recent = [m for m in messages.conversation(session_id) if m.role in ("user", "assistant")]
    transcript = "\n\n".join(
        f"{m.role}: {m.content[:GOAL_JUDGE_CHARS]}" for m in recent[-GOAL_JUDGE_TURNS:]
    )
    return [
        {
            "role": "system",
            "content": "You judge how far a conversation has come toward its goal. "
            "Answer with a single number between 0 (no progress) and 1 (goal reached), "
            "and nothing else.",
        },
        {"role": "user", "content": f"Goal: {goal}\n\nConversation:\n{transcript or '(empty)'}"},
    ]


def judge_goal(session_id: str, service: ChatService) -> tuple[float | None, str]:
    """Ask the fast model how far the session's goal is reached and store the answer.

    Returns (progress, note). Any failure leaves the stored progress as it was and says
    why in the note; it never raises for provider trouble.
    """
    session = sessions.get_session(session_id)
    if not session.goal:
        return None, "this session has no goal to judge"
    agent: AgentRecord = agents.get_agent(session.agent_id)
    model = service.profile(agent).fast_model
    try:
        answer = service.client.complete(
            _judge_prompt(session.goal, session_id), model=model, max_tokens=16, temperature=0.0
        )
    except ProviderError as exc:
        return None, f"could not judge the goal with the fast model ({exc}); progress left unset"
    progress = parse_progress(answer)
    if progress is None:
        return None, (
            f"the fast model's answer {answer.strip()[:60]!r} is not a number in [0, 1]; "
            "progress left unset"
        )
    sessions.set_goal(session_id, session.goal, progress)
    return progress, f"goal progress {progress:.2f}, judged by {model}"
