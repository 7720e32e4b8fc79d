"""Proportions with Wilson score intervals (the Fingertips ``phe_proportion`` method)."""

from __future__ import annotations

from typing import Any

import numpy as np

from ._types import Estimate
from ._validation import (
    as_array,
    as_scale,
    broadcast,
    check_non_negative,
    check_not_greater,
    check_positive,
    finish,
    normalise_confidence,
    z_value,
)

__all__ = ["proportion", "wilson_interval"]


def _checked_counts(x: Any, n: Any) -> tuple[np.ndarray, np.ndarray]:
    xa = as_array(x, "x")
    na = as_array(n, "n")
    check_non_negative(xa, "x")
    check_positive(na, "n")
    check_not_greater(xa, na, "x", "n")
    xa, na = broadcast({"x": xa, "n": na})
    return xa, na


def _lower_root(x: np.ndarray, n: np.ndarray, z: float) -> np.ndarray:
    """Lower Wilson limit as product-of-roots / upper root: no cancellation, exactly 0 at x = 0.

    The limits are the roots of (n + z²)p² − (2x + z²)p + x²/n = 0.
    """
    z2 = z * z
    root = z * np.sqrt(z2 + 4 * x * (1 - x / n))
    return (2 * x * x / n) / (2 * x + z2 + root)


def _wilson(x: np.ndarray, n: np.ndarray, level: float) -> tuple[np.ndarray, np.ndarray]:
    """Wilson limits on the 0-1 scale for validated, broadcast arrays.

    Above x = n/2 the upper limit is taken as 1 minus the lower limit of the mirrored count
    n − x: that keeps full precision at both ends and gives exactly 1 at x = n.
    """
    if level == 1:
        return np.zeros_like(x), np.ones_like(x)
    z = z_value(level)
    z2 = z * z
    lower = _lower_root(x, n, z)
    direct_upper = (2 * x + z2 + z * np.sqrt(z2 + 4 * x * (1 - x / n))) / (2 * (n + z2))
    upper = np.where(x <= n / 2, direct_upper, 1 - _lower_root(n - x, n, z))
    return lower, upper


def wilson_interval(x: Any, n: Any, confidence: Any = 0.95) -> tuple[Any, Any]:
    """Wilson score interval for x successes out of n, on the proportion scale (0 to 1).

    No continuity correction; the interval stays inside [0, 1] by construction.
    """
    level = normalise_confidence(confidence)
    xa, na = _checked_counts(x, n)
    lower, upper = _wilson(xa, na, level)
    return finish(lower), finish(upper)


def proportion(x: Any, n: Any, confidence: Any = 0.95, multiplier: Any = 1) -> Estimate:
    """x/n with a Wilson score interval, both scaled by ``multiplier`` (100 for a percentage).

    ``multiplier`` may be an array that broadcasts with x and n, like any other argument.
    """
    level = normalise_confidence(confidence)
    scale = as_scale(multiplier)
    xa, na = _checked_counts(x, n)
    lower, upper = _wilson(xa, na, level)
    xa, na, lower, upper, scale = broadcast(
        {"x": xa, "n": na, "lower": lower, "upper": upper, "multiplier": scale}
    )
    return Estimate(
        value=finish(xa / na * scale),
        lower=finish(lower * scale),
        upper=finish(upper * scale),
        method="wilson",
    )
