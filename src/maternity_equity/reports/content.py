"""Build the report model: what the board reads, section by section, from the data layer.

The published variant reads the results, data-quality results and WRES rows only after
``publish`` (disclosure control and data-quality gating, the web app's rule) has been applied
to them; the internal variant reads the stored figures. Every number reaches the model as a
:mod:`.disclosure` cell, so the renderers only format what they are given.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import replace
from typing import Any

import pandas as pd

from maternity_equity.codes.imd import quintile_label
from maternity_equity.codes.spc import ASSURANCE_LABELS, VARIATION_LABELS
from maternity_equity.publish import publish_dq_results, publish_results
from maternity_equity.quality import load_rules
from maternity_equity.reports import charts
from maternity_equity.reports import disclosure as sdc
from maternity_equity.reports.data import (
    IndicatorMeta,
    Period,
    PlanData,
    WarehouseData,
    WresIndicator,
    run_inputs,
    wres_indicators,
)
from maternity_equity.reports.disclosure import Cell, Figures
from maternity_equity.reports.model import Block, Chart, Column, Paragraph, Report, Section, Table
from maternity_equity.reports.sentences import (
    headline_sentence,
    inequality_sentence,
    with_unit,
)
from maternity_equity.stats import xmr

PRIORITY_TITLES = {
    "1": "Priority 1: Restore NHS services inclusively",
    "2": "Priority 2: Mitigate against digital exclusion",
    "3": "Priority 3: Ensure datasets are complete and timely",
    "4a": "Priority 4a: Understand your population and co-produce interventions",
    "4b": "Priority 4b: Action on maternal mortality, morbidity and experience",
    "4c": "Priority 4c: Action on perinatal mortality and morbidity",
    "4d": "Priority 4d: Support for maternity and neonatal staff",
    "4e": "Priority 4e: Enablers",
    "metrics": "Headline metrics of the guidance (section 5)",
}
HEADLINE_IDS = (
    "p4c_coc_black_asian_mixed",
    "p4c_coc_most_deprived",
    "m_perinatal_mortality_rate",
    "m_stillbirth_rate",
    "m_neonatal_mortality_rate",
    "m_perinatal_ratio_black_asian_vs_white",
    "m_perinatal_sii_deprivation",
    "p4c_smoking_at_delivery",
    "p4b_booking_by_10w",
    "p3_valid_ethnic_category_at_booking",
    "p3_valid_postcode_at_booking",
)
POPULATION_IDS = ("pop_bookings", "pop_births")
KEY_DQ_RULES = ("ethnic_category_valid_at_booking", "postcode_valid_at_booking")
NEED_ID = "areas_of_highest_need"
ETHNIC_ORDER = ("White", "Mixed", "Asian", "Black", "Other", "Not stated or not known")
BREAKDOWNS = (("ethnic_group", "Ethnic group"), ("imd_quintile", "IMD quintile"))
TOTAL = "All"
TOTAL_LABEL = "All women (LMNS)"
SPC_MIN_POINTS = 12
SPC_MAX_POINTS = 24  # the last two years of months: enough for stable limits, short to read


def _lmns(results: pd.DataFrame) -> pd.DataFrame:
    return results[results["geography_type"] == "lmns"]


def period_rows(results: pd.DataFrame, indicator_id: str, period: Period) -> pd.DataFrame:
    """LMNS rows of one indicator for the quarter (or the 12 months ending with it)."""
    r = _lmns(results)
    return _period_rows(r[r["indicator_id"] == indicator_id], period)


def _period_rows(r: pd.DataFrame, period: Period, *, rolling_first: bool = False) -> pd.DataFrame:
    """The quarter's rows, or the 12 months ending with it; rare events (deaths) prefer the
    12 months, as quarterly counts are mostly too small to publish."""
    quarter = r[(r["period_type"] == "quarter") & (r["period_start"] == period.start)]
    rolling = r[(r["period_type"] == "rolling_12m") & (r["period_end"] == period.end)]
    first, second = (rolling, quarter) if rolling_first else (quarter, rolling)
    return first if not first.empty else second


def when(rows: pd.DataFrame | Mapping[str, Any], period: Period) -> str:
    """The period a set of rows covers, in words."""
    first = rows.iloc[0] if isinstance(rows, pd.DataFrame) else rows
    if first["period_type"] == "rolling_12m":
        return f"the 12 months to {first['period_end']:%B %Y}"
    return period.title


def _total_row(rows: pd.DataFrame) -> Mapping[str, Any] | None:
    total = rows[rows["breakdown"] == "all"]
    return None if total.empty else total.iloc[0].to_dict()


def _group_sort_key(breakdown: str) -> Callable[[str], tuple[int, str]]:
    def key(group: str) -> tuple[int, str]:
        if breakdown == "ethnic_group" and group in ETHNIC_ORDER:
            return (ETHNIC_ORDER.index(group), group)
        return (len(ETHNIC_ORDER), str(group))

    return key


class ReportBuilder:
    """Turns warehouse data, catalogue and plan into a :class:`Report` for one variant."""

    def __init__(
        self,
        data: WarehouseData,
        catalogue: Mapping[str, IndicatorMeta],
        plan: PlanData | None,
        period: Period,
        variant: str,
        *,
        today: dt.date | None = None,
    ) -> None:
        if variant not in ("published", "internal"):
            raise ValueError(f"variant must be 'published' or 'internal', got {variant!r}")
        self.data, self.period, self.variant, self.plan = data, period, variant, plan
        self.catalogue = dict(catalogue)
        self.results = data.results
        for ind_id in sorted(set(self.results["indicator_id"]) - set(self.catalogue)):
            self.catalogue[ind_id] = IndicatorMeta(id=ind_id, title=ind_id)
        self.today = today or dt.date.today()
        self._n = 0
        published = variant == "published"
        # what this variant may show: published rows (rounded, suppressed, gated) or stored ones
        self.shown = (
            publish_results(self.results) if published else self.results.assign(suppressed=False)
        )
        self.dq = publish_dq_results(data.dq_results) if published else data.dq_results
        lmns = _lmns(self.shown)
        self._by_indicator = {k: g for k, g in lmns.groupby("indicator_id", sort=False)}
        stored = _lmns(self.results)
        self._stored_by_indicator = {k: g for k, g in stored.groupby("indicator_id", sort=False)}
        self._spc_cache: dict[str, tuple[Chart | None, str | None, str | None, str]] = {}

    def rows_for(
        self, indicator_id: str, period: Period | None = None, *, stored: bool = False
    ) -> pd.DataFrame:
        """LMNS rows of one indicator for a quarter (default: the report's), as this variant
        shows them (``stored``: as computed)."""
        r = (self._stored_by_indicator if stored else self._by_indicator).get(indicator_id)
        if r is None:
            return self.shown.iloc[0:0]
        rare = self.catalogue[indicator_id].disclosure_class == "rare_event"
        return _period_rows(r, period or self.period, rolling_first=rare)

    # ----- helpers -----------------------------------------------------------------------------

    def _id(self, prefix: str) -> str:
        self._n += 1
        return f"{prefix}-{self._n:03d}"

    def publish(self, row: Mapping[str, Any], meta: IndicatorMeta) -> Figures:
        """The cells of one row of :attr:`shown`."""
        return sdc.figures(row, variant=self.variant)

    def _spc(self, meta: IndicatorMeta) -> tuple[Chart | None, str | None, str | None, str]:
        """SPC chart of the monthly LMNS series up to the end of the period (computed once)."""
        if meta.id not in self._spc_cache:
            self._spc_cache[meta.id] = self._make_spc(meta)
        return self._spc_cache[meta.id]

    def _make_spc(self, meta: IndicatorMeta) -> tuple[Chart | None, str | None, str | None, str]:
        """Monthly, or quarterly for rare events (months are mostly too small to publish) and
        for series of fewer than 12 months: chosen from which rows exist, the same in both
        variants, so suppression never changes the chart. A withheld point leaves a gap."""
        r = self._by_indicator.get(meta.id)
        if r is None:
            return None, None, None, ""
        r = r[(r["breakdown"] == "all") & (r["period_end"] <= self.period.end)]
        months = r[r["period_type"] == "month"]
        monthly = meta.disclosure_class != "rare_event" and len(months) >= SPC_MIN_POINTS
        period_type, label = ("month", "monthly") if monthly else ("quarter", "quarterly")
        series = r[r["period_type"] == period_type].sort_values("period_start")
        series = series.tail(SPC_MAX_POINTS)
        if len(series) < 2:
            return None, None, None, "No SPC chart: fewer than two periods."
        figures = [self.publish(row, meta) for row in series.to_dict("records")]
        if any(f.value.withheld for f in figures):
            return self._gap_chart(meta, series, figures, label)
        return self._spc_chart(meta, series, figures, label)

    def _gap_chart(
        self, meta: IndicatorMeta, series: pd.DataFrame, figures: list[Figures], label: str
    ) -> tuple[Chart | None, str | None, str | None, str]:
        """The series with gaps where points are withheld; no process limits without them."""
        marks = [_gap_mark(f) for f in figures]
        title = f"{meta.title}: {label} trend"
        withheld = sum(1 for m in marks if m)
        spec = charts.series_with_gaps(
            list(series["period_start"]),
            [f.value.value for f in figures],
            marks,
            [f.value.text if m else "" for f, m in zip(figures, marks, strict=True)],
            target=meta.target,
            title=title,
            value_title=_value_title(meta),
            description=f"Line chart of the {label} {meta.title}: {withheld} of the "
            f"{len(marks)} points are not shown (marked at the foot of the chart), so the line "
            "breaks there.",
        )
        table = _chart_table(self._id("spc"), f"Data for the chart: {title}", spec, meta, "trend")
        why = (
            f"No SPC judgement: {withheld} of the {len(marks)} {label} points are suppressed "
            "or fail data quality, so process limits cannot be calculated."
        )
        return Chart(table.id + "-chart", title, spec, table), None, None, why

    def _spc_chart(
        self, meta: IndicatorMeta, series: pd.DataFrame, figures: list[Figures], label: str
    ) -> tuple[Chart | None, str | None, str | None, str]:
        values = [float(f.value.value) for f in figures]  # type: ignore[arg-type]
        result = xmr(values, improvement_direction=meta.improvement_direction, target=meta.target)
        dates = list(series["period_start"])
        notes = [
            (a.date, a.label)
            for a in (self.plan.annotations if self.plan else [])
            if meta.id in a.indicator_ids and dates[0] <= a.date <= self.period.end
        ]
        variation, assurance = result.variation, result.assurance
        title = f"{meta.title}: {label} trend (SPC)"
        spec = charts.spc_chart(
            dates,
            values,
            result,
            target=meta.target,
            annotations=notes,
            title=title,
            value_title=_value_title(meta),
        )
        table = _chart_table(self._id("spc"), f"Data for the chart: {title}", spec, meta, "spc")
        return Chart(table.id + "-chart", title, spec, table), variation, assurance, ""

    # ----- indicator tables ----------------------------------------------------------------------

    def breakdown_table(
        self, meta: IndicatorMeta, rows: pd.DataFrame, breakdown: str, label: str
    ) -> tuple[Table, list[Figures]] | None:
        part = rows[rows["breakdown"] == breakdown]
        if part.empty:
            return None
        recs = sorted(part.to_dict("records"), key=lambda r: _group_sort_key(breakdown)(r["group"]))
        total = _total_row(rows)
        # secondary suppression is already in the published rows (publish.publish_results)
        figures = [self.publish(r, meta) for r in recs]
        total_fig = self.publish(total, meta) if total else None
        groups = [str(r["group"]) for r in recs]
        ref = next(
            (str(r["reference_group"]) for r in recs if _present(r.get("reference_group"))), ""
        )
        cols = _indicator_columns(meta, label)
        body = [
            [Cell(None, group_label(breakdown, g)), *_figure_cells(f)]
            for g, f in zip(groups, figures, strict=True)
        ]
        keys = groups[:]
        if total_fig is not None:
            na = Cell(None, sdc.NOT_APPLICABLE)
            body.append([Cell(None, TOTAL_LABEL)] + _figure_cells(total_fig)[:5] + [na] * 4)
            keys.append(TOTAL)
        caption = f"{meta.title} by {_lower(label)}, {when(rows, self.period)}"
        if ref and ref in groups:
            caption += f" (reference group: {group_label(breakdown, ref)})"
        table = Table(
            self._id("tab"),
            caption,
            cols,
            body,
            row_keys=keys,
            keys={
                "indicator_id": meta.id,
                "breakdown": breakdown,
                "period_type": str(recs[0]["period_type"]),
                "period_start": str(recs[0]["period_start"]),
                "kind": "indicator",
            },
        )
        return table, figures

    def inequality_table(
        self, meta: IndicatorMeta, rows: pd.DataFrame, quintile_figures: list[Figures]
    ) -> tuple[Table, Cell, Cell, Cell] | None:
        part = rows[rows["breakdown"] == "imd_quintile"]
        stored = self.rows_for(meta.id, stored=True)
        stored = stored[(stored["breakdown"] == "imd_quintile") & stored["sii"].notna()]
        if part.empty or stored.empty:
            return None
        # published: recomputed from the rounded quintile counts, or withheld (NaN) when a
        # quintile is hidden
        with_sii = part[part["sii"].notna()]
        first = (with_sii if not with_sii.empty else part).iloc[0].to_dict()
        hide = with_sii.empty or any(f.suppressed for f in quintile_figures)
        body, cells = [], {}
        for key, name, dec in (
            ("sii", "Slope index of inequality (SII)", 1),
            ("rii", "Relative index of inequality (RII)", 2),
        ):
            if hide:
                trio = [Cell(None, sdc.SUPPRESSED)] * 3
            else:
                trio = [_num(first.get(k), dec) for k in (key, f"{key}_lower", f"{key}_upper")]
            cells[key] = trio
            body.append([Cell(None, name), *trio])
        table = Table(
            self._id("tab"),
            f"{meta.title}: inequality across IMD quintiles, {when(rows, self.period)}",
            [
                Column("measure", "Measure", False),
                Column("value", "Value"),
                Column("lower", "Lower 95% CI"),
                Column("upper", "Upper 95% CI"),
            ],
            body,
            row_keys=["sii", "rii"],
            keys={
                "indicator_id": meta.id,
                "breakdown": "imd_quintile",
                "kind": "inequality",
                "period_type": str(first["period_type"]),
                "period_start": str(first["period_start"]),
            },
        )
        return table, *cells["sii"]

    def indicator_block(self, meta: IndicatorMeta) -> Block | None:
        rows = self.rows_for(meta.id)
        if rows.empty:
            return None
        content: list[Paragraph | Table | Chart] = []
        if meta.definition:
            content.append(Paragraph(meta.definition, "definition"))
        total = _total_row(rows)
        spc_chart, variation, assurance, why = self._spc(meta)
        if total is not None:
            f = self.publish(total, meta)
            content.append(
                Paragraph(
                    headline_sentence(
                        meta,
                        f.value,
                        f.lower,
                        f.upper,
                        period_title=when(total, self.period),
                        variation=variation,
                        assurance=assurance,
                        failing_dq=f.failing_dq,
                    ),
                    "summary",
                )
            )
        for breakdown, label in BREAKDOWNS:
            made = self.breakdown_table(meta, rows, breakdown, label)
            if made is None:
                continue
            table, figures = made
            reference = None if total is None else self.publish(total, meta).value.value
            spec = charts.bar_with_intervals(
                _bar_rows(table),
                title=f"{meta.title} by {_lower(label)}",
                value_title=_value_title(meta),
                category_title=label,
                description=_bar_description(meta, table, label),
                reference_value=reference,
                reference_label=TOTAL_LABEL,
                highlight=_reference_label(table, breakdown, rows),
            )
            content.append(Chart(table.id + "-chart", spec["title"]["text"], spec, table))
            if breakdown == "imd_quintile":
                ineq = self.inequality_table(meta, rows, figures)
                if ineq is not None:
                    itable, sii, lo, hi = ineq
                    content.append(Paragraph(inequality_sentence(meta, sii, lo, hi)))
                    content.append(itable)
        if why:
            content.append(Paragraph(why, "warning"))
        if spc_chart is not None:
            content.append(spc_chart)
        icons = []
        if variation:
            icons.append(("variation-" + variation, VARIATION_LABELS.get(variation, variation)))
        if assurance:
            icons.append(("assurance-" + assurance, ASSURANCE_LABELS.get(assurance, assurance)))
        return Block(f"ind-{meta.id}", meta.title, content, icons)

    # ----- sections ------------------------------------------------------------------------------

    def summary_section(self) -> Section:
        present = set(self.results["indicator_id"])
        ids = [i for i in HEADLINE_IDS if i in present]
        if not ids:
            ids = [
                m.id for m in self.catalogue.values() if m.target is not None and m.id in present
            ]
        sentences: list[Paragraph] = []
        body, keys = [], []
        for ind_id in ids:
            meta = self.catalogue[ind_id]
            total = _total_row(self.rows_for(ind_id))
            if total is None:
                continue
            f = self.publish(total, meta)
            baseline, baseline_label = self._baseline(meta)
            _, variation, assurance, _ = self._spc(meta)
            sentences.append(
                Paragraph(
                    headline_sentence(
                        meta,
                        f.value,
                        f.lower,
                        f.upper,
                        period_title=when(total, self.period),
                        baseline=baseline,
                        baseline_label=baseline_label,
                        variation=variation,
                        assurance=assurance,
                        failing_dq=f.failing_dq,
                    ),
                    "summary",
                )
            )
            target = Cell(None, sdc.NOT_APPLICABLE) if meta.target is None else _num(meta.target)
            body.append(
                [
                    Cell(None, meta.title),
                    f.value,
                    f.lower,
                    f.upper,
                    baseline or Cell(None, sdc.NOT_AVAILABLE),
                    target,
                    Cell(None, VARIATION_LABELS.get(variation or "", "Not assessed")),
                    Cell(
                        None,
                        ASSURANCE_LABELS.get(assurance or "", "No target")
                        if meta.target is not None
                        else "No target",
                    ),
                ]
            )
            keys.append(ind_id)
        content: list[Any] = [
            Paragraph(
                f"This report sets out the {self.lmns_name()} equity and equality indicators "
                f"for {self.period.title}, by ethnic group and deprivation, with data quality, "
                "progress of the action plan and the workforce race equality standard."
            )
        ]
        content.extend(sentences)
        if body:
            content.append(
                Table(
                    self._id("tab"),
                    f"Headline metrics, {self.period.title}",
                    [
                        Column("indicator", "Indicator", False, "27%"),
                        Column("value", "Value", True, "8%"),
                        Column("lower", "Lower 95% CI", True, "9%"),
                        Column("upper", "Upper 95% CI", True, "9%"),
                        Column("baseline", "Baseline", True, "9%"),
                        Column("target", "Target", True, "7%"),
                        Column("variation", "Variation", False, "15%"),
                        Column("assurance", "Assurance", False, "16%"),
                    ],
                    body,
                    row_keys=keys,
                    keys={"kind": "headline", "breakdown": "all"},
                    notes=[
                        "Baseline: the catalogue baseline where the guidance sets one, otherwise "
                        "the same quarter a year earlier."
                    ],
                )
            )
        else:
            content.append(Paragraph("No headline metric has results for this period.", "warning"))
        return Section("summary", "Summary", content)

    def _baseline(self, meta: IndicatorMeta) -> tuple[Cell | None, str]:
        if meta.baseline is not None:
            return _num(meta.baseline), meta.baseline_label or "national baseline"
        earlier = self.period.year_earlier()
        total = _total_row(self.rows_for(meta.id, earlier))
        if total is None:
            return None, ""
        label = earlier.label if total["period_type"] == "quarter" else when(total, earlier)
        return self.publish(total, meta).value, label

    def population_section(self) -> Section:
        content: list[Any] = []
        for ind_id in POPULATION_IDS:
            rows = self.rows_for(ind_id)
            if rows.empty:
                continue
            meta = self.catalogue[ind_id]
            for breakdown, label in BREAKDOWNS:
                table = self.count_table(meta, rows, breakdown, label)
                if table is not None:
                    content.append(table)
        need = self.need_table()
        if need is not None:
            content.append(need)
        if not content:
            content.append(Paragraph("No population results for this period.", "warning"))
        return Section("population", "Population", content)

    def count_table(
        self, meta: IndicatorMeta, rows: pd.DataFrame, breakdown: str, label: str
    ) -> Table | None:
        part = rows[rows["breakdown"] == breakdown]
        total = _total_row(rows)
        if part.empty:
            return None
        recs = sorted(part.to_dict("records"), key=lambda r: _group_sort_key(breakdown)(r["group"]))
        counts = [_count(r["numerator"]) for r in recs]
        total_count = _count(total["numerator"]) if total else None
        body = []
        for r, c in zip(recs, counts, strict=True):
            body.append([Cell(None, group_label(breakdown, r["group"])), c, _share(c, total_count)])
        keys = [str(r["group"]) for r in recs]
        if total_count is not None:
            body.append([Cell(None, TOTAL_LABEL), total_count, _share(total_count, total_count)])
            keys.append(TOTAL)
        return Table(
            self._id("tab"),
            f"{meta.title} by {_lower(label)}, {when(rows, self.period)}",
            [
                Column("group", label, False),
                Column("count", "Number"),
                Column("share", "Per cent of all"),
            ],
            body,
            row_keys=keys,
            keys={
                "indicator_id": meta.id,
                "breakdown": breakdown,
                "kind": "count",
                "period_type": str(recs[0]["period_type"]),
                "period_start": str(recs[0]["period_start"]),
            },
        )

    def need_table(self) -> Table | None:
        r = self.shown[
            (self.shown["indicator_id"] == NEED_ID) & (self.shown["period_end"] <= self.period.end)
        ]
        if r.empty:
            return None
        # the 12 months to the end of the period; otherwise the latest period of one type
        latest = r[(r["period_type"] == "rolling_12m") & (r["period_end"] == self.period.end)]
        if latest.empty:
            latest = r[r["period_end"] == r["period_end"].max()]
            latest = latest[latest["period_type"] == latest["period_type"].iloc[0]]
        latest = latest.drop_duplicates("geography_code").sort_values("value", ascending=False)
        latest = latest.head(10)
        body = [
            [
                _rank_cell(row.get("numerator"), i + 1),
                Cell(None, str(row["geography_name"] or row["geography_code"])),
                _num(row["value"], 1),
            ]
            for i, row in enumerate(latest.to_dict("records"))
        ]
        return Table(
            self._id("tab"),
            "Areas of highest need: the 10 neighbourhoods with the highest need score, "
            + when(latest, self.period),
            [
                Column("rank", "Rank"),
                Column("area", "Neighbourhood", False),
                Column("score", "Need score (0 to 100)"),
            ],
            body,
            row_keys=[str(x) for x in latest["geography_code"]],
            keys={"indicator_id": NEED_ID, "kind": "need"},
            notes=[
                "The need score combines deprivation, the ethnic mix of women booking and "
                "outcomes; its method is in the indicator definitions."
            ],
        )

    def priority_sections(self) -> list[Section]:
        by_priority: dict[str, list[IndicatorMeta]] = {}
        present = set(self.results["indicator_id"])
        for meta in self.catalogue.values():
            if meta.id in present and meta.id not in POPULATION_IDS and meta.id != NEED_ID:
                by_priority.setdefault(meta.priority or "other", []).append(meta)
        order = list(PRIORITY_TITLES) + sorted(set(by_priority) - set(PRIORITY_TITLES))
        out = []
        for p in order:
            blocks = [b for m in by_priority.get(p, []) if (b := self.indicator_block(m))]
            if blocks:
                title = PRIORITY_TITLES.get(p, f"Priority {p}")
                out.append(Section(f"priority-{p}", title, list(blocks)))
        return out

    def quality_section(self) -> Section:
        dq = self.dq
        if dq.empty:
            return Section(
                "quality",
                "Data quality",
                [
                    Paragraph(
                        "No data-quality results in the warehouse (run maternity-equity quality).",
                        "warning",
                    )
                ],
            )
        dq = dq[(dq["geography_type"] == "lmns") & (dq["period_start"] <= self.period.end)]
        in_period = dq[dq["period_start"] >= self.period.start]
        titles = rule_titles()
        content: list[Any] = []
        if in_period.empty:
            content.append(Paragraph("No data-quality results for this period.", "warning"))
        else:
            month = in_period["period_start"].max()
            latest = in_period[in_period["period_start"] == month].sort_values("rule_id")
            body, keys = [], []
            for r in latest.to_dict("records"):
                num, den = _count(r["numerator"]), _count(r["denominator"])
                body.append(
                    [
                        Cell(None, titles.get(r["rule_id"], _label(r["rule_id"]))),
                        num,
                        den,
                        self._dq_value(r),
                        _num(_percent(r["threshold"])),
                        Cell(None, "Met" if bool(r["passed"]) else "Not met"),
                    ]
                )
                keys.append(str(r["rule_id"]))
            fails = [b[0].text for b in body if b[-1].text == "Not met"]
            text = (
                f"In {month:%B %Y}, {len(body) - len(fails)} of {len(body)} data-quality "
                "checks met their threshold"
            )
            text += f"; not met: {', '.join(fails)}." if fails else "."
            content.append(Paragraph(text, "summary"))
            content.append(
                Table(
                    self._id("tab"),
                    f"Data-quality checks, {month:%B %Y}",
                    [
                        Column("rule", "Check", False),
                        Column("numerator", "Records passing"),
                        Column("denominator", "Records checked"),
                        Column("value", "Per cent passing"),
                        Column("threshold", "Threshold (%)"),
                        Column("passed", "Result", False),
                    ],
                    body,
                    row_keys=keys,
                    keys={"kind": "dq", "period_start": str(month)},
                    notes=["Whether a check met its threshold is decided on unrounded figures."],
                )
            )
        # the trend: the two Maternity Incentive Scheme checks, and any check not met lately
        failing = set(in_period.loc[~in_period["passed"].astype(bool), "rule_id"])
        trend = dq[dq["rule_id"].isin(set(KEY_DQ_RULES) | failing)]
        months = sorted(set(trend["period_start"]))[-SPC_MAX_POINTS:]
        trend = trend[trend["period_start"].isin(months)].sort_values(["period_start", "rule_id"])
        rules = list(dict.fromkeys(trend["rule_id"]))
        if len(trend["period_start"].unique()) >= 2:
            long = [
                {
                    "period_start": r["period_start"],
                    "rule": titles.get(r["rule_id"], _label(r["rule_id"])),
                    "value": self._dq_value(r).value,
                }
                for r in trend.to_dict("records")
            ]
            spec = charts.trend_line(
                long,
                x="period_start",
                y="value",
                series="rule",
                title="Data-quality checks over time",
                value_title="Per cent passing",
                series_title="Check",
                description="Line chart of the per cent of records passing the Maternity "
                "Incentive Scheme checks (and any check not met this quarter), by month, up to "
                "the end of the period: "
                + "; ".join(
                    f"{titles.get(r, _label(r))} latest "
                    f"{self._dq_value(trend[trend['rule_id'] == r].iloc[-1]).text}%"
                    for r in rules
                )
                + ".",
            )
            months = list(dict.fromkeys(trend["period_start"]))
            cells = {
                (r["period_start"], r["rule_id"]): self._dq_value(r)
                for r in trend.to_dict("records")
            }
            wide = Table(
                self._id("tab"),
                "Data for the chart: per cent of records passing the key checks",
                [Column("period_start", "Month", False)]
                + [Column(r, titles.get(r, _label(r))) for r in rules],
                [
                    [Cell(None, f"{m:%b %Y}")]
                    + [cells.get((m, r), Cell(None, sdc.NOT_AVAILABLE)) for r in rules]
                    for m in months
                ],
                row_keys=[str(m) for m in months],
                keys={"kind": "dq_trend"},
            )
            content.append(Chart(wide.id + "-chart", "Data-quality checks over time", spec, wide))
        return Section("quality", "Data quality", content)

    def _dq_value(self, r: Mapping[str, Any]) -> Cell:
        """Per cent passing (published: computed from the rounded counts by ``publish``)."""
        return _num(_percent(r["value"]))

    def plan_section(self) -> Section:
        plan = self.plan
        if plan is None:
            return Section(
                "plan",
                "Action plan",
                [
                    Paragraph(
                        "No plan database was given, so plan progress is not reported.", "warning"
                    )
                ],
            )
        content: list[Any] = []
        if plan.interventions:
            body = [
                [
                    Cell(None, i.priority),
                    Cell(None, i.intervention),
                    Cell(i.actions, str(i.actions)),
                    Cell(i.complete, str(i.complete)),
                    Cell(i.on_track, str(i.on_track)),
                    Cell(i.at_risk, str(i.at_risk)),
                    Cell(i.overdue, str(i.overdue)),
                ]
                for i in plan.interventions
            ]
            total = sum(i.actions for i in plan.interventions)
            done = sum(i.complete for i in plan.interventions)
            late = sum(i.overdue for i in plan.interventions)
            content.append(
                Paragraph(
                    f"Of {total} actions in the plan, {done} {_are(done)} complete and {late} "
                    f"{_are(late)} overdue.",
                    "summary",
                )
            )
            content.append(
                Table(
                    self._id("tab"),
                    "Progress by intervention",
                    [
                        Column("priority", "Priority", False, "9%"),
                        Column("intervention", "Intervention", False, "41%"),
                        Column("actions", "Actions", True, "10%"),
                        Column("complete", "Complete", True, "10%"),
                        Column("on_track", "On track", True, "10%"),
                        Column("at_risk", "At risk", True, "10%"),
                        Column("overdue", "Overdue", True, "10%"),
                    ],
                    body,
                    row_keys=[i.intervention for i in plan.interventions],
                    keys={"kind": "plan_progress"},
                )
            )
        content.append(
            _simple_table(
                self._id("tab"),
                f"Overdue actions (open and due before {self.today:%d %B %Y})",
                [
                    ("number", "Action"),
                    ("text", "Description"),
                    ("lead", "Lead"),
                    ("due", "Due"),
                    ("status", "Status"),
                ],
                [[a.number, a.text, a.lead, _d(a.due), a.status] for a in plan.overdue],
                empty="No action is overdue.",
                widths=("9%", "40%", "25%", "12%", "14%"),
            )
        )
        content.append(
            _simple_table(
                self._id("tab"),
                "Milestones due this quarter and next",
                [
                    ("title", "Milestone"),
                    ("intervention", "Intervention"),
                    ("due", "Due"),
                    ("status", "Status"),
                ],
                [[m.title, m.intervention, _d(m.due), m.status] for m in plan.milestones_due],
                empty="No milestone falls due.",
                widths=("40%", "34%", "12%", "14%"),
            )
        )
        content.append(
            _simple_table(
                self._id("tab"),
                f"Co-production held, {self.period.title}",
                [
                    ("date", "Date"),
                    ("title", "Event"),
                    ("groups", "Groups"),
                    ("heard", "What we heard"),
                ],
                [[_d(e.date), e.title, e.groups, e.heard] for e in plan.coproduction],
                empty="No co-production event was recorded in the period.",
                widths=("12%", "26%", "27%", "35%"),
            )
        )
        return Section("plan", "Action plan", content)

    def _wres(self) -> list[tuple[WresIndicator, WresIndicator]]:
        """(as shown, as stored) for each WRES indicator. Published: computed again from the
        return's rows after disclosure control; figures given without their counts (a feed
        of plain numbers) and the notes (which quote unrounded counts) are not published."""
        plan = self.plan
        if plan is None or not plan.wres:
            return []
        if self.variant == "internal":
            return [(w, w) for w in plan.wres]
        shown = (
            {w.number: w for w in wres_indicators(publish_results(plan.wres_rows))}
            if (plan.wres_rows is not None and not plan.wres_rows.empty)
            else {}
        )
        blank = {"white": None, "bme": None, "measure": None}
        return [(replace(shown.get(w.number, replace(w, **blank)), note=""), w) for w in plan.wres]

    def workforce_section(self) -> Section:
        pairs = self._wres()
        wres = [w for w, _ in pairs]
        if not wres:
            return Section(
                "workforce",
                "Workforce race equality (WRES)",
                [
                    Paragraph(
                        "No WRES return for maternity and neonatal staff was found.", "warning"
                    )
                ],
            )
        body = [
            [
                Cell(w.number, str(w.number)),
                Cell(None, w.title),
                _wres_cell(w.white, stored.white),
                _wres_cell(w.bme, stored.bme),
                _wres_cell(w.measure, stored.measure),
                Cell(None, w.measure_label),
                Cell(None, w.note),
            ]
            for w, stored in sorted(pairs, key=lambda p: p[0].number)
        ]
        return Section(
            "workforce",
            "Workforce race equality (WRES)",
            [
                Paragraph(
                    "WRES indicators for maternity and neonatal midwives and nurses. Indicators "
                    "2 to 4 are relative likelihoods (1 means equal); indicators 5 to 8 are "
                    "staff survey percentages; indicator 9 is the difference in percentage "
                    "points between the board and the workforce."
                ),
                Table(
                    self._id("tab"),
                    "Workforce race equality standard indicators",
                    [
                        Column("number", "WRES", True, "6%"),
                        Column("title", "Indicator", False, "34%"),
                        Column("white", "White (%)", True, "9%"),
                        Column("bme", "BME (%)", True, "9%"),
                        Column("measure", "Measure", True, "9%"),
                        Column("measure_label", "Measure is", False, "13%"),
                        Column("note", "Note", False, "20%"),
                    ],
                    body,
                    row_keys=[str(w.number) for w in sorted(wres, key=lambda w: w.number)],
                    keys={"kind": "wres"},
                    notes=[]
                    if self.variant == "internal"
                    else [
                        "Percentages and relative likelihoods are calculated from counts rounded "
                        "to the nearest 5; * marks a figure resting on 1 to 7 staff, or one the "
                        "return gives without its counts (indicator 9)."
                    ],
                ),
            ],
        )

    def methods_section(self, indicator_ids: Iterable[str]) -> Section:
        metas = [self.catalogue[i] for i in indicator_ids if i in self.catalogue]
        content: list[Any] = [
            Paragraph(
                "Values are for women booked, giving birth or reaching the stated gestation in "
                "the period, in the LMNS footprint. 95% confidence intervals use the Wilson score "
                "method for percentages and exact Poisson (fewer than 10 events) or Byar's method "
                "for rates. The ratio compares each group with the reference group (White; least "
                "deprived quintile). The slope index of inequality (SII) is the modelled "
                "difference between the most and least deprived ends of the IMD distribution "
                "(most deprived minus least deprived, so a positive SII means higher values in "
                "more deprived areas; quintile 1 is the most deprived). SPC charts follow NHS "
                "England's Making Data Count method: XmR process limits at the mean plus or "
                "minus 2.66 times the mean moving range, special cause rules of a point beyond "
                "the limits, 7-point trends and shifts, and 2 of 3 points near a limit."
            ),
            Paragraph(
                "Disclosure control: "
                + sdc.RULE_TEXT
                + (
                    " This internal variant shows unrounded figures and must not be published."
                    if self.variant == "internal"
                    else ""
                )
            ),
            _simple_table(
                self._id("tab"),
                "Symbols used in tables",
                [("symbol", "Symbol"), ("meaning", "Meaning")],
                [[k, v] for k, v in sdc.SYMBOLS.items()],
            ),
        ]
        content.append(
            _simple_table(
                self._id("tab"),
                "Indicator definitions",
                [
                    ("id", "Indicator id"),
                    ("title", "Title"),
                    ("priority", "Priority"),
                    ("unit", "Unit"),
                    ("definition", "Definition"),
                    ("source", "Source"),
                ],
                [[m.id, m.title, m.priority, m.unit, m.definition, m.source] for m in metas],
                widths=("19%", "21%", "8%", "8%", "35%", "9%"),
            )
        )
        vint = self.data.vintages
        sources = [["Maternity extract", "Provider extract shaped like MSDS v2 (see run inputs)"]]
        for v in vint.to_dict("records"):
            sources.append(
                [
                    "Index of Multiple Deprivation",
                    f"{v['imd_vintage']} on {v['lsoa_vintage']} LSOAs",
                ]
            )
        content.append(
            _simple_table(
                self._id("tab"),
                "Data sources and vintages",
                [("source", "Source"), ("vintage", "Vintage")],
                sources,
            )
        )
        runs = self.data.runs
        if not runs.empty:
            cols = ["run_id", "kind", "started_at", "finished_at", "code_version", "status"]
            content.append(
                _simple_table(
                    self._id("tab"),
                    "Run record",
                    [(c, c.replace("_", " ").capitalize()) for c in cols],
                    [[_when_text(r[c]) for c in cols] for r in runs.to_dict("records")],
                    widths=[RUN_WIDTHS.get(c, "") for c in cols],
                )
            )
            inputs = run_inputs(runs)
            if inputs:
                content.append(
                    _simple_table(
                        self._id("tab"),
                        "Run inputs and their SHA-256 hashes",
                        [
                            ("run_id", "Run"),
                            ("kind", "Kind"),
                            ("path", "File"),
                            ("sha256", "SHA-256"),
                        ],
                        [[i["run_id"], i["kind"], i["path"], i["sha256"]] for i in inputs],
                        widths=("24%", "8%", "28%", "40%"),
                    )
                )
        return Section("methods", "Methods, definitions and data sources", content)

    def lmns_name(self) -> str:
        names = _lmns(self.results)["geography_name"].dropna()
        return str(names.iloc[0]) if not names.empty else "LMNS"

    def build(self) -> Report:
        sections = [self.summary_section(), self.population_section()]
        sections += self.priority_sections()
        sections += [self.quality_section(), self.plan_section(), self.workforce_section()]
        shown = [
            t.keys["indicator_id"]
            for s in sections
            for t in _tables_in(s)
            if "indicator_id" in t.keys
        ]
        sections.append(self.methods_section(dict.fromkeys(shown)))
        return Report(
            title=f"Maternity equity and equality report: {self.lmns_name()}",
            lmns=self.lmns_name(),
            period_label=self.period.label,
            period_title=self.period.title,
            variant=self.variant,
            generated_at=dt.datetime.now(dt.UTC).strftime("%d %B %Y %H:%M UTC"),
            sections=sections,
        )


# ----- small helpers ---------------------------------------------------------------------------


def _present(x: Any) -> bool:
    return x is not None and not (isinstance(x, float) and math.isnan(x)) and x is not pd.NA


def _num(x: Any, decimals: int = 1) -> Cell:
    return sdc._num_cell(x, decimals)


def _count(n: Any) -> Cell:
    """A count as the row holds it (rounded already in published rows)."""
    return sdc._count_cell(n)


def _wres_cell(shown: float | None, stored: float | None) -> Cell:
    """A WRES figure; ``*`` where one was computed but may not be published."""
    if shown is None and stored is not None:
        return Cell(None, sdc.SUPPRESSED)
    return _num(shown, 2)


def _gap_mark(f: Figures) -> str:
    """The label drawn at the foot of a trend chart where a point is withheld."""
    if not f.value.withheld:
        return ""
    if f.suppressed:
        return sdc.SUPPRESSED
    return "DQ" if f.failing_dq else sdc.NOT_AVAILABLE


def _share(part: Cell, whole: Cell | None) -> Cell:
    if whole is None or not whole.value or part.value is None:
        return Cell(None, sdc.NOT_AVAILABLE)
    return _num(part.value / whole.value * 100)


def _d(day: dt.date | None) -> str:
    return "" if day is None else f"{day:%d %b %Y}"


def rule_titles() -> dict[str, str]:
    """Data-quality rule titles from the quality module's rulebook."""
    return {rule.id: rule.title for rule in load_rules()}


def _label(rule_id: str) -> str:
    return str(rule_id).replace("_", " ").capitalize()


def _percent(x: Any) -> float | None:
    """A dq_results fraction (0.95; quality stores value and threshold as fractions) in per cent."""
    return float(x) * 100 if _present(x) else None


RUN_WIDTHS = {
    "run_id": "30%",
    "kind": "10%",
    "started_at": "17%",
    "finished_at": "17%",
    "code_version": "16%",
    "status": "10%",
}


def _when_text(value: Any) -> str:
    """Timestamps to the minute (the run id carries the exact time)."""
    if isinstance(value, (dt.datetime, pd.Timestamp)):
        return f"{value:%Y-%m-%d %H:%M}"
    text = str(value)
    if len(text) >= 16 and text[4] == "-" and text[10] in "T ":
        return text[:10] + " " + text[11:16]
    return text


def _rank_cell(rank: Any, fallback: int) -> Cell:
    n = int(rank) if _present(rank) else fallback
    return Cell(n, str(n))


def group_label(breakdown: str, group: Any) -> str:
    """How a group is shown: IMD quintiles get their 'most/least deprived' labels."""
    text = str(group)
    if breakdown == "imd_quintile" and text.isdigit() and 1 <= int(text) <= 5:
        return quintile_label(int(text))
    return text


def _reference_label(table: Table, breakdown: str, rows: pd.DataFrame) -> str | None:
    """The label of the reference group (White; least deprived), drawn darker on the chart."""
    part = rows[rows["breakdown"] == breakdown]
    refs = [r for r in part["reference_group"].dropna().unique() if str(r)]
    ref = str(refs[0]) if refs else ("White" if breakdown == "ethnic_group" else "5")
    return group_label(breakdown, ref) if ref in table.row_keys else None


def _are(n: int) -> str:
    return "is" if n == 1 else "are"


def _lower(label: str) -> str:
    """Lower-case a label for running text, keeping acronyms such as IMD."""
    return " ".join(w if w.isupper() else w.lower() for w in label.split())


def _value_title(meta: IndicatorMeta) -> str:
    return {"%": "Per cent", "": "Value"}.get(meta.unit, meta.unit[:1].upper() + meta.unit[1:])


def _indicator_columns(meta: IndicatorMeta, label: str) -> list[Column]:
    return [
        Column("group", label, False),
        Column("numerator", "Numerator"),
        Column("denominator", "Denominator"),
        Column("value", _value_title(meta)),
        Column("lower", "Lower 95% CI"),
        Column("upper", "Upper 95% CI"),
        Column("ratio", "Ratio to reference"),
        Column("ratio_lower", "Ratio lower CI"),
        Column("ratio_upper", "Ratio upper CI"),
        Column("compared", "Compared with reference", False),
    ]


def _figure_cells(f: Figures) -> list[Cell]:
    return [
        f.numerator,
        f.denominator,
        f.value,
        f.lower,
        f.upper,
        f.ratio,
        f.ratio_lower,
        f.ratio_upper,
        f.compared,
    ]


def _bar_rows(table: Table) -> list[dict[str, Any]]:
    out = []
    for key, row in zip(table.row_keys, table.rows, strict=True):
        if key == TOTAL:
            continue
        out.append(
            {
                "group": row[0].text,
                "value": row[3].value,
                "lower_ci": row[4].value,
                "upper_ci": row[5].value,
            }
        )
    return out


def _bar_description(meta: IndicatorMeta, table: Table, label: str) -> str:
    parts = []
    for key, row in zip(table.row_keys, table.rows, strict=True):
        if key != TOTAL:
            value = row[3]
            text = "0" if value.text == sdc.ZERO else value.text
            shown = with_unit(text, meta.unit) if not value.withheld else "not shown"
            parts.append(f"{row[0].text} {shown}")
    return (
        f"Bar chart of {meta.title} by {_lower(label)} with 95% confidence intervals and a "
        f"line at the LMNS value: " + "; ".join(parts) + "."
    )


def _chart_table(
    table_id: str, caption: str, spec: dict[str, Any], meta: IndicatorMeta | None, kind: str
) -> Table:
    data = charts.data_table(spec)
    cols = [
        Column(
            c["field"],
            c["title"],
            c["field"] not in ("date", "point_label", "rule", "period_start"),
        )
        for c in data["columns"]
    ]
    dates = {i for i, c in enumerate(data["columns"]) if c["field"] in ("date", "period_start")}
    rows = [
        [_date_cell(v) if i in dates else _cell(v) for i, v in enumerate(r)] for r in data["rows"]
    ]
    keys = {"kind": kind}
    if meta is not None:
        keys["indicator_id"] = meta.id
    notes: list[str] = []
    if kind == "spc":
        cols, rows, notes = _compact_spc(cols, rows)
    return Table(
        table_id,
        caption,
        cols,
        rows,
        row_keys=[str(r[0]) for r in data["rows"]],
        keys=keys,
        notes=notes,
    )


def _compact_spc(
    cols: list[Column], rows: list[list[Cell]]
) -> tuple[list[Column], list[list[Cell]], list[str]]:
    """Mean and limits are the same on every row when the process has one segment: say them
    once under the table rather than on every row (shorter to read, faster to paginate)."""
    idx = {c.key: i for i, c in enumerate(cols)}
    limit_cols = [idx[k] for k in ("mean", "lpl", "upl") if k in idx]
    if not rows or len(limit_cols) != 3:
        return cols, rows, []
    if any(len({r[i].text for r in rows}) > 1 for i in limit_cols):
        return cols, rows, []
    mean, lpl, upl = (rows[0][i].text for i in limit_cols)
    keep = [i for i in range(len(cols)) if i not in limit_cols]
    note = f"Mean {mean}; lower process limit {lpl}; upper process limit {upl} (every point)."
    return [cols[i] for i in keep], [[r[i] for i in keep] for r in rows], [note]


def _date_cell(v: Any) -> Cell:
    return Cell(None, f"{dt.date.fromisoformat(str(v)[:10]):%b %Y}") if v else Cell(None, "")


def _cell(v: Any) -> Cell:
    if v is None:
        return Cell(None, sdc.NOT_AVAILABLE)
    if isinstance(v, (bool, str)):
        return Cell(None, str(v))
    if isinstance(v, int):
        return Cell(v, f"{v:,}")
    return _num(v)


def _simple_table(
    table_id: str,
    caption: str,
    columns: list[tuple[str, str]],
    rows: list[list[Any]],
    *,
    empty: str = "",
    widths: Iterable[str] = (),
) -> Table | Paragraph:
    if not rows and empty:
        return Paragraph(empty)
    hints = list(widths) or [""] * len(columns)
    if not any(hints):
        hints = [""] * len(columns)
    return Table(
        table_id,
        caption,
        [Column(k, t, False, w) for (k, t), w in zip(columns, hints, strict=True)],
        [[Cell(None, "" if v is None else str(v)) for v in r] for r in rows],
        row_keys=[str(r[0]) for r in rows],
        keys={"kind": "text"},
    )


def _tables_in(section: Section) -> list[Table]:
    out: list[Table] = []
    for item in section.content:
        if isinstance(item, Table):
            out.append(item)
        elif isinstance(item, Chart):
            out.append(item.table)
        elif isinstance(item, Block):
            out.extend(
                c if isinstance(c, Table) else c.table
                for c in item.content
                if isinstance(c, (Table, Chart))
            )
    return out
