"""Rules that keep every start of the app and of each command cheap."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "desktop_agent"


def _is_dataclass(node: ast.ClassDef) -> bool:
    return any("dataclass" in ast.unparse(decorator) for decorator in node.decorator_list)


def test_every_dataclass_has_a_docstring() -> None:
    # Without one, @dataclass writes one from inspect.signature(cls): ~0.45 ms per class
    # here, twice the cost of the class itself. The package has ~100 of them on the
    # import paths of the window and the commands.
    missing = [
        f"{path.relative_to(PACKAGE.parent)}:{node.lineno} {node.name}"
        for path in sorted(PACKAGE.rglob("*.py"))
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.ClassDef)
        and _is_dataclass(node)
        and ast.get_docstring(node) is None
    ]
    assert len(missing) == 0, "dataclasses without a docstring:\n" + "\n".join(missing)
