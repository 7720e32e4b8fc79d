"""Ratios between two groups (e.g. a group against its reference group) on the log scale."""

from __future__ import annotations

from typing import Any

import numpy as np

from ._types import Estimate
from ._validation import (
    as_array,
    check_non_negative,
    check_not_greater,
    check_positive,
    finish,
    normalise_confidence,
    z_value,
)

__all__ = ["ratio_of_proportions", "ratio_of_rates"]


def _inputs(x1: Any, n1: Any, x2: Any, n2: Any, *, proportions: bool) -> list[np.ndarray]:
    arrays = []
    for name_x, name_n, xv, nv in (("x1", "n1", x1, n1), ("x2", "n2", x2, n2)):
        xa = as_array(xv, name_x)
        na = as_array(nv, name_n)
        check_non_negative(xa, name_x)
        check_positive(na, name_n)
        if proportions:
            check_not_greater(xa, na, name_x, name_n)
        arrays += [xa, na]
    return list(np.broadcast_arrays(*arrays))


def _log_interval(
    ratio: np.ndarray, log_se: np.ndarray, level: float, defined: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """ratio × exp(∓ z·SE); NaN where the log-scale interval is undefined (a zero count)."""
    z = z_value(level)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        lower = np.where(defined, ratio * np.exp(-z * log_se), np.nan)
        upper = np.where(defined, ratio * np.exp(z * log_se), np.nan)
    if level == 1:
        lower = np.where(defined, 0.0, np.nan)
        upper = np.where(defined, np.inf, np.nan)
    return lower, upper


def ratio_of_rates(x1: Any, n1: Any, x2: Any, n2: Any, confidence: Any = 0.95) -> Estimate:
    """(x1/n1) / (x2/n2) with limits exp(ln RR ± z·√(1/x1 + 1/x2)).

    A zero count in either group leaves the log interval undefined: the limits are NaN and the
    value is 0 (x1 = 0), inf (x2 = 0) or NaN (both zero).
    """
    level = normalise_confidence(confidence)
    x1a, n1a, x2a, n2a = _inputs(x1, n1, x2, n2, proportions=False)
    defined = (x1a > 0) & (x2a > 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = (x1a / n1a) / (x2a / n2a)
        log_se = np.sqrt(1 / x1a + 1 / x2a)
    lower, upper = _log_interval(ratio, log_se, level, defined)
    return Estimate(finish(ratio), finish(lower), finish(upper), "log")


def ratio_of_proportions(x1: Any, n1: Any, x2: Any, n2: Any, confidence: Any = 0.95) -> Estimate:
    """Risk ratio (x1/n1) / (x2/n2) with the Katz log interval.

    ln RR ± z·√(1/x1 − 1/n1 + 1/x2 − 1/n2); undefined (NaN limits) when either count is zero.
    """
    level = normalise_confidence(confidence)
    x1a, n1a, x2a, n2a = _inputs(x1, n1, x2, n2, proportions=True)
    defined = (x1a > 0) & (x2a > 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = (x1a / n1a) / (x2a / n2a)
        log_se = np.sqrt(np.maximum(1 / x1a - 1 / n1a + 1 / x2a - 1 / n2a, 0.0))
    lower, upper = _log_interval(ratio, log_se, level, defined)
    return Estimate(finish(ratio), finish(lower), finish(upper), "katz_log")
