"""Data-quality status of each result row, from the quality stage's ``dq_results``.

Policy (docs/indicators.md): a provider row looks at that provider's results for the months of
the period; every other geography looks at the LMNS-level results for those months. A row is
``fail`` when any of the indicator's rules failed in any month of the period, ``pass`` when
every rule has a passing result in every month, and ``not_assessed`` otherwise (no rules, no
results, or results missing for some month).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from maternity_equity.indicators.definitions import Indicator
from maternity_equity.indicators.rollup import month_index

PERIOD_KEYS = [
    "indicator_id",
    "period_type",
    "period_start",
    "period_end",
    "geography_type",
    "geography_code",
]


def dq_status(
    keys: pd.DataFrame, dq_results: pd.DataFrame | None, indicators: list[Indicator]
) -> pd.Series:
    """Status for each row of ``keys`` (columns :data:`PERIOD_KEYS`), aligned on its index."""
    status = pd.Series("not_assessed", index=keys.index, dtype=object)
    rules = {i.id: i.dq_rules for i in indicators if i.dq_rules}
    if dq_results is None or dq_results.empty or not rules:
        return status
    dq = dq_results.copy()
    dq["mi"] = month_index(dq["period_start"])
    dq["passed"] = dq["passed"].astype(bool)
    dq["dq_scope"] = np.where(dq["geography_type"] == "provider", dq["geography_code"], "")
    dq = dq[(dq["geography_type"] == "provider") | (dq["geography_type"] == "lmns")]
    # worst result per rule, scope and month: one failure anywhere fails that month
    per = dq.groupby(["rule_id", "dq_scope", "mi"])["passed"].all().reset_index()

    unique = keys[PERIOD_KEYS].drop_duplicates().copy()
    unique = unique[unique["indicator_id"].isin(list(rules))]
    if unique.empty:
        return status
    unique["dq_scope"] = np.where(
        unique["geography_type"] == "provider", unique["geography_code"], ""
    )
    unique["m0"] = month_index(unique["period_start"])
    unique["m1"] = month_index(unique["period_end"])
    unique["row"] = np.arange(len(unique))
    # expand each period to its months and each indicator to its rules
    span = (unique["m1"] - unique["m0"] + 1).to_numpy()
    exp = unique.loc[unique.index.repeat(span)].copy()
    exp["mi"] = exp["m0"].to_numpy() + np.concatenate([np.arange(s) for s in span])
    rule_rows = pd.DataFrame(
        [(i, r) for i, rs in rules.items() for r in rs], columns=["indicator_id", "rule_id"]
    )
    exp = exp.merge(rule_rows, on="indicator_id")
    needed = exp.groupby("row").size()
    exp = exp.merge(per, on=["rule_id", "dq_scope", "mi"], how="left")
    exp["is_fail"] = exp["passed"].eq(False)
    exp["is_present"] = exp["passed"].notna()
    agg = exp.groupby("row")[["is_fail", "is_present"]].sum()
    verdict = pd.Series("not_assessed", index=needed.index, dtype=object)
    verdict[agg["is_present"].reindex(needed.index).to_numpy() == needed.to_numpy()] = "pass"
    verdict[agg["is_fail"].reindex(needed.index).to_numpy() > 0] = "fail"
    unique["dq_status"] = unique["row"].map(verdict).fillna("not_assessed")
    merged = keys[PERIOD_KEYS].merge(
        unique[[*PERIOD_KEYS, "dq_status"]], on=PERIOD_KEYS, how="left"
    )
    status[:] = merged["dq_status"].fillna("not_assessed").to_numpy()
    return status
