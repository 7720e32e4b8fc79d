"""Disclosure control for everyone below analyst, applied to every payload built on the server.

Rule ``nhs_england_maternity`` (NHS England Maternity and Neonatal Equalities dashboard), as
implemented once for the project by ``stats.disclose``:
- ``count`` indicators: 0 stays 0, counts 1-7 are published as 5, other counts are rounded to
  the nearest 5; the value is recomputed from the rounded numerator and denominator.
- ``rare_event`` indicators (rates per 1,000): the value comes from unrounded counts but is
  suppressed when the numerator is 1 to 7; the counts themselves are rounded. Secondary
  suppression then hides a second group of the breakdown so the hidden one cannot be worked out
  from the total.

This module applies the rule to whole results frames and withholds what would undo it:
intervals computed from unrounded counts (kept only for shown rare-event rates, whose value is
itself from unrounded counts), ratio intervals, and ratios (recomputed from published values).
Rows without counts (derived statistics such as SII or a group ratio) pass through unchanged.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from maternity_equity import stats

SUPPRESSED = "*"
RULE = "nhs_england_maternity"


def publishable_results(frame: pd.DataFrame) -> pd.DataFrame:
    """The results rows as a viewer may see them; a suppressed value becomes NaN + flag.

    Returns a copy with an added ``suppressed`` bool column.
    """
    out = frame.copy()
    if out.empty:
        out["suppressed"] = pd.Series(dtype=bool)
        return out
    num = out["numerator"].astype("float64")
    den = out["denominator"].astype("float64")
    mult = out["multiplier"].astype("float64").fillna(1.0)
    rare = out["disclosure_class"].fillna("count").eq("rare_event")
    pub_num = pd.Series(np.nan, index=out.index)
    pub_den = pd.Series(np.nan, index=out.index)
    value = pd.Series(np.nan, index=out.index)
    symbol = pd.Series("", index=out.index, dtype=object)
    for (is_rare, multiplier), part in out.groupby([rare, mult]).groups.items():
        done = stats.disclose(
            num[part].to_numpy(),
            den[part].to_numpy(),
            RULE,
            multiplier=float(multiplier),
            rare_event=bool(is_rare),
        )
        pub_num[part] = done.numerator
        pub_den[part] = done.denominator
        value[part] = done.value
        symbol[part] = done.symbol
    suppressed = _secondary_suppression(out, symbol.eq(SUPPRESSED), num)
    out["numerator"] = pub_num
    out["denominator"] = pub_den
    value = value.where(~suppressed)
    # Rows with no counts at all are derived statistics (group ratios, SII, scores, WRES
    # relative likelihoods): no cell to round, so their value and interval stand as computed.
    derived = num.isna() & den.isna()
    value = value.where(~derived, out["value"].astype("float64"))
    out["value"] = value
    keep_interval = (rare & ~suppressed & value.notna()) | derived
    for col in ("lower_ci", "upper_ci"):
        out[col] = out[col].astype("float64").where(keep_interval)
    out["ratio_lower"] = np.nan
    out["ratio_upper"] = np.nan
    out["suppressed"] = suppressed.to_numpy()
    return _recompute_ratios(out)


GROUP_KEYS = [
    "indicator_id",
    "period_type",
    "period_start",
    "geography_type",
    "geography_code",
    "breakdown",
]


def _secondary_suppression(out: pd.DataFrame, suppressed: pd.Series, raw: pd.Series) -> pd.Series:
    """Hide more groups of a breakdown while the shown ones would give the hidden ones away.

    The published total (breakdown "all") minus the shown groups is the sum of the hidden ones,
    so hiding continues until at least two groups are hidden holding 8 or more events between
    them; each extra group is the smallest that gets there (else the largest), as in the report.
    """
    suppressed = suppressed.copy()
    flagged = out.loc[suppressed & (out["breakdown"] != "all"), GROUP_KEYS].drop_duplicates()
    if flagged.empty:
        return suppressed
    keyed = out[GROUP_KEYS].merge(flagged.assign(_hit=True), on=GROUP_KEYS, how="left")
    rows = out.index[keyed["_hit"].fillna(False).to_numpy(dtype=bool)]
    for _, idx in out.loc[rows].groupby(GROUP_KEYS, dropna=False).groups.items():
        while True:
            hidden = [i for i in idx if suppressed[i]]
            total = float(np.nansum([raw[i] for i in hidden]))
            if len(hidden) >= 2 and total >= 8:
                break
            shown = sorted((raw[i], i) for i in idx if not suppressed[i] and not np.isnan(raw[i]))
            if not shown:
                break
            enough = [c for c in shown if c[0] + total >= 8]
            suppressed[(enough[0] if enough else shown[-1])[1]] = True
    return suppressed


def _recompute_ratios(out: pd.DataFrame) -> pd.DataFrame:
    """Ratios to the reference group from the published values, so they cannot leak counts."""
    keys = GROUP_KEYS
    ref_rows = out[out["group"] == out["reference_group"]][[*keys, "value"]]
    ref_rows = ref_rows.rename(columns={"value": "_ref_value"}).drop_duplicates(keys)
    merged = out.merge(ref_rows, on=keys, how="left")
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(merged["_ref_value"] > 0, merged["value"] / merged["_ref_value"], np.nan)
    has_ref = merged["reference_group"].notna() & (merged["breakdown"] != "all")
    merged["ratio"] = np.where(has_ref, ratio, np.nan)
    merged.loc[merged["value"].isna(), "ratio_significance"] = "not_compared"
    merged.index = out.index
    return merged.drop(columns=["_ref_value"])


def format_cell(value: float | None, decimals: int = 1, suppressed: bool = False) -> str:
    """Text for a table cell with the dashboard's symbols: ``*`` suppressed, ``:`` missing."""
    if suppressed:
        return SUPPRESSED
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ":"
    return f"{value:,.{decimals}f}"
