"""Typed settings, declared once with defaults, stored as JSON beside the database.

The API key is never part of these settings: see `secrets.py`.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, fields, replace
from functools import cached_property
from typing import TYPE_CHECKING, Any

from desktop_agent.config.atomic import write_atomically
from desktop_agent.config.paths import settings_path
from desktop_agent.domain.errors import InvalidInputError

if TYPE_CHECKING:
    from pathlib import Path

SETTINGS_SCHEMA_VERSION = 1
DEFAULT_BASE_URL = "https://api.openai.com/v1"
DEFAULT_MODEL = "gpt-4o-mini"
DEFAULT_CONTEXT_BUDGET = 16_000  # tokens, for models without an entry in context_budgets
# provider.kind: "" picks the built-in model unless a key or a server's URL is set up.
PROVIDER_AUTO, PROVIDER_BUILTIN, PROVIDER_SERVER = "", "builtin", "server"
PROVIDER_KINDS = (PROVIDER_AUTO, PROVIDER_BUILTIN, PROVIDER_SERVER)
DEFAULT_BUILTIN_CONTEXT = 4096  # tokens; SmolLM2 was trained on 8192, 4096 keeps ~90 MB of cache
MODEL_FILE_ENV = "DESKTOP_AGENT_MODEL_FILE"


@dataclass
class ProviderSettings:
    """The OpenAI-compatible server agents talk to, and its default models."""

    base_url: str = DEFAULT_BASE_URL
    model: str = DEFAULT_MODEL  # the primary model of agents that name none
    fast_model: str = ""  # empty: same as `model`
    timeout_seconds: float = 60.0  # connect/read timeout; streams need a finite read timeout
    max_retries: int = 2  # for non-streaming calls; streams are never retried
    context_budgets: dict[str, int] = field(default_factory=dict)  # model -> tokens
    compaction: bool = True  # summarise old turns with the fast model instead of trimming
    kind: str = PROVIDER_AUTO  # "builtin", "server", or "" (automatic)
    builtin_model_file: str = ""  # a GGUF file; empty: the bundled SmolLM2-135M-Instruct
    builtin_context_size: int = DEFAULT_BUILTIN_CONTEXT
    builtin_threads: int = 0  # 0: automatic (half the cores, at least one)

    def context_budget(self, model: str) -> int:
        return self.context_budgets.get(model, DEFAULT_CONTEXT_BUDGET)


@dataclass
class LearningSettings:
    """How feedback moves weights beyond the session it was given in."""

    # When a session learns, copy its weights to the user's learned state for the agent.
    follow_session: bool = True
    judge_goal_with_fast_model: bool = False


@dataclass
class ValidationThresholds:
    """The bars a snapshot must clear to pass validation."""

    min_rated_turns: int = 5
    min_approval_low: float = 0.5  # Wilson lower bound below this: fail
    warn_approval_low: float = 0.65
    max_drift: float = 0.35  # mean absolute distance from baseline above this: warn
    max_polarised: int = 2  # more weights than this at <=0.05 or >=0.95: warn
    min_agreement: float = 0.5  # agreement with tagged feedback below this: warn
    max_instability: float = 0.2  # largest swing of a weight over the last turns: warn


@dataclass
class BackupSettings:
    """The automatic copies of the store: how many and how often."""

    keep: int = 7  # rolling copies of the store kept in the data dir's backups/ folder
    every_hours: float = 24.0  # while the app runs, a copy when the newest is this old


@dataclass
class StorageSettings:
    """Which store holds the conversations: this computer's or a team's."""

    # "" keeps everything in the data dir's SQLite file; else a team store's
    # postgresql://ROLE@HOST:PORT/DB (never with a password: that goes to the keyring).
    # Read at start-up; --store and DESKTOP_AGENT_STORE_URL come first.
    store_url: str = ""


@dataclass
class Settings:
    """settings.json: everything the user sets, one section per concern."""

    schema_version: int = SETTINGS_SCHEMA_VERSION
    provider: ProviderSettings = field(default_factory=ProviderSettings)
    learning: LearningSettings = field(default_factory=LearningSettings)
    validation: ValidationThresholds = field(default_factory=ValidationThresholds)
    backups: BackupSettings = field(default_factory=BackupSettings)
    storage: StorageSettings = field(default_factory=StorageSettings)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def coerce_settings(raw: object) -> Settings:
    """Build Settings from a JSON document, checking every value (see load_settings)."""
    settings: Settings = _coerce(Settings, raw, "")
    return settings


# Numbers whose sensible range is narrower than "any number >= 0".
_RANGES: dict[str, tuple[float, float]] = {
    "provider.timeout_seconds": (1.0, 3600.0),
    "provider.max_retries": (0, 10),
    "provider.builtin_context_size": (512, 131_072),
    "provider.builtin_threads": (0, 256),
    "validation.min_approval_low": (0.0, 1.0),
    "validation.warn_approval_low": (0.0, 1.0),
    "validation.max_drift": (0.0, 1.0),
    "validation.min_agreement": (0.0, 1.0),
    "validation.max_instability": (0.0, 1.0),
    "validation.max_polarised": (0, 5),
    "backups.keep": (1, 365),
    "backups.every_hours": (1.0, 24.0 * 30),
}


def setting_range(key: str) -> tuple[float, float]:
    """The allowed range of a numeric setting, e.g. "validation.max_drift" (editors use it)."""
    return _RANGES.get(key, (0.0, math.inf))


def _coerce(cls: type, raw: object, where: str) -> Any:
    """Build dataclass `cls` from `raw`, keeping defaults for missing keys, checking types."""
    if not isinstance(raw, dict):
        raise InvalidInputError(f"settings: {where} must be an object")
    instance = cls()
    for f in fields(cls):
        if f.name not in raw:
            continue
        value = raw[f.name]
        default = getattr(instance, f.name)
        key = f"{where}.{f.name}" if where else f.name
        if hasattr(default, "__dataclass_fields__"):
            value = _coerce(type(default), value, key)
        elif isinstance(default, bool):
            if not isinstance(value, bool):
                raise InvalidInputError(f"settings: {key} must be true or false")
        elif isinstance(default, int | float):
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise InvalidInputError(f"settings: {key} must be a number")
            if not math.isfinite(value) or value < 0:
                raise InvalidInputError(f"settings: {key} must be a finite number >= 0")
            low, high = setting_range(key)
            if not low <= value <= high:
                shown = f"at least {low:g}" if high == math.inf else f"between {low:g} and {high:g}"
                raise InvalidInputError(f"settings: {key} must be {shown}, got {value!r}")
            value = type(default)(value)
        elif isinstance(default, str):
            if not isinstance(value, str):
                raise InvalidInputError(f"settings: {key} must be a string")
            if key == "storage.store_url" and _has_password(value):
                # ROLE:PASSWORD@...: a password in the settings file is never used.
                raise InvalidInputError(
                    "settings: storage.store_url contains a password; remove it and keep "
                    "the password in the OS keyring, PGPASSWORD or ~/.pgpass"
                )
            if key == "provider.kind" and value not in PROVIDER_KINDS:
                raise InvalidInputError(
                    f'settings: provider.kind must be "builtin", "server" or "" (automatic),'
                    f" got {value!r}"
                )
        elif isinstance(default, dict) and (
            not isinstance(value, dict)
            or not all(isinstance(k, str) and type(v) is int and v > 0 for k, v in value.items())
        ):
            raise InvalidInputError(f"settings: {key} must map model names to token counts")
        setattr(instance, f.name, value)
    return instance


def _has_password(url: str) -> bool:
    from urllib.parse import urlsplit

    try:
        return urlsplit(url).password is not None
    except ValueError:
        return False


# A settings file is a few KiB; anything far bigger is not one (or points at a device).
SETTINGS_MAX_BYTES = 1 << 20


def load_settings(data_dir: Path) -> Settings:
    """Read settings; a missing file gives defaults, a broken one raises with the reason."""
    path = settings_path(data_dir)
    from desktop_agent.config.regular_file import read_regular_file

    try:
        text = read_regular_file(path, limit=SETTINGS_MAX_BYTES).decode("utf-8")
    except FileNotFoundError:
        return Settings()
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInputError(f"cannot read settings file {path}: {exc}") from exc
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidInputError(f"settings file {path} is not valid JSON: {exc}") from exc
    version = raw.get("schema_version", 1) if isinstance(raw, dict) else 1
    if isinstance(version, bool) or not isinstance(version, int):
        raise InvalidInputError(f"settings file {path}: schema_version must be a whole number")
    if version > SETTINGS_SCHEMA_VERSION:
        raise InvalidInputError(
            f"settings file {path} was written by a newer Desktop Agent "
            f"(schema {raw['schema_version']}); please upgrade"
        )
    settings: Settings = _coerce(Settings, raw, "")
    settings.schema_version = SETTINGS_SCHEMA_VERSION
    return settings


def save_settings(data_dir: Path, settings: Settings) -> None:
    """Write atomically: a crash mid-write leaves the previous file intact."""
    data_dir.mkdir(parents=True, exist_ok=True)
    path = settings_path(data_dir)
    text = json.dumps(settings.to_json(), indent=2, sort_keys=True)
    write_atomically(path, text.encode("utf-8"))


KeySource = Callable[[], "str | None"]


@dataclass(frozen=True)
class EffectiveProvider:
    """Provider settings after the standard environment variables are applied.

    The stored key is looked up only when a request needs it (`api_key`): the OS keyring
    costs an import and a D-Bus call, which must stay off the window's first paint.
    """

    base_url: str
    model: str
    fast_model: str
    timeout_seconds: float
    max_retries: int
    env_key: str | None = None
    stored_key: KeySource | str | None = None
    has_stored_key: bool | None = None  # a cheap answer to "is a key stored?", if known
    kind: str = PROVIDER_SERVER  # resolved: "builtin" or "server", never automatic
    model_file: str = ""  # the built-in model's GGUF file; empty: the bundled one
    context_size: int = DEFAULT_BUILTIN_CONTEXT
    threads: int = 0

    @property
    def builtin(self) -> bool:
        return self.kind == PROVIDER_BUILTIN

    @cached_property
    def api_key(self) -> str | None:
        from desktop_agent.config.log_setup import register_secret

        source = self.stored_key
        key = self.env_key or (source() if callable(source) else source)
        register_secret(key)  # never in a log record from here on
        return key

    @property
    def configured(self) -> bool:
        """The built-in model, a key, or a non-OpenAI endpoint (local servers usually
        need no key)."""
        if self.builtin:
            return True
        return self.server_configured

    @property
    def server_configured(self) -> bool:
        if self.base_url.rstrip("/") != DEFAULT_BASE_URL or self.env_key:
            return True
        if self.has_stored_key is not None:
            return self.has_stored_key
        return bool(self.api_key)


def effective_provider(
    settings: Settings,
    stored_key: KeySource | str | None,
    env: dict[str, str] | None = None,
    *,
    has_stored_key: bool | None = None,
) -> EffectiveProvider:
    env = dict(os.environ) if env is None else env
    provider = settings.provider
    model = env.get("DESKTOP_AGENT_MODEL") or provider.model
    server = EffectiveProvider(
        base_url=env.get("OPENAI_BASE_URL") or provider.base_url,
        model=model,
        fast_model=provider.fast_model or model,
        timeout_seconds=provider.timeout_seconds,
        max_retries=provider.max_retries,
        env_key=env.get("OPENAI_API_KEY") or None,
        stored_key=stored_key,
        has_stored_key=has_stored_key,
    )
    kind = provider.kind
    if kind == PROVIDER_AUTO:
        kind = PROVIDER_SERVER if server.server_configured else PROVIDER_BUILTIN
    if kind == PROVIDER_SERVER:
        return server
    model_file = env.get(MODEL_FILE_ENV) or provider.builtin_model_file
    return replace(
        server,
        kind=PROVIDER_BUILTIN,
        model_file=model_file,
        context_size=provider.builtin_context_size,
        threads=provider.builtin_threads,
    )
