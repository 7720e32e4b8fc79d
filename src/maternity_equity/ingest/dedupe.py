"""Keep the latest version of each record across this load and what the warehouse holds.

Providers resubmit records month after month; the latest row per key wins, ordered by the
table's ``dedupe_order`` (reporting period, then record number) descending. On a tie the row
from this load wins over the stored one, and a later row in the load over an earlier one, so
reloading an identical extract leaves the table unchanged.
"""

from __future__ import annotations

import pandas as pd

from maternity_equity.warehouse.schema import Table

SEQ = "__seq"  # position of a new row in this load (file order, then row order)
FILE = "__file"
_SOURCE = "__from_store"


def latest_per_key(
    model: Table, new: pd.DataFrame, stored: pd.DataFrame | None
) -> tuple[pd.DataFrame, pd.Series]:
    """Return (surviving rows, number of new rows superseded per file).

    ``new`` must carry ``__seq`` and ``__file``; ``stored`` is the table as in the warehouse.
    """
    new = new.assign(**{_SOURCE: 0})
    parts = [new]
    if stored is not None and len(stored):
        parts.append(stored.assign(**{_SOURCE: 1, SEQ: -1, FILE: pd.NA}))
    combined = pd.concat(parts, ignore_index=True) if len(parts) > 1 else new
    key = list(model.key)
    order = list(model.dedupe_order)
    ranked = combined.sort_values(
        key + order + [_SOURCE, SEQ],
        ascending=[True] * len(key) + [False] * len(order) + [True, False],
        na_position="last",
        kind="stable",
    )
    survivors = ranked.drop_duplicates(key, keep="first")
    lost_new = ranked.loc[~ranked.index.isin(survivors.index) & (ranked[_SOURCE] == 0)]
    removed = lost_new.groupby(FILE, observed=True).size()
    return survivors.drop(columns=[_SOURCE]).sort_index(kind="stable"), removed
