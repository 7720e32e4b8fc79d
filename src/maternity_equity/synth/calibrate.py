"""Turn published marginal rates into a rate for every (ethnic group, IMD quintile) cell.

Publications give rates by ethnicity and by deprivation separately, but ethnicity and
deprivation are correlated (Black and Asian women live more often in deprived areas), so
multiplying the two margins would overstate both gaps. We fit a logistic model
``logit p = b[group] + g[quintile]`` to the population actually being generated so that its
marginal rate for each ethnic group equals the published rate, and the ratio of the most to the
least deprived quintile's odds equals the published one (intermediate quintiles on a straight
line in the log odds).
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import brentq
from scipy.special import expit, logit


def _solve(weights: np.ndarray, offsets: np.ndarray, target: float) -> float:
    """The shift s with sum(w * expit(offsets + s)) / sum(w) = target."""
    total = weights.sum()
    if total == 0:
        return float(logit(target))

    def gap(shift: float) -> float:
        return float((weights * expit(offsets + shift)).sum() / total - target)

    return brentq(gap, -40, 40, xtol=1e-10)


def calibrate(
    joint: np.ndarray,
    group_rates: np.ndarray,
    most_vs_least: tuple[float, float],
    *,
    iterations: int = 60,
) -> np.ndarray:
    """Cell probabilities (groups x 5 quintiles) matching the margins.

    joint: expected share of pregnancies in each (group, quintile) cell (quintile 1 = most
        deprived). group_rates: target marginal rate per group. most_vs_least: the published
        rates in quintile 1 and quintile 5; only their odds ratio is matched, because the level
        is already fixed by the group rates.
    """
    joint = np.asarray(joint, dtype=float)
    group_rates = np.asarray(group_rates, dtype=float)
    contrast = logit(most_vs_least[0]) - logit(most_vs_least[1])
    wanted = contrast * (4 - np.arange(5)) / 4  # logit(M_q) - logit(M_5)
    b = logit(group_rates)
    g = np.zeros(5)
    for _ in range(iterations):
        for e in range(len(b)):
            b[e] = _solve(joint[e], g, group_rates[e])
        m5 = (joint[:, 4] * expit(b)).sum() / max(joint[:, 4].sum(), 1e-12)
        previous = g.copy()
        for q in range(4):
            g[q] = _solve(joint[:, q], b, expit(logit(m5) + wanted[q]))
        if np.abs(g - previous).max() < 1e-9:
            break
    return expit(b[:, None] + g[None, :])


def margins(joint: np.ndarray, cells: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Marginal rates by group and by quintile implied by cell rates (for checks and docs)."""
    by_group = (joint * cells).sum(axis=1) / joint.sum(axis=1)
    by_quintile = (joint * cells).sum(axis=0) / joint.sum(axis=0)
    return by_group, by_quintile
