"""--smoke fails when no real font exists: a window of blank boxes must not pass."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
EMPTY_FONTCONFIG = """<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "fonts.dtd">
<fontconfig><dir>{empty}</dir><cachedir>{empty}/cache</cachedir></fontconfig>
"""


def smoke(tmp_path: Path, **extra_env: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", **extra_env}
    return subprocess.run(
        [sys.executable, "-m", "desktop_agent", "--data-dir", str(tmp_path / "data"), "--smoke"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_smoke_passes_with_the_systems_fonts(tmp_path: Path) -> None:
    done = smoke(tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().endswith("smoke ok")


def test_smoke_fails_without_any_font(tmp_path: Path) -> None:
    empty = tmp_path / "no-fonts"
    empty.mkdir()
    config = empty / "fonts.conf"
    config.write_text(EMPTY_FONTCONFIG.format(empty=empty), encoding="utf-8")
    done = smoke(tmp_path, FONTCONFIG_FILE=str(config))
    assert done.returncode == 2
    assert "no fonts found" in done.stderr
    assert "smoke ok" not in done.stdout


def test_opening_the_window_does_not_import_the_openai_sdk(tmp_path: Path) -> None:
    # `import openai` costs ~0.4 s: it must stay off the path to the first paint.
    probe = (
        "import sys; from desktop_agent.ui.main import run_gui;"
        f"code = run_gui({str(tmp_path / 'data')!r}, smoke=True);"
        "print('openai loaded' if 'openai' in sys.modules else 'openai not loaded');"
        "sys.exit(code)"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=REPO,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "openai not loaded" in done.stdout


def test_without_a_display_the_window_explains_instead_of_aborting(tmp_path: Path) -> None:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")
    }
    done = subprocess.run(
        [sys.executable, "-m", "desktop_agent", "--data-dir", str(tmp_path / "d")],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 1
    assert "needs a graphical display" in done.stderr


def test_the_command_line_parser_is_not_built_to_open_the_window(tmp_path: Path) -> None:
    # Opening the window must not import every subcommand's module first.
    probe = (
        "import sys; from desktop_agent.app import main;"
        f"code = main(['--data-dir', {str(tmp_path / 'd')!r}, '--smoke']);"
        "print('commands loaded' if 'desktop_agent.commands.snapshots' in sys.modules"
        " else 'commands not loaded'); sys.exit(code)"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=REPO,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "commands not loaded" in done.stdout
