"""What the report reads: the results, data-quality and run tables, the catalogue, the plan.

The report never reads row-level records. This module is the only place that knows where the
numbers come from, so the report builder works on plain pandas frames and dataclasses and can
be tested on small fixture warehouses.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from maternity_equity.indicators import Indicator, catalogue
from maternity_equity.indicators.results import SII_BREAKDOWNS
from maternity_equity.publish import source_indicator
from maternity_equity.warehouse.schema import RESULT_COLUMNS

QUARTER_STARTS = {1: 1, 2: 4, 3: 7, 4: 10}


@dataclass(frozen=True)
class Period:
    """A reporting quarter. ``2025-Q3`` is the calendar quarter July to September 2025."""

    label: str
    start: dt.date
    end: dt.date

    @classmethod
    def parse(cls, text: str) -> Period:
        m = re.fullmatch(r"\s*(\d{4})-?Q([1-4])\s*", text or "", re.I)
        if not m:
            raise ValueError(f"period {text!r}: expected a calendar quarter such as 2025-Q3")
        year, q = int(m.group(1)), int(m.group(2))
        start = dt.date(year, QUARTER_STARTS[q], 1)
        end_month = start.month + 2
        next_month = dt.date(year + (end_month == 12), end_month % 12 + 1, 1)
        return cls(f"{year}-Q{q}", start, next_month - dt.timedelta(days=1))

    @property
    def title(self) -> str:
        return f"{self.start:%B} to {self.end:%B %Y}"

    def year_earlier(self) -> Period:
        year, q = self.label.split("-Q")
        return Period.parse(f"{int(year) - 1}-Q{q}")


@dataclass(frozen=True)
class IndicatorMeta:
    """What the report needs to know about an indicator, taken from the catalogue."""

    id: str
    title: str
    priority: str = ""
    unit: str = "%"
    multiplier: float = 100.0
    polarity: str = "neutral"  # higher_is_better | lower_is_better | neutral
    target: float | None = None
    baseline: float | None = None
    baseline_label: str = ""
    disclosure_class: str = "count"  # count | rare_event
    definition: str = ""
    source: str = "records"  # records | return
    kind: str = "rate"  # rate | count | group_ratio | sii | ranking
    # a targeted indicator's reference population: its overall row is compared with this group
    reference_breakdown: str = ""
    reference_group: str = ""
    # sii and group_ratio indicators: the rate indicator whose group rows they summarise
    source_indicator: str = ""

    @property
    def improvement_direction(self) -> str:
        return {"higher_is_better": "increase", "lower_is_better": "decrease"}.get(
            self.polarity, "neutral"
        )

    @property
    def rare(self) -> bool:
        return self.disclosure_class == "rare_event"


UNIT_LABELS = {  # every catalogue unit, as the report writes it beside a number
    "percentage": "%",
    "percentage_points": "percentage points",
    "per_1000": "per 1,000",
    "per_100000": "per 100,000",
    "count": "",
    "score": "",
    "ratio": "ratio",
}
# catalogue polarity -> IndicatorMeta.polarity ("no_judgement" has no direction)
_POLARITY = {"higher_is_better": "higher_is_better", "lower_is_better": "lower_is_better"}


def unit_label(unit: str) -> str:
    """A catalogue unit in plain words (an unknown one loses its underscores)."""
    return UNIT_LABELS.get(unit, unit.replace("_", " "))


def meta_from_definition(defn: Indicator, source_indicator: str = "") -> IndicatorMeta:
    """Adapt one catalogue :class:`Indicator` to the fields the report shows."""
    if not defn.id:  # the report keys indicators by id
        raise ValueError(f"catalogue entry without an id: {defn.title!r}")
    reference = defn.reference_population
    return IndicatorMeta(
        id=defn.id,
        title=defn.title,
        priority=defn.priority,
        unit=unit_label(defn.unit),
        multiplier=defn.multiplier,
        polarity=_POLARITY.get(defn.polarity, "neutral"),
        target=defn.target,
        baseline=defn.baseline,
        baseline_label=defn.baseline_label,
        disclosure_class=defn.disclosure_class,
        definition=defn.description,
        source=defn.source,
        kind=defn.kind,
        reference_breakdown=reference.breakdown if reference else "",
        reference_group=reference.group if reference else "",
        source_indicator=source_indicator,
    )


def load_catalogue() -> dict[str, IndicatorMeta]:
    """The indicator catalogue as :class:`IndicatorMeta` by id."""
    defs = {d.id: d for d in catalogue()}
    return {i: meta_from_definition(d, source_indicator(d, defs)) for i, d in defs.items()}


@dataclass
class WarehouseData:
    """The warehouse tables the report reads, as pandas frames."""

    results: pd.DataFrame
    dq_results: pd.DataFrame
    runs: pd.DataFrame
    vintages: pd.DataFrame
    path: Path | None = None


def _read_table(con: Any, name: str) -> pd.DataFrame | None:
    exists = con.execute(
        "select count(*) from information_schema.tables where table_name = ?", [name]
    ).fetchone()[0]
    return con.execute(f'select * from "{name}"').df() if exists else None


REPORT_BREAKDOWNS = ("all", "ethnic_group", "imd_quintile")
NEED_INDICATOR = "areas_of_highest_need"


def extra_breakdowns(metas: Mapping[str, IndicatorMeta]) -> list[tuple[str, str]]:
    """(indicator, breakdown) pairs the report reads beside ``REPORT_BREAKDOWNS``: where a
    targeted indicator's reference population is (continuity of carer: White women, the least
    deprived decile), and the deprivation breakdowns an SII indicator and its source rate are
    published from (the perinatal SII is on IMD deciles)."""
    pairs: set[tuple[str, str]] = set()
    for m in metas.values():
        if m.reference_breakdown:
            pairs.add((m.id, m.reference_breakdown))
        if m.kind == "sii":
            for ind in (m.id, m.source_indicator):
                pairs.update((ind, b) for b in SII_BREAKDOWNS if ind)
    return sorted(p for p in pairs if p[1] not in REPORT_BREAKDOWNS)


def _read_results(con: Any, extra: Sequence[tuple[str, str]]) -> pd.DataFrame | None:
    """Only the rows a report can show: LMNS level by ethnic group and IMD quintile (and the
    ``extra`` indicator and breakdown pairs), and the neighbourhood need ranking (the full
    table can hold millions of rows)."""
    exists = con.execute(
        "select count(*) from information_schema.tables where table_name = 'results'"
    ).fetchone()[0]
    if not exists:
        return None
    columns = {r[0] for r in con.execute("describe results").fetchall()}
    missing = [c for c in RESULT_COLUMNS if c not in columns]
    if missing:
        raise ValueError(f"table results lacks column(s) {', '.join(missing)}")
    marks = ", ".join("?" for _ in REPORT_BREAKDOWNS)
    pairs = " or ".join("(indicator_id = ? and breakdown = ?)" for _ in extra) or "false"
    return con.execute(
        f"""select * from results
            where (geography_type = 'lmns' and (breakdown in ({marks}) or {pairs}))
               or indicator_id = ?""",
        [*REPORT_BREAKDOWNS, *(v for pair in extra for v in pair), NEED_INDICATOR],
    ).df()


def load_warehouse(
    path: str | Path, metas: Mapping[str, IndicatorMeta] | None = None
) -> WarehouseData:
    """Read ``results`` (required), ``dq_results``, ``runs`` and geography vintages.

    The catalogue, with ``metas`` over it, says which breakdowns beyond ethnic group and IMD
    quintile the report needs (see :func:`extra_breakdowns`)."""
    import duckdb

    path = Path(path)
    if not path.exists():
        raise ValueError(f"warehouse {path}: file not found")
    con = duckdb.connect(str(path), read_only=True)
    try:
        try:
            extra = extra_breakdowns({**load_catalogue(), **(metas or {})})
            results = _read_results(con, extra)
        except ValueError as exc:
            raise ValueError(f"warehouse {path}: {exc}") from exc
        if results is None:
            raise ValueError(
                f"warehouse {path}: no 'results' table (run `maternity-equity compute`)"
            )
        dq = _read_table(con, "dq_results")
        runs = _read_table(con, "runs")
        geo = _read_table(con, "geography_lsoa")
    finally:
        con.close()
    for col in ("period_start", "period_end"):
        results[col] = pd.to_datetime(results[col]).dt.date
    if dq is not None:
        dq["period_start"] = pd.to_datetime(dq["period_start"]).dt.date
    vintages = pd.DataFrame(columns=["imd_vintage", "lsoa_vintage"])
    if geo is not None:
        vintages = geo[["imd_vintage", "lsoa_vintage"]].drop_duplicates().reset_index(drop=True)
    return WarehouseData(
        results=results,
        dq_results=dq if dq is not None else pd.DataFrame(),
        runs=runs if runs is not None else pd.DataFrame(),
        vintages=vintages,
        path=path,
    )


def latest_period(results: pd.DataFrame) -> Period:
    """The latest calendar quarter with LMNS results that the monthly results cover to its end."""
    lmns = results[results["geography_type"] == "lmns"]
    quarters = lmns[lmns["period_type"] == "quarter"]
    if quarters.empty:
        raise ValueError("results: no quarterly LMNS rows, so no period can be reported")
    months = lmns[lmns["period_type"] == "month"]
    covered = months["period_end"].max() if not months.empty else quarters["period_end"].max()
    complete = quarters[quarters["period_end"] <= covered]
    start = (complete if not complete.empty else quarters)["period_start"].max()
    return Period.parse(f"{start.year}-Q{(start.month - 1) // 3 + 1}")


def run_inputs(runs: pd.DataFrame) -> list[dict[str, str]]:
    """Every input file of every run: run id, kind, path and sha256 (from ``inputs_json``).

    A run that read a file it did not hash (the engine records only the warehouse's name) shows
    an empty hash.
    """
    out = []
    for _, run in runs.iterrows():
        raw = run.get("inputs_json")
        if not isinstance(raw, str) or not raw.strip():
            continue
        try:
            inputs = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise ValueError(
                f"runs: run {run.get('run_id')}: inputs_json is not JSON ({exc})"
            ) from exc
        for item in inputs:  # warehouse.runs.describe_inputs: [{"path", "sha256", ...}]
            out.append(
                {
                    "run_id": str(run.get("run_id")),
                    "kind": str(run.get("kind")),
                    "path": str(item["path"]),
                    "sha256": str(item.get("sha256", "")),
                }
            )
    return out


# ----- plan database ---------------------------------------------------------------------------


@dataclass(frozen=True)
class InterventionProgress:
    priority: str
    intervention: str
    actions: int
    complete: int
    on_track: int
    at_risk: int
    overdue: int


@dataclass(frozen=True)
class ActionDue:
    number: str
    text: str
    lead: str
    due: dt.date | None
    status: str


@dataclass(frozen=True)
class Milestone:
    title: str
    due: dt.date | None
    status: str
    intervention: str = ""


@dataclass(frozen=True)
class CoproductionEvent:
    date: dt.date | None
    title: str
    groups: str
    heard: str = ""


@dataclass(frozen=True)
class WresIndicator:
    number: int
    title: str
    white: float | None
    bme: float | None
    measure: float | None
    measure_label: str
    note: str = ""


@dataclass(frozen=True)
class Annotation:
    """A plan action drawn on SPC charts of the indicators it targets."""

    date: dt.date
    label: str
    indicator_ids: tuple[str, ...]


@dataclass
class PlanData:
    """The plan section's content (plain data, so it can be built without a plan database)."""

    interventions: list[InterventionProgress] = field(default_factory=list)
    overdue: list[ActionDue] = field(default_factory=list)
    milestones_due: list[Milestone] = field(default_factory=list)
    coproduction: list[CoproductionEvent] = field(default_factory=list)
    wres: list[WresIndicator] = field(default_factory=list)
    annotations: list[Annotation] = field(default_factory=list)
    source: str = ""
    # the latest WRES return's rows with their counts, from which ``wres`` was built: the
    # published report builds its WRES table from them again after disclosure control
    wres_rows: pd.DataFrame | None = None


WRES_TITLES = {
    1: "Percentage of staff from BME groups (all bands)",
    2: "Relative likelihood of White applicants being appointed from shortlisting compared "
    "with BME applicants",
    3: "Relative likelihood of BME staff entering the formal disciplinary process compared "
    "with White staff",
    4: "Relative likelihood of White staff accessing non-mandatory training and CPD compared "
    "with BME staff",
    5: "Staff experiencing harassment, bullying or abuse from patients, relatives or the public",
    6: "Staff experiencing harassment, bullying or abuse from staff",
    7: "Staff believing the organisation provides equal opportunities for career progression",
    8: "Staff personally experiencing discrimination at work from a manager or colleague",
    9: "Difference between the board's and the workforce's percentage of BME members",
}
WRES_MEASURES = {
    1: "% BME",
    2: "relative likelihood",
    3: "relative likelihood",
    4: "relative likelihood",
    9: "percentage points",
}
MILESTONE_HORIZON_DAYS = 92  # milestones due this quarter and next


def load_plan(
    plan_db_url: str | None, period: Period, *, today: dt.date | None = None
) -> PlanData | None:
    """Read plan progress, co-production and WRES through the plan module's services.

    Returns ``None`` when no URL is given. Overdue means open and due before ``today`` (the day
    the report is produced unless given), which the report states.
    """
    if not plan_db_url:
        return None
    from maternity_equity.plan.db import session_scope
    from maternity_equity.plan.services import actions as action_svc
    from maternity_equity.plan.services import coproduction as copro_svc
    from maternity_equity.plan.services import plans as plan_svc

    today = today or dt.date.today()
    horizon = period.end + dt.timedelta(days=MILESTONE_HORIZON_DAYS)
    out = PlanData(source=plan_db_url.split("://")[0])
    with session_scope(plan_db_url, user="report") as session:
        plan = plan_svc.get_plan(session)
        for intervention in plan.interventions:
            acts = list(intervention.actions)
            late = [a for a in acts if action_svc.is_overdue(a, today)]
            done = [a for a in acts if a.status == "complete"]
            risky = [a for a in acts if a.rag in ("red", "amber") and a not in late + done]
            on_track = [
                a for a in acts if a not in late + done + risky and a.status not in ("cancelled",)
            ]
            out.interventions.append(
                InterventionProgress(
                    intervention.priority_code,
                    f"{intervention.ref} {intervention.title}",
                    len(acts),
                    len(done),
                    len(on_track),
                    len(risky),
                    len(late),
                )
            )
            for m in intervention.milestones:
                if m.achieved_on is None and m.due_date and m.due_date <= horizon:
                    status = "overdue" if m.due_date < today else "due"
                    out.milestones_due.append(
                        Milestone(m.title, m.due_date, status, intervention.title)
                    )
            for a in acts:
                ids = tuple(sorted({t.indicator_id for t in a.targets}))
                if ids and a.start_date:
                    out.annotations.append(Annotation(a.start_date, f"{a.number} started", ids))
        flt = action_svc.ActionFilter(plan_id=plan.id, overdue=True)
        for a in action_svc.list_actions(session, flt, today=today):
            out.overdue.append(
                ActionDue(
                    a.number,
                    a.text,
                    ", ".join([*a.lead_roles, *a.lead_people]),
                    a.due_date,
                    a.status.replace("_", " "),
                )
            )
        for e in copro_svc.list_events(session, plan.id):
            if period.start <= e.held_on <= period.end:
                out.coproduction.append(
                    CoproductionEvent(
                        e.held_on, e.title, "; ".join(g.name for g in e.groups), e.what_was_heard
                    )
                )
        out.wres_rows = latest_wres_rows(session)
        out.wres = wres_indicators(out.wres_rows)
    out.milestones_due.sort(key=lambda m: m.due or dt.date.max)
    return out


def latest_wres_rows(session: Any) -> pd.DataFrame:
    """The rows (engine shape, with counts) of the latest WRES return, from the workforce
    module."""
    from maternity_equity.workforce.wres import export_for_engine

    frame = export_for_engine(session)
    if frame.empty:
        return frame
    return frame[frame["period_end"] == frame["period_end"].max()].reset_index(drop=True)


def wres_indicators(rows: pd.DataFrame | None) -> list[WresIndicator]:
    """WRES indicators 1 to 9 from engine-shaped rows: the stored figures, or the rows as
    ``publish.publish_results`` returns them (a withheld figure is None). White and BME are
    percentages; the measure is the ``breakdown = all`` row (% BME, relative likelihood,
    percentage points)."""
    if rows is None or rows.empty:
        return []
    out = []
    for ind_id, part in rows.groupby("indicator_id", sort=False):
        number = int(str(ind_id).rsplit("_", 1)[-1])
        head = part[part["breakdown"] == "all"]
        groups = part[part["breakdown"] == "wres_ethnic_group"]
        by_group = {g: v for g, v in zip(groups["group"], groups["value"], strict=True)}
        measure = head["value"].iloc[0] if not head.empty else None
        note = str(head["note"].iloc[0]) if not head.empty and "note" in head else ""
        out.append(
            WresIndicator(
                number,
                WRES_TITLES.get(number, str(ind_id)),
                _float(by_group.get("White")),
                _float(by_group.get("BME")),
                _float(measure),
                WRES_MEASURES.get(number, "% of staff"),
                "" if note == "nan" else note,
            )
        )
    return sorted(out, key=lambda w: w.number)


def _float(x: Any) -> float | None:
    try:
        f = float(x)
    except (TypeError, ValueError):
        return None
    return None if f != f else f


def _date(value: Any) -> dt.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def plan_from_mapping(feed: Mapping[str, Sequence[Mapping[str, Any]]]) -> PlanData:
    """Build :class:`PlanData` from plain lists of dicts (e.g. a YAML file or a service call)."""

    def rows(key: str) -> Sequence[Mapping[str, Any]]:
        return feed.get(key) or []

    return PlanData(
        interventions=[
            InterventionProgress(
                str(r.get("priority", "")),
                str(r["intervention"]),
                int(r.get("actions", 0)),
                int(r.get("complete", 0)),
                int(r.get("on_track", 0)),
                int(r.get("at_risk", 0)),
                int(r.get("overdue", 0)),
            )
            for r in rows("interventions")
        ],
        overdue=[
            ActionDue(
                str(r["number"]),
                str(r["text"]),
                str(r.get("lead", "")),
                _date(r.get("due")),
                str(r.get("status", "")),
            )
            for r in rows("overdue")
        ],
        milestones_due=[
            Milestone(
                str(r["title"]),
                _date(r.get("due")),
                str(r.get("status", "")),
                str(r.get("intervention", "")),
            )
            for r in rows("milestones_due")
        ],
        coproduction=[
            CoproductionEvent(
                _date(r.get("date")),
                str(r["title"]),
                str(r.get("groups", "")),
                str(r.get("heard", "")),
            )
            for r in rows("coproduction")
        ],
        wres=[
            WresIndicator(
                int(r["number"]),
                str(r["title"]),
                r.get("white"),
                r.get("bme"),
                r.get("measure"),
                str(r.get("measure_label", "")),
                str(r.get("note", "")),
            )
            for r in rows("wres")
        ],
        annotations=[
            Annotation(_date(r["date"]), str(r["label"]), tuple(r.get("indicator_ids", ())))
            for r in rows("annotations")
        ],
        source=str(feed.get("source", "")) if isinstance(feed.get("source", ""), str) else "",
    )
