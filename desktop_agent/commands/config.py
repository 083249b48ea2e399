"""`desktop-agent config show|set|set-key|clear-key`: settings without the window."""

from __future__ import annotations

import getpass
import json
import sys
from dataclasses import fields, is_dataclass
from typing import TYPE_CHECKING, Any

from desktop_agent.commands import EXIT_OK, print_json, with_app
from desktop_agent.domain.errors import InvalidInputError

if TYPE_CHECKING:
    import argparse

    from desktop_agent.services.app_context import AppContext


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser("config", help="show or change settings and the API key")
    sub = parser.add_subparsers(dest="config_command", metavar="SUBCOMMAND")
    p = sub.add_parser("show", help="settings, the data dir and where the key is kept")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=_show)
    p = sub.add_parser(
        "set", help="set one setting, e.g. provider.base_url http://localhost:11434/v1"
    )
    p.add_argument("key", metavar="KEY")
    p.add_argument("value", metavar="VALUE", help="JSON for numbers, booleans and objects")
    p.set_defaults(handler=_set)
    p = sub.add_parser("set-key", help="store the API key (read from stdin or a prompt)")
    p.set_defaults(handler=_set_key)
    p = sub.add_parser("clear-key", help="forget the stored API key")
    p.set_defaults(handler=_clear_key)


@with_app
def _show(args: argparse.Namespace, app: AppContext) -> int:
    status = app.secrets.status()
    provider = app.provider()
    info = {
        "data_dir": str(app.data_dir),
        "database": str(app.database_path),
        "settings": app.settings.to_json(),
        "effective_provider": {
            "kind": provider.kind,  # "builtin" or "server", after the automatic rule
            "model_file": provider.model_file if provider.builtin else None,
            "base_url": provider.base_url,
            "model": provider.model,
            "fast_model": provider.fast_model,
            "api_key": "set" if provider.api_key else "not set",
        },
        "key_storage": status.backend,
        "key_warning": status.warning,
    }
    if args.json:
        print_json(info)
    else:
        print(json.dumps(info, indent=2, ensure_ascii=False))
    return EXIT_OK


def _parse_value(raw: str, current: object) -> object:
    if isinstance(current, str):
        return raw
    try:
        return json.loads(raw)
    except json.JSONDecodeError as exc:
        raise InvalidInputError(f"{raw!r} is not a valid value (use JSON: 30, true, {{}})") from exc


@with_app
def _set(args: argparse.Namespace, app: AppContext) -> int:
    from desktop_agent.config.settings import coerce_settings

    section_name, _, leaf = args.key.partition(".")
    document: dict[str, Any] = app.settings.to_json()
    if leaf:
        section = document.get(section_name)
        if not isinstance(section, dict) or leaf not in section:
            raise InvalidInputError(f"unknown setting {args.key!r}")
        section[leaf] = _parse_value(args.value, section[leaf])
    else:
        if section_name not in document or isinstance(document[section_name], dict):
            raise InvalidInputError(f"unknown setting {args.key!r}")
        document[section_name] = _parse_value(args.value, document[section_name])
    app.settings = coerce_settings(document)  # every value checked before saving
    app.save_settings()
    print(f"{args.key} = {json.dumps(_lookup(app.settings, args.key))}")
    return EXIT_OK


def _lookup(obj: object, dotted: str) -> object:
    for part in dotted.split("."):
        obj = getattr(obj, part)
    return {f.name: getattr(obj, f.name) for f in fields(obj)} if is_dataclass(obj) else obj


@with_app
def _set_key(args: argparse.Namespace, app: AppContext) -> int:
    key = sys.stdin.readline() if not sys.stdin.isatty() else getpass.getpass("API key: ")
    status = app.secrets.set(key.strip())
    where = "the system keyring" if status.backend == "keyring" else "a file readable only by you"
    print(f"API key stored in {where}.")
    if status.warning:
        print(f"warning: {status.warning}", file=sys.stderr)
    return EXIT_OK


@with_app
def _clear_key(args: argparse.Namespace, app: AppContext) -> int:
    app.secrets.clear()
    print("API key removed.")
    return EXIT_OK
