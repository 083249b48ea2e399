"""Evidence that weights change a real model's replies: the same prompts and seeds at
low and high settings of each weight, plus a closed learning loop through the real
feedback path. Nothing is stored outside a temporary data dir.

    make eval                                # the built-in model (SmolLM2-135M-Instruct)
    make eval ARGS="--provider configured"   # the app's configured server and key
    OPENAI_BASE_URL=http://localhost:11434/v1 DESKTOP_AGENT_MODEL=llama3.2 \\
        .venv/bin/python benchmarks/eval_weights.py --provider configured

Prints one table: median words (verbosity), casual markers per 100 words (formality),
share of replies asking a question (autonomy) or offering a suggestion (initiative),
then the learning loop's reply length per turn.
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from desktop_agent.config.paths import resolve_data_dir
from desktop_agent.config.secrets import SecretStore
from desktop_agent.config.settings import (
    PROVIDER_BUILTIN,
    EffectiveProvider,
    Settings,
    effective_provider,
    load_settings,
)
from desktop_agent.domain.compiler import AgentProfile, compile_request, with_reminder
from desktop_agent.domain.weights import DEFAULT_WEIGHTS
from desktop_agent.llm.builtin import model_name
from desktop_agent.llm.client import ProviderClient
from desktop_agent.llm.errors import ProviderError

SEED = 1234
BASE_PROMPT = "You are a helpful assistant."
PROMPTS = (
    "How do I reverse a list in Python?",
    "What should I pack for a weekend hiking trip?",
    "Explain what a database index is.",
    "My code review got harsh comments. Any advice?",
    "How can I make my morning routine better?",
    "Write a function that checks if a number is prime.",
)
# The learning loop's scripted user asks these in one session, in order.
LOOP_PROMPTS = (
    "What is a good way to learn a new language?",
    "How do I keep houseplants alive?",
    "Why is the sky blue?",
    "How do I start running?",
    "What is recursion in programming?",
    "How should I prepare for a job interview?",
    "What makes a good password?",
    "How do I cook rice?",
    "What is inflation?",
    "How can I sleep better?",
)
LOOP_TARGET_WORDS = 60
# Casual markers: contractions, exclamations, chatty words. Formal text has few of
# these per 100 words.
_CASUAL = re.compile(
    r"\b\w+'(?:s|re|ll|ve|d|t|m)\b|!|\b(?:hey|yeah|gonna|wanna|cool|awesome|stuff|pretty|"
    r"kinda|ok|okay|super|tons?|buddy|folks|guys)\b",
    re.IGNORECASE,
)
_SUGGESTION = re.compile(
    r"\b(?:you could|you might|you may also|consider|i suggest|i recommend|try|next step|"
    r"you can also|suggestion)\b",
    re.IGNORECASE,
)


def words(text: str) -> int:
    return len(text.split())


def casual_per_100(text: str) -> float:
    n = words(text)
    return 100.0 * len(_CASUAL.findall(text)) / n if n else 0.0


def asks_question(text: str) -> bool:
    return "?" in text


def offers_suggestion(text: str) -> bool:
    return bool(_SUGGESTION.search(text))


@dataclass(frozen=True)
class Comparison:
    weight: str
    measure: str
    low: float
    high: float
    target: str

    def row(self) -> str:
        ratio = _ratio(self.low, self.high, self.weight)
        return (
            f"{self.weight:<11} {self.measure:<28} {self.low:>9.2f} {self.high:>9.2f} "
            f"{ratio:>7}  {self.target}"
        )


def _ratio(low: float, high: float, weight: str) -> str:
    # Verbosity, suggestions and the words grow with the weight; casual markers shrink
    # with formality, and questions with autonomy (at 0.05 the agent asks first).
    big, small = (low, high) if weight in ("formality", "autonomy") else (high, low)
    if small == 0:
        return "∞" if big > 0 else "—"
    return f"{big / small:.1f}×"


def _replies(
    client: ProviderClient, profile: AgentProfile, weight: str, value: float, repeats: int
) -> list[str]:
    compiled = compile_request(profile, {**DEFAULT_WEIGHTS, weight: value})
    out = []
    for prompt in PROMPTS:
        for repeat in range(repeats):
            messages = [
                {"role": "system", "content": compiled.system_prompt},
                {"role": "user", "content": prompt},
            ]
            out.append(
                client.complete(
                    with_reminder(messages, compiled),  # exactly what the app sends
                    model=compiled.model,
                    max_tokens=compiled.max_tokens,
                    temperature=compiled.temperature,
                    seed=SEED + repeat,
                )
            )
    return out


def compare(client: ProviderClient, profile: AgentProfile, repeats: int) -> list[Comparison]:
    measures = {
        "verbosity": ("median words", lambda rs: statistics.median(map(words, rs)), "≥ 3×"),
        "formality": (
            "casual markers / 100 words",
            lambda rs: statistics.mean(map(casual_per_100, rs)),
            "≥ 2×",
        ),
        "autonomy": ("share asking a question", lambda rs: _share(rs, asks_question), "gap"),
        "initiative": (
            "share offering a suggestion",
            lambda rs: _share(rs, offers_suggestion),
            "gap",
        ),
    }
    rows = []
    for weight, (measure, score, target) in measures.items():
        low = score(_replies(client, profile, weight, 0.05, repeats))
        high = score(_replies(client, profile, weight, 0.95, repeats))
        rows.append(Comparison(weight, measure, low, high, target))
        print(rows[-1].row(), flush=True)
    return rows


def _share(replies: list[str], test: object) -> float:
    assert callable(test)
    return sum(1 for reply in replies if test(reply)) / len(replies)


def learning_loop(provider: EffectiveProvider, settings: Settings) -> list[tuple[int, float]]:
    """A scripted user who wants short answers: too_long while a reply is over the
    target, thumbs up otherwise; through the store, learning and chat services."""
    from desktop_agent.services import learning
    from desktop_agent.services.chat import ChatService, ReplyRun
    from desktop_agent.services.sessions import start_session
    from desktop_agent.store.db import close_database, open_database

    lengths: list[tuple[int, float]] = []
    with tempfile.TemporaryDirectory(prefix="desktop-agent-eval-") as tmp:
        open_database(Path(tmp) / "eval.sqlite3")
        try:
            from desktop_agent.store import agents

            agents.ensure_defaults()
            session = start_session()
            service = ChatService(provider, settings.provider, settings.learning, seed=SEED)
            try:
                for prompt in LOOP_PROMPTS:
                    service.post_user_message(session.id, prompt)
                    outcome = ReplyRun(service, session.id).run()
                    if outcome.error is not None:
                        raise outcome.error
                    reply = outcome.message
                    verbosity = reply.weights.get("verbosity", 0.5)
                    lengths.append((words(reply.content), verbosity))
                    if words(reply.content) > LOOP_TARGET_WORDS:
                        learning.give_feedback(reply.id, -1, ["too_long"])
                    else:
                        learning.give_feedback(reply.id, 1)
            finally:
                service.close()
        finally:
            close_database()
    return lengths


def settled_turn(lengths: list[tuple[int, float]]) -> int | None:
    """The first turn (1-based) from which every reply stays under the target."""
    for turn in range(len(lengths)):
        if all(n <= LOOP_TARGET_WORDS for n, _ in lengths[turn:]):
            return turn + 1
    return None


def _loop_summary(lengths: list[tuple[int, float]]) -> str:
    turn = settled_turn(lengths)
    if turn is None:
        return f"  never stays under {LOOP_TARGET_WORDS} words (target: within 5 feedbacks)"
    first = next(i + 1 for i, (n, _) in enumerate(lengths) if n <= LOOP_TARGET_WORDS)
    too_long = sum(1 for n, _ in lengths[: turn - 1] if n > LOOP_TARGET_WORDS)
    return (
        f"  first under {LOOP_TARGET_WORDS} words at turn {first}; stays under from turn "
        f"{turn}, after {too_long} too_long feedbacks ({turn - 1} ratings in all; "
        "target: within 5 feedbacks)"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--provider",
        choices=("builtin", "configured"),
        default="builtin",
        help="the built-in model (default) or the app's configured provider",
    )
    parser.add_argument("--data-dir", help="with --provider configured: this data dir's settings")
    parser.add_argument("--repeats", type=int, default=1, help="seeds per prompt and setting")
    parser.add_argument("--no-loop", action="store_true", help="skip the learning loop")
    parser.add_argument("--loop-only", action="store_true", help="only the learning loop")
    args = parser.parse_args()

    settings = Settings()
    if args.provider == "builtin":
        settings.provider.kind = PROVIDER_BUILTIN
        # The comparisons wait for whole replies (no stream): a 3,000-token answer on
        # a busy machine takes longer than the app's 60 s read timeout.
        settings.provider.timeout_seconds = 900.0
        provider = effective_provider(settings, None)
    else:
        data_dir = resolve_data_dir(args.data_dir)
        settings = load_settings(data_dir)
        provider = effective_provider(settings, SecretStore(data_dir).get())
    if provider.builtin:
        from desktop_agent.services.builtin_model import builtin_client

        name = model_name(provider.model_file or None)
        client: ProviderClient = builtin_client(provider)
        print(f"built-in model {name}  context {provider.context_size}  seed {SEED}")
    else:
        from desktop_agent.llm.client import ProviderConfig

        name = provider.model
        client = ProviderClient(
            ProviderConfig(provider.base_url, provider.api_key, provider.timeout_seconds, 1)
        )
        print(f"endpoint {provider.base_url}  model {name}  seed {SEED}")
    profile = AgentProfile("eval", BASE_PROMPT, name, name)
    started = time.monotonic()
    print(f"{len(PROMPTS)} prompts × {max(1, args.repeats)} seed(s) per setting; others at 0.5")
    print(f"{'weight':<11} {'measure':<28} {'at 0.05':>9} {'at 0.95':>9} {'ratio':>7}  target")
    try:
        if not args.loop_only:
            compare(client, profile, max(1, args.repeats))
        if not args.no_loop:
            lengths = learning_loop(provider, settings)
            print(
                f"learning loop (too_long over {LOOP_TARGET_WORDS} words, else thumbs up), "
                "words per turn [verbosity used]:"
            )
            print("  " + "  ".join(f"{n} [{v:.2f}]" for n, v in lengths))
            print(_loop_summary(lengths))
    except ProviderError as exc:
        print(f"eval: {exc}", file=sys.stderr)
        return 4
    finally:
        client.close()
    print(f"({time.monotonic() - started:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
