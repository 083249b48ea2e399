"""Opening another app's export as a person hands it over: a .zip as downloaded, its
`conversations.json`, or the `conversations-NNN.json` parts newer exports split it into.

Only names are read here; the parts are opened one at a time, as streams, when the import
reaches them. `message_feedback.json` (ChatGPT's ratings) is small and read whole.
"""

from __future__ import annotations

import json
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING, cast

from desktop_agent.config.regular_file import describe_mode
from desktop_agent.domain.errors import InvalidInputError
from desktop_agent.services.zip_limits import BoundedMember, DecompressedBudget, check_archive

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

_PART = re.compile(r"conversations(-\d+)?\.json")
_FEEDBACK = "message_feedback.json"
_FEEDBACK_LIMIT = 64 * 1024 * 1024


@dataclass(frozen=True)
class ExportPart:
    """One JSON file of another app's export, possibly inside a zip."""

    name: str  # shown in the report: "export.zip:conversations-001.json"
    size: int
    open: Callable[[], IO[bytes]]


@dataclass
class ExportBundle:
    """The files of one export, opened for reading."""

    parts: list[ExportPart]
    feedback: object = None  # the parsed message_feedback.json, when there is one
    archives: list[zipfile.ZipFile] = field(default_factory=list)

    @property
    def total_bytes(self) -> int:
        return sum(part.size for part in self.parts)

    def close(self) -> None:
        for archive in self.archives:
            archive.close()


def is_export_candidate(path: str | Path) -> bool:
    """Whether the file goes to the app importers rather than the session-file reader:
    a zip, a JSON list whose first item is an object other than an OpenAI message (so a
    list of unknown objects is told which app formats were tried), or a single object
    shaped like one app conversation."""
    from desktop_agent.domain.importers.formats import ExportReadError, iter_items, sniff_top_level

    target = Path(path)
    if not _regular(target):
        return False  # the session-file reader names what it is (a FIFO would block here)
    if zipfile.is_zipfile(target):
        return True
    try:
        with target.open("rb") as stream:
            kind = sniff_top_level(stream)
            if kind == "object":
                head = stream.read(256 * 1024)
                return any(marker in head for marker in (b'"mapping"', b'"chat_messages"'))
            if kind != "list":
                return False
            first = next(iter(iter_items(stream)), None)
    except (OSError, ExportReadError):
        return False
    return isinstance(first, dict) and "role" not in first


def has_ratings(paths: Sequence[str | Path]) -> bool:
    """Whether these exports carry ChatGPT's message_feedback.json (looked up by name)."""
    for raw in paths:
        path = Path(raw)
        try:
            if zipfile.is_zipfile(path):
                with zipfile.ZipFile(path) as archive:
                    if any(Path(n).name == _FEEDBACK for n in archive.namelist()):
                        return True
            elif path.with_name(_FEEDBACK).is_file():
                return True
        except (OSError, zipfile.BadZipFile):
            continue
    return False


def open_bundle(paths: Sequence[str | Path]) -> ExportBundle:
    """The parts to import from these paths; InvalidInputError names a missing file.
    The caller closes the bundle."""
    bundle = ExportBundle(parts=[])
    try:
        _fill(bundle, paths)
    except BaseException:
        bundle.close()
        raise
    return bundle


def _fill(bundle: ExportBundle, paths: Sequence[str | Path]) -> None:
    seen: set[Path] = set()
    for raw in paths:
        path = Path(raw)
        if not path.exists():
            raise InvalidInputError(f"{raw}: no such file")
        if path.is_dir():
            raise InvalidInputError(f"{raw}: is a folder, not a file")
        if not _regular(path):
            kind = describe_mode(path.stat().st_mode)
            raise InvalidInputError(f"{raw}: is {kind}, not a regular file; only files can be read")
        if zipfile.is_zipfile(path):
            _add_zip(bundle, path)
            continue
        for part in _with_sibling_parts(path):
            if part.resolve() not in seen:
                seen.add(part.resolve())
                bundle.parts.append(_file_part(part))
        feedback = path.with_name(_FEEDBACK)
        if bundle.feedback is None and feedback.is_file():
            bundle.feedback = _read_feedback(feedback.read_bytes, feedback.stat().st_size)


def _regular(path: Path) -> bool:
    """A regular file (after symlinks): devices read forever and FIFOs block on open."""
    try:
        return describe_mode(path.stat().st_mode) is None
    except OSError:
        return False


def _with_sibling_parts(path: Path) -> list[Path]:
    """`conversations-001.json` brings its siblings: a split export is one export."""
    if not re.fullmatch(r"conversations-\d+\.json", path.name):
        return [path]
    return sorted(p for p in path.parent.iterdir() if _PART.fullmatch(p.name) and "-" in p.name)


def _file_part(path: Path) -> ExportPart:
    return ExportPart(str(path), path.stat().st_size, lambda: path.open("rb"))


def _add_zip(bundle: ExportBundle, path: Path) -> None:
    try:
        archive = zipfile.ZipFile(path)
        infos = archive.infolist()
    except (zipfile.BadZipFile, OSError) as exc:
        raise InvalidInputError(f"{path}: not a readable zip archive ({exc})") from None
    bundle.archives.append(archive)
    parts = sorted(
        (i for i in infos if _PART.fullmatch(Path(i.filename).name)),
        key=lambda i: (Path(i.filename).name != "conversations.json", i.filename),
    )
    if not parts:
        names = ", ".join(Path(i.filename).name for i in infos[:5]) or "nothing"
        raise InvalidInputError(
            f"{path}: the zip has no conversations.json (it holds {names}"
            f"{'…' if len(infos) > 5 else ''})"
        )
    check_archive(path, infos, parts)
    budget = DecompressedBudget(path.stat().st_size)
    for info in parts:
        bundle.parts.append(
            ExportPart(
                f"{path}:{info.filename}",
                info.file_size,  # for progress only: members are read through the budget
                _bounded_opener(archive, info, budget),
            )
        )
    for info in infos:
        if Path(info.filename).name == _FEEDBACK and bundle.feedback is None:
            bundle.feedback = _read_feedback(
                lambda info=info: _read_member(archive, info, budget),  # type: ignore[misc]
                info.file_size,
            )


def _bounded_opener(
    archive: zipfile.ZipFile, info: zipfile.ZipInfo, budget: DecompressedBudget
) -> Callable[[], IO[bytes]]:
    # BoundedMember has the part of IO[bytes] the readers use (read, peek, with).
    return lambda: cast("IO[bytes]", BoundedMember(archive.open(info), info, budget))


def _read_member(
    archive: zipfile.ZipFile, info: zipfile.ZipInfo, budget: DecompressedBudget
) -> bytes:
    """At most one byte past the feedback limit: a header that understates the size is
    caught by the length read, not believed."""
    with BoundedMember(archive.open(info), info, budget) as member:
        return member.read(_FEEDBACK_LIMIT + 1)


def _read_feedback(read: Callable[[], bytes], size: int) -> object:
    if size > _FEEDBACK_LIMIT:
        return None
    try:
        data = read()
        if len(data) > _FEEDBACK_LIMIT:
            return None
        return json.loads(data)
    except (ValueError, OSError):
        return None  # ratings are a bonus: a broken file must not stop the import
