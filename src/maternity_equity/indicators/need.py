"""``areas_of_highest_need``: rank neighbourhoods by deprivation, ethnicity and outcomes.

Method (also in docs/indicators.md): for each rolling-12-month and financial-year period, each
neighbourhood with bookings gets three percentile ranks among the LMNS's neighbourhoods (0 =
lowest, 1 = highest): (1) share of its bookings living in IMD quintile 1; (2) share of its
bookings from Black, Asian and Mixed groups; (3) outcomes: the mean percentile rank of its
preterm birth rate (under 37 weeks) and perinatal mortality rate (missing when it had no
births). Need score = 100 x mean of the available ranks; rank 1 = highest score.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from maternity_equity.indicators.definitions import Indicator
from maternity_equity.indicators.rollup import PRIORITY_GROUP
from maternity_equity.warehouse.schema import RESULT_COLUMNS

PERIODS = ("rolling_12m", "financial_year")
NEED_INPUTS = ("pop_bookings", "p4c_births_under_37w", "m_perinatal_mortality_rate")
KEYS = ["period_type", "period_start", "period_end", "geography_code", "geography_name"]


def _pick(results: pd.DataFrame, ind: str, breakdown: str, group: str, col: str) -> pd.Series:
    r = results[
        (results["indicator_id"] == ind)
        & (results["breakdown"] == breakdown)
        & (results["group"] == group)
        & (results["geography_type"] == "neighbourhood")
        & results["period_type"].isin(PERIODS)
    ]
    return r.set_index(KEYS[:4])[col]


def areas_of_highest_need(results: pd.DataFrame, indicators: dict[str, Indicator]) -> pd.DataFrame:
    ind = indicators["areas_of_highest_need"]
    # only neighbourhood rows of the ranked periods are ever picked: narrow a million rows once
    results = results[
        (results["geography_type"] == "neighbourhood").to_numpy()
        & results["period_type"].isin(PERIODS).to_numpy()
        & results["indicator_id"].isin(NEED_INPUTS).to_numpy()
    ]
    if "geography_name" not in results:
        results = results.assign(geography_name=results["geography_code"])
    total = _pick(results, "pop_bookings", "all", "All", "numerator")
    if total.empty:
        return pd.DataFrame(columns=list(RESULT_COLUMNS))
    frame = pd.DataFrame({"bookings": total})
    frame["dep"] = _pick(results, "pop_bookings", "imd_quintile", "1", "numerator")
    frame["bam"] = _pick(results, "pop_bookings", "ethnic_priority", PRIORITY_GROUP, "numerator")
    frame[["dep", "bam"]] = frame[["dep", "bam"]].fillna(0).div(frame["bookings"], axis=0)
    frame["preterm"] = _pick(results, "p4c_births_under_37w", "all", "All", "value")
    frame["perinatal"] = _pick(results, "m_perinatal_mortality_rate", "all", "All", "value")
    frame = frame.reset_index()
    by = ["period_type", "period_start"]
    pct = frame.groupby(by)[["dep", "bam", "preterm", "perinatal"]].rank(pct=True, method="average")
    outcome = pct[["preterm", "perinatal"]].mean(axis=1, skipna=True)
    score = 100 * pd.concat([pct["dep"], pct["bam"], outcome], axis=1).mean(axis=1, skipna=True)
    frame["score"] = score
    frame["rank"] = frame.groupby(by)["score"].rank(ascending=False, method="min")
    frame["ranked"] = frame.groupby(by)["score"].transform("count")
    out = pd.DataFrame({c: np.nan for c in RESULT_COLUMNS}, index=frame.index)
    out["indicator_id"] = ind.id
    for c in ("period_type", "period_start", "period_end", "geography_code"):
        out[c] = frame[c]
    out["geography_type"] = "neighbourhood"
    out["breakdown"], out["group"] = "all", "All"
    out["numerator"], out["denominator"], out["value"] = frame["rank"], frame["ranked"], score
    out["ci_method"], out["multiplier"] = "none", 1.0
    out["reference_group"], out["ratio_significance"] = "", "not_compared"
    out["disclosure_class"] = ind.disclosure_class
    return out
