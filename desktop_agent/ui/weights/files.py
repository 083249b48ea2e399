"""Reading a dropped or chosen *.weights.json file with the same limits as the CLI."""

from __future__ import annotations

from pathlib import Path

from desktop_agent.domain.errors import InvalidInputError

MAX_FILE_BYTES = 1024 * 1024
SNAPSHOT_SUFFIX = ".weights.json"
FILE_FILTER = "Weight snapshots (*.weights.json);;JSON files (*.json);;All files (*)"


def read_snapshot_file(path: str | Path) -> bytes:
    """The file's bytes; a missing, unreadable or oversize file raises InvalidInputError."""
    target = Path(path)
    try:
        size = target.stat().st_size
        if size > MAX_FILE_BYTES:
            raise InvalidInputError(f"{target.name}: the file is {size} bytes; the limit is 1 MiB")
        return target.read_bytes()
    except FileNotFoundError as exc:
        raise InvalidInputError(f"{target.name}: no such file") from exc
    except IsADirectoryError as exc:
        raise InvalidInputError(f"{target.name}: is a folder, not a file") from exc
    except PermissionError as exc:
        raise InvalidInputError(f"{target.name}: permission denied") from exc
    except OSError as exc:
        raise InvalidInputError(f"{target.name}: cannot be read ({exc.strerror})") from exc


def is_snapshot_file(path: str) -> bool:
    return path.lower().endswith((SNAPSHOT_SUFFIX, ".json"))
