"""Data-quality results as they may be published: the same count rule as indicator results.

``dq_results`` hold counts of records passing each check by area and month, down to community
teams, where they are often 1 to 7. Below analyst the counts are rounded (0 stays 0, 1 to 7
become 5, others the nearest 5) and the proportion and its Wilson interval are computed from
the rounded counts; whether a check met its threshold is decided on the unrounded figures and
is published as it is (it says which side of the threshold, not a count).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from maternity_equity.publish.counts import published_counts
from maternity_equity.stats import wilson_interval


def publish_dq_results(frame: pd.DataFrame | None) -> pd.DataFrame | None:
    """A copy of ``dq_results`` with rounded counts and the value (a fraction, as the quality
    stage stores it) and interval computed from them."""
    if frame is None:
        return None
    out = frame.copy()
    if out.empty or "numerator" not in out or "denominator" not in out:
        return out
    px = published_counts(pd.to_numeric(out["numerator"], errors="coerce"))
    pn = published_counts(pd.to_numeric(out["denominator"], errors="coerce"))
    ok = ~np.isnan(px) & ~np.isnan(pn) & (pn > 0)
    value = np.full(len(out), np.nan)
    value[ok] = px[ok] / pn[ok]
    out["numerator"], out["denominator"], out["value"] = px, pn, value
    if "lower_ci" in out or "upper_ci" in out:
        lower, upper = np.full(len(out), np.nan), np.full(len(out), np.nan)
        if ok.any():
            lo, hi = wilson_interval(px[ok], pn[ok])
            lower[ok], upper[ok] = lo, hi
        out["lower_ci"], out["upper_ci"] = lower, upper
    return out
