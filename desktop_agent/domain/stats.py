"""Small statistics: the Wilson score interval and the two-proportion z-test."""

from __future__ import annotations

import math

from desktop_agent.domain.errors import InvalidInputError

Z_95 = 1.959963984540054  # the two-sided 95% quantile of the standard normal


def _check_counts(successes: int, n: int) -> None:
    if isinstance(successes, bool) or isinstance(n, bool):
        raise InvalidInputError("counts must be integers, not booleans")
    if n < 0 or not 0 <= successes <= n:
        raise InvalidInputError(f"counts must satisfy 0 <= successes <= n, got {successes}/{n}")


def wilson_interval(successes: int, n: int, z: float = Z_95) -> tuple[float, float]:
    """Wilson score interval for a proportion; (0.0, 1.0) when there is no data.

    Unlike the normal approximation it stays inside [0, 1] and behaves at 0/n and n/n.
    """
    _check_counts(successes, n)
    if not math.isfinite(z) or z <= 0:
        raise InvalidInputError(f"z must be a positive number, got {z!r}")
    if n == 0:
        return (0.0, 1.0)
    p = successes / n
    z2 = z * z
    denominator = 1.0 + z2 / n
    centre = (p + z2 / (2 * n)) / denominator
    margin = z * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / denominator
    return (max(0.0, centre - margin), min(1.0, centre + margin))


def two_proportion_p_value(x1: int, n1: int, x2: int, n2: int) -> float | None:
    """Two-sided p-value of the pooled two-proportion z-test that p1 == p2.

    None when the test is undefined: an empty group, or a pooled proportion of 0 or 1
    (no variance, so no evidence either way).
    """
    _check_counts(x1, n1)
    _check_counts(x2, n2)
    if n1 == 0 or n2 == 0:
        return None
    pooled = (x1 + x2) / (n1 + n2)
    if pooled in (0.0, 1.0):
        return None
    standard_error = math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    z = (x1 / n1 - x2 / n2) / standard_error
    # P(|Z| >= |z|) = erfc(|z| / sqrt 2) for a standard normal Z.
    return math.erfc(abs(z) / math.sqrt(2.0))
