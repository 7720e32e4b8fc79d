"""Confidence limits for an observed Poisson count (Byar's approximation and exact limits).

Both return limits on the count scale; rates, standardised ratios and DSRs rescale them.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy.special import gammaincinv

from ._validation import as_array, check_non_negative, finish, normalise_confidence, z_value

__all__ = ["EXACT_BELOW", "byar_interval", "count_interval", "exact_poisson_interval"]

#: Counts below this use exact limits, counts at or above it Byar's (Fingertips convention).
EXACT_BELOW = 10


def _byar(count: np.ndarray, level: float) -> tuple[np.ndarray, np.ndarray]:
    """Byar's limits; a negative lower limit (tiny counts, high confidence) becomes NaN."""
    if level == 1:
        return np.zeros_like(count), np.full_like(count, np.inf)
    z = z_value(level)
    with np.errstate(divide="ignore", invalid="ignore"):
        lower = count * (1 - 1 / (9 * count) - z / (3 * np.sqrt(count))) ** 3
    lower = np.where(count == 0, 0.0, lower)
    lower = np.where(lower < 0, np.nan, lower)
    c1 = count + 1
    upper = c1 * (1 - 1 / (9 * c1) + z / (3 * np.sqrt(c1))) ** 3
    return lower, upper


def _exact(count: np.ndarray, level: float) -> tuple[np.ndarray, np.ndarray]:
    """Exact limits: chi²(α/2; 2O)/2 and chi²(1−α/2; 2O+2)/2, written as gamma quantiles."""
    if level == 1:
        return np.zeros_like(count), np.full_like(count, np.inf)
    alpha = 1 - level
    safe = np.where(count > 0, count, 1.0)
    lower = np.where(count > 0, gammaincinv(safe, alpha / 2), 0.0)
    upper = gammaincinv(count + 1, 1 - alpha / 2)
    return lower, upper


def _checked_count(count: Any) -> np.ndarray:
    arr = as_array(count, "count")
    check_non_negative(arr, "count")
    return arr


def byar_interval(count: Any, confidence: Any = 0.95) -> tuple[Any, Any]:
    """Byar's approximation to the Poisson limits of an observed count.

    The lower limit is NaN where the approximation goes negative (e.g. a count of 1 at 99.8%),
    as in the reference method; use exact limits for small counts.
    """
    level = normalise_confidence(confidence)
    lower, upper = _byar(_checked_count(count), level)
    return finish(lower), finish(upper)


def exact_poisson_interval(count: Any, confidence: Any = 0.95) -> tuple[Any, Any]:
    """Exact (Garwood, chi-square) Poisson limits of an observed count; lower is 0 for 0."""
    level = normalise_confidence(confidence)
    lower, upper = _exact(_checked_count(count), level)
    return finish(lower), finish(upper)


def count_interval(count: np.ndarray, level: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Limits that switch from exact to Byar's at ``EXACT_BELOW``; also returns the method.

    Exact limits are only evaluated for the small counts (the gamma quantile is the slow part).
    """
    count = np.asarray(count, dtype=float)
    byar_lo, byar_hi = _byar(count, level)
    lower, upper = np.array(byar_lo, dtype=float), np.array(byar_hi, dtype=float)
    small = count < EXACT_BELOW
    if small.any():
        exact_lo, exact_hi = _exact(count[small], level)
        lower[small] = exact_lo
        upper[small] = exact_hi
    method = np.where(small, "exact", "byar")
    return lower, upper, method
