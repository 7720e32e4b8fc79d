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
SLOPE_FIELDS = ("sii", "sii_lower", "sii_upper", "rii", "rii_lower", "rii_upper")
BATCH = 256  # slices simulated together: (repetitions x BATCH) arrays of about 20 MB


def slope_index(
    num: np.ndarray,
    den: np.ndarray,
    *,
    ci_method: str,
    multiplier: float,
    repetitions: int = SII_REPETITIONS,
) -> Slope:
    """SII and RII of one slice's quantiles given most deprived first (see slope_indices)."""
    found = slope_indices(
        np.atleast_2d(np.asarray(num, dtype=float)),
        np.atleast_2d(np.asarray(den, dtype=float)),
        ci_method=ci_method,
        multiplier=multiplier,
        repetitions=repetitions,
    )
    return Slope(*(float(v) for v in found[0]))


def slope_indices(
    num: np.ndarray,
    den: np.ndarray,
    *,
    ci_method: str,
    multiplier: float,
    repetitions: int = SII_REPETITIONS,
) -> np.ndarray:
    """SII and RII across deprivation quantiles for many slices: one row of counts per slice,
    most deprived first; returns one row of SLOPE_FIELDS per slice.

    The quantiles go to :func:`stats.sii_many` ordered least to most deprived, so the SII is
    the fitted most-deprived value minus the fitted least-deprived value (positive when the
    indicator is higher in deprived areas) and the RII is most / least. The per-quantile
    standard error comes from the count (binomial for proportions, Poisson for rates, 0.5
    standing in for a zero count) on the value scale, so quantiles with 0% or 100% need no
    logit. Every slice uses the same draws (a generator seeded with :data:`SII_SEED`), so each
    gets exactly what ``stats.sii(..., value_type="other", seed=SII_SEED)`` gives it. A slice
    with an empty quantile, or a definition without intervals, gets NaN.
    """
    num = np.asarray(num, dtype=float)[:, ::-1]
    den = np.asarray(den, dtype=float)[:, ::-1]
    found = np.full((len(num), len(SLOPE_FIELDS)), np.nan)
    usable = (den > 0).all(axis=1)
    if ci_method == "none" or den.shape[1] < 2 or not usable.any():
        return found
    n, d = num[usable], den[usable]
    p = n / d
    if ci_method == "wilson":
        se = np.sqrt(np.maximum(p * (1 - p), 0.5 / d * (1 - 0.5 / d)) / d)
    else:
        se = np.sqrt(np.maximum(n, 0.5)) / d
    z = _standard_normal_draws(int(repetitions), d.shape[1])
    rows = np.empty((len(d), len(SLOPE_FIELDS)))
    for first in range(0, len(d), BATCH):
        part = slice(first, first + BATCH)
        res = stats.sii_many(d[part], p[part], se[part], z, multiplier=multiplier)
        rows[part] = np.column_stack([getattr(res, f) for f in SLOPE_FIELDS])
    found[usable] = rows
    return found


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
