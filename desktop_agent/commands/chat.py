"""`desktop-agent chat`: one turn, streamed to the terminal, everything on disk first."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from desktop_agent.commands import EXIT_OK, EXIT_PROVIDER, print_json, with_app

if TYPE_CHECKING:
    import argparse

    from desktop_agent.services.app_context import AppContext


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser("chat", help="send a message and print the reply")
    target = parser.add_mutually_exclusive_group(required=True)
    target.add_argument("--new", action="store_true", help="start a new session")
    target.add_argument("--session", metavar="ID", help="continue a session (id or prefix)")
    parser.add_argument("--agent", metavar="NAME", help="agent for --new (default: assistant)")
    parser.add_argument(
        "--user",
        metavar="HANDLE",
        help="user for --new (default: local; on a team store, your role)",
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object at the end")
    parser.add_argument("message", metavar="MESSAGE", help="what to say ('-' reads stdin)")
    parser.set_defaults(handler=_chat)


@with_app
def _chat(args: argparse.Namespace, app: AppContext) -> int:
    from desktop_agent.domain.errors import InvalidInputError
    from desktop_agent.services import sessions
    from desktop_agent.services.chat import ReplyRun

    text = sys.stdin.read() if args.message == "-" else args.message
    if not text.strip():  # refused before --new creates a session that would stay empty
        raise InvalidInputError("the message is empty")
    if args.new:
        # No --user: `local`, or on a team store the member's own role.
        session_id = sessions.start_session(agent=args.agent or "assistant", user=args.user).id
    else:
        session_id = sessions.resolve_session_id(args.session)
        if args.agent or args.user:
            session = sessions.get_session(session_id)
            if (args.agent and args.agent != session.agent_name) or (
                args.user and args.user != session.user_handle
            ):
                raise InvalidInputError(
                    f"session {session_id} belongs to agent {session.agent_name!r} and user "
                    f"{session.user_handle!r}; --agent/--user cannot change that"
                )
    service = app.chat_service()
    try:
        user_message, _events = service.post_user_message(session_id, text)
        run = ReplyRun(service, session_id)

        def show(delta: str) -> None:
            sys.stdout.write(delta)
            sys.stdout.flush()

        def note(message: str) -> None:
            print(f"desktop-agent: {message}", file=sys.stderr)

        outcome = run.run(on_delta=None if args.json else show, on_note=note)
    finally:
        service.close()

    reply = outcome.message
    if args.json:
        print_json(
            {
                "session_id": session_id,
                "user_message_id": user_message.id,
                "assistant_message_id": reply.id,
                "content": reply.content,
                "status": reply.status,
                "status_reason": reply.status_reason,
                "weights": reply.weights,
                "model": reply.model,
            }
        )
    elif reply.content and not reply.content.endswith("\n"):
        sys.stdout.write("\n")
    if outcome.error is not None:
        print(f"desktop-agent: {outcome.error}", file=sys.stderr)
        print(
            f"desktop-agent: your message was saved in session {session_id}; "
            "run the same command with --session to try again.",
            file=sys.stderr,
        )
        return EXIT_PROVIDER
    if reply.status_reason and not args.json:
        print(f"desktop-agent: {reply.status_reason}", file=sys.stderr)
    return EXIT_OK
