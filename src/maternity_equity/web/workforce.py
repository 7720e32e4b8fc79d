"""The WRES page: indicators 1 to 9 by provider, as percentages with their intervals.

The figures are the ``p4d_wres_*`` rows of the results table (the workforce module's returns
through the engine), read with ``DashboardData.slice``, so viewers and editors get them as the
publication layer publishes them: percentages and Wilson intervals from rounded counts, the
relative likelihood and its Katz interval rebuilt from the groups' published counts, withheld
where they rest on 1 to 7 staff or (indicator 9) were given without counts.
"""

from __future__ import annotations

import math

import pandas as pd

from maternity_equity.quality.gating import FAIL
from maternity_equity.reports.data import WRES_MEASURES, WRES_TITLES
from maternity_equity.web.data import DashboardData
from maternity_equity.web.views import period_label

PREFIX = "p4d_wres_"
GROUPS = "wres_ethnic_group"
BANDS = "band"
SURVEY_MEASURE = "BME ÷ White"


def _number(value) -> float | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return float(value)


def _cell(rec: dict | None, value: str = "value", lower: str = "lower_ci", upper: str = "upper_ci"):
    """A figure with its interval and counts as the user may see it (None: no such row)."""
    if rec is None:
        return None
    return {
        "value": _number(rec.get(value)),
        "lower": _number(rec.get(lower)),
        "upper": _number(rec.get(upper)),
        "numerator": _number(rec.get("numerator")),
        "denominator": _number(rec.get("denominator")),
        "suppressed": bool(rec.get("suppressed", False)),
        "failing": rec.get("dq_status") == FAIL,
    }


def year_label(period_type: str, start, end) -> str:
    """ "2023-24" for a financial year (the way WRES reports are dated), else the period."""
    if period_type == "financial_year" and start is not None:
        return f"{start.year}-{str(start.year + 1)[-2:]}"
    return period_label(period_type, start, end)


def _number_of(indicator_id: str) -> int:
    return int(indicator_id.removeprefix(PREFIX))


def _band_order(band: str) -> tuple:
    """Agenda for Change bands in pay order (8a before 8b, 9 last), non-clinical after."""
    text = str(band)
    digits = "".join(ch for ch in text.split("(")[0] if ch.isdigit())
    return ("non-clinical" in text, int(digits) if digits else 99, text)


def wres_model(data: DashboardData, *, unsuppressed: bool) -> dict:
    """Rows of the indicators table (one per indicator and provider, latest year) and of the
    indicator 1 by band table."""
    rows, bands = [], []
    names = data.area_names("provider")
    wres = sorted(
        (i for i in data.indicators() if i.id.startswith(PREFIX)), key=lambda i: _number_of(i.id)
    )
    for ind in wres:
        number = _number_of(ind.id)
        frame = data.slice(unsuppressed=unsuppressed, indicator_id=ind.id)
        for code, part in frame.groupby("geography_code", sort=True):
            latest = part[part["period_start"] == part["period_start"].max()]
            first = latest.iloc[0]
            where = {
                "area": first["geography_name"] or names.get(code, code),
                "period": year_label(
                    first["period_type"], first["period_start"], first["period_end"]
                ),
            }
            head = latest[latest["breakdown"] == "all"]
            groups = {
                r["group"]: r for r in latest[latest["breakdown"] == GROUPS].to_dict("records")
            }
            head_rec = head.iloc[0].to_dict() if not head.empty else None
            measure, label = _cell(head_rec), WRES_MEASURES.get(number, "")
            if head_rec is None and "BME" in groups:  # survey indicators: BME % / White %
                measure = _cell(groups["BME"], "ratio", "ratio_lower", "ratio_upper")
                label = SURVEY_MEASURE
            rows.append(
                {
                    "number": number,
                    "indicator": ind,
                    "title": WRES_TITLES.get(number, ind.name),
                    **where,
                    "white": _cell(groups.get("White")),
                    "bme": _cell(groups.get("BME")),
                    "measure": measure,
                    "measure_label": label,
                    "percent_measure": label == "% BME",
                }
            )
            if number == 1:
                overall = measure["value"] if measure and not measure["suppressed"] else None
                for rec in sorted(
                    latest[latest["breakdown"] == BANDS].to_dict("records"),
                    key=lambda r: _band_order(r["group"]),
                ):
                    share = _cell(rec)
                    shown = None if share["suppressed"] else share["value"]
                    bands.append(
                        {
                            **where,
                            "band": rec["group"],
                            "share": share,
                            # the band's % BME over the whole staff group's, as shown
                            "ratio": shown / overall if shown is not None and overall else None,
                        }
                    )
    return {"rows": rows, "bands": bands}


def wres_frame(data: DashboardData, *, unsuppressed: bool) -> pd.DataFrame:
    """Every WRES row the user may see, latest year per provider, for the CSV download."""
    parts = []
    for ind in data.indicators():
        if not ind.id.startswith(PREFIX):
            continue
        frame = data.slice(unsuppressed=unsuppressed, indicator_id=ind.id)
        if frame.empty:
            continue
        latest = frame.groupby("geography_code")["period_start"].transform("max")
        parts.append(frame[frame["period_start"] == latest])
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
