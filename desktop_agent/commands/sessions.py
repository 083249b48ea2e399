"""`desktop-agent sessions ...`: list, show, search, export, import, delete (to the trash),
restore, purge."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from desktop_agent.commands import (
    EXIT_OK,
    print_json,
    read_input_file,
    reading_app,
    with_app,
    write_atomically,
)
from desktop_agent.domain.timestamps import to_iso

if TYPE_CHECKING:
    import argparse

    from desktop_agent.services.app_context import AppContext
    from desktop_agent.store.records import MessageRecord, SessionRecord


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser("sessions", help="list, show, search, export, import, delete")
    sub = parser.add_subparsers(dest="sessions_command", metavar="SUBCOMMAND")

    p = sub.add_parser("list", help="sessions by last activity, pinned first")
    p.add_argument("--trash", action="store_true", help="list the trash instead")
    p.add_argument("--limit", type=int, default=100)
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=_list)

    p = sub.add_parser("show", help="a session and its messages")
    p.add_argument("id", metavar="ID")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=_show)

    p = sub.add_parser("search", help="full-text search over every message")
    p.add_argument("query", metavar="QUERY")
    p.add_argument("--limit", type=int, default=50)
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=_search)

    p = sub.add_parser("export", help="write a session as JSON (lossless) or Markdown")
    p.add_argument("id", metavar="ID")
    p.add_argument("--format", choices=("json", "md"), default="json")
    p.add_argument("-o", "--output", metavar="FILE", help="default: standard output")
    p.set_defaults(handler=_export)

    p = sub.add_parser(
        "import", help="import session files or ChatGPT, Claude.ai, Open WebUI exports"
    )
    p.add_argument("files", metavar="FILE", nargs="+")
    p.add_argument("--json", action="store_true")
    p.add_argument(
        "--learn-from-ratings",
        action="store_true",
        help="let the other app's thumbs move the imported sessions' weights",
    )
    p.set_defaults(handler=_import)

    p = sub.add_parser("delete", help="move a session to the trash (undo: sessions restore)")
    p.add_argument("id", metavar="ID")
    p.add_argument("--purge", action="store_true", help="delete for good instead")
    p.set_defaults(handler=_delete)

    p = sub.add_parser("restore", help="bring a session back from the trash")
    p.add_argument("id", metavar="ID")
    p.set_defaults(handler=_restore)

    p = sub.add_parser("pin", help="keep a session at the top of the list")
    p.add_argument("id", metavar="ID")
    p.add_argument("--off", action="store_true", help="unpin instead")
    p.set_defaults(handler=_pin)

    p = sub.add_parser("rename", help="give a session a new title")
    p.add_argument("id", metavar="ID")
    p.add_argument("title", metavar="TITLE")
    p.set_defaults(handler=_rename)


def session_json(s: SessionRecord) -> dict[str, Any]:
    return {
        "id": s.id,
        "title": s.title,
        "agent": s.agent_name,
        "agent_deleted": s.agent_deleted,
        "user": s.user_handle,
        "created_at": to_iso(s.created_at),
        "updated_at": to_iso(s.updated_at),
        "pinned": s.pinned,
        "trashed": s.trashed,
        "goal": s.goal,
        "goal_progress": s.goal_progress,
        "message_count": s.message_count,
        "preview": s.preview,
        "weights": s.weights,
        "experiment_id": s.experiment_id,
        "arm": s.arm,
    }


def message_json(m: MessageRecord) -> dict[str, Any]:
    return {
        "id": m.id,
        "role": m.role,
        "content": m.content,
        "status": m.status,
        "status_reason": m.status_reason,
        "created_at": to_iso(m.created_at),
        "model": m.model,
        "weights": m.weights,
        "feedback": (
            {"rating": m.feedback.rating, "tags": list(m.feedback.tags)} if m.feedback else None
        ),
        "version": m.version_index + 1,
        "versions": m.version_count,
    }


@reading_app
def _list(args: argparse.Namespace, app: AppContext) -> int:
    from desktop_agent.services import sessions

    rows = sessions.list_sessions(limit=max(1, args.limit), trashed=args.trash)
    if args.json:
        print_json([session_json(s) for s in rows])
        return EXIT_OK
    if not rows:
        print("No sessions in the trash." if args.trash else "No sessions yet.")
    for s in rows:
        pin = "📌 " if s.pinned else ""
        print(f"{s.id}  {to_iso(s.updated_at)}  {s.message_count:>5} msgs  {pin}{s.title}")
    return EXIT_OK


@reading_app
def _show(args: argparse.Namespace, app: AppContext) -> int:
    from desktop_agent.services import messages, sessions

    session = sessions.find_session(args.id)
    items = messages.list_messages(session.id)
    if args.json:
        print_json({**session_json(session), "messages": [message_json(m) for m in items]})
        return EXIT_OK
    # One write: a print per line (40,000 at 10,000 messages) cost more than the query.
    # Stored text is made safe there, in one pass over the whole (cli.run's output).
    parts = [
        f"{session.title}\n{session.id} · agent {session.agent_name} · user {session.user_handle}\n"
    ]
    for m in items:
        status = "" if m.status == "complete" else f" [{m.status}]"
        parts.append(f"\n--- #{m.id} {m.role}{status} · {to_iso(m.created_at)}\n{m.content}\n")
    sys.stdout.write("".join(parts))
    return EXIT_OK


@reading_app
def _search(args: argparse.Namespace, app: AppContext) -> int:
    from desktop_agent.services.search import search_messages

    hits = search_messages(args.query, limit=max(1, args.limit))
    if args.json:
        print_json(
            [
                {
                    "message_id": h.message_id,
                    "session_id": h.session_id,
                    "session_title": h.session_title,
                    "role": h.role,
                    "snippet": h.snippet,
                    "created_at": to_iso(h.created_at),
                }
                for h in hits
            ]
        )
        return EXIT_OK
    if not hits:
        print("No matches.")
    for h in hits:
        print(f"{h.session_id}  #{h.message_id}  {h.session_title}\n    {h.snippet}")
    return EXIT_OK


@reading_app
def _export(args: argparse.Namespace, app: AppContext) -> int:
    from desktop_agent.services import sessions
    from desktop_agent.services.transfer import export_session

    data = export_session(sessions.resolve_session_id(args.id), args.format)
    if args.output:
        write_atomically(Path(args.output), data)
    else:
        sys.stdout.buffer.write(data)
        if not data.endswith(b"\n"):
            sys.stdout.buffer.write(b"\n")
        sys.stdout.flush()
    return EXIT_OK


@with_app
def _import(args: argparse.Namespace, app: AppContext) -> int:
    from desktop_agent.commands.app_imports import import_app_exports, is_app_export
    from desktop_agent.services.transfer import SESSION_FILE_LIMIT, import_sessions

    if any(is_app_export(name) for name in args.files):
        return import_app_exports(args)

    files = [(name, read_input_file(name, limit=SESSION_FILE_LIMIT)) for name in args.files]
    imported = import_sessions(files)
    if args.json:
        print_json(
            [
                {
                    "file": i.source,
                    "session_id": i.session_id,
                    "messages": i.messages,
                    "new_id": i.renamed_id,
                }
                for i in imported
            ]
        )
    else:
        for i in imported:
            print(i.session_id)
    return EXIT_OK


@with_app
def _delete(args: argparse.Namespace, app: AppContext) -> int:
    from desktop_agent.services import sessions

    session_id = sessions.resolve_session_id(args.id)
    if args.purge:
        sessions.purge_session(session_id)
        print(f"Deleted session {session_id} for good.")
    else:
        sessions.trash_session(session_id)
        print(f"Moved session {session_id} to the trash (undo: sessions restore {session_id}).")
    return EXIT_OK


@with_app
def _restore(args: argparse.Namespace, app: AppContext) -> int:
    from desktop_agent.services import sessions

    session = sessions.restore_session(sessions.resolve_session_id(args.id))
    print(f"Restored session {session.id}: {session.title}")
    return EXIT_OK


@with_app
def _rename(args: argparse.Namespace, app: AppContext) -> int:
    from desktop_agent.services import sessions

    session = sessions.rename_session(sessions.resolve_session_id(args.id), args.title)
    print(f"{session.id}  {session.title}")
    return EXIT_OK


@with_app
def _pin(args: argparse.Namespace, app: AppContext) -> int:
    from desktop_agent.services import sessions

    session = sessions.pin_session(sessions.resolve_session_id(args.id), not args.off)
    print(f"{'Pinned' if session.pinned else 'Unpinned'} {session.id}: {session.title}")
    return EXIT_OK
