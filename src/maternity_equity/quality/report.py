"""`run_quality`: evaluate every rule, store the dq tables, and write the CSV and HTML report."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pyarrow as pa

from maternity_equity.quality.evaluate import evaluate
from maternity_equity.quality.rulebook import Rule, load_rules
from maternity_equity.quality.spc import spc_tables
from maternity_equity.warehouse import RunRecord, Warehouse

SUMMARY_COLUMNS = (
    "rule_id",
    "title",
    "scheme",
    "threshold_text",
    "latest_period",
    "numerator",
    "denominator",
    "value",
    "lower_ci",
    "upper_ci",
    "passed",
    "months_assessed",
    "months_failing",
    "teams_failing_latest",
    "variation",
    "assurance",
)
RuleSource = Path | str | Sequence[Path | str] | Sequence[Rule] | None


@dataclass
class QualityReport:
    """Everything one quality run produced; tables as stored in the warehouse."""

    run_id: str
    rules: list[Rule]
    results: pd.DataFrame  # dq_results
    categories: pd.DataFrame  # dq_categories: failing records by category
    worklist: pd.DataFrame  # dq_worklist: record-level failures (analyst role and above)
    spc: pd.DataFrame  # dq_spc: one chart summary per rule x geography
    spc_points: pd.DataFrame  # dq_spc_points
    lmns_code: str
    paths: dict[str, Path] = field(default_factory=dict)

    def summary_frame(self) -> pd.DataFrame:
        """One row per rule: the LMNS's latest month, its history and the teams failing."""
        return summary_frame(self)

    def summary(self):
        """A rich Table of :meth:`summary_frame` for the terminal."""
        from maternity_equity.quality.render import summary_table

        return summary_table(self)

    def failing_teams(self, rule_id: str | None = None) -> pd.DataFrame:
        """Community teams failing a rule in the latest month of that rule, worst first."""
        return failing_teams(self, rule_id)


def _rules(source: RuleSource) -> list[Rule]:
    if source is None:
        return load_rules()
    if isinstance(source, str | Path):
        return load_rules(source)
    items = list(source)
    if items and all(isinstance(r, Rule) for r in items):
        return items
    return load_rules(items)  # type: ignore[arg-type]


def _latest(frame: pd.DataFrame) -> pd.DataFrame:
    """Rows of each rule's latest month (the LMNS's last month with records)."""
    lmns = frame.loc[frame["geography_type"] == "lmns"]
    last = lmns.groupby("rule_id")["period_start"].max().rename("latest_period")
    joined = frame.join(last, on="rule_id")
    return joined.loc[joined["period_start"] == joined["latest_period"]]


def failing_teams(report: QualityReport, rule_id: str | None = None) -> pd.DataFrame:
    latest = _latest(report.results)
    teams = latest.loc[(latest["geography_type"] == "community_team") & (latest["passed"] == False)]  # noqa: E712 (None = not assessed)
    if rule_id is not None:
        teams = teams.loc[teams["rule_id"] == rule_id]
    cols = ["rule_id", "period_start", "geography_code", "numerator", "denominator", "value"]
    return teams.sort_values(["rule_id", "value"])[cols].reset_index(drop=True)


def summary_frame(report: QualityReport) -> pd.DataFrame:
    res = report.results
    lmns = res.loc[res["geography_type"] == "lmns"]
    latest = _latest(lmns).set_index("rule_id")
    team_fail = failing_teams(report).groupby("rule_id").size()
    spc = report.spc.loc[report.spc["geography_type"] == "lmns"].set_index("rule_id")
    rows = []
    for rule in report.rules:
        history = lmns.loc[lmns["rule_id"] == rule.id]
        row = {
            "rule_id": rule.id,
            "title": rule.title,
            "scheme": rule.scheme,
            "threshold_text": rule.threshold_text(),
            "months_assessed": int(history["passed"].notna().sum()),
            "months_failing": int((history["passed"] == False).sum()),  # noqa: E712
            "teams_failing_latest": int(team_fail.get(rule.id, 0)),
        }
        if rule.id in latest.index:
            last = latest.loc[rule.id]
            row.update(
                {
                    k: last[k]
                    for k in (
                        "latest_period",
                        "numerator",
                        "denominator",
                        "value",
                        "lower_ci",
                        "upper_ci",
                        "passed",
                    )
                }
            )
        if rule.id in spc.index:
            row.update(
                variation=spc.loc[rule.id, "variation"], assurance=spc.loc[rule.id, "assurance"]
            )
        rows.append(row)
    return pd.DataFrame(rows, columns=list(SUMMARY_COLUMNS))


def _arrow(frame: pd.DataFrame, types: dict[str, pa.DataType]) -> pa.Table:
    """Typed Arrow table so empty or all-null columns still store with the right type."""
    arrays = {}
    for name, typ in types.items():
        col = frame[name] if name in frame else pd.Series([None] * len(frame), dtype=object)
        if typ == pa.date32():
            col = pd.to_datetime(col).astype("datetime64[ms]")
            arrays[name] = pa.array(col, from_pandas=True).cast(typ)
        elif typ == pa.bool_():
            arrays[name] = pa.array(
                [None if v is None or v is pd.NA else bool(v) for v in col], type=typ
            )
        else:
            arrays[name] = pa.array(col.astype(object), type=typ, from_pandas=True)
    return pa.table(arrays)


S, INT, F, D, B = pa.string(), pa.int64(), pa.float64(), pa.date32(), pa.bool_()
TABLE_TYPES: dict[str, dict[str, pa.DataType]] = {
    "dq_results": {
        "rule_id": S,
        "period_start": D,
        "geography_type": S,
        "geography_code": S,
        "numerator": INT,
        "denominator": INT,
        "value": F,
        "threshold": F,
        "comparison": S,
        "passed": B,
        "run_id": S,
        "lower_ci": F,
        "upper_ci": F,
        "threshold_upper": F,
    },
    "dq_categories": {
        "rule_id": S,
        "period_start": D,
        "geography_type": S,
        "geography_code": S,
        "category": S,
        "records": INT,
        "denominator": INT,
    },
    "dq_worklist": {
        "rule_id": S,
        "category": S,
        "pregnancy_id": S,
        "record_id": S,
        "provider_code": S,
        "booking_site_code": S,
        "community_team": S,
        "booking_date": D,
        "period_start": D,
        "recorded_value": S,
    },
    "dq_spc": {
        "rule_id": S,
        "geography_type": S,
        "geography_code": S,
        "months": INT,
        "first_period": D,
        "last_period": D,
        "latest_value": F,
        "mean": F,
        "lpl": F,
        "upl": F,
        "variation": S,
        "assurance": S,
        "trial_limits": B,
        "chart": S,
    },
    "dq_spc_points": {
        "rule_id": S,
        "geography_type": S,
        "geography_code": S,
        "period_start": D,
        "numerator": INT,
        "denominator": INT,
        "value": F,
        "mean": F,
        "lpl": F,
        "upl": F,
        "special_cause": S,
        "point_type": S,
    },
}


def run_quality(
    warehouse_path: str | Path,
    out_dir: str | Path,
    rules: RuleSource = None,
    *,
    lmns_code: str = "LMNS",
    write_files: bool = True,
) -> QualityReport:
    """Evaluate the rules on the warehouse; store dq_* tables; write quality.csv and .html.

    ``rules``: None for the shipped rules, an LMNS rules file (or several) to add or override,
    or a list of already loaded :class:`Rule`.
    """
    rule_list = _rules(rules)
    run = RunRecord(
        kind="quality",
        parameters={
            "lmns_code": lmns_code,
            "rules": [r.id for r in rule_list],
            "rule_files": sorted({r.source_file for r in rule_list}),
        },
    )
    with Warehouse(warehouse_path) as wh:
        evaluation = evaluate(rule_list, wh, lmns_code=lmns_code, run_id=run.run_id)
        spc, points = spc_tables(rule_list, evaluation.results)
        report = QualityReport(
            run_id=run.run_id,
            rules=rule_list,
            results=evaluation.results,
            categories=evaluation.categories,
            worklist=evaluation.failures,
            spc=spc,
            spc_points=points,
            lmns_code=lmns_code,
        )
        frames = {
            "dq_results": report.results,
            "dq_categories": report.categories,
            "dq_worklist": report.worklist,
            "dq_spc": report.spc,
            "dq_spc_points": report.spc_points,
        }
        run.counts = {name: len(frame) for name, frame in frames.items()}
        run.finish()
        wh.write(
            replace={name: _arrow(frame, TABLE_TYPES[name]) for name, frame in frames.items()},
            run=run,
        )
    if write_files:
        report.paths = write_report_files(report, Path(out_dir))
    return report


def write_report_files(report: QualityReport, out: Path) -> dict[str, Path]:
    """quality.csv (every rule x geography x month with rule details), categories, SPC, HTML.

    The worklist is not written to a file: record-level rows stay in the warehouse, behind the
    role check of ``quality.worklist``.
    """
    from maternity_equity.quality.render import render_html

    out.mkdir(parents=True, exist_ok=True)
    details = pd.DataFrame(
        [
            {"rule_id": r.id, "title": r.title, "scheme": r.scheme, "scheme_year": r.year}
            for r in report.rules
        ]
    )
    full = report.results.merge(details, on="rule_id", how="left")
    paths = {
        "csv": out / "quality.csv",
        "categories_csv": out / "quality_categories.csv",
        "spc_csv": out / "quality_spc.csv",
        "html": out / "quality.html",
    }
    full.to_csv(paths["csv"], index=False)
    report.categories.to_csv(paths["categories_csv"], index=False)
    report.spc_points.to_csv(paths["spc_csv"], index=False)
    paths["html"].write_text(render_html(report), encoding="utf-8")
    return paths
