"""`desktop-agent agents ...` and `desktop-agent users list`: agents and local profiles."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from desktop_agent.commands import EXIT_OK, print_json, with_app
from desktop_agent.domain.weights import parse_assignment

if TYPE_CHECKING:
    import argparse

    from desktop_agent.services.app_context import AppContext
    from desktop_agent.store.records import AgentRecord


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser("agents", help="list, create, edit and delete agents")
    sub = parser.add_subparsers(dest="agents_command", metavar="SUBCOMMAND")
    p = sub.add_parser("list", help="every agent")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=_list)

    for name, help_text in (("create", "a new agent"), ("edit", "change an agent")):
        p = sub.add_parser(name, help=help_text)
        p.add_argument("name", metavar="NAME")
        if name == "edit":
            p.add_argument("--rename", metavar="NEW_NAME")
        p.add_argument("--prompt", metavar="TEXT", help="the system prompt")
        p.add_argument("--model", metavar="MODEL", help="primary model (empty: the setting)")
        p.add_argument("--fast-model", metavar="MODEL", help="fast model (empty: the setting)")
        p.add_argument("--learning-rate", type=float, metavar="RATE", help="0 turns learning off")
        p.add_argument("--decay", type=float, metavar="RATE", help="pull back to the baseline")
        if name == "create":
            p.add_argument(
                "--baseline", nargs="*", default=[], metavar="NAME=VALUE", help="baseline weights"
            )
        p.add_argument("--json", action="store_true")
        p.set_defaults(handler=_create if name == "create" else _edit)

    p = sub.add_parser("delete", help="delete an agent (its sessions keep working)")
    p.add_argument("name", metavar="NAME")
    p.set_defaults(handler=_delete)

    users = commands.add_parser("users", help="local user profiles")
    users_sub = users.add_subparsers(dest="users_command", metavar="SUBCOMMAND")
    p = users_sub.add_parser("list", help="every local profile")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=_users)


def agent_json(agent: AgentRecord) -> dict[str, Any]:
    return {
        "id": agent.id,
        "name": agent.name,
        "system_prompt": agent.system_prompt,
        "primary_model": agent.primary_model,
        "fast_model": agent.fast_model,
        "baseline": agent.baseline,
        "learning_rate": agent.learning_rate,
        "decay": agent.decay,
        "deleted": agent.deleted,
    }


def _print(agent: AgentRecord, as_json: bool) -> None:
    if as_json:
        print_json(agent_json(agent))
    else:
        models = f"{agent.primary_model or '(setting)'} / {agent.fast_model or '(setting)'}"
        print(f"{agent.name}  models {models}  learning rate {agent.learning_rate}")


@with_app
def _list(args: argparse.Namespace, app: AppContext) -> int:
    from desktop_agent.services import agents

    rows = agents.list_agents()
    if args.json:
        print_json([agent_json(a) for a in rows])
    else:
        for agent in rows:
            _print(agent, False)
    return EXIT_OK


@with_app
def _create(args: argparse.Namespace, app: AppContext) -> int:
    from desktop_agent.domain.weights import DEFAULT_WEIGHTS, check_weights
    from desktop_agent.services import agents

    baseline = check_weights(dict(parse_assignment(a) for a in args.baseline), DEFAULT_WEIGHTS)
    agent = agents.create_agent(
        args.name,
        system_prompt=args.prompt if args.prompt is not None else agents.DEFAULT_SYSTEM_PROMPT,
        primary_model=args.model or "",
        fast_model=args.fast_model or "",
        baseline=baseline,
        learning_rate=0.15 if args.learning_rate is None else args.learning_rate,
        decay=0.0 if args.decay is None else args.decay,
    )
    _print(agent, args.json)
    return EXIT_OK


@with_app
def _edit(args: argparse.Namespace, app: AppContext) -> int:
    from desktop_agent.services import agents

    agent = agents.update_agent(
        agents.get_agent(args.name, include_deleted=False).id,
        name=args.rename,
        system_prompt=args.prompt,
        primary_model=args.model,
        fast_model=args.fast_model,
        learning_rate=args.learning_rate,
        decay=args.decay,
    )
    _print(agent, args.json)
    return EXIT_OK


@with_app
def _delete(args: argparse.Namespace, app: AppContext) -> int:
    from desktop_agent.services import agents

    agents.delete_agent(agents.get_agent(args.name, include_deleted=False).id)
    print(f"Deleted agent {args.name}; its sessions keep working.")
    return EXIT_OK


@with_app
def _users(args: argparse.Namespace, app: AppContext) -> int:
    from desktop_agent.services import agents

    users = agents.list_users()
    if args.json:
        print_json([{"id": u.id, "handle": u.handle} for u in users])
    else:
        for user in users:
            print(user.handle)
    return EXIT_OK
