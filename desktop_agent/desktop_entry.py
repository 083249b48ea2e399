"""Add Desktop Agent to this user's application menu on Linux (freedesktop.org), and take
it out again: a launcher in $XDG_DATA_HOME/applications and the icon in the hicolor theme."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

from desktop_agent import assets

APP_ID = "desktop-agent"


def data_home() -> Path:
    return Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")


def launch_command() -> str:
    """What the menu runs: the bundle's executable, else this interpreter with -m, so the
    entry starts exactly the install that created it."""
    if getattr(sys, "frozen", False):
        return shlex.quote(sys.executable)
    return f"{shlex.quote(sys.executable)} -m desktop_agent"


def _targets(home: Path) -> dict[Path, Path | None]:
    """Installed path -> source file (None for the launcher, which is generated)."""
    icons = home / "icons" / "hicolor"
    targets: dict[Path, Path | None] = {home / "applications" / f"{APP_ID}.desktop": None}
    for size in assets.ICON_SIZES:
        targets[icons / f"{size}x{size}" / "apps" / f"{APP_ID}.png"] = assets.icon_png(size)
    targets[icons / "scalable" / "apps" / f"{APP_ID}.svg"] = assets.icon_svg()
    return targets


def launcher_text() -> str:
    lines = []
    for line in assets.desktop_file().read_text(encoding="utf-8").splitlines():
        if line.startswith("Exec="):
            line = f"Exec={launch_command()}"
        lines.append(line)
    return "\n".join(lines) + "\n"


def install_desktop_entry(home: Path | None = None) -> list[Path]:
    """Install the launcher and icons; returns the files written."""
    home = home or data_home()
    written = []
    for target, source in _targets(home).items():
        target.parent.mkdir(parents=True, exist_ok=True)
        if source is None:
            target.write_text(launcher_text(), encoding="utf-8")
            target.chmod(0o644)
        else:
            shutil.copyfile(source, target)
        written.append(target)
    _refresh_caches(home)
    return written


def uninstall_desktop_entry(home: Path | None = None) -> list[Path]:
    """Remove exactly what install_desktop_entry wrote; returns the files removed."""
    home = home or data_home()
    removed = []
    for target in _targets(home):
        if target.is_file():
            target.unlink()
            removed.append(target)
    _refresh_caches(home)
    return removed


def _refresh_caches(home: Path) -> None:
    """Tell the desktop about the change where the tools exist; harmless where not."""
    for command in (
        ["update-desktop-database", "-q", str(home / "applications")],
        ["gtk-update-icon-cache", "-q", "-t", str(home / "icons" / "hicolor")],
    ):
        if shutil.which(command[0]) and Path(command[-1]).is_dir():
            subprocess.run(command, check=False, capture_output=True, timeout=30)
