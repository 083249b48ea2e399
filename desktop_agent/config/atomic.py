"""The one way to replace a file: a crash at any moment leaves the old or the new file."""

from __future__ import annotations

import contextlib
import errno
import os
from pathlib import Path

# What tempfile.mkstemp opens with: a new file (never an existing one, nor through a
# link), closed in child processes, binary on Windows.
_NEW_FILE = (
    os.O_RDWR
    | os.O_CREAT
    | os.O_EXCL
    | getattr(os, "O_NOFOLLOW", 0)
    | getattr(os, "O_CLOEXEC", 0)
    | getattr(os, "O_BINARY", 0)
)


def write_atomically(path: Path, data: bytes) -> None:
    """Temp file in the same directory, fsync it, rename it over `path`, fsync the
    directory (else the rename itself may be lost on power failure)."""
    directory = path.resolve().parent
    try:
        fd, tmp = _new_temp_file(directory, path.name)
    except OSError as exc:
        _raise_if_full(exc, path, directory)
        raise
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        _raise_if_full(exc, path, directory)
        raise
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    _fsync_directory(directory)


def _new_temp_file(directory: Path, name: str) -> tuple[int, str]:
    """tempfile.mkstemp's file (readable by this user only), without importing tempfile
    and random (~6 ms of every command's start, for one random name)."""
    for _ in range(100):
        tmp = os.path.join(directory, f".{name}.{os.urandom(6).hex()}.tmp")
        try:
            return os.open(tmp, _NEW_FILE, 0o600), tmp
        except FileExistsError:
            continue
    raise FileExistsError(errno.EEXIST, "no unused temporary file name", str(directory))


def _raise_if_full(exc: OSError, path: Path, directory: Path) -> None:
    """ENOSPC said plainly: which disk, and that the old file is still there."""
    if exc.errno not in (errno.ENOSPC, errno.EDQUOT):
        return
    kept = " (the previous version is kept)" if path.exists() else ""
    error = OSError(
        f"The disk holding {directory} is full: {path.name} was not saved{kept}. "
        "Free some space there and try again."
    )
    error.errno = errno.ENOSPC  # still a full disk to whoever checks (the disk watch)
    raise error from exc


def _fsync_directory(directory: Path) -> None:
    # Windows cannot open a directory; NTFS journals the rename itself.
    if os.name == "nt":
        return
    fd = os.open(directory, os.O_RDONLY)
    try:
        with contextlib.suppress(OSError):  # some filesystems refuse fsync on a directory
            os.fsync(fd)
    finally:
        os.close(fd)
