"""Gating: an indicator whose data-quality rules fail is shown as failing, not as a number.

Policy (the same as NHS England's CQIM publication, applied per period):
- a provider row is judged on that provider's own dq_results for the months of its period;
- every other geography (LMNS, place, neighbourhood) on the LMNS-level dq_results for those
  months, because places and neighbourhoods are not where records are kept;
- ``fail`` if any month of any rule the indicator depends on fails; ``pass`` if every rule has
  a passing result in every month of the period; ``not_assessed`` otherwise (no rules, or a
  month of some rule without records). The indicator engine applies the same policy
  (``indicators/dq.py``); the tests here pin it down at the boundaries.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

PASS, FAIL, NOT_ASSESSED = "pass", "fail", "not_assessed"
FAILING_DQ_TEXT = "Failing data quality"
_KEY = ["indicator_id", "period_start", "period_end", "_gtype", "_gcode"]


def _month_start(values: pd.Series) -> pd.Series:
    return pd.to_datetime(values).dt.to_period("M").dt.start_time


def gate(
    results: pd.DataFrame,
    dq_results: pd.DataFrame,
    catalogue_dq_map: Mapping[str, Sequence[str]],
) -> pd.DataFrame:
    """A copy of ``results`` with ``dq_status`` set from the rules each indicator depends on.

    ``results`` needs indicator_id, period_start, period_end (inclusive), geography_type and
    geography_code; ``catalogue_dq_map`` is indicator id -> rule ids (see
    ``rulebook.indicator_rule_map`` or the indicator catalogue).
    """
    out = results.copy()
    if out.empty:
        out["dq_status"] = pd.Series(dtype="string")
        return out
    is_provider = out["geography_type"].astype(str) == "provider"
    out["_gtype"] = is_provider.map({True: "provider", False: "lmns"})
    out["_gcode"] = out["geography_code"].where(is_provider, "")
    keys = out[_KEY].drop_duplicates().reset_index(drop=True)
    keys["_row"] = np.arange(len(keys))
    first = _month_start(keys["period_start"])
    last = _month_start(keys["period_end"])
    span = ((last.dt.year - first.dt.year) * 12 + last.dt.month - first.dt.month + 1).clip(lower=0)
    months = keys.loc[keys.index.repeat(span.to_numpy())].copy()
    offsets = np.concatenate([np.arange(n) for n in span.to_numpy()]) if len(span) else []
    months["_month"] = [
        m + pd.DateOffset(months=int(k))
        for m, k in zip(first.loc[months.index], offsets, strict=True)
    ]
    deps = pd.DataFrame(
        [(ind, rule) for ind, rules in catalogue_dq_map.items() for rule in rules],
        columns=["indicator_id", "rule_id"],
    )
    needed = months.merge(deps, on="indicator_id")
    dq = dq_results.loc[dq_results["geography_type"].isin(["provider", "lmns"])].copy()
    dq["_gtype"] = dq["geography_type"]
    dq["_gcode"] = dq["geography_code"].where(dq["geography_type"] == "provider", "")
    dq["_month"] = _month_start(dq["period_start"])
    # one failure at a scope and month (e.g. two LMNS codes) fails that month
    dq = (
        dq.assign(_fail=dq["passed"].eq(False), _ok=dq["passed"].eq(True))
        .groupby(["rule_id", "_gtype", "_gcode", "_month"])[["_fail", "_ok"]]
        .any()
        .reset_index()
    )
    joined = needed.merge(dq, on=["rule_id", "_gtype", "_gcode", "_month"], how="left")
    joined["_fail"] = joined["_fail"].eq(True)
    joined["_ok"] = joined["_ok"].eq(True) & ~joined["_fail"]
    agg = joined.groupby("_row")[["_fail", "_ok"]].agg(["any", "all"])
    status = pd.Series(NOT_ASSESSED, index=agg.index, dtype=object)
    status[agg[("_ok", "all")].to_numpy()] = PASS
    status[agg[("_fail", "any")].to_numpy()] = FAIL
    verdicts = status.to_dict()
    keys["dq_status"] = [verdicts.get(r, NOT_ASSESSED) for r in keys["_row"]]
    out = out.drop(columns=["dq_status"], errors="ignore").merge(
        keys.drop(columns="_row"), on=_KEY, how="left"
    )
    return out.drop(columns=["_gtype", "_gcode"])


def publication_value(value: float | None, dq_status: str, fmt: str = "{:.1f}") -> str:
    """What a publication shows: the formatted value, or the failing-data-quality label."""
    if dq_status == FAIL:
        return FAILING_DQ_TEXT
    if value is None or pd.isna(value):
        return ""
    return fmt.format(value)
