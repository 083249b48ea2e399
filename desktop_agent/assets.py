"""Where the shipped resources (icons, the .desktop entry) are, in every way the app runs:
a source checkout or editable install, an installed wheel, and a PyInstaller bundle."""

from __future__ import annotations

import sys
from pathlib import Path

ICON_SIZES = (16, 32, 48, 64, 128, 256, 512)
DESKTOP_FILE = "desktop-agent.desktop"


def resources_dir() -> Path:
    """The folder holding `icons/` and the .desktop file.

    Wheels carry it as `desktop_agent/resources` (pyproject maps the repository's
    top-level `resources/` there); a checkout has it beside the package; a PyInstaller
    bundle unpacks it under `sys._MEIPASS`.
    """
    bundle = getattr(sys, "_MEIPASS", None)
    candidates = [Path(bundle) / "desktop_agent" / "resources"] if bundle else []
    package = Path(__file__).resolve().parent
    candidates += [package / "resources", package.parent / "resources"]
    for candidate in candidates:
        if (candidate / DESKTOP_FILE).is_file():
            return candidate
    raise FileNotFoundError("the Desktop Agent resources folder is missing from this install")


def icon_png(size: int) -> Path:
    if size not in ICON_SIZES:
        raise ValueError(f"no {size} px icon (sizes: {', '.join(map(str, ICON_SIZES))})")
    return resources_dir() / "icons" / f"desktop-agent-{size}.png"


def icon_svg() -> Path:
    return resources_dir() / "icons" / "desktop-agent.svg"


def desktop_file() -> Path:
    return resources_dir() / DESKTOP_FILE
