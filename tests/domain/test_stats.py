"""Wilson interval and two-proportion test against hand-computed values."""

from __future__ import annotations

import math

import pytest

from desktop_agent.domain.errors import InvalidInputError
from desktop_agent.domain.stats import two_proportion_p_value, wilson_interval


def test_wilson_eight_of_ten_matches_the_textbook_interval() -> None:
    low, high = wilson_interval(8, 10)
    assert low == pytest.approx(0.4902, abs=5e-5)
    assert high == pytest.approx(0.9433, abs=5e-5)


def test_wilson_extremes_stay_inside_zero_and_one() -> None:
    low, high = wilson_interval(0, 20)
    assert low == 0.0
    assert high == pytest.approx(0.1611, abs=5e-5)  # z^2 / (n + z^2) with z = 1.96
    low, high = wilson_interval(20, 20)
    assert low == pytest.approx(1 - 0.1611, abs=5e-5)
    assert high == 1.0


def test_wilson_without_data_is_the_whole_range() -> None:
    assert wilson_interval(0, 0) == (0.0, 1.0)


def test_wilson_narrows_as_the_sample_grows() -> None:
    small = wilson_interval(8, 10)
    large = wilson_interval(800, 1000)
    assert large[1] - large[0] < small[1] - small[0]
    assert large[0] < 0.8 < large[1]


@pytest.mark.parametrize(("successes", "n"), [(-1, 5), (6, 5), (0, -1), (True, 3)])
def test_wilson_rejects_impossible_counts(successes: int, n: int) -> None:
    with pytest.raises(InvalidInputError):
        wilson_interval(successes, n)


def test_two_proportion_test_matches_hand_computation() -> None:
    # pooled p = 105/200 = 0.525; se = sqrt(0.525 * 0.475 * (1/100 + 1/100)) = 0.070622;
    # z = (0.45 - 0.60) / 0.070622 = -2.1240; two-sided p = erfc(2.1240 / sqrt 2) = 0.0337.
    p = two_proportion_p_value(45, 100, 60, 100)
    assert p == pytest.approx(0.0337, abs=1e-4)
    assert two_proportion_p_value(60, 100, 45, 100) == pytest.approx(p)


def test_two_proportion_test_of_equal_proportions_is_one() -> None:
    assert two_proportion_p_value(30, 60, 15, 30) == pytest.approx(1.0)


@pytest.mark.parametrize("counts", [(0, 0, 5, 10), (5, 10, 0, 0), (0, 10, 0, 20), (10, 10, 20, 20)])
def test_two_proportion_test_is_undefined_without_variance(
    counts: tuple[int, int, int, int],
) -> None:
    assert two_proportion_p_value(*counts) is None


def test_two_proportion_p_value_is_a_probability() -> None:
    p = two_proportion_p_value(1, 1000, 999, 1000)
    assert p is not None
    assert 0.0 <= p < 1e-10
    assert not math.isnan(p)
