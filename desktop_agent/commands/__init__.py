"""CLI subcommands. Each module registers its parsers and handlers; errors become exit
codes here, in one place."""

from __future__ import annotations

import contextlib
import functools
import sqlite3
import sys
from typing import TYPE_CHECKING, Any

from desktop_agent.config.atomic import write_atomically as write_atomically  # re-exported
from desktop_agent.domain.errors import InvalidInputError

if TYPE_CHECKING:
    import argparse
    from collections.abc import Callable, Iterator

    from desktop_agent.services.app_context import AppContext

EXIT_OK = 0
EXIT_RUNTIME = 1
EXIT_USAGE = 2
EXIT_INVALID = 3
EXIT_PROVIDER = 4


class CommandFailed(Exception):
    def __init__(self, message: str, exit_code: int) -> None:
        super().__init__(message)
        self.exit_code = exit_code


def reading_app(func: Callable[[argparse.Namespace, AppContext], int]) -> Callable[..., int]:
    """`with_app` for a command that only reads: a small store is not quick_checked at
    every run (~15 ms of a 7 MB store's `sessions show`) unless the last run did not close
    cleanly; a damaged page met while reading still ends in `database_problem`'s message."""
    return with_app(func, routine_check=False)


def local_store_app(
    command: str,
) -> Callable[[Callable[[argparse.Namespace, AppContext], int]], Callable[..., int]]:
    """`with_app` for a command that works on this computer's SQLite store only (archives,
    backups): with a team store it stops with what to do instead."""
    return functools.partial(with_app, local_only=command)


def team_store_refusal(command: str, store: str) -> str:
    return (
        f"`{command}` works on this computer's store (the data dir's SQLite file), not on "
        f"the team store {store}: its server is backed up by whoever runs it. To take your "
        f"own conversations out of it, copy them into a local store (`desktop-agent store "
        f"copy --from URL` without --store) and run `{command}` there."
    )


def with_app(
    func: Callable[[argparse.Namespace, AppContext], int],
    *,
    routine_check: bool = True,
    local_only: str = "",
) -> Callable[..., int]:
    """Open the store for the command and map every known failure to its exit code."""

    @functools.wraps(func)
    def wrapper(args: argparse.Namespace) -> int:
        # The store package first: it hides psycopg (~150 ms) from peewee's import.
        from desktop_agent.store.errors import ConflictError, NotFoundError

        # isort: split
        from peewee import DatabaseError as PeeweeDatabaseError
        from peewee import OperationalError

        from desktop_agent.llm.errors import ProviderError
        from desktop_agent.services.app_context import open_app

        try:
            with opening_failures():
                app = open_app(args.data_dir, routine_check=routine_check)
        except OperationalError as exc:
            raise CommandFailed(database_problem(exc), EXIT_RUNTIME) from exc
        try:
            if local_only and app.team_store is not None:
                refusal = team_store_refusal(local_only, app.team_store.display)
                raise CommandFailed(refusal, EXIT_RUNTIME)
            return func(args, app)
        except InvalidInputError as exc:
            raise CommandFailed(str(exc), EXIT_INVALID) from exc
        except ProviderError as exc:
            raise CommandFailed(str(exc), EXIT_PROVIDER) from exc
        except (NotFoundError, ConflictError) as exc:
            raise CommandFailed(str(exc.args[0] if exc.args else exc), EXIT_RUNTIME) from exc
        except (OperationalError, PeeweeDatabaseError, sqlite3.DatabaseError) as exc:
            raise CommandFailed(database_problem(exc), EXIT_RUNTIME) from exc
        except BrokenPipeError:
            raise  # the reader of our output left (`| head`): handled in cli.run
        except OSError as exc:
            raise CommandFailed(str(exc), EXIT_RUNTIME) from exc
        finally:
            app.close()

    return wrapper


@contextlib.contextmanager
def opening_failures() -> Iterator[None]:
    """Exit codes for opening or creating a store: a bad value (a path, a URL) exits 3, a
    store that cannot be opened or made ready exits 1, each with its own message."""
    from desktop_agent.store.errors import StoreError

    try:
        yield
    except InvalidInputError as exc:
        raise CommandFailed(str(exc), EXIT_INVALID) from exc
    except StoreError as exc:
        raise CommandFailed(str(exc), EXIT_RUNTIME) from exc


def database_problem(exc: Exception) -> str:
    """What a person can do about an SQLite failure (a busy lock, a full disk)."""
    from desktop_agent.services.integrity import disk_full_message

    full = disk_full_message(exc)
    if full is not None:
        return full
    if "locked" in str(exc) or "busy" in str(exc):
        return "the database is busy: another Desktop Agent is writing to it; try again"
    if "malformed" in str(exc) or "not a database" in str(exc):
        return (
            f"the store is damaged ({exc}); nothing was changed. Run `desktop-agent check "
            "--repair` to copy everything readable into a new file (this one is kept)."
        )
    return f"the database could not be used: {exc}"


def print_json(value: Any) -> None:
    from desktop_agent.domain.json_text import dumps_readable

    sys.stdout.write(dumps_readable(value) + "\n")
    sys.stdout.flush()


def read_input_file(path: str, *, limit: int | None = None) -> bytes:
    """Read a file given on the command line (see services.files); problems exit 3."""
    from desktop_agent.services.files import read_user_file

    return read_user_file(path) if limit is None else read_user_file(path, limit=limit)
