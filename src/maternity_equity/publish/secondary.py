"""Secondary suppression: hide more groups of a breakdown while a shown total gives away what
the hidden ones hold."""

from __future__ import annotations

import numpy as np
import pandas as pd

ENOUGH = 8  # hidden groups must hold at least this many events between them


def secondary_suppression(
    breakdown: np.ndarray,
    slices: np.ndarray,
    raw: np.ndarray,
    hidden: np.ndarray,
    eligible: np.ndarray,
) -> np.ndarray:
    """``hidden`` with the complementary suppressions added.

    Rows are the groups of a breakdown (``breakdown`` is not "all") of one slice (indicator,
    period, area); the slice's "all" row is the total they add up to. The total minus the shown
    groups is the sum of the hidden ones, so while the total is shown, hiding continues until
    at least two groups are hidden holding 8 or more events between them. Each extra group is
    the smallest that gets there (else the largest), so the least is lost. Only ``eligible``
    rows (group rows with counts) take part.
    """
    hidden = hidden.copy()
    has_count = eligible & ~np.isnan(raw)
    is_total = has_count & (breakdown == "all")
    shown_total = set(slices[is_total & ~hidden].tolist())
    groups = has_count & (breakdown != "all")
    start = np.flatnonzero(groups & hidden)
    if not len(start) or not shown_total:
        return hidden
    where = np.flatnonzero(groups)
    keys = pd.DataFrame({"s": slices[where], "b": breakdown[where]})
    members = keys.groupby(["s", "b"], sort=False).indices
    wanted = {(slices[i], breakdown[i]) for i in start if slices[i] in shown_total}
    for key in wanted:
        rows = where[members[key]]
        while True:
            hid = rows[hidden[rows]]
            total = float(raw[hid].sum())
            if len(hid) >= 2 and total >= ENOUGH:
                break
            shown = sorted((raw[i], i) for i in rows[~hidden[rows]])
            if not shown:
                break
            enough = [c for c in shown if c[0] + total >= ENOUGH]
            hidden[(enough[0] if enough else shown[-1])[1]] = True
    return hidden
