"""Rounded and small counts under the NHS England maternity rule, applied by ``stats.disclose``."""

from __future__ import annotations

from typing import Any

import numpy as np

from maternity_equity import stats
from maternity_equity.publish.symbols import RULE, SUPPRESSED


def published_counts(counts: Any) -> np.ndarray:
    """0 stays 0, 1 to 7 become 5, others the nearest 5; NaN (no count) stays NaN."""
    x = np.asarray(counts, dtype=float)
    return np.asarray(stats.disclose(x, x, RULE).numerator, dtype=float).reshape(x.shape)


def small_counts(counts: Any) -> np.ndarray:
    """True where a count is 1 to 7: the counts a rare-event rate may not rest on."""
    x = np.asarray(counts, dtype=float)
    symbol = stats.disclose(x, x, RULE, rare_event=True).symbol
    return (np.asarray(symbol, dtype=object) == SUPPRESSED).reshape(x.shape)
