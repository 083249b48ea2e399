"""When the full integrity check runs at open: small files always, big files after an
unclean shutdown (a process that died with the store open) or before a migration."""

from __future__ import annotations

from pathlib import Path

import pytest

from desktop_agent.store import db
from desktop_agent.store.db import StoreError, close_database, open_database
from tests.support.damaged_stores import damage_a_data_page, dead_pid, filled_store


def test_a_clean_close_leaves_no_open_marker(tmp_path: Path) -> None:
    path = tmp_path / "store.sqlite3"
    open_database(path)
    assert list(tmp_path.glob("store.sqlite3.open-by-*"))
    close_database()
    assert not list(tmp_path.glob("store.sqlite3.open-by-*"))


def test_big_files_skip_the_check_after_a_clean_close(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "store.sqlite3"
    filled_store(path)
    damage_a_data_page(path)
    monkeypatch.setattr(db, "ALWAYS_CHECK_BYTES", 0)
    open_database(path)  # fast start: the damage is not looked for
    close_database()


def test_big_files_are_checked_after_a_process_died_with_the_store_open(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "store.sqlite3"
    filled_store(path)
    damage_a_data_page(path)
    before = path.read_bytes()
    (tmp_path / f"store.sqlite3.open-by-{dead_pid()}").touch()
    monkeypatch.setattr(db, "ALWAYS_CHECK_BYTES", 0)
    with pytest.raises(StoreError, match="damaged"):
        open_database(path)
    assert path.read_bytes() == before


def test_small_files_are_always_checked(tmp_path: Path) -> None:
    path = tmp_path / "store.sqlite3"
    filled_store(path)
    damage_a_data_page(path)
    with pytest.raises(StoreError, match="damaged"):
        open_database(path)
