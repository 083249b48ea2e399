"""Build the one-folder app with PyInstaller, then prove it works: `--smoke` must paint the
window with real fonts, a font-less system must fail loudly, the CLI must run, and a
chat must be answered offline by the bundled model.

    make package            # bootstrap the `package` extra, then this script

Prints the bundle's size and the smoke start time. Exits non-zero on any failure.
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "packaging" / "desktop-agent.spec"
DIST = ROOT / "dist"
BUILD = ROOT / "build" / "pyinstaller"
SMOKE_RUNS = 3
EMPTY_FONTCONFIG = """<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "fonts.dtd">
<fontconfig><dir>{empty}</dir><cachedir>{empty}/cache</cachedir></fontconfig>
"""


def executable() -> Path:
    if sys.platform == "darwin":
        return DIST / "Desktop Agent.app" / "Contents" / "MacOS" / "desktop-agent"
    name = "desktop-agent-cli.exe" if sys.platform == "win32" else "desktop-agent"
    return DIST / "desktop-agent" / name


def build() -> float:
    started = time.monotonic()
    subprocess.run(
        [
            sys.executable,
            "-m",
            "PyInstaller",
            "--noconfirm",
            "--clean",
            "--log-level",
            "WARN",
            "--distpath",
            str(DIST),
            "--workpath",
            str(BUILD),
            str(SPEC),
        ],
        cwd=ROOT,
        check=True,
    )
    return time.monotonic() - started


def folder_size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file() and not f.is_symlink())


def run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(executable()), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def smoke(data_dir: Path) -> list[float]:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "DESKTOP_AGENT_DATA_DIR": str(data_dir)}
    timings = []
    for _ in range(SMOKE_RUNS):
        started = time.monotonic()
        done = run(["--smoke"], env)
        timings.append(time.monotonic() - started)
        if done.returncode != 0 or "smoke ok" not in done.stdout:
            sys.exit(f"smoke test failed (exit {done.returncode}):\n{done.stdout}\n{done.stderr}")
    return timings


def fonts_are_required(data_dir: Path) -> None:
    """With no fonts the window would be blank boxes: --smoke must fail, not pass."""
    with tempfile.TemporaryDirectory() as empty:
        config = Path(empty) / "fonts.conf"
        config.write_text(EMPTY_FONTCONFIG.format(empty=empty), encoding="utf-8")
        env = {
            **os.environ,
            "QT_QPA_PLATFORM": "offscreen",
            "DESKTOP_AGENT_DATA_DIR": str(data_dir),
            "FONTCONFIG_FILE": str(config),
            "QT_QPA_FONTDIR": empty,
        }
        done = run(["--smoke"], env)
    if done.returncode == 0:
        sys.exit("the smoke test passed without any fonts: it cannot catch a blank UI")
    print(
        f"without fonts --smoke fails as it must (exit {done.returncode}): "
        f"{done.stderr.strip().splitlines()[-1] if done.stderr.strip() else ''}"
    )


def cli_works(data_dir: Path) -> None:
    env = {**os.environ, "DESKTOP_AGENT_DATA_DIR": str(data_dir)}
    for args in (
        ["--version"],
        ["sessions", "list", "--json"],
        ["weights", "show", "--agent", "assistant", "--json"],
    ):
        done = run(args, env)
        if done.returncode != 0:
            sys.exit(f"`desktop-agent {' '.join(args)}` failed in the bundle:\n{done.stderr}")


def chats_offline(data_dir: Path) -> float:
    """A first reply from the bundled model, with no provider set up and every proxy
    variable pointing at a closed port: only 127.0.0.1 can answer."""
    closed = "http://127.0.0.1:9"
    env = {
        name: value
        for name, value in os.environ.items()
        if name not in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "DESKTOP_AGENT_MODEL_FILE")
    }
    env.update(
        DESKTOP_AGENT_DATA_DIR=str(data_dir),
        HTTP_PROXY=closed,
        HTTPS_PROXY=closed,
        ALL_PROXY=closed,
        NO_PROXY="127.0.0.1,localhost",
    )
    started = time.monotonic()
    done = run(["chat", "--new", "--json", "What is the capital of France?"], env)
    seconds = time.monotonic() - started
    if done.returncode != 0:
        sys.exit(f"the bundled model did not answer (exit {done.returncode}):\n{done.stderr}")
    reply = json.loads(done.stdout)
    if reply["status"] != "complete" or not reply["content"].strip():
        sys.exit(f"the bundled model's reply is not complete: {reply}")
    print(f"offline chat with the bundled model: {reply['content'].strip()[:80]!r}")
    return seconds


def main() -> int:
    if (
        shutil.which("fc-list")
        and not subprocess.run(
            ["fc-list"], capture_output=True, text=True, check=False
        ).stdout.strip()
    ):
        sys.exit("this system has no fonts (install fonts-dejavu-core): the app would be blank")
    seconds = build()
    target = DIST / ("Desktop Agent.app" if sys.platform == "darwin" else "desktop-agent")
    size = folder_size(target)
    with tempfile.TemporaryDirectory() as data:
        timings = smoke(Path(data))
        fonts_are_required(Path(data))
        cli_works(Path(data))
        chat_seconds = chats_offline(Path(data))
    print(f"built {target} in {seconds:.0f} s")
    print(f"bundle size: {size / 1024 / 1024:.0f} MB")
    print(
        f"--smoke (start, first paint, exit): median {statistics.median(timings):.2f} s "
        f"over {SMOKE_RUNS} runs"
    )
    print(f"first chat (start, model load, reply, exit): {chat_seconds:.1f} s")
    print("package ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
