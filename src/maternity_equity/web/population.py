"""The population needs page: who books and gives birth, as counts and shares of the total.

``pop_bookings`` and ``pop_births`` are count indicators: each row's numerator (its value) is the
number of women or babies in the group, and its denominator is every booking or birth of the
area and period. The figures come from ``DashboardData.slice``, so for viewers and editors they
are the published (rounded) counts, and each share is computed from them.
"""

from __future__ import annotations

import math
import re

import pandas as pd

from maternity_equity.codes.languages import LANGUAGE_NAMES
from maternity_equity.codes.outcomes import COMPLEX_SOCIAL_FACTORS
from maternity_equity.web.data import DashboardData
from maternity_equity.web.filters import month_year

POPULATION_INDICATORS = ("pop_bookings", "pop_births")
PERIOD_PREFERENCE = ("rolling_12m", "financial_year", "quarter", "month")
CROSS_BREAKDOWNS = ("ethnic_group_x_imd_quintile", "ethnic_category_x_imd_quintile")
CROSS_SEPARATOR = " | "
QUINTILES = ("1", "2", "3", "4", "5")
UNKNOWN_WORDS = ("unknown", "not known", "not stated")
SECTIONS = (  # breakdown, heading, how groups are named, note under the table
    ("age_band", "Age at booking", None, ""),
    (
        "complex_social_factor",
        "Complex social factors",
        COMPLEX_SOCIAL_FACTORS,
        "A woman may have more than one complex social factor, so the shares do not add up "
        "to 100%.",
    ),
    ("language", "Preferred language", LANGUAGE_NAMES, ""),
)


def _number(value) -> float | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return float(value)


def _share(count: float | None, total: float | None) -> float | None:
    return count / total * 100 if count is not None and total else None


def _period(frame: pd.DataFrame) -> tuple[str, object, object] | None:
    """The latest period of the preferred period type that has an LMNS total."""
    total = frame[(frame["geography_type"] == "lmns") & (frame["breakdown"] == "all")]
    for ptype in (*PERIOD_PREFERENCE, *sorted(set(total["period_type"]))):
        part = total[total["period_type"] == ptype]
        if not part.empty:
            latest = part["period_start"].max()
            end = part.loc[part["period_start"] == latest, "period_end"].max()
            return ptype, latest, end
    return None


def _group_order(label: str) -> tuple:
    """Age bands in age order ("Under 20" first), unknowns last, others alphabetically."""
    text = str(label).strip().lower()
    if any(word in text for word in UNKNOWN_WORDS):
        return (2, 0, text)
    if text.startswith("under"):
        return (0, -1, text)
    digits = re.match(r"\d+", text)
    return (0, int(digits.group()), text) if digits else (1, 0, text)


def _rows(part: pd.DataFrame, names: dict | None, by_count: bool) -> list[dict]:
    rows = [
        {
            "group": (names or {}).get(rec["group"], rec["group"]),
            "code": rec["group"],
            "count": _number(rec["value"]),
            "share": _share(_number(rec["value"]), _number(rec["denominator"])),
        }
        for rec in part.to_dict("records")
    ]
    if by_count:
        return sorted(rows, key=lambda r: (-(r["count"] or 0), r["group"]))
    return sorted(rows, key=lambda r: _group_order(r["group"]))


def _cross_table(lmns: pd.DataFrame) -> dict | None:
    """Ethnic group x IMD quintile: each cell's count and share of all, with the totals from
    the single breakdowns (published rows, not sums of rounded cells)."""
    breakdown = next((b for b in CROSS_BREAKDOWNS if (lmns["breakdown"] == b).any()), None)
    if breakdown is None:
        return None
    cells: dict[tuple[str, str], dict] = {}
    ethnic, quintiles = [], []
    for rec in lmns[lmns["breakdown"] == breakdown].to_dict("records"):
        group, _, quintile = str(rec["group"]).partition(CROSS_SEPARATOR)
        count = _number(rec["value"])
        cells[(group, quintile)] = {
            "count": count,
            "share": _share(count, _number(rec["denominator"])),
        }
        ethnic.append(group)
        quintiles.append(quintile)
    single = "ethnic_group" if breakdown.startswith("ethnic_group") else "ethnic_category"
    totals = {r["code"]: r for r in _rows(lmns[lmns["breakdown"] == single], None, False)}
    by_quintile = lmns[lmns["breakdown"] == "imd_quintile"]
    column_totals = {r["code"]: r for r in _rows(by_quintile, None, False)}
    columns = sorted(set(quintiles), key=lambda q: (q not in QUINTILES, q))
    return {
        "rows": [
            {
                "group": g,
                # a combination with no row had no one in it (the engine counts groups present)
                "cells": [cells.get((g, q), {"count": 0.0, "share": 0.0}) for q in columns],
                "total": totals.get(g),
            }
            for g in sorted(set(ethnic), key=_group_order)
        ],
        "columns": [
            {
                "code": q,
                "label": f"Quintile {q}"
                + (" (most deprived)" if q == "1" else "")
                + (" (least deprived)" if q == "5" else "")
                if q in QUINTILES
                else "Not known",
                "total": column_totals.get(q),
            }
            for q in columns
        ],
        "heading": "ethnic group" if single == "ethnic_group" else "ethnic category",
    }


def _places(frame: pd.DataFrame, period_type: str, start, total: float | None) -> list[dict]:
    part = frame[
        (frame["geography_type"] == "place")
        & (frame["breakdown"] == "all")
        & (frame["period_type"] == period_type)
        & (frame["period_start"] == start)
    ]
    rows = [
        {
            "group": rec["geography_name"] or rec["geography_code"],
            "count": _number(rec["value"]),
            "share": _share(_number(rec["value"]), total),
        }
        for rec in part.to_dict("records")
    ]
    return sorted(rows, key=lambda r: r["group"])


def population_profile(data: DashboardData, indicator_id: str, *, unsuppressed: bool) -> dict:
    """The LMNS profile of one population indicator in its latest period (rolling year first)."""
    frame = data.slice(unsuppressed=unsuppressed, indicator_id=indicator_id)
    period = _period(frame) if not frame.empty else None
    if period is None:
        return {"sections": [], "cross": None, "total": None, "period": ""}
    ptype, start, end = period
    now = frame[(frame["period_type"] == ptype) & (frame["period_start"] == start)]
    lmns = now[now["geography_type"] == "lmns"]
    total = _number(lmns.loc[lmns["breakdown"] == "all", "value"].max())
    sections = []
    places = _places(frame, ptype, start, total)
    if places:
        sections.append(
            {
                "id": "place",
                "heading": "Place",
                "rows": places,
                "note": "Shares are of every booking or birth in the LMNS; women whose postcode "
                "could not be placed are in the LMNS total but in no place.",
            }
        )
    for breakdown, heading, names, note in SECTIONS:
        part = lmns[lmns["breakdown"] == breakdown]
        if not part.empty:
            sections.append(
                {
                    "id": breakdown.replace("_", "-"),
                    "heading": heading,
                    "rows": _rows(part, names, by_count=breakdown == "language"),
                    "note": note,
                }
            )
    when = month_year(start) if ptype == "month" else f"{month_year(start)} to {month_year(end)}"
    return {"sections": sections, "cross": _cross_table(lmns), "total": total, "period": when}
