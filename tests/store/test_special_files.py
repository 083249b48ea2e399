"""Files that are not files: devices, FIFOs, folders and symlinks to them are refused at
once wherever the app reads a file a person could point it at, and reads stop at the
limit whatever size a file reports."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from desktop_agent.config.regular_file import FileTooLarge, NotARegularFile, read_regular_file
from desktop_agent.config.secrets import SecretStore
from desktop_agent.config.settings import load_settings, settings_path
from desktop_agent.domain.errors import InvalidInputError
from desktop_agent.services.files import read_user_file
from desktop_agent.store.db import StoreError, close_database, open_database

LIMIT = 1 << 20


def special_files(tmp_path: Path) -> dict[str, Path]:
    """Each kind of non-file, as a path and as a symlink to it."""
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    folder = tmp_path / "folder"
    folder.mkdir()
    found = {"fifo": fifo, "folder": folder, "dev-null": Path("/dev/null")}
    for device in ("/dev/zero", "/dev/urandom"):
        link = tmp_path / f"link-to-{Path(device).name}.json"
        link.symlink_to(device)
        found[link.name] = link
    fifo_link = tmp_path / "link-to-pipe.json"
    fifo_link.symlink_to(fifo)
    found["link-to-fifo"] = fifo_link
    return found


def no_hang(action: object, seconds: float = 10.0) -> BaseException | None:
    """Run `action` on a thread; fail if it does not finish (a FIFO read would block)."""
    outcome: list[BaseException | None] = []

    def run() -> None:
        try:
            action()  # type: ignore[operator]
        except BaseException as exc:  # noqa: BLE001 - handed back to the test
            outcome.append(exc)
        else:
            outcome.append(None)

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(seconds)
    assert not worker.is_alive(), "the read blocked"
    return outcome[0]


def test_every_special_file_is_refused_without_reading_it(tmp_path: Path) -> None:
    for name, path in special_files(tmp_path).items():
        error = no_hang(lambda p=path: read_regular_file(p, limit=LIMIT))
        assert isinstance(error, NotARegularFile), name
        message = no_hang(lambda p=path: read_user_file(p))
        assert isinstance(message, InvalidInputError), name
        text = str(message)
        assert str(path) in text
        assert any(kind in text for kind in ("folder", "device", "FIFO")), text


def test_a_file_that_grows_past_the_limit_while_read_is_cut_at_the_limit(tmp_path: Path) -> None:
    big = tmp_path / "big.json"
    big.write_bytes(b"x" * (LIMIT + 1))
    with pytest.raises(FileTooLarge):
        read_regular_file(big, limit=LIMIT)
    assert read_regular_file(big, limit=LIMIT + 1) == b"x" * (LIMIT + 1)
    with pytest.raises(InvalidInputError, match="the limit is"):
        read_user_file(big, limit=LIMIT)


def test_proc_files_that_report_size_zero_are_still_capped() -> None:
    # /proc files report 0 bytes but have content: the cap must hold on what is read.
    with pytest.raises(FileTooLarge):
        read_regular_file("/proc/self/maps", limit=16)


def test_settings_that_point_at_a_device_or_pipe_are_refused(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    target = settings_path(data_dir)
    target.symlink_to("/dev/zero")
    error = no_hang(lambda: load_settings(data_dir))
    assert isinstance(error, InvalidInputError)
    assert "device" in str(error)
    target.unlink()
    os.mkfifo(target)
    error = no_hang(lambda: load_settings(data_dir))
    assert isinstance(error, InvalidInputError)
    assert "FIFO" in str(error)


def test_a_key_file_that_is_a_pipe_reads_as_no_key(tmp_path: Path) -> None:
    store = SecretStore(tmp_path)
    key_file = store._file
    key_file.parent.mkdir(parents=True, exist_ok=True)
    os.mkfifo(key_file)
    assert no_hang(lambda: store.get()) is None


@pytest.mark.parametrize("kind", ["fifo", "folder", "link-to-zero.json"])
def test_a_database_path_that_is_not_a_file_is_refused_and_leaves_no_marker(
    tmp_path: Path, kind: str
) -> None:
    path = special_files(tmp_path)[kind]
    error = no_hang(lambda: open_database(path))
    assert isinstance(error, StoreError), error
    assert "Nothing was changed" in str(error)
    assert not list(path.parent.glob(f"{path.name}.open-by-*"))


def test_a_refused_open_of_a_real_store_leaves_no_stale_marker(tmp_path: Path) -> None:
    import sqlite3

    path = tmp_path / "store.sqlite3"
    open_database(path)
    close_database()
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA user_version = 999")  # written by a "newer" version
    conn.close()
    for _ in range(3):
        with pytest.raises(StoreError, match="newer version"):
            open_database(path)
    assert not list(tmp_path.glob("store.sqlite3.open-by-*"))
