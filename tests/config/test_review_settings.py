"""Review findings on the settings file: every bad value gets a clear message."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from desktop_agent.config.settings import load_settings
from desktop_agent.domain.errors import InvalidInputError


@pytest.mark.parametrize("version", ["2", None, [1], 1.5, True])
def test_a_schema_version_that_is_not_a_whole_number_is_refused_clearly(
    tmp_path: Path, version: object
) -> None:
    (tmp_path / "settings.json").write_text(json.dumps({"schema_version": version}))

    with pytest.raises(InvalidInputError, match="schema_version must be a whole number"):
        load_settings(tmp_path)


def test_a_boolean_context_budget_is_refused(tmp_path: Path) -> None:
    document = {"provider": {"context_budgets": {"gpt-4o": True}}}
    (tmp_path / "settings.json").write_text(json.dumps(document))

    with pytest.raises(InvalidInputError, match="context_budgets must map"):
        load_settings(tmp_path)
