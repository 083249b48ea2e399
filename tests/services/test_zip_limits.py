"""Zip bombs in app imports: refused before anything is written, decompressed bytes
counted whatever the headers claim, the stored sessions left as they were."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest

from desktop_agent.domain.errors import InvalidInputError
from desktop_agent.domain.importers.formats import ExportReadError
from desktop_agent.services import zip_limits
from desktop_agent.services.importing import import_exports
from desktop_agent.services.zip_limits import BoundedMember, DecompressedBudget
from desktop_agent.store import sessions
from tests.support.export_fixtures import gpt_linear, write_zip
from tests.support.zip_bombs import many_members, zip_bomb


def _stored() -> list[tuple[str, str, int]]:
    return [(s.id, s.title, s.message_count) for s in sessions.list_sessions(limit=1000)]


@pytest.fixture
def existing(store: Path, tmp_path: Path) -> list[tuple[str, str, int]]:
    import_exports(
        [write_zip(tmp_path / "good.zip", {"conversations.json": [gpt_linear("c1", 3)]})]
    )
    before = _stored()
    assert len(before) == 1
    return before


def test_a_zip_bomb_is_refused_before_reading(
    existing: list[tuple[str, str, int]], tmp_path: Path
) -> None:
    bomb = zip_bomb(tmp_path / "bomb.zip", 64)
    with pytest.raises(InvalidInputError) as caught:
        import_exports([bomb])
    message = str(caught.value)
    assert f"{bomb}:conversations.json" in message
    assert "more than 200 to 1" in message
    assert "64.0 MB" in message
    assert _stored() == existing


def test_a_header_that_understates_the_size_is_not_believed(
    existing: list[tuple[str, str, int]], tmp_path: Path
) -> None:
    liar = zip_bomb(tmp_path / "liar.zip", 64, claimed_size=1000)
    assert zipfile.ZipFile(liar).getinfo("conversations.json").file_size == 1000
    with pytest.raises(InvalidInputError) as caught:
        import_exports([liar])
    assert f"{liar}:conversations.json" in str(caught.value)
    assert "damaged" in str(caught.value)
    assert _stored() == existing


def test_decompressed_bytes_are_counted_against_the_limit(tmp_path: Path) -> None:
    """Whatever the header says, reading stops one read past the budget."""
    text = json.dumps([gpt_linear("c1", 50)]).encode()
    archive_path = write_zip(tmp_path / "x.zip", {"conversations.json": [gpt_linear("c1", 50)]})
    with zipfile.ZipFile(archive_path) as archive:
        info = archive.getinfo("conversations.json")
        budget = DecompressedBudget(archive_path.stat().st_size)
        budget.left = len(text) - 10
        with BoundedMember(archive.open(info), info, budget) as member:
            assert member.read(100) == text[:100]
            with pytest.raises(ExportReadError, match=r"more than the 16\.0 GB limit"):
                member.read()


def test_an_absurd_ratio_stops_reading_past_the_first_megabytes(tmp_path: Path) -> None:
    bomb = zip_bomb(tmp_path / "bomb.zip", 64)
    with zipfile.ZipFile(bomb) as archive:
        info = archive.getinfo("conversations.json")
        budget = DecompressedBudget(bomb.stat().st_size)
        read: list[int] = []
        with (
            BoundedMember(archive.open(info), info, budget) as member,
            pytest.raises(ExportReadError, match="more than 200 to 1"),
        ):
            _read_all(member, read)
    assert len(read) == 16  # stopped at RATIO_FREE_BYTES, not at the member's 64 MB


def _read_all(member: BoundedMember, chunks: list[int]) -> None:
    while data := member.read(1024 * 1024):
        chunks.append(len(data))


def test_the_total_limit_is_one_constant(
    existing: list[tuple[str, str, int]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    big = write_zip(tmp_path / "big.zip", {"conversations.json": [gpt_linear("c2", 200)]})
    monkeypatch.setattr(zip_limits, "MAX_DECOMPRESSED_BYTES", 10_000)
    with pytest.raises(
        InvalidInputError, match=r"more than the 9\.8 KB limit; it was not imported"
    ):
        import_exports([big])
    assert _stored() == existing


def test_too_many_members_are_refused(
    existing: list[tuple[str, str, int]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(zip_limits, "MAX_MEMBERS", 50)
    crowded = many_members(tmp_path / "crowded.zip", 50, json.dumps([gpt_linear("c3", 2)]).encode())
    with pytest.raises(InvalidInputError, match="holds 51 files, more than the 50"):
        import_exports([crowded])
    assert _stored() == existing
