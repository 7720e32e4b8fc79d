"""Apply rules to cohorts: rates by LMNS, provider, booking site, community team and month.

Counts are exact integers and pass/fail is decided on them (see ``Rule.passes``); the Wilson
interval is for display only, so a rate of exactly 95.0% is never failed by float rounding.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from maternity_equity.quality import checks
from maternity_equity.quality.cohorts import CONTEXT, read_cohort
from maternity_equity.quality.rulebook import Rule
from maternity_equity.stats import wilson_interval
from maternity_equity.warehouse import Warehouse

GEOGRAPHIES: dict[str, str | None] = {
    "lmns": None,  # one row per month for the whole LMNS
    "provider": "provider_code",
    "booking_site": "booking_site_code",
    "community_team": "community_team",
}
NOT_RECORDED = "not_recorded"  # geography code for records with no provider / site / team
DQ_RESULT_COLUMNS = (
    "rule_id",
    "period_start",
    "geography_type",
    "geography_code",
    "numerator",
    "denominator",
    "value",
    "threshold",
    "comparison",
    "passed",
    "run_id",
    # beyond the contract in docs/architecture.md: interval and upper bound of a range threshold
    "lower_ci",
    "upper_ci",
    "threshold_upper",
)
CATEGORY_COLUMNS = (
    "rule_id",
    "period_start",
    "geography_type",
    "geography_code",
    "category",
    "records",
    "denominator",
)
RECORD_COLUMNS = (
    "rule_id",
    "category",
    "pregnancy_id",
    "record_id",
    "provider_code",
    "booking_site_code",
    "community_team",
    "booking_date",
    "period_start",
    "recorded_value",
)


@dataclass
class Evaluation:
    """dq_results rows, failure counts by category, and the failing records themselves."""

    results: pd.DataFrame
    categories: pd.DataFrame
    failures: pd.DataFrame


def rule_records(rule: Rule, cohort: pd.DataFrame) -> pd.DataFrame:
    """One row per record in the rule's denominator: ``in_numerator`` and failure ``category``.

    For a record-level rule the numerator is the records that pass; for a share (plausibility)
    rule the denominator is the records coded in ``among`` and the numerator those in ``codes``,
    and no record is individually at fault (category stays NA).
    """
    frame = cohort
    for cond in rule.where:
        frame = frame.loc[checks.passes(frame, cond)]
    frame = frame.copy()
    if rule.record_level:
        frame["in_numerator"] = checks.passes(frame, rule.condition)
        frame["category"] = checks.categories(frame, rule.condition)
        shown = rule.condition
        if rule.detail_field:
            shown = type(shown)((rule.detail_field,), shown.kind, shown.arg)
        frame["recorded_value"] = checks.recorded_value(frame, shown)
    else:
        codes, among = rule.test_arg
        value = checks.clean_text(frame[rule.field])
        frame = frame.loc[value.isin(among).fillna(False).astype(bool)].copy()
        frame["in_numerator"] = value.loc[frame.index].isin(codes).astype(bool)
        frame["category"] = pd.Series(pd.NA, index=frame.index, dtype="string")
        frame["recorded_value"] = value.loc[frame.index]
    return frame


def _geography_codes(frame: pd.DataFrame, geography_type: str, lmns_code: str) -> pd.Series:
    column = GEOGRAPHIES[geography_type]
    if column is None:
        return pd.Series(lmns_code, index=frame.index, dtype="string")
    return checks.clean_text(frame[column]).fillna(NOT_RECORDED)


def _by_geography(records: pd.DataFrame, lmns_code: str):
    """(geography_type, records with a geography_code column) for each geography level."""
    for geography_type in GEOGRAPHIES:
        yield (
            geography_type,
            records.assign(geography_code=_geography_codes(records, geography_type, lmns_code)),
        )


def summarise(
    rules: Sequence[Rule], records: pd.DataFrame, lmns_code: str, run_id: str
) -> pd.DataFrame:
    """dq_results rows: every rule x geography x month present in the (long) records."""
    if records.empty:
        return pd.DataFrame(columns=list(DQ_RESULT_COLUMNS))
    keys = ["rule_id", "period_start", "geography_code"]
    pieces = []
    for geography_type, g in _by_geography(records, lmns_code):
        grouped = g.groupby(keys, sort=True)["in_numerator"]
        agg = pd.DataFrame({"numerator": grouped.sum(), "denominator": grouped.size()})
        pieces.append(agg.reset_index().assign(geography_type=geography_type))
    out = _reported_levels(pd.concat(pieces, ignore_index=True), rules)
    num = out["numerator"].to_numpy(dtype=np.int64)
    den = out["denominator"].to_numpy(dtype=np.int64)
    lower, upper = wilson_interval(num, den)
    out["numerator"], out["denominator"] = num, den
    out["value"] = num / den
    out["lower_ci"] = np.asarray(lower, dtype=float)
    out["upper_ci"] = np.asarray(upper, dtype=float)
    by_id = {r.id: r for r in rules}
    rule = out["rule_id"].map(by_id)
    out["threshold"] = rule.map(lambda r: r.threshold_low)
    out["threshold_upper"] = rule.map(lambda r: r.threshold_high)
    out["comparison"] = rule.map(lambda r: r.comparison)
    passed = pd.Series(None, index=out.index, dtype=object)
    for rule_id, idx in out.groupby("rule_id").groups.items():
        passed.loc[idx] = by_id[rule_id].passes_many(
            num[out.index.get_indexer(idx)], den[out.index.get_indexer(idx)]
        )
    out["passed"] = passed
    out["run_id"] = run_id
    return out[list(DQ_RESULT_COLUMNS)]


def category_counts(rules: Sequence[Rule], records: pd.DataFrame, lmns_code: str) -> pd.DataFrame:
    """Failing records by category for every rule, geography and month, with the denominator."""
    if records.empty:
        return pd.DataFrame(columns=list(CATEGORY_COLUMNS))
    keys = ["rule_id", "period_start", "geography_code"]
    pieces = []
    for geography_type, g in _by_geography(records, lmns_code):
        den = g.groupby(keys).size().rename("denominator")
        fails = g.loc[g["category"].notna()]
        counts = fails.groupby([*keys, "category"]).size().rename("records").reset_index()
        counts = counts.join(den, on=keys)
        pieces.append(counts.assign(geography_type=geography_type))
    out = _reported_levels(pd.concat(pieces, ignore_index=True), rules)
    return out[list(CATEGORY_COLUMNS)]


def _reported_levels(frame: pd.DataFrame, rules: Sequence[Rule]) -> pd.DataFrame:
    """Keep each rule's rows only at the geography levels it is reported at."""
    allowed = {(r.id, g) for r in rules for g in r.geographies}
    keep = [pair in allowed for pair in zip(frame["rule_id"], frame["geography_type"], strict=True)]
    return frame.loc[keep].reset_index(drop=True)


def failing_records(rule: Rule, records: pd.DataFrame) -> pd.DataFrame:
    """The records behind each failure of a record-level rule (pseudonymised ids only)."""
    if not rule.record_level or not rule.worklist:
        return pd.DataFrame(columns=list(RECORD_COLUMNS))
    fails = records.loc[records["category"].notna()]
    out = fails.rename(columns={"unit_id": "record_id"})
    return out[list(RECORD_COLUMNS)].reset_index(drop=True)


def evaluate(
    rules: Sequence[Rule], warehouse: Warehouse, *, lmns_code: str = "LMNS", run_id: str = ""
) -> Evaluation:
    """Evaluate every rule, reading each cohort once with the columns its rules need."""
    needed: dict[str, list[str]] = {}
    for rule in rules:
        cols = needed.setdefault(rule.cohort, [])
        cols += [*rule.fields, *(f for c in rule.where for f in c.fields)]
        cols += [rule.detail_field] if rule.detail_field else []
    cohorts = {
        name: read_cohort(warehouse, name, dict.fromkeys(cols)) for name, cols in needed.items()
    }
    slim_columns = [
        "rule_id",
        "period_start",
        *(c for c in GEOGRAPHIES.values() if c),
        "in_numerator",
        "category",
    ]
    long, fails = [], []
    for rule in rules:
        records = rule_records(rule, cohorts[rule.cohort]).assign(rule_id=rule.id)
        long.append(records[slim_columns])
        fails.append(failing_records(rule, records))
    everything = _concat(long, slim_columns)
    return Evaluation(
        results=summarise(rules, everything, lmns_code, run_id),
        categories=category_counts(rules, everything, lmns_code),
        failures=_concat(fails, RECORD_COLUMNS),
    )


def _concat(frames: list[pd.DataFrame], columns: Sequence[str]) -> pd.DataFrame:
    frames = [f for f in frames if not f.empty]
    if not frames:
        return pd.DataFrame(columns=list(columns))
    return pd.concat(frames, ignore_index=True)[list(columns)]


__all__ = ["CONTEXT", "GEOGRAPHIES", "Evaluation", "evaluate"]
