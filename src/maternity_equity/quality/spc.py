"""Each rule's monthly rate as an SPC chart against its threshold, with the assurance icon.

Monthly bookings per team vary a lot, so the chart is Laney's p′ chart (limits follow each
month's denominator). Assurance answers the data-quality lead's question "will this process
meet the threshold without a change?": consistent_pass, consistent_fail or inconsistent.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from maternity_equity.quality.rulebook import Rule
from maternity_equity.stats.spc import p_prime_chart

MIN_POINTS = 2  # a moving range needs two months; fewer than 13 gives "trial" limits
SPC_COLUMNS = (
    "rule_id",
    "geography_type",
    "geography_code",
    "months",
    "first_period",
    "last_period",
    "latest_value",
    "mean",
    "lpl",
    "upl",
    "variation",
    "assurance",
    "trial_limits",
    "chart",
)
POINT_COLUMNS = (
    "rule_id",
    "geography_type",
    "geography_code",
    "period_start",
    "numerator",
    "denominator",
    "value",
    "mean",
    "lpl",
    "upl",
    "special_cause",
    "point_type",
)
DIRECTIONS = {
    ">=": "increase",
    ">": "increase",
    "<=": "decrease",
    "<": "decrease",
    "between": "neutral",
}


def chart_series(
    rule: Rule, periods: np.ndarray, numerators: np.ndarray, denominators: np.ndarray
) -> tuple[dict, dict] | None:
    """p′ chart of one geography's months (in order, denominators > 0); None if too short."""
    if len(periods) < MIN_POINTS:
        return None
    chart = p_prime_chart(
        numerators.astype(float),
        denominators.astype(float),
        improvement_direction=DIRECTIONS[rule.comparison],
        target=None if rule.comparison == "between" else rule.threshold_low,
    )
    points = {
        "period_start": periods,
        "numerator": numerators,
        "denominator": denominators,
        "value": chart.values,
        "mean": chart.mean,
        "lpl": chart.lpl,
        "upl": chart.upl,
        "special_cause": chart.special_cause,
        "point_type": chart.point_type,
    }
    summary = {
        "months": len(periods),
        "first_period": periods[0],
        "last_period": periods[-1],
        "latest_value": float(chart.values[-1]),
        "mean": float(chart.mean[-1]),
        "lpl": float(chart.lpl[-1]),
        "upl": float(chart.upl[-1]),
        "variation": chart.variation,
        "assurance": chart.assurance,
        "trial_limits": bool(np.asarray(chart.trial_limits)[-1]),
        "chart": "p_prime",
    }
    return summary, points


def spc_tables(rules: list[Rule], results: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(one summary row per rule x geography, one row per chart point).

    Works on numpy slices of the sorted results: there is one chart per rule and team, and
    hundreds of small pandas frames would cost more than the charts.
    """
    by_id = {r.id: r for r in rules}
    keys = ["rule_id", "geography_type", "geography_code"]
    data = results.loc[results["denominator"] > 0].sort_values([*keys, "period_start"])
    summaries: list[dict] = []
    columns: dict[str, list] = {c: [] for c in POINT_COLUMNS}
    if not data.empty:
        group = data.groupby(keys, sort=False).ngroup().to_numpy()
        starts = np.flatnonzero(np.r_[True, group[1:] != group[:-1]])
        ends = np.r_[starts[1:], len(group)]
        labels = data[keys].astype(str).to_numpy()
        periods = data["period_start"].to_numpy()
        nums = data["numerator"].to_numpy(dtype=np.int64)
        dens = data["denominator"].to_numpy(dtype=np.int64)
        for a, b in zip(starts, ends, strict=True):
            rule_id, gtype, gcode = labels[a]
            charted = chart_series(by_id[rule_id], periods[a:b], nums[a:b], dens[a:b])
            if charted is None:
                continue
            summary, points = charted
            summaries.append(
                {"rule_id": rule_id, "geography_type": gtype, "geography_code": gcode, **summary}
            )
            n = b - a
            columns["rule_id"] += [rule_id] * n
            columns["geography_type"] += [gtype] * n
            columns["geography_code"] += [gcode] * n
            for name, values in points.items():
                columns[name] += list(values)
    return pd.DataFrame(summaries, columns=list(SPC_COLUMNS)), pd.DataFrame(columns)
