"""The one way files are replaced: the new bytes or the old file, private to the user,
and nothing left behind."""

from __future__ import annotations

from pathlib import Path

import pytest

from desktop_agent.config import atomic
from desktop_agent.config.atomic import write_atomically


def test_a_file_is_replaced_whole_private_and_without_leftovers(tmp_path: Path) -> None:
    target = tmp_path / "export.session.json"
    target.write_bytes(b"old")
    write_atomically(target, b"new contents")
    assert target.read_bytes() == b"new contents"
    assert target.stat().st_mode & 0o777 == 0o600  # conversations: the owner's alone
    assert sorted(p.name for p in tmp_path.iterdir()) == ["export.session.json"]


def test_a_taken_temporary_name_is_never_opened(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A file (or a link someone planted) at the temporary name is left alone: another
    name is drawn."""
    planted = tmp_path / ".f.json.aaaaaaaaaaaa.tmp"
    planted.symlink_to(tmp_path / "elsewhere")
    names = iter([bytes.fromhex("aaaaaaaaaaaa"), bytes.fromhex("bbbbbbbbbbbb")])
    monkeypatch.setattr(atomic.os, "urandom", lambda n: next(names))
    write_atomically(tmp_path / "f.json", b"x")
    assert (tmp_path / "f.json").read_bytes() == b"x"
    assert planted.is_symlink()
    assert not (tmp_path / "elsewhere").exists()
