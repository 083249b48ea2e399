"""Review findings on session import: names that differ only by surrounding spaces."""

from __future__ import annotations

import json
from pathlib import Path

from desktop_agent.domain.canonical import sha256_hex
from desktop_agent.services.transfer import export_session, import_sessions
from desktop_agent.store import agents, messages, sessions


def _with_agent(raw: bytes, agent: str) -> bytes:
    document = json.loads(raw)
    document["session"]["agent"] = agent
    document["sha256"] = sha256_hex(document["session"])
    return json.dumps(document).encode()


def test_an_agent_name_with_surrounding_spaces_imports_into_that_agent(store: Path) -> None:
    original = sessions.create_session()
    messages.append_message(original.id, "user", "hello")
    raw = _with_agent(export_session(original.id), "  assistant ")

    [imported] = import_sessions([("padded.session.json", raw)])

    session = sessions.get_session(imported.session_id)
    assert session.agent_name == "assistant"
    assert [a.name for a in agents.list_agents()] == ["assistant"]


def test_a_new_agent_name_with_surrounding_spaces_creates_it_trimmed(store: Path) -> None:
    original = sessions.create_session()
    messages.append_message(original.id, "user", "hello")
    raw = _with_agent(export_session(original.id), " support ")

    [imported] = import_sessions([("padded.session.json", raw)])

    assert sessions.get_session(imported.session_id).agent_name == "support"
