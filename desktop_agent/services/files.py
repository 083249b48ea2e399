"""Reading a file a person named (CLI argument, file dialog, drop): one set of limits and
one wording for every front end. The bytes are only ever parsed, never executed."""

from __future__ import annotations

from pathlib import Path

from desktop_agent.domain.canonical import MAX_FILE_BYTES
from desktop_agent.domain.errors import InvalidInputError


def read_user_file(path: str | Path, *, limit: int = MAX_FILE_BYTES) -> bytes:
    """The file's bytes; a missing, unreadable or oversize file raises InvalidInputError
    naming the file and the problem."""
    target = Path(path)
    try:
        size = target.stat().st_size
        if size > limit:
            shown = " (1 MiB)" if limit == MAX_FILE_BYTES else ""
            raise InvalidInputError(
                f"{path}: the file is {size:,} bytes; the limit is {limit:,} bytes{shown}"
            )
        return target.read_bytes()
    except FileNotFoundError as exc:
        raise InvalidInputError(f"{path}: no such file") from exc
    except IsADirectoryError as exc:
        raise InvalidInputError(f"{path}: is a folder, not a file") from exc
    except PermissionError as exc:
        raise InvalidInputError(f"{path}: permission denied") from exc
    except OSError as exc:
        raise InvalidInputError(f"{path}: cannot be read ({exc.strerror})") from exc
