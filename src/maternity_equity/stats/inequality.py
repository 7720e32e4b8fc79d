"""Slope and relative index of inequality (SII, RII), as Fingertips computes them (``phe_sii``).

Quantiles arrive in order, first = most deprived. Each quantile sits at the midpoint of its
share of the cumulative population; the outcome is regressed on that rank by weighted least
squares (weights = population share). Confidence limits come from Monte Carlo simulation of
the quantile values; all refits are done at once because the WLS slope is a fixed linear
combination of the values. The RII is the ratio of the fitted values at the two ends of the
line, so it exists only where both are positive.
"""

from __future__ import annotations

import numbers
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.special import expit, logit, ndtri

from ._validation import (
    as_array,
    as_number,
    check_choice,
    check_finite,
    check_non_negative,
    check_positive,
    normalise_confidence,
)

__all__ = ["SIIResult", "relative_rank", "sii", "sii_from_draws", "sii_many"]

VALUE_TYPES = ("other", "rate", "proportion")
VALUE_TYPE_CODES = {0: "other", 1: "rate", 2: "proportion"}  # the Fingertips numeric codes
MIN_REPETITIONS = 1_000
Z975 = float(ndtri(0.975))  # the supplied limits are always read as 95% limits


@dataclass(frozen=True, eq=False)
class SIIResult:
    """SII and RII with simulated limits; ``intercept`` is the fitted value at rank 0.

    Every field is a numpy float64. The RII and its limits are NaN where the ratio of fitted
    values is undefined (see :func:`sii`).
    """

    sii: np.float64
    sii_lower: np.float64
    sii_upper: np.float64
    rii: np.float64
    rii_lower: np.float64
    rii_upper: np.float64
    intercept: np.float64


def relative_rank(population: Any) -> tuple[np.ndarray, np.ndarray]:
    """Population shares a_i and mid-point ranks b_i (cumulative share before i + a_i/2)."""
    pop = np.asarray(population, dtype=float)
    share = pop / pop.sum()
    rank = np.cumsum(share) - share / 2
    return share, rank


def _transforms(value_type: str) -> tuple[Callable, Callable]:
    if value_type == "rate":
        return np.log, np.exp
    if value_type == "proportion":
        return logit, expit
    return (lambda v: v), (lambda v: v)


def _check_domain(arr: np.ndarray, name: str, value_type: str) -> None:
    if value_type == "rate" and (arr <= 0).any():
        raise ValueError(
            f"{name}: rates must be > 0 for the log scale (quantile "
            f"{int(np.argmax(arr <= 0)) + 1}); rule: value_type 'rate' needs > 0"
        )
    if value_type == "proportion" and ((arr <= 0) | (arr >= 1)).any():
        bad = int(np.argmax((arr <= 0) | (arr >= 1))) + 1
        raise ValueError(
            f"{name}: proportions must lie strictly between 0 and 1 for the logit "
            f"scale (quantile {bad}); rule: value_type 'proportion' needs 0 < p < 1"
        )


def _quantile_vector(value: Any, name: str, size: int) -> np.ndarray:
    arr = np.atleast_1d(as_array(value, name))
    if arr.shape != (size,):
        raise ValueError(f"{name}: expected one value per quantile ({size}), got shape {arr.shape}")
    check_finite(arr, name)
    return arr


def _standard_errors(
    value: np.ndarray, lower: Any, upper: Any, se: Any, value_type: str, forward: Callable
) -> np.ndarray:
    """SE on the transformed scale: as given, or from 95% limits (T(U) − T(L)) / (2·1.96)."""
    k = value.size
    if se is not None:
        if lower is not None or upper is not None:
            raise ValueError("se: give either se or lower and upper, not both")
        se_arr = _quantile_vector(se, "se", k)
        check_non_negative(se_arr, "se")
        return se_arr
    if lower is None or upper is None:
        raise ValueError("lower/upper: both 95% limits are needed when se is not given")
    lo = _quantile_vector(lower, "lower", k)
    hi = _quantile_vector(upper, "upper", k)
    wrong = lo > hi
    if wrong.any():
        raise ValueError(
            f"lower: above upper for quantile {int(np.argmax(wrong)) + 1}; rule: lower <= upper"
        )
    _check_domain(lo, "lower", value_type)
    _check_domain(hi, "upper", value_type)
    return (forward(hi) - forward(lo)) / (2 * Z975)


def _order_positions(repetitions: int, level: float) -> tuple[int, int]:
    """0-based indices of the 1-based order statistics round(R(1∓c)/2)."""
    lo = round(repetitions * (1 - level) / 2)
    hi = round(repetitions * (1 + level) / 2)
    return min(max(lo, 1), repetitions) - 1, min(max(hi, 1), repetitions) - 1


def _order_stats(sims: np.ndarray, positions: tuple[int, int]) -> tuple[np.float64, np.float64]:
    part = np.partition(sims, positions)
    return np.float64(part[positions[0]]), np.float64(part[positions[1]])


def _population(population: Any) -> np.ndarray:
    pop = np.atleast_1d(as_array(population, "population"))
    if pop.ndim != 1 or pop.size < 2:
        raise ValueError("population: need one value per quantile and at least 2 quantiles")
    check_positive(pop, "population")
    return pop


def _multiplier(multiplier: Any) -> float:
    mult = as_number(multiplier, "multiplier")
    if mult == 0:
        raise ValueError(f"multiplier: must be a finite non-zero number, got {multiplier!r}")
    return mult


def _repetitions(repetitions: Any) -> int:
    if isinstance(repetitions, bool) or not isinstance(repetitions, numbers.Real):
        raise ValueError(f"repetitions: must be an integer, got {repetitions!r}")
    if int(repetitions) != repetitions or repetitions < MIN_REPETITIONS:
        raise ValueError(
            f"repetitions: must be an integer >= {MIN_REPETITIONS}, got {repetitions!r}"
        )
    return int(repetitions)


def _fit(pop: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Intercept (fitted value at rank 0) and slope of the WLS line of y on the relative rank.

    ``y`` is one row of quantile values or a (repetitions × quantiles) matrix of them.
    """
    share, rank = relative_rank(pop)
    centred = rank - share @ rank
    slope = y @ (share * centred / (share @ (centred * centred)))
    return y @ share - slope * (share @ rank), slope


def _ratio(start: np.ndarray, end: np.ndarray, flip: bool) -> np.ndarray:
    """end / start (start / end when flipped); NaN unless both fitted values are positive."""
    top, bottom = (start, end) if flip else (end, start)
    positive = (start > 0) & (end > 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(positive, top / bottom, np.nan)


def _untransformed(
    pop: np.ndarray, vals: np.ndarray, draws: np.ndarray, mult: float, level: float
) -> SIIResult:
    """SII and RII of validated inputs; ``draws`` are simulated values on the value scale."""
    start, slope = _fit(pop, vals)
    end = start + slope
    sim_start, sim_slope = _fit(pop, draws)
    sim_end = sim_start + sim_slope
    positions = _order_positions(draws.shape[0], level)
    sii_lo, sii_hi = _order_stats(sim_slope * mult, positions)
    flip = mult < 0
    rii = _ratio(start, end, flip)[()]
    rii_lo = rii_hi = np.float64(np.nan)
    if not np.isnan(rii) and (sim_start > 0).all() and (sim_end > 0).all():
        rii_lo, rii_hi = _order_stats(_ratio(sim_start, sim_end, flip), positions)
    return SIIResult(
        sii=np.float64(slope * mult),
        sii_lower=sii_lo,
        sii_upper=sii_hi,
        rii=np.float64(rii),
        rii_lower=rii_lo,
        rii_upper=rii_hi,
        intercept=np.float64(start),
    )


@dataclass(frozen=True, eq=False)
class SIIArrays:
    """:class:`SIIResult` for many sets of quantiles at once: one array entry per set."""

    sii: np.ndarray
    sii_lower: np.ndarray
    sii_upper: np.ndarray
    rii: np.ndarray
    rii_lower: np.ndarray
    rii_upper: np.ndarray
    intercept: np.ndarray


def _weighted_sum(values: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Row sums of values × weights, added quantile by quantile in order, so every row's sum
    is the same however many rows are computed together."""
    total = values[..., 0] * weights[..., 0]
    for j in range(1, values.shape[-1]):
        total = total + values[..., j] * weights[..., j]
    return total


def sii_many(
    population: Any,
    value: Any,
    se: Any,
    normal_draws: Any,
    *,
    multiplier: Any = 1,
    confidence: Any = 0.95,
) -> SIIArrays:
    """SII and RII of value type "other" (untransformed) for many sets of k quantiles at once.

    ``population``, ``value`` and ``se`` hold one row per set (quantiles in order, first =
    most deprived); ``normal_draws`` are standard normal draws, one row per repetition and one
    column per quantile, shared by every set. Each set is simulated as value + se·Z, exactly
    as :func:`sii` does from the same draws, but because the weighted least-squares fit is
    linear the simulated intercepts and slopes are fitted values plus Z times fixed weights,
    so no (repetitions × quantiles) matrix is made per set. A set's results do not depend on
    which other sets are computed with it. Rows are validated like :func:`sii`'s arguments.
    """
    level = normalise_confidence(confidence)
    mult = _multiplier(multiplier)
    pop = np.atleast_2d(as_array(population, "population"))
    vals = np.atleast_2d(as_array(value, "value"))
    ses = np.atleast_2d(as_array(se, "se"))
    z = as_array(normal_draws, "normal_draws")
    sets, k = pop.shape
    if k < 2 or vals.shape != pop.shape or ses.shape != pop.shape:
        raise ValueError(
            "population, value, se: need the same shape, one row per set and at least 2 "
            f"quantiles; got {pop.shape}, {vals.shape}, {ses.shape}"
        )
    if z.ndim != 2 or z.shape[1] != k or z.shape[0] < MIN_REPETITIONS:
        raise ValueError(
            f"normal_draws: expected at least {MIN_REPETITIONS} rows and {k} columns, "
            f"got shape {z.shape}"
        )
    check_positive(pop, "population")
    check_finite(vals, "value")
    check_finite(ses, "se")
    check_non_negative(ses, "se")
    share = pop / pop.sum(axis=1, keepdims=True)
    rank = np.cumsum(share, axis=1) - share / 2
    mean_rank = _weighted_sum(share, rank)
    centred = rank - mean_rank[:, None]
    slope_w = share * centred / _weighted_sum(share, centred * centred)[:, None]
    start_w = share - slope_w * mean_rank[:, None]
    slope = _weighted_sum(vals, slope_w)
    start = _weighted_sum(vals, start_w)
    end = start + slope
    # simulated fits: fitted value + Σ_j Z_j · se_j · weight_j, one column per set
    sim_slope = _weighted_sum(z[:, None, :], (ses * slope_w)[None, :, :]) + slope
    sim_start = _weighted_sum(z[:, None, :], (ses * start_w)[None, :, :]) + start
    sim_end = sim_start + sim_slope
    positions = _order_positions(z.shape[0], level)
    part = np.partition(sim_slope * mult, positions, axis=0)
    flip = mult < 0
    rii = _ratio(start, end, flip)
    bounded = ~np.isnan(rii) & (sim_start > 0).all(axis=0) & (sim_end > 0).all(axis=0)
    rii_lo = np.full(sets, np.nan)
    rii_hi = np.full(sets, np.nan)
    if bounded.any():
        ratios = np.partition(
            _ratio(sim_start[:, bounded], sim_end[:, bounded], flip), positions, 0
        )
        rii_lo[bounded], rii_hi[bounded] = ratios[positions[0]], ratios[positions[1]]
    return SIIArrays(
        sii=slope * mult,
        sii_lower=part[positions[0]],
        sii_upper=part[positions[1]],
        rii=rii,
        rii_lower=rii_lo,
        rii_upper=rii_hi,
        intercept=start,
    )


def sii_from_draws(
    population: Any,
    value: Any,
    draws: Any,
    *,
    multiplier: Any = 1,
    confidence: Any = 0.95,
) -> SIIResult:
    """SII and RII (untransformed) with limits from values already simulated.

    ``draws`` holds one row per repetition and one column per quantile, on the value scale.
    :func:`sii` makes the draws and calls this; a caller that computes many SIIs from one
    shared set of standard normal draws (the indicator engine) calls it directly and gets
    exactly what :func:`sii` gives for the same draws.
    """
    level = normalise_confidence(confidence)
    pop = _population(population)
    vals = _quantile_vector(value, "value", pop.size)
    sims = as_array(draws, "draws")
    if sims.ndim != 2 or sims.shape[1] != pop.size:
        raise ValueError(
            f"draws: expected one row per repetition and {pop.size} columns (one per quantile), "
            f"got shape {sims.shape}"
        )
    check_finite(sims, "draws")
    if sims.shape[0] < MIN_REPETITIONS:
        raise ValueError(f"draws: need at least {MIN_REPETITIONS} repetitions (rows)")
    return _untransformed(pop, vals, sims, _multiplier(multiplier), level)


def sii(
    population: Any,
    value: Any,
    *,
    lower: Any = None,
    upper: Any = None,
    se: Any = None,
    value_type: str = "other",
    transform: bool = False,
    multiplier: float = 1,
    confidence: Any = 0.95,
    repetitions: int = 100_000,
    seed: Any = None,
) -> SIIResult:
    """Slope index of inequality with RII and simulated confidence limits.

    ``lower``/``upper`` must be 95% limits whatever ``confidence`` is asked (they only give each
    quantile's SE); ``se`` must already be on the log (rate) or logit (proportion) scale for
    those value types. A negative ``multiplier`` flips the sign of the SII and inverts the RII,
    so a gap that is worse in deprived areas can be reported as positive. The same ``seed``
    gives the same limits.

    Untransformed, RII = fitted value at rank 1 / fitted value at rank 0 (inverted for a
    negative multiplier). It is NaN, with the SII still given, unless both fitted values are
    positive; its limits are NaN unless they are positive in every repetition, so each
    simulated RII is a ratio of positive numbers and the limits bracket the estimate.
    """
    level = normalise_confidence(confidence)
    if isinstance(value_type, int) and not isinstance(value_type, bool):
        value_type = VALUE_TYPE_CODES.get(value_type, value_type)
    check_choice(value_type, "value_type", VALUE_TYPES)
    pop = _population(population)
    k = pop.size
    vals = _quantile_vector(value, "value", k)
    if transform and value_type == "other":
        raise ValueError("transform: only for value_type 'rate' or 'proportion'")
    if transform and se is not None:
        raise ValueError("transform: needs lower and upper 95% limits, not se")
    mult = _multiplier(multiplier)
    reps = _repetitions(repetitions)

    forward, inverse = _transforms(value_type)
    if value_type != "other":
        _check_domain(vals, "value", value_type)
    se_t = _standard_errors(vals, lower, upper, se, value_type, forward)

    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    normal = rng.standard_normal((reps, k))
    if value_type == "other":  # linear in the draws: the fast path, same results
        many = sii_many(pop, vals, se_t, normal, multiplier=mult, confidence=level)
        return SIIResult(**{f: getattr(many, f)[0] for f in SIIResult.__dataclass_fields__})
    draws = forward(vals) + se_t * normal
    if not transform:
        return _untransformed(pop, vals, inverse(draws), mult, level)

    # Transformed scale: place the simulated slopes around the fitted mid-point and back-transform.
    intercept, slope = _fit(pop, forward(vals))
    _, sim_slope = _fit(pop, draws)
    s_lo, s_hi = _order_stats(sim_slope, _order_positions(reps, level))
    mid = intercept + slope / 2

    def sii_at(s: float) -> np.float64:
        return np.float64((inverse(mid + s / 2) - inverse(mid - s / 2)) * mult)

    def rii_at(s: float) -> np.float64:
        return np.float64(inverse(mid + s / 2) / inverse(mid - s / 2))

    top, bottom = np.float64(inverse(intercept + slope)), np.float64(inverse(intercept))
    rii = top / bottom
    sii_pair = sorted((sii_at(s_lo), sii_at(s_hi)))
    rii_lo, rii_hi = rii_at(s_lo), rii_at(s_hi)
    if mult < 0:
        rii, rii_lo, rii_hi = 1 / rii, 1 / rii_hi, 1 / rii_lo
    return SIIResult(
        sii=(top - bottom) * mult,
        sii_lower=sii_pair[0],
        sii_upper=sii_pair[1],
        rii=rii,
        rii_lower=rii_lo,
        rii_upper=rii_hi,
        intercept=bottom * abs(mult),
    )
