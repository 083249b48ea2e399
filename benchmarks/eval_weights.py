"""Evidence that weights change real behaviour: the same prompts at low and high
verbosity and formality, against whatever OpenAI-compatible endpoint is configured.

    make eval                                   # uses the app's settings and key
    OPENAI_BASE_URL=http://localhost:11434/v1 DESKTOP_AGENT_MODEL=llama3.2 make eval

Prints reply word counts and a formality marker per setting. Nothing is stored.
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from desktop_agent.config.paths import resolve_data_dir
from desktop_agent.config.secrets import SecretStore
from desktop_agent.config.settings import effective_provider, load_settings
from desktop_agent.domain.compiler import AgentProfile, compile_request
from desktop_agent.domain.weights import DEFAULT_WEIGHTS
from desktop_agent.llm.client import ProviderClient, ProviderConfig
from desktop_agent.llm.errors import ProviderError

PROMPTS = (
    "How do I reverse a list in Python?",
    "What should I pack for a weekend hiking trip?",
    "Explain what a database index is.",
    "My code review got harsh comments. Any advice?",
)
SETTINGS = {
    "verbosity low": {"verbosity": 0.05},
    "verbosity high": {"verbosity": 0.95},
    "formality low": {"formality": 0.05},
    "formality high": {"formality": 0.95},
}
# Casual markers: contractions, exclamations, second-person chat, slang. Formal text
# has few of these per 100 words; the marker is casual markers per 100 words (lower
# means more formal).
_CASUAL = re.compile(
    r"\b\w+'(?:s|re|ll|ve|d|t|m)\b|!|\b(?:hey|yeah|gonna|wanna|cool|awesome|stuff|pretty|"
    r"kinda|ok|okay|super|tons?)\b",
    re.IGNORECASE,
)


def words(text: str) -> int:
    return len(text.split())


def casual_per_100(text: str) -> float:
    n = words(text)
    return 100.0 * len(_CASUAL.findall(text)) / n if n else 0.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", help="use this data dir's settings and key")
    parser.add_argument("--repeats", type=int, default=1, help="replies per prompt and setting")
    args = parser.parse_args()

    data_dir = resolve_data_dir(args.data_dir)
    provider = effective_provider(load_settings(data_dir), SecretStore(data_dir).get())
    print(f"endpoint {provider.base_url}  model {provider.model}")
    profile = AgentProfile("eval", "You are a helpful assistant.", provider.model, provider.model)
    client = ProviderClient(
        ProviderConfig(provider.base_url, provider.api_key, provider.timeout_seconds, 1)
    )
    print(f"{'setting':<16} {'words (median)':>15} {'casual/100w':>12}  model / max_tokens / temp")
    try:
        for label, overrides in SETTINGS.items():
            # speed_vs_quality stays below 0.5 so every setting uses the same model.
            weights = {**DEFAULT_WEIGHTS, "speed_vs_quality": 0.3, **overrides}
            compiled = compile_request(profile, weights)
            counts, markers = [], []
            for prompt in PROMPTS:
                for _ in range(max(1, args.repeats)):
                    reply = client.complete(
                        [
                            {"role": "system", "content": compiled.system_prompt},
                            {"role": "user", "content": prompt},
                        ],
                        model=compiled.model,
                        max_tokens=compiled.max_tokens,
                        temperature=compiled.temperature,
                    )
                    counts.append(words(reply))
                    markers.append(casual_per_100(reply))
            print(
                f"{label:<16} {statistics.median(counts):>15.0f} "
                f"{statistics.mean(markers):>12.2f}  "
                f"{compiled.model} / {compiled.max_tokens} / {compiled.temperature}"
            )
    except ProviderError as exc:
        print(f"eval: {exc}", file=sys.stderr)
        return 4
    finally:
        client.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
