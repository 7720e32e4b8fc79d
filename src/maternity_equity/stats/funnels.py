"""Funnel plot control limits at 95% ("2 sigma") and 99.8% ("3 sigma").

For proportions the limit at population n is the observed proportion whose Wilson interval
just reaches the baseline, which solves to p̄ ± z·√(p̄(1−p̄)/n) (the same values as the
Fingertips quadratic). For rates and ratios the limit is, in the same spirit, the observed count
whose exact Poisson interval just reaches the expected count (Fingertips' ``poisson_funnel``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.special import gammainc, gammaincc, ndtri

from ._validation import (
    as_array,
    as_number,
    as_scale,
    broadcast,
    check_choice,
    check_non_negative,
    check_positive,
    finish,
)

__all__ = ["FunnelLimits", "funnel_limits"]

STATISTICS = ("proportion", "rate", "ratio")
TAILS = {"95": 0.025, "99_8": 0.001}


@dataclass(frozen=True, eq=False)
class FunnelLimits:
    """Baseline and limits, all on the output scale (times ``multiplier``).

    Every field but ``statistic`` is a numpy scalar or array, like every other result.
    """

    denominators: Any
    baseline: Any
    lower_95: Any
    upper_95: Any
    lower_99_8: Any
    upper_99_8: Any
    statistic: str


def _solve_shape(target: float, expected: np.ndarray, increasing: bool, cdf) -> np.ndarray:
    """Vectorised bisection for the gamma shape a where cdf(a, expected) = target.

    The regularised incomplete gamma functions are monotone in a, so bisection on a bracket
    wide enough for any Poisson mean converges to full double precision in 100 halvings.
    """
    lo = np.zeros_like(expected)
    hi = expected + 50 * np.sqrt(expected) + 50
    for _ in range(100):
        mid = (lo + hi) / 2
        above = cdf(mid, expected) > target
        go_down = above if increasing else ~above
        hi = np.where(go_down, mid, hi)
        lo = np.where(go_down, lo, mid)
    return (lo + hi) / 2


def _poisson_limits(expected: np.ndarray, tail: float) -> tuple[np.ndarray, np.ndarray]:
    """Observed counts (continuous) whose exact interval has its upper / lower end at E.

    Lower: exact upper limit of O equals E ⟺ Q(O + 1, E) = tail. Upper: exact lower limit of
    O equals E ⟺ P(O, E) = tail. (P, Q: regularised lower / upper incomplete gamma.)
    """
    lower = np.maximum(_solve_shape(tail, expected, True, gammaincc) - 1, 0.0)
    upper = _solve_shape(tail, expected, False, gammainc)
    return lower, upper


def funnel_limits(
    denominators: Any,
    baseline: float,
    statistic: str = "proportion",
    multiplier: Any = 100,
) -> FunnelLimits:
    """Funnel limits for each denominator around ``baseline``.

    ``baseline`` is on the unscaled scale: a proportion between 0 and 1 (Σx/Σn), a rate per
    person (Σx/Σn), or a ratio (1 when observed equals expected). ``denominators`` are
    populations for proportions and rates and expected counts for ratios. Outputs are
    multiplied by ``multiplier`` (a number, or an array that broadcasts with the
    denominators); proportion limits are kept within 0 and 1 × multiplier.
    """
    check_choice(statistic, "statistic", STATISTICS)
    den = as_array(denominators, "denominators")
    check_positive(den, "denominators")
    base = as_number(baseline, "baseline")
    check_non_negative(np.asarray(base), "baseline")
    scale = as_scale(multiplier)
    broadcast({"denominators": den, "multiplier": scale})
    limits: dict[str, np.ndarray] = {}
    if statistic == "proportion":
        if base > 1:
            raise ValueError(
                f"baseline: a proportion must be between 0 and 1 (unscaled), got {baseline!r}"
            )
        for name, tail in TAILS.items():
            half_width = ndtri(1 - tail) * np.sqrt(base * (1 - base) / den)
            limits[f"lower_{name}"] = np.maximum(base - half_width, 0.0) * scale
            limits[f"upper_{name}"] = np.minimum(base + half_width, 1.0) * scale
    else:
        # rate: expected events = rate × population; ratio: expected events = ratio × E.
        expected = base * den
        for name, tail in TAILS.items():
            lower, upper = _poisson_limits(expected, tail)
            limits[f"lower_{name}"] = lower / den * scale
            limits[f"upper_{name}"] = upper / den * scale
    return FunnelLimits(
        denominators=finish(den),
        baseline=finish(base * scale),
        statistic=statistic,
        **{key: finish(value) for key, value in limits.items()},
    )
