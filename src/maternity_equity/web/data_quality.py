"""Data quality for the pages: each rule in its own latest month, its p′ chart and failing teams.

Rules are assessed month by month, and births, deliveries and care plans reach their latest
month at different times, so every rule is read at the LMNS's latest month *for that rule*.
Viewers and editors see the published figures (``publish_dq_results``: counts rounded, the
percentage from them) and a p′ chart computed by the quality stage's own method
(``quality.spc.chart_series``) from those rounded counts; analysts see the stored chart.
Whether a rule or a team met its threshold is decided on the unrounded figures and is shown as
it is. The chart itself is the data-quality report's (``quality.render.trend_chart``).
"""

from __future__ import annotations

import math
from fractions import Fraction
from types import SimpleNamespace

import pandas as pd

from maternity_equity.codes.spc import VARIATION_LABELS
from maternity_equity.quality import load_rules
from maternity_equity.quality.render import trend_chart
from maternity_equity.quality.rulebook import Rule
from maternity_equity.quality.spc import chart_series
from maternity_equity.web import charts
from maternity_equity.web.data import DashboardData
from maternity_equity.web.spc import labels

LMNS = "lmns"
TEAM = "community_team"
RANGE = "between"
NO_SINGLE_TARGET = "No single target (a range)"
COMPARISON_WORDS = {">=": "at least", ">": "more than", "<=": "at most", "<": "less than"}


def _float(value) -> float | None:
    if value is None or (isinstance(value, float) and math.isnan(value)) or pd.isna(value):
        return None
    return float(value)


def _percent(value) -> float | None:
    number = _float(value)
    return None if number is None else number * 100


def _rule_from_row(rule_id: str, row: dict) -> Rule:
    """A rule the shipped rule files do not hold (an LMNS's own), from what ``dq_results``
    stores of it: enough for its threshold and chart."""
    comparison = str(row.get("comparison") or ">=")
    low = Fraction(str(_float(row.get("threshold")) or 0.0))
    upper = _float(row.get("threshold_upper"))
    threshold = (low, Fraction(str(upper))) if comparison == RANGE and upper is not None else low
    return Rule(
        id=rule_id,
        title=rule_id.replace("_", " ").capitalize(),
        cohort="",
        fields=(),
        test="",
        test_arg=None,
        comparison=comparison if comparison != RANGE or upper is not None else ">=",
        threshold=threshold,
        scheme="",
        year="",
    )


def _rules(data: DashboardData) -> dict[str, Rule]:
    return data.memo(("dq_rules",), lambda: {r.id: r for r in load_rules()})


def threshold_text(rule: Rule) -> str:
    """ "at least 95%", or the plausible range "0.5% to 50%" (the rule's own percentages)."""
    text = rule.threshold_text()
    if rule.comparison == RANGE:
        return text
    return text.replace(rule.comparison, COMPARISON_WORDS.get(rule.comparison, rule.comparison), 1)


def result_text(passed, rule: Rule) -> str:
    if passed is None or pd.isna(passed):
        return "Not assessed"
    if rule.comparison == RANGE:
        return "Within range" if bool(passed) else "Outside range"
    return "Meets threshold" if bool(passed) else "Does not meet threshold"


def _spc_labels(variation, assurance, rule: Rule) -> dict | None:
    if variation is None or (not isinstance(variation, str) and pd.isna(variation)):
        return None
    shown = labels(
        SimpleNamespace(
            variation=variation,
            assurance=assurance if isinstance(assurance, str) and assurance else None,
        )
    )
    if rule.comparison == RANGE:
        shown["assurance_text"] = NO_SINGLE_TARGET
    return shown


def _chart_points(
    rule: Rule, months: pd.DataFrame, data: DashboardData, unsuppressed: bool
) -> tuple[pd.DataFrame, dict | None]:
    """(points of the LMNS p′ chart, its summary): stored for analysts; for everyone else
    computed by the quality stage's method from the published (rounded) monthly counts."""
    if unsuppressed:
        points, summaries = data.dq_spc_points(), data.dq_spc()
        if points is None or summaries is None:
            return pd.DataFrame(), None
        code = months["geography_code"].iloc[0]
        mine = (points["rule_id"] == rule.id) & (points["geography_type"] == LMNS)
        mine &= points["geography_code"] == code
        chosen = summaries[
            (summaries["rule_id"] == rule.id)
            & (summaries["geography_type"] == LMNS)
            & (summaries["geography_code"] == code)
        ]
        summary = chosen.iloc[0].to_dict() if not chosen.empty else None
        return points[mine].sort_values("period_start").reset_index(drop=True), summary
    shown = months[months["denominator"] > 0].sort_values("period_start")
    charted = chart_series(
        rule,
        shown["period_start"].to_numpy(),
        shown["numerator"].to_numpy(dtype=float),
        shown["denominator"].to_numpy(dtype=float),
    )
    if charted is None:
        return pd.DataFrame(), None
    summary, points = charted
    return pd.DataFrame(points), summary


def _chart(rule: Rule, points: pd.DataFrame, summary: dict | None) -> dict | None:
    svg = trend_chart(rule, points, summary) if summary is not None else ""
    if not svg:
        return None
    rows = [
        {
            "month": p["period_start"],
            "value": _percent(p["value"]),
            "lower": _percent(p["lpl"]),
            "upper": _percent(p["upl"]),
            "point": VARIATION_LABELS.get(p["point_type"], str(p["point_type"])),
        }
        for p in points.to_dict("records")
    ]
    caption = f"{rule.title}: p′ chart by month"
    return {"svg": charts.clean_svg(svg), "caption": caption, "rows": rows}


def _failing_teams(frame: pd.DataFrame, rule_id: str, month) -> list[dict]:
    """Community teams failing the rule in the rule's latest month, lowest rate first."""
    teams = frame[
        (frame["geography_type"] == TEAM)
        & (frame["rule_id"] == rule_id)
        & (frame["period_start"] == month)
        & frame["passed"].eq(False)
    ].sort_values(["value", "geography_code"])
    return [
        {
            "team": str(t["geography_code"]),
            "value": _percent(t["value"]),
            "numerator": _float(t["numerator"]),
            "denominator": _float(t["denominator"]),
        }
        for t in teams.to_dict("records")
    ]


def rule_summaries(
    data: DashboardData, *, unsuppressed: bool, with_charts: bool = False
) -> list[dict]:
    """One entry per rule: the LMNS in the rule's own latest month (value, interval, threshold,
    result), the change since the month before, SPC variation and assurance, the community
    teams failing that month and, ``with_charts``, the p′ chart with its data table."""
    frame = data.dq_results(unsuppressed=unsuppressed)
    if frame is None or frame.empty:
        return []
    frame = frame.assign(period_start=pd.to_datetime(frame["period_start"]).dt.date)
    known = _rules(data)
    out = []
    lmns = frame[frame["geography_type"] == LMNS]
    for rule_id, months in lmns.groupby("rule_id", sort=False):
        months = months.sort_values("period_start")
        latest = months.iloc[-1].to_dict()
        previous = months.iloc[-2].to_dict() if len(months) > 1 else None
        rule = known.get(rule_id) or _rule_from_row(rule_id, latest)
        points, summary = _chart_points(rule, months, data, unsuppressed)
        value = _percent(latest["value"])
        before = _percent(previous["value"]) if previous else None
        out.append(
            {
                "rule_id": rule_id,
                "title": rule.title,
                "threshold": threshold_text(rule),
                "is_range": rule.comparison == RANGE,
                "month": latest["period_start"],
                "numerator": _float(latest["numerator"]),
                "denominator": _float(latest["denominator"]),
                "value": value,
                "lower": _percent(latest.get("lower_ci")),
                "upper": _percent(latest.get("upper_ci")),
                "passed": None if pd.isna(latest["passed"]) else bool(latest["passed"]),
                "result": result_text(latest["passed"], rule),
                "previous_month": previous["period_start"] if previous else None,
                "change": value - before if value is not None and before is not None else None,
                "spc": _spc_labels(
                    (summary or {}).get("variation"), (summary or {}).get("assurance"), rule
                ),
                "teams": _failing_teams(frame, rule_id, latest["period_start"]),
                "chart": _chart(rule, points, summary) if with_charts else None,
            }
        )
    return sorted(out, key=lambda r: (r["passed"] is not False, r["title"]))
