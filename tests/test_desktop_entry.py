"""--install-desktop-entry puts a launcher and icons in the user's XDG data dir;
--uninstall-desktop-entry removes exactly those files."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from desktop_agent import assets
from desktop_agent.desktop_entry import install_desktop_entry, uninstall_desktop_entry

REPO = Path(__file__).resolve().parents[1]


def test_install_writes_the_launcher_and_every_icon(tmp_path: Path) -> None:
    written = install_desktop_entry(tmp_path)
    launcher = tmp_path / "applications" / "desktop-agent.desktop"
    assert launcher in written
    text = launcher.read_text(encoding="utf-8")
    assert f"Exec={sys.executable} -m desktop_agent" in text.splitlines()
    assert "Icon=desktop-agent" in text.splitlines()
    for size in assets.ICON_SIZES:
        icon = tmp_path / "icons" / "hicolor" / f"{size}x{size}" / "apps" / "desktop-agent.png"
        assert icon.read_bytes() == assets.icon_png(size).read_bytes()
    assert (tmp_path / "icons" / "hicolor" / "scalable" / "apps" / "desktop-agent.svg").is_file()


def test_uninstall_removes_only_what_install_wrote(tmp_path: Path) -> None:
    neighbour = tmp_path / "applications" / "other-app.desktop"
    neighbour.parent.mkdir(parents=True)
    neighbour.write_text("[Desktop Entry]\nName=Other\n", encoding="utf-8")
    written = install_desktop_entry(tmp_path)
    removed = uninstall_desktop_entry(tmp_path)
    assert sorted(removed) == sorted(written)
    assert not any(path.exists() for path in written)
    assert neighbour.exists()
    assert uninstall_desktop_entry(tmp_path) == []


def test_the_command_line_flags_use_xdg_data_home(tmp_path: Path) -> None:
    env = {"XDG_DATA_HOME": str(tmp_path), "PATH": "/usr/bin:/bin"}
    for flag in ("--install-desktop-entry", "--uninstall-desktop-entry"):
        done = subprocess.run(
            [sys.executable, "-m", "desktop_agent", flag],
            cwd=REPO,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        assert str(tmp_path / "applications" / "desktop-agent.desktop") in done.stdout
    assert not (tmp_path / "applications" / "desktop-agent.desktop").exists()


@pytest.mark.skipif(
    shutil.which("desktop-file-validate") is None, reason="desktop-file-utils is not installed"
)
def test_the_launcher_is_a_valid_desktop_file(tmp_path: Path) -> None:
    install_desktop_entry(tmp_path)
    done = subprocess.run(
        ["desktop-file-validate", str(tmp_path / "applications" / "desktop-agent.desktop")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
