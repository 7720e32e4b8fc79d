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
    as_scale,
    broadcast,
    check_events_have_population,
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


def _scaled(estimate: dict[str, np.ndarray], scale: np.ndarray, scale_name: str) -> Estimate:
    """Multiply value and limits by ``scale`` (a number or an array broadcasting with the
    groups) and give each output the broadcast shape."""
    arrays = broadcast({**estimate, scale_name: scale})
    value, lower, upper, method, scale = arrays
    return Estimate(
        value=finish(value * scale),
        lower=finish(lower * scale),
        upper=finish(upper * scale),
        method=finish(method),
    )


def dsr(
    x: Any,
    n: Any,
    standard_population: Any,
    confidence: Any = 0.95,
    multiplier: Any = 100_000,
) -> Estimate:
    """Directly standardised rate with Dobson limits (Byar's limits of the total count).

    The value and limits are NaN where the total count is below 10: the method does not
    publish a DSR on so few events. A DSR cannot be negative, so neither can its lower limit:
    where the Dobson shift goes below 0 (very uneven band weights, or 100% confidence, where
    the count's lower limit is 0) the lower limit is 0, as it is for rates and ISRs.
    """
    level = normalise_confidence(confidence)
    scale = as_scale(multiplier)
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
        lower = np.maximum(value + spread * (byar_lo - observed), 0.0)
        upper = value + spread * (byar_hi - observed)
    suppressed = observed < EXACT_BELOW
    estimate = {
        "value": np.where(suppressed, np.nan, value),
        "lower": np.where(suppressed, np.nan, lower),
        "upper": np.where(suppressed, np.nan, upper),
        "method": np.where(suppressed, DSR_SUPPRESSED, "dobson"),
    }
    return _scaled(estimate, scale, "multiplier")


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
    check_events_have_population(xa, na, "x", "n")
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
    x: Any, n: Any, x_ref: Any, n_ref: Any, confidence: Any = 0.95, ref_value: Any = 1
) -> Estimate:
    """Observed / expected events × ref_value (1 for a ratio, 100 for an SMR out of 100).

    Limits are the Poisson limits of the observed count (exact below 10, Byar's from 10)
    divided by the expected count. A local band with no population adds nothing to E, but
    events in it are refused: they could not have happened.
    """
    level = normalise_confidence(confidence)
    scale = as_scale(ref_value, "ref_value")
    observed, expected, _ = _observed_expected(x, n, x_ref, n_ref)
    lower, upper, method = count_interval(observed, level)
    estimate = {
        "value": observed / expected,
        "lower": lower / expected,
        "upper": upper / expected,
        "method": method,
    }
    return _scaled(estimate, scale, "ref_value")


def indirectly_standardised_rate(
    x: Any, n: Any, x_ref: Any, n_ref: Any, confidence: Any = 0.95, multiplier: Any = 100_000
) -> Estimate:
    """Indirectly standardised rate: the ratio O/E times the reference crude rate."""
    level = normalise_confidence(confidence)
    scale = as_scale(multiplier)
    observed, expected, ref_rate = _observed_expected(x, n, x_ref, n_ref)
    lower, upper, method = count_interval(observed, level)
    factor = ref_rate / expected
    estimate = {
        "value": observed * factor,
        "lower": lower * factor,
        "upper": upper * factor,
        "method": method,
    }
    return _scaled(estimate, scale, "multiplier")
