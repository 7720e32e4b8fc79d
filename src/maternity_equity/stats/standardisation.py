"""Age-standardised measures: Dobson DSR and indirectly standardised ratios and rates.

Standardising by maternal age matters when comparing ethnic groups, whose age profiles at
birth differ. Age bands run along the last axis; leading axes are independent groups.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ._types import Estimate
from ._validation import (
    as_array,
    check_non_negative,
    check_positive,
    finish,
    normalise_confidence,
)
from .poisson import EXACT_BELOW, _byar, count_interval

__all__ = ["dsr", "indirectly_standardised_rate", "indirectly_standardised_ratio"]

DSR_SUPPRESSED = "dobson: NA for total count < 10"


def _same_shape(a: np.ndarray, b: np.ndarray, a_name: str, b_name: str) -> None:
    if a.shape != b.shape:
        raise ValueError(
            f"{a_name} and {b_name}: must have the same shape (one value per age band), "
            f"got {a.shape} and {b.shape}"
        )


def _scale(multiplier: Any) -> float:
    arr = as_array(multiplier, "multiplier")
    check_positive(arr, "multiplier")
    return float(arr)


def dsr(
    x: Any,
    n: Any,
    standard_population: Any,
    confidence: Any = 0.95,
    multiplier: float = 100_000,
) -> Estimate:
    """Directly standardised rate with Dobson limits (Byar's limits of the total count).

    The value and limits are NaN where the total count is below 10: the method does not
    publish a DSR on so few events.
    """
    level = normalise_confidence(confidence)
    scale = _scale(multiplier)
    xa = np.atleast_1d(as_array(x, "x"))
    na = np.atleast_1d(as_array(n, "n"))
    wa = np.atleast_1d(as_array(standard_population, "standard_population"))
    _same_shape(xa, na, "x", "n")
    check_non_negative(xa, "x")
    check_positive(na, "n")
    check_non_negative(wa, "standard_population")
    try:
        wa = np.broadcast_to(wa, xa.shape)
    except ValueError as exc:
        raise ValueError(
            f"standard_population: {wa.shape} does not match the age bands of x {xa.shape}"
        ) from exc
    total_w = wa.sum(axis=-1)
    check_positive(np.asarray(total_w), "standard_population total")
    weight = wa / na
    value = (xa * weight).sum(axis=-1) / total_w
    variance = (xa * weight**2).sum(axis=-1) / total_w**2
    observed = xa.sum(axis=-1)
    byar_lo, byar_hi = _byar(observed, level)
    with np.errstate(divide="ignore", invalid="ignore"):
        spread = np.sqrt(variance / observed)
        lower = value + spread * (byar_lo - observed)
        upper = value + spread * (byar_hi - observed)
    suppressed = observed < EXACT_BELOW
    method = np.where(suppressed, DSR_SUPPRESSED, "dobson")
    nan = np.nan
    return Estimate(
        value=finish(np.where(suppressed, nan, value * scale)),
        lower=finish(np.where(suppressed, nan, lower * scale)),
        upper=finish(np.where(suppressed, nan, upper * scale)),
        method=finish(method),
    )


def _observed_expected(
    x: Any, n: Any, x_ref: Any, n_ref: Any
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Observed total, expected total E = Σ x_ref/n_ref × n, and the reference crude rate."""
    xa = np.atleast_1d(as_array(x, "x"))
    na = np.atleast_1d(as_array(n, "n"))
    xr = np.atleast_1d(as_array(x_ref, "x_ref"))
    nr = np.atleast_1d(as_array(n_ref, "n_ref"))
    _same_shape(xa, na, "x", "n")
    _same_shape(xr, nr, "x_ref", "n_ref")
    check_non_negative(xa, "x")
    check_non_negative(na, "n")
    check_non_negative(xr, "x_ref")
    check_positive(nr, "n_ref")
    if xr.shape[-1] != xa.shape[-1]:
        raise ValueError(
            f"x_ref: {xr.shape[-1]} age bands but x has {xa.shape[-1]}; rule: same age bands"
        )
    expected = (xr / nr * na).sum(axis=-1)
    check_positive(np.asarray(expected), "expected count (sum of x_ref/n_ref × n)")
    ref_rate = xr.sum(axis=-1) / nr.sum(axis=-1)
    return xa.sum(axis=-1), expected, ref_rate


def indirectly_standardised_ratio(
    x: Any, n: Any, x_ref: Any, n_ref: Any, confidence: Any = 0.95, ref_value: float = 1
) -> Estimate:
    """Observed / expected events × ref_value (1 for a ratio, 100 for an SMR out of 100).

    Limits are the Poisson limits of the observed count (exact below 10, Byar's from 10)
    divided by the expected count.
    """
    level = normalise_confidence(confidence)
    scale = _scale(ref_value)
    observed, expected, _ = _observed_expected(x, n, x_ref, n_ref)
    lower, upper, method = count_interval(observed, level)
    return Estimate(
        value=finish(observed / expected * scale),
        lower=finish(lower / expected * scale),
        upper=finish(upper / expected * scale),
        method=finish(method),
    )


def indirectly_standardised_rate(
    x: Any, n: Any, x_ref: Any, n_ref: Any, confidence: Any = 0.95, multiplier: float = 100_000
) -> Estimate:
    """Indirectly standardised rate: the ratio O/E times the reference crude rate."""
    level = normalise_confidence(confidence)
    scale = _scale(multiplier)
    observed, expected, ref_rate = _observed_expected(x, n, x_ref, n_ref)
    lower, upper, method = count_interval(observed, level)
    factor = ref_rate * scale / expected
    return Estimate(
        value=finish(observed * factor),
        lower=finish(lower * factor),
        upper=finish(upper * factor),
        method=finish(method),
    )
