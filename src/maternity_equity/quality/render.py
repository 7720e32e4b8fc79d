"""Presentation of a quality run: a rich table for the terminal and plain, accessible HTML.

The HTML is semantic tables with captions and header scopes and one p′ chart per rule (inline
SVG with a text alternative, the same Vega-Lite builder as the board report; no scripts), so it
reads well in a screen reader and prints; the web app renders the NHS.UK styled version.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import TYPE_CHECKING

import jinja2
import pandas as pd
from rich.table import Table

from maternity_equity.codes.spc import ASSURANCE_LABELS, VARIATION_LABELS
from maternity_equity.quality.rulebook import Rule

if TYPE_CHECKING:
    from maternity_equity.quality.report import QualityReport

CATEGORY_TEXT = {
    "missing": "Missing",
    "malformed": "Malformed",
    "pseudo_no_fixed_abode": "No fixed abode (ZZ99 3VZ)",
    "pseudo_not_known": "Address not known (ZZ99 3WZ)",
    "pseudo_elsewhere": "Resident elsewhere (ZZ99)",
    "not_in_directory": "Not in the postcode directory",
    "terminated": "Postcode terminated before booking",
    "not_stated": "Not stated (Z)",
    "not_known": "Not known (99)",
    "unrecognised": "Unrecognised code",
    "unknown": "Recorded as unknown",
    "invalid_code": "Code not in the list",
    "below_range": "Below the valid range",
    "above_range": "Above the valid range",
    "not_a_number": "Not a number",
}


def category_text(category: str) -> str:
    """Plain words for a failure reason; several-field reasons read "Missing professional_id"."""
    if category.startswith("missing_"):
        return "Missing " + category.removeprefix("missing_").replace("_and_", " and ")
    return CATEGORY_TEXT.get(category, category)


def pct(value: float | None) -> str:
    return "" if value is None or pd.isna(value) else f"{value * 100:.1f}%"


def rate_with_ci(value, lower, upper) -> str:
    if value is None or pd.isna(value):
        return ""
    return f"{pct(value)} ({pct(lower)} to {pct(upper)})"


def result_text(passed) -> str:
    if passed is None or pd.isna(passed):
        return "Not assessed"
    return "Passes" if bool(passed) else "Fails"


def counts_text(numerator, denominator) -> str:
    if denominator is None or pd.isna(denominator):
        return ""
    return f"{int(numerator):,} of {int(denominator):,}"


def _text(mapping: dict[str, str], key, missing: str = "Not charted") -> str:
    if key is None or (not isinstance(key, str) and pd.isna(key)):
        return missing
    return mapping.get(key, str(key))


def summary_rows(report: QualityReport) -> list[dict]:
    rows = []
    for r in report.summary_frame().to_dict("records"):
        rows.append(
            {
                **r,
                "latest_period": "" if pd.isna(r["latest_period"]) else str(r["latest_period"])[:7],
                "counts": counts_text(r["numerator"], r["denominator"]),
                "rate": rate_with_ci(r["value"], r["lower_ci"], r["upper_ci"]),
                "result": result_text(r["passed"]),
                "variation": _text(VARIATION_LABELS, r["variation"]),
                "assurance": _text(
                    ASSURANCE_LABELS,
                    r["assurance"],
                    "Not charted" if pd.isna(r["variation"]) else "No single target (a range)",
                ),
            }
        )
    return rows


def summary_table(report: QualityReport) -> Table:
    """Rich table: one line per rule, LMNS latest month, so the failing ones stand out."""
    table = Table(title=f"Data quality: {report.lmns_code} (latest month of each rule)")
    for name, justify in (
        ("Rule", "left"),
        ("Threshold", "left"),
        ("Month", "left"),
        ("Passing", "right"),
        ("Rate (95% CI)", "right"),
        ("Result", "left"),
        ("Months failing", "right"),
        ("Teams failing", "right"),
        ("Assurance", "left"),
    ):
        table.add_column(name, justify=justify)  # type: ignore[arg-type]
    for r in summary_rows(report):
        style = "bold red" if r["result"] == "Fails" else None
        table.add_row(
            r["rule_id"],
            r["threshold_text"],
            r["latest_period"],
            r["counts"],
            r["rate"],
            r["result"],
            f"{r['months_failing']} of {r['months_assessed']}",
            str(r["teams_failing_latest"]),
            r["assurance"],
            style=style,
        )
    return table


def worklist_table(frame: pd.DataFrame, *, title: str, limit: int = 50) -> Table:
    table = Table(title=title)
    columns = {
        "rule_id": "Rule",
        "category": "Reason",
        "pregnancy_id": "Pregnancy",
        "record_id": "Record",
        "booking_site_code": "Site",
        "booking_date": "Booked",
        "recorded_value": "Recorded",
    }
    for name in columns.values():
        table.add_column(name, overflow="fold")
    for row in frame.head(limit)[list(columns)].itertuples(index=False):
        table.add_row(*(_cell(v) for v in row))
    if len(frame) > limit:
        table.caption = f"first {limit} of {len(frame):,} records"
    return table


def _cell(value) -> str:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat()
    return str(value)


def _category_blocks(report: QualityReport) -> list[dict]:
    cats = report.categories
    cats = cats.loc[cats["geography_type"] == "community_team"]
    res = report.results.loc[report.results["geography_type"] == "community_team"]
    blocks = []
    for rule in report.rules:
        sub = cats.loc[cats["rule_id"] == rule.id]
        if sub.empty:
            continue
        pivot = sub.pivot_table(
            index="geography_code",
            columns="category",
            values="records",
            aggfunc="sum",
            fill_value=0,
        )
        dens = res.loc[res["rule_id"] == rule.id].groupby("geography_code")["denominator"].sum()
        rows = [
            {
                "team": team,
                "counts": [int(v) for v in pivot.loc[team]],
                "total": int(pivot.loc[team].sum()),
                "denominator": int(dens.get(team, 0)),
            }
            for team in pivot.index
        ]
        rows.sort(key=lambda r: -r["total"] / max(r["denominator"], 1))
        blocks.append(
            {
                "title": rule.title,
                "categories": [category_text(c) for c in pivot.columns],
                "rows": rows,
                "first": str(sub["period_start"].min())[:7],
                "last": str(sub["period_start"].max())[:7],
            }
        )
    return blocks


def _trend_blocks(report: QualityReport) -> list[dict]:
    res = report.results.loc[report.results["geography_type"] == "lmns"]
    pts = report.spc_points.loc[report.spc_points["geography_type"] == "lmns"]
    lmns_charts = report.spc.loc[report.spc["geography_type"] == "lmns"]
    summaries = {r["rule_id"]: r for r in lmns_charts.to_dict("records")}
    blocks = []
    for rule in report.rules:
        sub = res.loc[res["rule_id"] == rule.id].sort_values("period_start")
        if sub.empty:
            continue
        chart = pts.loc[pts["rule_id"] == rule.id].set_index("period_start")
        rows = []
        for r in sub.to_dict("records"):
            p = chart.loc[r["period_start"]] if r["period_start"] in chart.index else None
            rows.append(
                {
                    "month": str(r["period_start"])[:7],
                    "counts": counts_text(r["numerator"], r["denominator"]),
                    "rate": rate_with_ci(r["value"], r["lower_ci"], r["upper_ci"]),
                    "result": result_text(r["passed"]),
                    "limits": "" if p is None else f"{pct(p['lpl'])} to {pct(p['upl'])}",
                    "point": "" if p is None else _text(VARIATION_LABELS, p["point_type"]),
                }
            )
        blocks.append(
            {
                "title": rule.title,
                "threshold": rule.threshold_text(),
                "rows": rows,
                "chart": trend_chart(rule, chart.reset_index(), summaries.get(rule.id)),
            }
        )
    return blocks


def trend_chart(rule: Rule, points: pd.DataFrame, summary: dict | None) -> str:
    """Inline SVG p′ chart of the LMNS's months in percent, with the threshold as the target
    line (none for a range rule); empty when the rule has too few months for a chart."""
    if points.empty or summary is None:
        return ""
    from maternity_equity.reports.charts import render_svg, spc_chart

    def percent(column: str):
        return points[column].astype(float).to_numpy() * 100

    limits = SimpleNamespace(
        mean=percent("mean"),
        lpl=percent("lpl"),
        upl=percent("upl"),
        point_type=points["point_type"].to_numpy(),
        special_cause=points["special_cause"].to_numpy(),
        variation=summary["variation"],
        assurance=summary["assurance"],
    )
    target = None if rule.comparison == "between" else rule.threshold_low * 100
    spec = spc_chart(
        [str(d)[:10] for d in points["period_start"]],
        percent("value"),
        limits,
        target=target,
        title=f"{rule.title}: p′ chart by month",
        value_title="Percent of records",
        width=640,
    )
    return render_svg(spec)


def _test_text(rule: Rule) -> str:
    fields = ", ".join(rule.fields)
    where = "; ".join(
        f"{', '.join(c.fields)} {c.kind} {list(c.arg) if c.arg is not True else ''}"
        for c in rule.where
    )
    arg = rule.test_arg
    if rule.test == "share_between":
        arg = {"codes": list(arg[0]), "among": list(arg[1])}
    elif isinstance(arg, tuple):
        arg = list(arg)
    text = f"{fields} {rule.test} {arg if arg is not True else ''}".strip()
    return f"{text} (only records where {where})" if where else text


def render_html(report: QualityReport) -> str:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("maternity_equity.quality", "templates"),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    months = report.results["period_start"]
    teams = report.failing_teams()
    return env.get_template("quality.html.jinja").render(
        lmns_code=report.lmns_code,
        run_id=report.run_id,
        first_month=str(months.min())[:7] if len(months) else "none",
        last_month=str(months.max())[:7] if len(months) else "none",
        summary=summary_rows(report),
        failing_teams=[
            {
                "rule_id": t.rule_id,
                "period_start": str(t.period_start)[:7],
                "team": t.geography_code,
                "counts": counts_text(t.numerator, t.denominator),
                "rate": pct(t.value),
            }
            for t in teams.itertuples()
        ],
        category_blocks=_category_blocks(report),
        trend_blocks=_trend_blocks(report),
        rules=[
            {
                "id": r.id,
                "title": r.title,
                "cohort": r.cohort,
                "test": _test_text(r),
                "threshold": r.threshold_text(),
                "scheme": r.scheme,
                "year": r.year,
                "indicators": ", ".join(r.indicators) or "none",
                "note": r.source_note,
            }
            for r in report.rules
        ],
    )
