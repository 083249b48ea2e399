"""Packaging: every package and resource ships in the wheel, and the installed wheel finds
its icons and .desktop file without the source tree."""

from __future__ import annotations

import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def declared_packages() -> list[str]:
    with open(REPO / "pyproject.toml", "rb") as fh:
        return list(tomllib.load(fh)["tool"]["setuptools"]["packages"])


def test_every_python_package_is_declared() -> None:
    on_disk = {
        ".".join(init.parent.relative_to(REPO).parts)
        for init in (REPO / "desktop_agent").rglob("__init__.py")
    }
    assert on_disk <= set(declared_packages())


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "-q",
            "--no-deps",
            "--no-build-isolation",  # the dev extra has the backend [build-system] names
            "-w",
            str(out),
            str(REPO),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    return next(out.glob("desktop_agent-*.whl"))


def test_the_wheel_carries_the_resources(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "desktop_agent/resources/desktop-agent.desktop" in names
    for size in (16, 32, 48, 64, 128, 256, 512):
        assert f"desktop_agent/resources/icons/desktop-agent-{size}.png" in names
    assert "desktop_agent/resources/icons/desktop-agent.svg" in names
    assert "desktop_agent/ui/weights/panel.py" in names


def test_an_installed_wheel_finds_its_resources(wheel: Path, tmp_path: Path) -> None:
    target = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(target)
    probe = (
        "import desktop_agent, desktop_agent.assets as a;"
        "print(desktop_agent.__file__); print(a.resources_dir()); print(a.icon_png(256).is_file())"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=tmp_path,
        env={"PYTHONPATH": str(target)},
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    module, resources, found = done.stdout.split()
    assert module.startswith(str(target))
    assert resources == str(target / "desktop_agent" / "resources")
    assert found == "True"
