"""Statistics on the aggregated table, vectorised over rows, using :mod:`maternity_equity.stats`.

The engine only ever passes small aggregated arrays here; this module decides which stats
function a definition's ``ci_method`` means and turns results into the results-table columns.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from maternity_equity import stats

SII_REPETITIONS = 10_000  # fewer than the PHE default (100,000) so a whole catalogue stays fast
SII_SEED = 20210901  # fixed so a rerun gives identical limits


def estimate(
    num: np.ndarray,
    den: np.ndarray,
    *,
    kind: str,
    ci_method: str,
    multiplier: float | np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(value, lower, upper, method) per row; rows with no denominator get NaN.

    ``multiplier`` is one number or one per row (a return row may state its own scale)."""
    num = np.asarray(num, dtype=float)
    den = np.asarray(den, dtype=float)
    n = len(num)
    multiplier = np.broadcast_to(np.asarray(multiplier, dtype=float), (n,))
    value = np.full(n, np.nan)
    lower = np.full(n, np.nan)
    upper = np.full(n, np.nan)
    method = np.full(n, "none", dtype=object)
    if kind == "count":
        return num.copy(), lower, upper, method
    ok = np.isfinite(num) & np.isfinite(den) & (den > 0) & (num >= 0)
    if ci_method == "wilson":
        ok &= num <= den
    if not ok.any():
        return value, lower, upper, method
    if ci_method == "wilson":
        est = stats.proportion(num[ok], den[ok], 0.95, multiplier[ok])
        method[ok] = "wilson"
    elif ci_method == "byar-exact":
        est = stats.rate(num[ok], den[ok], 0.95, multiplier[ok])
        method[ok] = np.asarray(est.method, dtype=object) if np.ndim(est.method) else est.method
    else:
        value[ok] = num[ok] / den[ok] * multiplier[ok]
        return value, lower, upper, method
    value[ok], lower[ok], upper[ok] = est.value, est.lower, est.upper
    return value, lower, upper, method


def compare(
    x1: np.ndarray, n1: np.ndarray, x2: np.ndarray, n2: np.ndarray, *, ci_method: str
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Ratio of each group to its reference with a 95% CI and a significance word.

    Proportions use the Katz risk ratio, rates the Poisson ratio of rates. Significance:
    ``higher``/``lower`` when the CI excludes 1, ``similar`` when it includes 1,
    ``not_compared`` when either side has no events or no denominator.
    """
    arrays = [np.asarray(a, dtype=float) for a in (x1, n1, x2, n2)]
    x1, n1, x2, n2 = arrays
    n = len(x1)
    ratio = np.full(n, np.nan)
    lo = np.full(n, np.nan)
    hi = np.full(n, np.nan)
    sig = np.full(n, "not_compared", dtype=object)
    ok = np.isfinite(arrays).all(axis=0) & (n1 > 0) & (n2 > 0) & (x1 >= 0) & (x2 >= 0)
    if ci_method == "wilson":
        ok &= (x1 <= n1) & (x2 <= n2)
    if ci_method == "none" or not ok.any():
        return ratio, lo, hi, sig
    fn = stats.ratio_of_proportions if ci_method == "wilson" else stats.ratio_of_rates
    est = fn(x1[ok], n1[ok], x2[ok], n2[ok], 0.95)
    ratio[ok], lo[ok], hi[ok] = est.value, est.lower, est.upper
    sig[ok] = significance(lo[ok], hi[ok])
    return ratio, lo, hi, sig


def significance(lower: np.ndarray, upper: np.ndarray) -> np.ndarray:
    """``higher``/``lower`` where a ratio's 95% CI excludes 1, ``similar`` where it includes
    1, ``not_compared`` where there is no interval."""
    lower = np.asarray(lower, dtype=float)
    upper = np.asarray(upper, dtype=float)
    s = np.full(len(lower), "not_compared", dtype=object)
    finite = np.isfinite(lower) & np.isfinite(upper)
    s[finite & (lower > 1)] = "higher"
    s[finite & (upper < 1)] = "lower"
    s[finite & (lower <= 1) & (upper >= 1)] = "similar"
    return s


@dataclass(frozen=True)
class Slope:
    sii: float
    sii_lower: float
    sii_upper: float
    rii: float
    rii_lower: float
    rii_upper: float


NO_SLOPE = Slope(*([float("nan")] * 6))


def slope_index(
    num: np.ndarray,
    den: np.ndarray,
    *,
    ci_method: str,
    multiplier: float,
    repetitions: int = SII_REPETITIONS,
) -> Slope:
    """SII and RII across deprivation quantiles given most deprived first.

    The quantiles are passed to :func:`stats.sii` ordered least to most deprived, so the SII is
    the fitted most-deprived value minus the fitted least-deprived value (positive when the
    indicator is higher in deprived areas) and the RII is most / least. The per-quantile standard
    error comes from the count (binomial for proportions, Poisson for rates, 0.5 standing in for
    a zero count) on the value scale, so quantiles with 0% or 100% need no logit.
    Returns NaN when a quantile is empty or the stats module has no ``sii`` yet.
    """
    sii_fn = getattr(stats, "sii", None)
    num = np.asarray(num, dtype=float)[::-1]
    den = np.asarray(den, dtype=float)[::-1]
    if sii_fn is None or len(den) < 2 or not (den > 0).all() or ci_method == "none":
        return NO_SLOPE
    p = num / den
    if ci_method == "wilson":
        se = np.sqrt(np.maximum(p * (1 - p), 0.5 / den * (1 - 0.5 / den)) / den)
    else:
        se = np.sqrt(np.maximum(num, 0.5)) / den
    if sii_fn is stats.sii and _fast_path_applies(p, se, multiplier, repetitions):
        return _slope_from_shared_draws(den, p, se, float(multiplier), int(repetitions))
    try:
        res = sii_fn(
            den,
            p,
            se=se,
            value_type="other",
            multiplier=multiplier,
            repetitions=repetitions,
            seed=SII_SEED,
        )
    except (ValueError, ZeroDivisionError, FloatingPointError):
        return NO_SLOPE
    return Slope(
        float(res.sii),
        float(res.sii_lower),
        float(res.sii_upper),
        float(res.rii),
        float(res.rii_lower),
        float(res.rii_upper),
    )


@lru_cache(maxsize=8)
def _standard_normal_draws(repetitions: int, k: int) -> np.ndarray:
    """The draws :func:`stats.sii` makes from a generator seeded with :data:`SII_SEED`.

    Every slope uses the same seed, so the draws are the same for every group of ``k``
    quantiles; generating them once per run instead of once per group is most of the cost of
    thousands of SIIs.
    """
    draws = np.random.default_rng(SII_SEED).standard_normal((repetitions, k))
    draws.flags.writeable = False
    return draws


def _fast_path_applies(p: np.ndarray, se: np.ndarray, multiplier: float, repetitions: int) -> bool:
    """Inputs :func:`stats.sii` would accept; anything else goes through it to be refused."""
    return (
        bool(np.isfinite(p).all() and np.isfinite(se).all() and (se >= 0).all())
        and np.isfinite(multiplier)
        and multiplier != 0
        and int(repetitions) == repetitions
        and repetitions >= stats.inequality.MIN_REPETITIONS
    )


def _slope_from_shared_draws(
    pop: np.ndarray, value: np.ndarray, se: np.ndarray, mult: float, reps: int
) -> Slope:
    """:func:`stats.sii` (value type "other", untransformed, 95%) with cached draws.

    stats.sii draws value + se·Z with Z from a generator seeded with :data:`SII_SEED` and
    hands them to :func:`stats.sii_from_draws`; this makes the same draws from the cached Z
    and calls the same function, so the results are identical to the last bit
    (tests/indicators/test_engine_shortcuts.py checks it).
    """
    draws = value + se * _standard_normal_draws(reps, len(value))
    res = stats.sii_from_draws(pop, value, draws, multiplier=mult, confidence=0.95)
    return Slope(
        float(res.sii),
        float(res.sii_lower),
        float(res.sii_upper),
        float(res.rii),
        float(res.rii_lower),
        float(res.rii_upper),
    )
