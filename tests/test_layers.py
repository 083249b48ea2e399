"""The import-linter contracts catch what they promise: a copy of the package with one
wrong import injected fails `lint-imports`, naming the broken contract; the clean copy
passes. (A contract that cannot fail would guard nothing.)"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LAYERS = "layers: app > cli > ui | commands > services > llm | store | config > domain"
ONE_WRITE_PATH = "ui and commands import no store module but records and errors"

# (module that gets the wrong import, the import, the contract it must break)
VIOLATIONS = {
    "store imports services": (
        "store/search.py",
        "import desktop_agent.services.sessions",
        LAYERS,
    ),
    "domain imports config": (
        "domain/weights.py",
        "import desktop_agent.config.paths",
        LAYERS,
    ),
    "ui imports commands": (
        "ui/about.py",
        "import desktop_agent.commands",
        LAYERS,
    ),
    "ui imports a store module": (
        "ui/formatting.py",
        "import desktop_agent.store.sessions",
        ONE_WRITE_PATH,
    ),
    "commands import a store module": (
        "commands/agents.py",
        "from desktop_agent.store import agents as _agents",
        ONE_WRITE_PATH,
    ),
}


def _lint_imports() -> list[str]:
    script = Path(sys.executable).with_name("lint-imports")
    return [str(script)] if script.exists() else [sys.executable, "-m", "importlinter.cli"]


def _copy(tmp: Path, inject: tuple[str, str] | None = None) -> Path:
    """The package and the contracts in `tmp`, with `inject`'s import appended to a module."""
    tmp.mkdir(parents=True)
    shutil.copytree(
        ROOT / "desktop_agent",
        tmp / "desktop_agent",
        ignore=shutil.ignore_patterns("__pycache__"),
    )
    shutil.copy(ROOT / "pyproject.toml", tmp / "pyproject.toml")
    if inject is not None:
        module, line = inject
        path = tmp / "desktop_agent" / module
        path.write_text(path.read_text(encoding="utf-8") + f"\n{line}\n", encoding="utf-8")
    return tmp


def _start(copy: Path) -> subprocess.Popen[str]:
    # The copy comes first on the path, before the installed (editable) package.
    env = {**os.environ, "PYTHONPATH": str(copy)}
    return subprocess.Popen(
        # The config file as the positional argument (`--config` is deprecated in 2.x).
        [*_lint_imports(), str(copy / "pyproject.toml"), "--no-cache", "--no-logo"],
        cwd=copy,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


@pytest.mark.slow
def test_each_contract_catches_a_wrong_import_and_the_clean_copy_passes(tmp_path: Path) -> None:
    # All copies are checked at once: each run builds its own import graph.
    runs = {"clean": _start(_copy(tmp_path / "clean"))}
    for number, (label, (module, line, _contract)) in enumerate(VIOLATIONS.items()):
        runs[label] = _start(_copy(tmp_path / f"case{number}", (module, line)))
    outputs = {
        label: (run.communicate(timeout=300)[0], run.returncode) for label, run in runs.items()
    }

    clean_output, clean_code = outputs.pop("clean")
    assert clean_code == 0, clean_output
    assert "0 broken" in clean_output
    for label, (output, code) in outputs.items():
        module, line, contract = VIOLATIONS[label]
        assert code == 1, f"{label}: lint-imports passed\n{output}"
        assert f"{contract} BROKEN" in output, f"{label}: wrong contract broken\n{output}"
        assert "1 broken" in output, f"{label}: more than the one contract broke\n{output}"
        importer = "desktop_agent." + module.removesuffix(".py").replace("/", ".")
        assert importer in output, f"{label}: the report does not name {importer}\n{output}"
