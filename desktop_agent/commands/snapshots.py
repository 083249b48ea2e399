"""`desktop-agent snapshot ...` and `desktop-agent experiment ...`."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import argparse
    from collections.abc import Callable


def register(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
    owner_options: Callable[..., None],
) -> None:
    """Registered by the snapshots work (issue 4)."""
