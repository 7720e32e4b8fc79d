"""Page models for the dashboard: pick the slice, build the charts, shape the tables.

Pure functions of (data, what the user asked for, may they see unsuppressed figures), so the
routes stay thin and the same model feeds HTML and CSV.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date

import pandas as pd

from maternity_equity.publish import NOT_AVAILABLE
from maternity_equity.quality.gating import FAIL
from maternity_equity.web import charts
from maternity_equity.web.data import (
    BREAKDOWN_LABELS,
    GEOGRAPHY_LABELS,
    PERIOD_LABELS,
    DashboardData,
    IndicatorInfo,
)
from maternity_equity.web.disclosure import FAILING_DQ_TEXT, SUPPRESSED
from maternity_equity.web.filters import month_year
from maternity_equity.web.spc import labels, xmr

TABLE_COLUMNS = (
    "group",
    "numerator",
    "denominator",
    "value",
    "lower_ci",
    "upper_ci",
    "ratio",
    "ratio_significance",
)


def _nan_to_none(value):
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def period_label(period_type: str, start: date, end: date | None) -> str:
    if period_type == "month" or end is None:
        return month_year(start)
    return f"{month_year(start)} to {month_year(end)}"


def area_value(geography_type: str, geography_code: str) -> str:
    return f"{geography_type}:{geography_code}"


@dataclass
class ExplorerChoice:
    indicator: IndicatorInfo
    breakdown: str
    geography_type: str
    geography_code: str
    geography_name: str
    period_type: str
    period_start: date | None
    period_end: date | None
    options: dict = field(default_factory=dict)


def choose(data: DashboardData, params: dict[str, str | None]) -> ExplorerChoice | None:
    """The slice the user asked for, falling back to sensible defaults for anything missing
    or invalid (a stale bookmark never errors)."""
    indicators = data.indicators()
    if not indicators:
        return None
    ind = data.indicator(params.get("indicator") or "") or indicators[0]
    opts = data.options(ind.id)
    breakdowns = opts["breakdowns"]
    breakdown = params.get("breakdown")
    if breakdown not in breakdowns:
        breakdown = next(
            (b for b in ("ethnic_group", "imd_quintile") if b in breakdowns),
            breakdowns[0] if breakdowns else "all",
        )
    geos = opts["geographies"]
    area = params.get("area") or ""
    gtype, _, gcode = area.partition(":")
    match = next(
        (g for g in geos if g["geography_type"] == gtype and g["geography_code"] == gcode), None
    )
    if match is None:
        match = next((g for g in geos if g["geography_type"] == "lmns"), geos[0] if geos else None)
    ptypes = opts["period_types"]
    ptype = params.get("period_type")
    if ptype not in ptypes:
        ptype = next(
            (p for p in ("rolling_12m", "financial_year", "quarter", "month") if p in ptypes),
            ptypes[0] if ptypes else "month",
        )
    periods = [p for p in opts["periods"] if p["period_type"] == ptype]
    wanted = params.get("period") or ""
    period = next((p for p in periods if str(p["period_start"]) == wanted), None)
    if period is None and periods:
        period = periods[-1]
    return ExplorerChoice(
        indicator=ind,
        breakdown=breakdown,
        geography_type=match["geography_type"] if match else "lmns",
        geography_code=match["geography_code"] if match else "",
        geography_name=match["geography_name"] if match else "",
        period_type=ptype,
        period_start=period["period_start"] if period else None,
        period_end=period["period_end"] if period else None,
        options=opts,
    )


def form_options(choice: ExplorerChoice, indicators: list[IndicatorInfo]) -> dict:
    """Select options for the explorer form (areas grouped by geography type)."""
    opts = choice.options
    areas: dict[str, list[dict]] = {}
    for g in opts["geographies"]:
        areas.setdefault(GEOGRAPHY_LABELS.get(g["geography_type"], g["geography_type"]), []).append(
            {
                "value": area_value(g["geography_type"], g["geography_code"]),
                "text": g["geography_name"] or g["geography_code"],
            }
        )
    return {
        "indicators": [{"value": i.id, "text": i.name} for i in indicators],
        "breakdowns": [
            {"value": b, "text": BREAKDOWN_LABELS.get(b, b.replace("_", " ").capitalize())}
            for b in opts["breakdowns"]
        ],
        "areas": areas,
        "period_types": [
            {"value": p, "text": PERIOD_LABELS.get(p, p)} for p in opts["period_types"]
        ],
        "periods": [
            {
                "value": str(p["period_start"]),
                "text": period_label(p["period_type"], p["period_start"], p["period_end"]),
            }
            for p in opts["periods"]
            if p["period_type"] == choice.period_type
        ][::-1],
    }


def value_title(ind: IndicatorInfo) -> str:
    return f"{ind.name} ({ind.unit})" if ind.unit else ind.name


def table_rows(frame: pd.DataFrame) -> list[dict]:
    rows = []
    for rec in frame.to_dict("records"):
        row = {k: _nan_to_none(rec.get(k)) for k in TABLE_COLUMNS}
        row["suppressed"] = bool(rec.get("suppressed", False))
        row["failing_dq"] = rec.get("dq_status") == FAIL
        row["is_reference"] = rec.get("group") == rec.get("reference_group")
        rows.append(row)
    return rows


def explorer_model(
    data: DashboardData,
    choice: ExplorerChoice,
    *,
    unsuppressed: bool,
    annotations: list[tuple[date, str]] | None = None,
) -> dict:
    ind = choice.indicator
    frame = data.slice(
        unsuppressed=unsuppressed,
        indicator_id=ind.id,
        breakdown=choice.breakdown,
        geography_type=choice.geography_type,
        geography_code=choice.geography_code,
        period_type=choice.period_type,
        period_start=choice.period_start,
    )
    rows = table_rows(frame)
    where = choice.geography_name or choice.geography_code
    when = (
        period_label(choice.period_type, choice.period_start, choice.period_end)
        if choice.period_start
        else ""
    )
    breakdown_text = BREAKDOWN_LABELS.get(choice.breakdown, choice.breakdown).lower()
    ref_group = (
        next((r for r in frame["reference_group"].dropna().unique()), None)
        if not frame.empty
        else None
    )
    ref_row = next((r for r in rows if r["group"] == ref_group), None)
    bar = None
    if rows:
        bar = charts.chart(
            charts.bar_with_intervals(
                rows,
                title=f"{ind.name} by {breakdown_text}, {where}, {when}",
                value_title=value_title(ind),
                description=(
                    f"Bar chart of {ind.name} by {breakdown_text} in {where}, {when}. "
                    + (
                        f"The dashed line is the reference group, {ref_group}. "
                        if ref_group
                        else ""
                    )
                    + "Figures are in the table below."
                ),
                category_title=BREAKDOWN_LABELS.get(choice.breakdown, "Group"),
                reference_value=ref_row["value"] if ref_row else None,
                reference_label=f"Reference: {ref_group}" if ref_group else "Reference",
                highlight=ref_group,
            )
        )
    sii = None
    if not frame.empty and frame["sii"].notna().any():
        first = frame[frame["sii"].notna()].iloc[0]
        sii = {
            k: _nan_to_none(first[k])
            for k in ("sii", "sii_lower", "sii_upper", "rii", "rii_lower", "rii_upper")
        }
    # computed, but withheld from this user (a deprivation group hidden, or failing quality)
    sii_withheld = (
        sii is None
        and not unsuppressed
        and not frame.empty
        and data.slice(
            unsuppressed=True,
            indicator_id=ind.id,
            breakdown=choice.breakdown,
            geography_type=choice.geography_type,
            geography_code=choice.geography_code,
            period_type=choice.period_type,
            period_start=choice.period_start,
        )["sii"]
        .notna()
        .any()
    )
    spc = spc_model(
        data,
        ind,
        choice.geography_type,
        choice.geography_code,
        unsuppressed=unsuppressed,
        annotations=annotations,
        where=where,
    )
    return {
        "rows": rows,
        "bar": bar,
        "compare": compare_model(data, choice, unsuppressed=unsuppressed, when=when),
        "sii": sii,
        "sii_withheld": bool(sii_withheld),
        "spc": spc,
        "reference_group": ref_group,
        "where": where,
        "when": when,
        "breakdown_text": breakdown_text,
    }


COMPARE_LEVELS = ("neighbourhood", "place", "provider")


def compare_model(
    data: DashboardData, choice: ExplorerChoice, *, unsuppressed: bool, when: str = ""
) -> dict | None:
    """Fingertips-style "compare areas" against the LMNS value (the benchmark).

    For a provider, place or neighbourhood: every area of that level (all women) against the
    LMNS; for the LMNS itself: each group of the breakdown against the LMNS as a whole. The rows
    come from the same disclosure-controlled frame as the rest of the page, so a viewer's row
    whose interval was withheld is not classified ("Not shown") rather than classified from
    figures the viewer may not see.
    """
    ind = choice.indicator
    common = dict(
        unsuppressed=unsuppressed,
        indicator_id=ind.id,
        period_type=choice.period_type,
        period_start=choice.period_start,
    )
    lmns = data.slice(breakdown="all", geography_type="lmns", **common)
    if lmns.empty or choice.period_start is None:
        return None
    benchmark = _nan_to_none(lmns["value"].iloc[0])
    lmns_name = lmns["geography_name"].iloc[0] or lmns["geography_code"].iloc[0]
    if choice.geography_type == "lmns":
        if choice.breakdown == "all":
            return None
        frame = data.slice(
            breakdown=choice.breakdown,
            geography_type="lmns",
            geography_code=lmns["geography_code"].iloc[0],
            **common,
        )
        label_of = frame["group"]
        subject = BREAKDOWN_LABELS.get(choice.breakdown, "Group")
        level_text = f"each {subject.lower()} group"
    else:
        frame = data.slice(breakdown="all", geography_type=choice.geography_type, **common)
        frame = frame.sort_values("geography_name")
        label_of = frame["geography_name"].fillna(frame["geography_code"])
        subject = GEOGRAPHY_LABELS.get(choice.geography_type, choice.geography_type)
        level_text = f"each {subject.lower()}"
    if frame.empty:
        return None
    rows = [
        {
            "area": str(label),
            "value": _nan_to_none(rec["value"]),
            "lower_ci": _nan_to_none(rec["lower_ci"]),
            "upper_ci": _nan_to_none(rec["upper_ci"]),
            "suppressed": bool(rec.get("suppressed", False)),
            "failing_dq": rec.get("dq_status") == FAIL,
        }
        for label, rec in zip(label_of, frame.to_dict("records"), strict=True)
    ]
    not_classified = "Not compared" if unsuppressed else "Not shown"
    bench_label = f"{lmns_name} (benchmark)"
    spec = charts.compare_areas(
        rows,
        benchmark,
        higher_is_better=ind.higher_is_better,
        title=f"{ind.name}: {level_text} compared with {lmns_name}, {when}",
        value_title=value_title(ind),
        description=(
            f"Chart comparing {ind.name} for {level_text} with {lmns_name}, {when}. Each row "
            "shows the value with its 95% interval and is labelled by whether the interval "
            "lies above, below or across the benchmark (dashed line). Figures are in the "
            "table below."
        ),
        category_title=subject,
        benchmark_label=bench_label,
        not_classified=not_classified,
    )
    for row, cells in zip(rows, charts.shared.data_table(spec)["rows"], strict=True):
        row["comparison"] = cells[-1]
        row["css"] = row["comparison"].lower().replace(" ", "-")
    return {
        "chart": charts.chart(spec),
        "rows": rows,
        "benchmark": benchmark,
        "benchmark_label": bench_label,
        "subject": subject,
        "polarity": ind.higher_is_better,
        "not_classified": not_classified,
    }


def series(
    data: DashboardData,
    ind: IndicatorInfo,
    geography_type: str,
    geography_code: str,
    *,
    unsuppressed: bool,
    breakdown: str = "all",
    prefer: tuple[str, ...] = (),
) -> tuple[str, pd.DataFrame]:
    """The series over time at the finest period type with at least two periods: the "all"
    rows, or the one row per period an indicator keeps on ``breakdown`` (an SII).

    Monthly first (quarterly first for rare events, whose months are mostly too small to
    publish). The choice depends only on which rows exist, the same for every role, so
    suppression never changes the period type; withheld points stay in the series (value NaN)
    and are drawn as gaps, never dropped. ``prefer`` puts period types first (a headline kept
    over rolling years).
    """
    frame = data.slice(
        unsuppressed=unsuppressed,
        indicator_id=ind.id,
        breakdown=breakdown,
        geography_type=geography_type,
        geography_code=geography_code,
    )
    if frame.empty:
        return "", frame
    rare = bool((frame["disclosure_class"] == "rare_event").any())
    order = [*prefer] + (["quarter", "month"] if rare else ["month", "quarter"])
    order += ["rolling_12m", "financial_year"]
    order += sorted(set(frame["period_type"].dropna()) - set(order))
    for ptype in order:
        part = frame[frame["period_type"] == ptype].sort_values("period_start")
        if len(part) >= 2:
            return ptype, part
    return "", frame.iloc[0:0]


def withheld_marks(frame: pd.DataFrame) -> tuple[list[str], list[str]]:
    """For each point, "" when shown, else a short chart label and the words for the table:
    ``*`` suppressed, or failing data quality (viewers see no figure for those)."""
    marks, notes = [], []
    for rec in frame.to_dict("records"):
        if rec.get("suppressed"):
            marks.append(SUPPRESSED)
            notes.append(f"{SUPPRESSED} (suppressed)")
        elif _nan_to_none(rec.get("value")) is None:
            failing = rec.get("dq_status") == FAIL
            marks.append("DQ" if failing else NOT_AVAILABLE)
            notes.append(FAILING_DQ_TEXT if failing else NOT_AVAILABLE)
        else:
            marks.append("")
            notes.append("")
    return marks, notes


def spc_model(
    data: DashboardData,
    ind: IndicatorInfo,
    geography_type: str,
    geography_code: str,
    *,
    unsuppressed: bool,
    annotations=None,
    where: str = "",
    breakdown: str = "all",
    size: tuple[int, int] | None = None,
    prefer: tuple[str, ...] = (),
) -> dict | None:
    """The SPC chart of the series; when a point is withheld (suppressed, or failing data
    quality for a viewer) a line with gaps instead, since process limits need every point.
    ``size`` (width, height) draws it smaller (the overview's cards)."""
    ptype, frame = series(
        data,
        ind,
        geography_type,
        geography_code,
        unsuppressed=unsuppressed,
        breakdown=breakdown,
        prefer=prefer,
    )
    dims = {"width": size[0], "height": size[1]} if size else {}
    if len(frame) < 2:
        return None
    dates = frame["period_start"].tolist()
    title = f"{ind.name} over time ({PERIOD_LABELS.get(ptype, ptype).lower()}), {where}"
    axis = value_title(ind)
    if size:  # a card: its heading names the indicator, so the chart only says what it shows
        title = f"Trend, {PERIOD_LABELS.get(ptype, ptype).lower()}"
        axis = ind.unit or "Value"
    failing = [month_year(d) for d, s in zip(dates, frame["dq_status"], strict=True) if s == FAIL]
    marks, notes = withheld_marks(frame)
    if any(marks):
        shown = [v for v, m in zip(frame["value"].astype(float), marks, strict=True) if not m]
        spec = charts.series_with_gaps(
            dates,
            frame["value"].astype(float).tolist(),
            marks,
            notes,
            target=ind.target,
            title=title,
            value_title=axis,
            description=(
                f"Line chart of {ind.name} over time in {where}, {len(dates)} periods. "
                f"{sum(1 for m in marks if m)} are not shown (marked at the foot of the chart), "
                "so the line breaks there and no process limits are drawn. Figures are in the "
                "table below."
            ),
            **dims,
        )
        return {
            "chart": charts.chart(spec),
            "result": None,
            "latest": _nan_to_none(frame["value"].iloc[-1]),
            "previous": _nan_to_none(frame["value"].iloc[-2]),
            "latest_note": notes[-1],
            "latest_date": dates[-1],
            "latest_end": frame["period_end"].iloc[-1],
            "previous_date": dates[-2],
            "previous_end": frame["period_end"].iloc[-2],
            "period_type": ptype,
            "withheld": sum(1 for m in marks if m),
            "shown": len(shown),
            "failing": failing,
        }
    values = frame["value"].astype(float).tolist()
    result = xmr(values, higher_is_better=ind.higher_is_better, target=ind.target)
    notes_in = [(d, label) for d, label in (annotations or []) if dates[0] <= d <= dates[-1]]
    spec = charts.spc_chart(
        dates,
        values,
        result,
        target=ind.target,
        annotations=notes_in,
        title=title,
        value_title=axis,
        **dims,
    )
    return {
        "chart": charts.chart(spec),
        "result": labels(result),
        "values": values,
        "latest": values[-1],
        "previous": values[-2],
        "latest_note": "",
        "latest_date": dates[-1],
        "latest_end": frame["period_end"].iloc[-1],
        "previous_date": dates[-2],
        "previous_end": frame["period_end"].iloc[-2],
        "period_type": ptype,
        "withheld": 0,
        "shown": len(values),
        "failing": failing,
    }
