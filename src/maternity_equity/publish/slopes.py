"""Slope and relative indices of inequality recomputed from published quantile counts.

A stored SII comes from unrounded counts at full precision, and with the published quantile
figures it gives the hidden counts back (a search over the few counts each rounded figure
allows). So a published SII is computed again, by the engine's own method, from the rounded
counts, and withheld whenever any quantile of the slice is hidden.
"""

from __future__ import annotations

import numpy as np

from maternity_equity.indicators import statistics
from maternity_equity.indicators.results import SII_BREAKDOWNS

SLOPE_COLUMNS = ("sii", "sii_lower", "sii_upper", "rii", "rii_lower", "rii_upper")


def quantile_positions(groups: np.ndarray, positions: np.ndarray, k: int) -> np.ndarray | None:
    """Positions of quantiles 1..k (1 = most deprived) in order, or None if any is missing."""
    found: dict[int, int] = {}
    for i in positions:
        g = groups[i]
        if isinstance(g, str) and g.isdigit():
            found[int(g)] = int(i)
    if set(found) != set(range(1, k + 1)):
        return None
    return np.array([found[q] for q in range(1, k + 1)])


def slope_from(
    quantiles: np.ndarray | None,
    px: np.ndarray,
    pn: np.ndarray,
    hidden: np.ndarray,
    *,
    ci_method: str,
    multiplier: float,
) -> tuple[float, ...] | None:
    """The six slope figures from published counts; None when they may not be published."""
    if quantiles is None or hidden[quantiles].any():
        return None
    s = statistics.slope_index(
        px[quantiles], pn[quantiles], ci_method=ci_method, multiplier=multiplier
    )
    figures = (s.sii, s.sii_lower, s.sii_upper, s.rii, s.rii_lower, s.rii_upper)
    return None if np.isnan(figures[0]) else figures


def breakdown_size(breakdown: str) -> int:
    return SII_BREAKDOWNS.get(breakdown, 0)
