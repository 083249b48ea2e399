"""How many examples a property test runs beyond the profile's default: the full count
under the `ci` profile, a quick share of it while developing (profiles: tests/conftest.py)."""

from __future__ import annotations

from hypothesis import settings


def examples(*, ci: int, dev: int) -> int:
    """`ci` when the `ci` profile is loaded (CI, or HYPOTHESIS_PROFILE=ci), else `dev`."""
    return ci if settings.get_current_profile_name() == "ci" else dev
