"""Reading a file a person named (CLI argument, file dialog, drop): one set of limits and
one wording for every front end. The bytes are only ever parsed, never executed."""

from __future__ import annotations

from typing import TYPE_CHECKING

from desktop_agent.domain.canonical import MAX_FILE_BYTES
from desktop_agent.domain.errors import InvalidInputError

if TYPE_CHECKING:
    from pathlib import Path


def read_user_file(path: str | Path, *, limit: int = MAX_FILE_BYTES) -> bytes:
    """The file's bytes; a missing, unreadable, oversize or special file (a folder, a
    FIFO, a device or a symlink to one) raises InvalidInputError naming the file and the
    problem. Reading stops at `limit` whatever size the file claims."""
    from desktop_agent.config.regular_file import FileTooLarge, NotARegularFile, read_regular_file

    try:
        return read_regular_file(path, limit=limit)
    except FileTooLarge as exc:
        shown = " (1 MiB)" if limit == MAX_FILE_BYTES else ""
        size = f"is {exc.size:,} bytes" if exc.size is not None else "is larger than that"
        raise InvalidInputError(
            f"{path}: the file {size}; the limit is {limit:,} bytes{shown}"
        ) from exc
    except NotARegularFile as exc:
        if exc.kind == "a folder":
            raise InvalidInputError(f"{path}: is a folder, not a file") from exc
        raise InvalidInputError(
            f"{path}: is {exc.kind}, not a regular file; only files can be read"
        ) from exc
    except FileNotFoundError as exc:
        raise InvalidInputError(f"{path}: no such file") from exc
    except IsADirectoryError as exc:
        raise InvalidInputError(f"{path}: is a folder, not a file") from exc
    except PermissionError as exc:
        raise InvalidInputError(f"{path}: permission denied") from exc
    except OSError as exc:
        raise InvalidInputError(f"{path}: cannot be read ({exc.strerror or exc})") from exc
