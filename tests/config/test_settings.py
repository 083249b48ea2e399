"""The settings file: every bad value gets a clear message."""

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


@pytest.mark.parametrize(
    ("document", "problem"),
    [
        ({"provider": {"timeout_seconds": 0}}, "provider.timeout_seconds must be between 1"),
        ({"provider": {"max_retries": 99}}, "provider.max_retries must be between 0 and 10"),
        ({"validation": {"min_approval_low": 5}}, "must be between 0 and 1"),
        ({"validation": {"max_polarised": 9}}, "validation.max_polarised must be between 0"),
    ],
)
def test_values_out_of_their_range_are_refused(
    tmp_path: Path, document: dict[str, object], problem: str
) -> None:
    (tmp_path / "settings.json").write_text(json.dumps(document), encoding="utf-8")
    with pytest.raises(InvalidInputError, match=problem):
        load_settings(tmp_path)
