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
from dataclasses import dataclass, replace
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
from maternity_equity.reports.model import (
    Block,
    Chart,
    Column,
    Paragraph,
    Report,
    Section,
    Table,
    row_source,
)
from maternity_equity.reports.sentences import (
    comparison_sentence,
    headline_sentence,
    inequality_sentence,
    reference_population_label,
    sii_headline_sentence,
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
TOTAL_LABEL = "LMNS total"
SPC_MIN_POINTS = 12
SPC_MAX_POINTS = 24  # the last two years of months: enough for stable limits, short to read
# a rare event's quarterly SPC chart needs at least this many events in every quarter (the
# publication threshold): below it most points are withheld and XmR limits mean little
SPC_MIN_EVENTS = 8
ROLLING_POINTS = 12  # rolling 12-month rates at the last 12 quarter ends (three years)
MIN_CHART_POINTS = 2  # a trend chart with fewer shown points is not drawn
SII_BREAKDOWN_LABELS = {"imd_decile": "IMD deciles", "imd_quintile": "IMD quintiles"}


@dataclass(frozen=True)
class Trend:
    """An indicator's trend chart and what it says about variation.

    With no SPC judgement, ``why`` says why in a paragraph, ``sentence`` in one sentence for
    the summary and ``short`` in a few words for the headline table.
    """

    chart: Chart | None
    variation: str | None = None
    assurance: str | None = None
    why: str = ""
    sentence: str = ""
    short: str = "Not assessed"


def is_aggregate_group(group: Any) -> bool:
    """A row that sums a breakdown ("All", "All quintiles", "All deciles"): not a group."""
    text = str(group)
    return text == TOTAL or text.startswith(TOTAL + " ")


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
        self.results = _plain_columns(data.results)
        for ind_id in sorted(set(self.results["indicator_id"]) - set(self.catalogue)):
            self.catalogue[ind_id] = IndicatorMeta(id=ind_id, title=ind_id)
        self.today = today or dt.date.today()
        self._n = 0
        published = variant == "published"
        # what this variant may show: published rows (rounded, suppressed, gated) or stored ones
        self.shown = (
            publish_results(self._rows_shown())
            if published
            else self.results.assign(suppressed=False)
        )
        self.dq = publish_dq_results(data.dq_results) if published else data.dq_results
        lmns = _lmns(self.shown)
        self._by_indicator = {k: g for k, g in lmns.groupby("indicator_id", sort=False)}
        stored = _lmns(self.results)
        self._stored_by_indicator = {k: g for k, g in stored.groupby("indicator_id", sort=False)}
        self._trend_cache: dict[str, Trend] = {}

    def _rows_shown(self) -> pd.DataFrame:
        """The rows the report can show, so only they are published: every period's overall
        rows (the trend charts), the group rows of the report's period and a year earlier
        (tables and baselines), and every period's ethnic groups of the rates that group
        ratios are computed from. Whole slices are kept or dropped, except that a trend's
        overall rows keep no group rows: their published value rests on their own counts."""
        r = self.results
        ends = {self.period.end, self.period.year_earlier().end}
        in_period = r["period_type"].isin(("quarter", "rolling_12m")) & r["period_end"].isin(ends)
        sources = {m.source_indicator for m in self.catalogue.values() if m.kind == "group_ratio"}
        ratio_sources = r["indicator_id"].isin(sources) & (r["breakdown"] == "ethnic_group")
        keep = (r["breakdown"] == "all") | in_period | ratio_sources
        keep |= r["geography_type"] != "lmns"  # the need ranking
        return r[keep & (r["period_end"] <= self.period.end)]

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

    def _trend(self, meta: IndicatorMeta) -> Trend:
        """The trend chart up to the end of the period (computed once per indicator)."""
        if meta.id not in self._trend_cache:
            self._trend_cache[meta.id] = self._make_trend(meta)
        return self._trend_cache[meta.id]

    def _make_trend(self, meta: IndicatorMeta) -> Trend:
        """Monthly SPC; quarterly for series of fewer than 12 months and for rare events,
        whose months are mostly too small to publish; a rare event with fewer than 8 events
        in any quarter gets its rolling 12-month rate at each quarter end instead, with no
        SPC judgement. The choice rests on the stored rows, the same in both variants, so
        suppression never changes the kind of chart. A withheld point leaves a gap."""
        if meta.kind == "sii":
            return Trend(
                None,
                why="No SPC chart: a slope index of inequality is compared with its baseline, "
                "not charted as a process over time.",
                short="Not assessed: an index",
            )
        r = self._by_indicator.get(meta.id)
        if r is None:
            return Trend(None)
        r = r[(r["breakdown"] == "all") & (r["period_end"] <= self.period.end)]
        months = r[r["period_type"] == "month"]
        monthly = not meta.rare and len(months) >= SPC_MIN_POINTS
        period_type, label = ("month", "monthly") if monthly else ("quarter", "quarterly")
        series = r[r["period_type"] == period_type].sort_values("period_start")
        series = series.tail(SPC_MAX_POINTS)
        if meta.rare and len(series) >= 2:
            stored = self._stored_by_indicator[meta.id]
            stored = stored[
                (stored["breakdown"] == "all")
                & (stored["period_type"] == "quarter")
                & stored["period_start"].isin(set(series["period_start"]))
            ]
            few = int((pd.to_numeric(stored["numerator"]) < SPC_MIN_EVENTS).sum())
            if few:
                return self._rolling_trend(meta, r, few, len(series))
        if len(series) < 2:
            return Trend(
                None,
                why="No SPC chart: fewer than two periods.",
                sentence="There are too few periods for an SPC judgement of variation.",
                short="Not assessed: too few periods",
            )
        figures = [self.publish(row, meta) for row in series.to_dict("records")]
        sources = [row_source(row) for row in series.to_dict("records")]
        if any(f.value.withheld for f in figures):
            return self._gap_trend(meta, series, figures, sources, label)
        return self._spc_trend(meta, series, figures, sources, label)

    def _rolling_trend(self, meta: IndicatorMeta, r: pd.DataFrame, few: int, n: int) -> Trend:
        """Rolling 12-month rates at quarter ends, for rare events too few for SPC."""
        why = (
            f"No SPC chart: {few} of the last {n} quarters had fewer than {SPC_MIN_EVENTS} "
            "events, too few for process limits to mean anything."
        )
        sentence = (
            f"Events are too few for an SPC judgement ({few} of the last {n} quarters had fewer "
            f"than {SPC_MIN_EVENTS})"
        )
        rolling = r[(r["period_type"] == "rolling_12m") & r["period_end"].map(_is_quarter_end)]
        rolling = rolling.sort_values("period_end").tail(ROLLING_POINTS)
        recs = rolling.to_dict("records")
        figures = [self.publish(row, meta) for row in recs]
        short = "Not assessed: too few events"
        marks = [_gap_mark(f) for f in figures]
        shown = sum(1 for m in marks if not m)
        if shown < MIN_CHART_POINTS:  # a line needs two points: say so rather than draw none
            why += (
                f" Only {shown} of the {len(recs)} rates for the 12 months to each quarter end "
                "can be shown, too few to chart."
            )
            return Trend(None, why=why, sentence=sentence + ".", short=short)
        why += (
            " The chart shows the rate for the 12 months to the end of each quarter instead; "
            "these periods overlap, so no judgement of special or common cause variation is "
            "made from them."
        )
        sentence += ", so the trend is shown as rolling 12-month rates."
        title = f"{meta.title}: rate for the 12 months to each quarter end"
        chart = self._gap_chart(
            meta,
            # plotted at the first day of the period's last month, so the axis and the table
            # both read "Mar 2025" for the 12 months to 31 March 2025
            [row["period_end"].replace(day=1) for row in recs],
            figures,
            marks,
            title,
            f"Line chart of the {meta.title} over the 12 months to the end of each "
            f"quarter, {len(recs)} points, {shown} shown"
            + (f", {len(recs) - shown} not shown (marked at the foot)" if shown < len(recs) else "")
            + f"; latest {_shown_text(figures[-1], meta)}.",
            self._id("trend"),
            [row_source(row) for row in recs],
        )
        chart.table.columns[0] = replace(chart.table.columns[0], title="12 months to")
        return Trend(chart, why=why, sentence=sentence, short=short)

    def _gap_chart(
        self,
        meta: IndicatorMeta,
        dates: list,
        figures: list[Figures],
        marks: list[str],
        title: str,
        description: str,
        table_id: str,
        sources: list[dict[str, str]],
    ) -> Chart:
        """A line that breaks where points are withheld (their symbols at the foot), with the
        table of its figures."""
        spec = charts.series_with_gaps(
            dates,
            [f.value.value for f in figures],
            marks,
            [f.value.text if m else "" for f, m in zip(figures, marks, strict=True)],
            target=meta.target,
            title=title,
            value_title=_value_title(meta),
            description=description,
        )
        table = _chart_table(table_id, f"Data for the chart: {title}", spec, meta, "trend", sources)
        return Chart(table.id + "-chart", title, spec, table)

    def _gap_trend(
        self,
        meta: IndicatorMeta,
        series: pd.DataFrame,
        figures: list[Figures],
        sources: list[dict[str, str]],
        label: str,
    ) -> Trend:
        """The series with gaps where points are withheld; no process limits without them."""
        marks = [_gap_mark(f) for f in figures]
        title = f"{meta.title}: {label} trend"
        withheld = sum(1 for m in marks if m)
        why = (
            f"No SPC judgement: {withheld} of the {len(marks)} {label} points are suppressed "
            "or fail data quality, so process limits cannot be calculated."
        )
        sentence = (
            f"There is no SPC judgement of variation: {withheld} of the {len(marks)} {label} "
            "points are not shown."
        )
        short = "Not assessed: points withheld"
        if len(marks) - withheld < MIN_CHART_POINTS:
            why += f" Only {len(marks) - withheld} can be shown, too few to chart."
            return Trend(None, why=why, sentence=sentence, short=short)
        chart = self._gap_chart(
            meta,
            list(series["period_start"]),
            figures,
            marks,
            title,
            f"Line chart of the {label} {meta.title}: {withheld} of the {len(marks)} points "
            "are not shown (marked at the foot of the chart), so the line breaks there.",
            self._id("spc"),
            sources,
        )
        return Trend(chart, why=why, sentence=sentence, short=short)

    def _spc_trend(
        self,
        meta: IndicatorMeta,
        series: pd.DataFrame,
        figures: list[Figures],
        sources: list[dict[str, str]],
        label: str,
    ) -> Trend:
        values = [float(f.value.value) for f in figures]  # type: ignore[arg-type]
        result = xmr(values, improvement_direction=meta.improvement_direction, target=meta.target)
        dates = list(series["period_start"])
        notes = [
            (a.date, a.label)
            for a in (self.plan.annotations if self.plan else [])
            if meta.id in a.indicator_ids and dates[0] <= a.date <= self.period.end
        ]
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
        table = _chart_table(
            self._id("spc"), f"Data for the chart: {title}", spec, meta, "spc", sources
        )
        chart = Chart(table.id + "-chart", title, spec, table)
        return Trend(chart, result.variation, result.assurance)

    # ----- indicator tables ----------------------------------------------------------------------

    def breakdown_table(
        self, meta: IndicatorMeta, rows: pd.DataFrame, breakdown: str, label: str
    ) -> tuple[Table, list[Figures]] | None:
        """One indicator by ethnic group or IMD quintile, with the total; None with fewer than
        two groups (a table of one group repeats the total)."""
        part = rows[(rows["breakdown"] == breakdown) & ~rows["group"].map(is_aggregate_group)]
        if part["group"].nunique() < 2:
            return None
        recs = sorted(part.to_dict("records"), key=lambda r: _group_sort_key(breakdown)(r["group"]))
        total = _total_row(rows)
        # secondary suppression is already in the published rows (publish.publish_results)
        figures = [self.publish(r, meta) for r in recs]
        groups = [str(r["group"]) for r in recs]
        ref = next(
            (str(r["reference_group"]) for r in recs if _present(r.get("reference_group"))), ""
        )
        body = [
            _group_cells(group_label(breakdown, g), f, reference=g == ref)
            for g, f in zip(groups, figures, strict=True)
        ]
        keys, sources = groups[:], [row_source(r) for r in recs]
        if total is not None:
            cells = _figure_cells(self.publish(total, meta))
            if str(total.get("reference_group") or "") not in groups:
                # the total is compared with a group outside this table, or with none
                cells[5:] = [Cell(None, sdc.NOT_APPLICABLE)] * 4
            body.append([Cell(None, self.total_label(meta)), *cells])
            keys.append(TOTAL)
            sources.append(row_source(total))
        caption = f"{meta.title} by {_lower(label)}, {when(rows, self.period)}"
        if ref and ref in groups:
            caption += f" (reference group: {group_label(breakdown, ref)})"
        table = Table(
            self._id("tab"),
            caption,
            _indicator_columns(meta, label),
            body,
            row_keys=keys,
            keys={
                "indicator_id": meta.id,
                "breakdown": breakdown,
                "period_type": str(recs[0]["period_type"]),
                "period_start": str(recs[0]["period_start"]),
                "kind": "indicator",
            },
            row_sources=sources,
        )
        return table, figures

    def total_label(self, meta: IndicatorMeta) -> str:
        """The total row: the indicator's own population where it is one target group."""
        if meta.reference_breakdown:
            return f"{_population(meta)[:1].upper()}{_population(meta)[1:]} (total)"
        return TOTAL_LABEL

    def comparison_table(
        self, meta: IndicatorMeta, rows: pd.DataFrame
    ) -> tuple[Table, Figures, Figures] | None:
        """A targeted indicator beside its reference population (continuity of carer: Black,
        Asian and Mixed women beside White women; the most deprived decile beside the least
        deprived): the overall row carries the ratio to the reference."""
        pair = _comparison_rows(meta, rows)
        if pair is None:
            return None
        total, ref_row = pair
        fig_total, fig_ref = self.publish(total, meta), self.publish(ref_row, meta)
        reference = reference_population_label(meta.reference_breakdown, meta.reference_group)
        table = Table(
            self._id("tab"),
            f"{meta.title} compared with {reference}, {when(rows, self.period)}",
            _indicator_columns(meta, "Population"),
            [
                [Cell(None, self.total_label(meta)), *_figure_cells(fig_total)],
                [
                    Cell(None, f"Reference: {reference}"),
                    *_group_cells("", fig_ref, reference=True)[1:],
                ],
            ],
            row_keys=[TOTAL, meta.reference_group],
            keys={
                "indicator_id": meta.id,
                "breakdown": meta.reference_breakdown,
                "period_type": str(total["period_type"]),
                "period_start": str(total["period_start"]),
                "kind": "comparison",
            },
            row_sources=[row_source(total), row_source(ref_row)],
        )
        return table, fig_total, fig_ref

    def inequality_table(
        self, meta: IndicatorMeta, rows: pd.DataFrame, quintile_figures: list[Figures]
    ) -> tuple[Table, Cell, Cell, Cell] | None:
        part = rows[rows["breakdown"] == "imd_quintile"]
        part = part[~part["group"].map(is_aggregate_group)]
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
            row_sources=[row_source(first)] * 2,
        )
        return table, *cells["sii"]

    def sii_table(self, meta: IndicatorMeta, rows: pd.DataFrame) -> Table | None:
        """An SII indicator's rows (one per deprivation breakdown, deciles first)."""
        recs = [
            r
            for b in SII_BREAKDOWN_LABELS
            for r in rows[rows["breakdown"] == b].to_dict("records")
            if is_aggregate_group(r["group"])
        ]
        if not recs:
            return None
        body = []
        for r in recs:
            f = self.publish(r, meta)
            if f.suppressed or f.value.withheld:
                rii = [Cell(None, f.value.text if f.value.withheld else sdc.SUPPRESSED)] * 3
            else:
                rii = [_num(r.get(k), 2) for k in ("rii", "rii_lower", "rii_upper")]
            body.append(
                [Cell(None, SII_BREAKDOWN_LABELS[r["breakdown"]]), f.value, f.lower, f.upper, *rii]
            )
        unit = f" ({meta.unit})" if meta.unit not in ("", "%") else ""
        return Table(
            self._id("tab"),
            f"{meta.title}, {when(recs[0], self.period)}",
            [
                Column("breakdown", "Deprivation groups", False, "22%"),
                Column("value", f"SII{unit}", True, "13%"),
                Column("lower", "Lower 95% CI", True, "13%"),
                Column("upper", "Upper 95% CI", True, "13%"),
                Column("rii", "RII", True, "13%"),
                Column("rii_lower", "RII lower CI", True, "13%"),
                Column("rii_upper", "RII upper CI", True, "13%"),
            ],
            body,
            row_keys=[str(r["breakdown"]) for r in recs],
            keys={
                "indicator_id": meta.id,
                "kind": "sii",
                "period_type": str(recs[0]["period_type"]),
            },
            notes=[
                "SII: the modelled value at the most deprived end minus that at the least "
                "deprived end; RII: the one divided by the other. Deciles are the headline "
                "measure of the guidance."
            ],
            row_sources=[row_source(r) for r in recs],
        )

    def sii_headline(self, meta: IndicatorMeta) -> tuple[str, Figures, Mapping[str, Any]] | None:
        """The headline SII (deciles, else quintiles) and its sentence."""
        rows = self.rows_for(meta.id)
        for breakdown in SII_BREAKDOWN_LABELS:
            part = rows[(rows["breakdown"] == breakdown) & rows["group"].map(is_aggregate_group)]
            if not part.empty:
                row = part.iloc[0].to_dict()
                f = self.publish(row, meta)
                baseline, baseline_label = self._baseline(meta)
                text = sii_headline_sentence(
                    meta,
                    f,
                    period_title=when(row, self.period),
                    groups=SII_BREAKDOWN_LABELS[breakdown].removeprefix("IMD ").rstrip("s"),
                    baseline=baseline,
                    baseline_label=baseline_label,
                )
                return text, f, row
        return None

    def sii_block(self, meta: IndicatorMeta) -> Block | None:
        rows = self.rows_for(meta.id)
        table = self.sii_table(meta, rows)
        headline = self.sii_headline(meta)
        if table is None or headline is None:
            return None
        content: list[Paragraph | Table | Chart] = []
        if meta.definition:
            content.append(Paragraph(meta.definition, "definition"))
        content += [Paragraph(headline[0], "summary"), table]
        return Block(f"ind-{meta.id}", meta.title, content)

    def indicator_block(self, meta: IndicatorMeta) -> Block | None:
        if meta.kind == "sii":
            return self.sii_block(meta)
        rows = self.rows_for(meta.id)
        if rows.empty:
            return None
        content: list[Paragraph | Table | Chart] = []
        if meta.definition:
            content.append(Paragraph(meta.definition, "definition"))
        total = _total_row(rows)
        trend = self._trend(meta)
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
                        variation=trend.variation,
                        assurance=trend.assurance,
                        failing_dq=f.failing_dq,
                    ),
                    "summary",
                )
            )
        if meta.reference_breakdown:
            made = self.comparison_table(meta, rows)
            if made is not None:
                content.append(Paragraph(self._comparison_sentence(meta, *made[1:])))
                content.append(made[0])
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
                reference_label=self.total_label(meta),
                highlight=_reference_label(table, breakdown, rows),
            )
            content.append(Chart(table.id + "-chart", spec["title"]["text"], spec, table))
            if breakdown == "imd_quintile":
                ineq = self.inequality_table(meta, rows, figures)
                if ineq is not None:
                    itable, sii, lo, hi = ineq
                    content.append(Paragraph(inequality_sentence(meta, sii, lo, hi)))
                    content.append(itable)
        if trend.why:
            content.append(Paragraph(trend.why, "warning"))
        if trend.chart is not None:
            content.append(trend.chart)
        icons = []
        if trend.variation:
            v = trend.variation
            icons.append(("variation-" + v, VARIATION_LABELS.get(v, v)))
        if trend.assurance:
            a = trend.assurance
            icons.append(("assurance-" + a, ASSURANCE_LABELS.get(a, a)))
        return Block(f"ind-{meta.id}", meta.title, content, icons)

    def _comparison_sentence(self, meta: IndicatorMeta, total: Figures, ref: Figures) -> str:
        return comparison_sentence(
            meta,
            _population(meta),
            reference_population_label(meta.reference_breakdown, meta.reference_group),
            total,
            ref,
        )

    # ----- sections ------------------------------------------------------------------------------

    def summary_section(self) -> Section:
        present = set(self.results["indicator_id"])
        ids = [i for i in HEADLINE_IDS if i in present]
        if not ids:
            ids = [
                m.id for m in self.catalogue.values() if m.target is not None and m.id in present
            ]
        sentences: list[Paragraph] = []
        body, keys, sources = [], [], []
        for ind_id in ids:
            meta = self.catalogue[ind_id]
            made = self._headline(meta)
            if made is None:
                continue
            text, cells, source = made
            sentences.append(Paragraph(text, "summary"))
            body.append([Cell(None, meta.title), *cells])
            keys.append(ind_id)
            sources.append(source)
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
                        "the same quarter a year earlier (the 12 months to the same month for "
                        "rare events). Rates of rare events are for the 12 months to the end of "
                        "the quarter. The perinatal SII is for IMD deciles."
                    ],
                    row_sources=sources,
                )
            )
        else:
            content.append(Paragraph("No headline metric has results for this period.", "warning"))
        return Section("summary", "Summary", content)

    def _headline(self, meta: IndicatorMeta) -> tuple[str, list[Cell], dict[str, str]] | None:
        """One headline metric: its sentence, its table cells after the title, its source."""
        baseline, baseline_label = self._baseline(meta)
        target = Cell(None, sdc.NOT_APPLICABLE) if meta.target is None else _num(meta.target)
        trend = self._trend(meta)
        if meta.kind == "sii":
            made = self.sii_headline(meta)
            if made is None:
                return None
            text, f, row = made
        else:
            row = _total_row(self.rows_for(meta.id))
            if row is None:
                return None
            f = self.publish(row, meta)
            text = headline_sentence(
                meta,
                f.value,
                f.lower,
                f.upper,
                period_title=when(row, self.period),
                baseline=baseline,
                baseline_label=baseline_label,
                variation=trend.variation,
                assurance=trend.assurance,
                failing_dq=f.failing_dq,
                no_variation=trend.sentence,
            )
            pair = _comparison_rows(meta, self.rows_for(meta.id))
            if pair is not None:
                figs = (self.publish(pair[0], meta), self.publish(pair[1], meta))
                text += " " + self._comparison_sentence(meta, *figs)
        variation = VARIATION_LABELS.get(trend.variation or "", trend.short)
        assurance = "No target"
        if meta.target is not None:
            assurance = ASSURANCE_LABELS.get(trend.assurance or "", "Not assessed")
        cells = [
            f.value,
            f.lower,
            f.upper,
            baseline or Cell(None, sdc.NOT_AVAILABLE),
            target,
            Cell(None, variation),
            Cell(None, assurance),
        ]
        return text, cells, row_source(row)

    def _baseline(self, meta: IndicatorMeta) -> tuple[Cell | None, str]:
        if meta.baseline is not None:  # as the catalogue gives it: 4.39, 1.7
            decimals = max(1, len(repr(float(meta.baseline)).split(".")[1].rstrip("0")))
            return _num(meta.baseline, decimals), meta.baseline_label or "national baseline"
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
        part = rows[(rows["breakdown"] == breakdown) & ~rows["group"].map(is_aggregate_group)]
        total = _total_row(rows)
        if part.empty:
            return None
        recs = sorted(part.to_dict("records"), key=lambda r: _group_sort_key(breakdown)(r["group"]))
        sources = [row_source(r) for r in recs]
        counts = [_count(r["numerator"]) for r in recs]
        total_count = _count(total["numerator"]) if total else None
        body = []
        for r, c in zip(recs, counts, strict=True):
            body.append([Cell(None, group_label(breakdown, r["group"])), c, _share(c, total_count)])
        keys = [str(r["group"]) for r in recs]
        if total_count is not None:
            body.append([Cell(None, TOTAL_LABEL), total_count, _share(total_count, total_count)])
            keys.append(TOTAL)
            sources.append(row_source(total))
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
            row_sources=sources,
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
                    f"{self._dq_value(last := trend[trend['rule_id'] == r].iloc[-1]).text}% "
                    f"(threshold {_num(_percent(last['threshold'])).text}%)"
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
                *_wres_measure(w, stored),
                Cell(None, w.note),
            ]
            for w, stored in sorted(pairs, key=lambda p: p[0].number)
        ]
        columns = [
            Column("number", "WRES", True, "6%"),
            Column("title", "Indicator", False, "34%"),
            Column("white", "White (%)", True, "9%"),
            Column("bme", "BME (%)", True, "9%"),
            Column("measure", "Measure", True, "9%"),
            Column("measure_label", "Measure is", False, "13%"),
            Column("note", "Note", False, "20%"),
        ]
        if not any(w.note for w in wres):  # the published variant has none: no empty column
            columns, body = columns[:-1], [row[:-1] for row in body]
            columns[1] = replace(columns[1], width="49%")
            columns[5] = replace(columns[5], width="18%")
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
                    columns,
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
                "deprived quintile). Continuity of carer for Black, Asian and Mixed women is "
                "also compared with White women, and for the most deprived decile with the least "
                "deprived decile, counted the same way. The slope index of inequality (SII) is "
                "the modelled "
                "difference between the most and least deprived ends of the IMD distribution "
                "(most deprived minus least deprived, so a positive SII means higher values in "
                "more deprived areas; quintile 1 is the most deprived). SPC charts follow NHS "
                "England's Making Data Count method: XmR process limits at the mean plus or "
                "minus 2.66 times the mean moving range, special cause rules of a point beyond "
                "the limits, 7-point trends and shifts, and 2 of 3 points near a limit. Rare "
                f"events (deaths) are reported for the 12 months to the end of the quarter; when "
                f"any quarter of the chart has fewer than {SPC_MIN_EVENTS} events, too few for "
                "process limits, the chart shows the rate for the 12 months to each quarter end "
                "instead, with no SPC judgement. The perinatal mortality SII, a headline metric "
                "of the guidance, is fitted across IMD deciles."
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
                code=("id",),
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
                    code=("run_id", "code_version"),
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
                        code=("run_id", "path", "sha256"),
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


def _plain_columns(frame: pd.DataFrame) -> pd.DataFrame:
    """Text columns as Python objects: the report filters small frames thousands of times,
    and row selection on Arrow-backed strings costs several times more."""
    text = [c for c in frame.columns if pd.api.types.is_string_dtype(frame[c].dtype)]
    return frame.astype(dict.fromkeys(text, object)) if text else frame


def _comparison_rows(
    meta: IndicatorMeta, rows: pd.DataFrame
) -> tuple[Mapping[str, Any], Mapping[str, Any]] | None:
    """A targeted indicator's overall row and its reference population's row."""
    if not meta.reference_breakdown:
        return None
    total = _total_row(rows)
    ref = rows[
        (rows["breakdown"] == meta.reference_breakdown)
        & (rows["group"].astype(str) == meta.reference_group)
    ]
    if total is None or ref.empty:
        return None
    return total, ref.iloc[0].to_dict()


def _population(meta: IndicatorMeta) -> str:
    """Who a targeted indicator counts, from its title ('...: Black, Asian and Mixed women')."""
    return meta.title.rsplit(": ", 1)[-1]


def _group_cells(label: str, f: Figures, *, reference: bool = False) -> list[Cell]:
    """A group's row; the reference group is labelled so, and compared with nothing."""
    cells = [Cell(None, f"{label} (reference)" if reference else label), *_figure_cells(f)]
    if reference and f.compared.text != sdc.SUPPRESSED:
        cells[-1] = Cell(None, "Reference")
    return cells


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


def _wres_measure(w: WresIndicator, stored: WresIndicator) -> list[Cell]:
    """The overall measure and what it is; indicators 5 to 8 have none (the two group
    percentages are the figures), so the cell says not applicable."""
    if w.measure is None and stored.measure is None:
        return [Cell(None, sdc.NOT_APPLICABLE), Cell(None, "")]
    return [_wres_cell(w.measure, stored.measure), Cell(None, w.measure_label)]


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
    refs = [str(r) for r in part["reference_group"].dropna().unique() if str(r)]
    if not refs or refs[0] not in table.row_keys:
        return None
    return f"{group_label(breakdown, refs[0])} (reference)"


def _are(n: int) -> str:
    return "is" if n == 1 else "are"


def _lower(label: str) -> str:
    """Lower-case a label for running text, keeping acronyms such as IMD."""
    return " ".join(w if w.isupper() else w.lower() for w in label.split())


def _value_title(meta: IndicatorMeta) -> str:
    return {"%": "Per cent", "": "Value"}.get(meta.unit, meta.unit[:1].upper() + meta.unit[1:])


def _indicator_columns(meta: IndicatorMeta, label: str) -> list[Column]:
    # widths for print: the longest word of each header fits its column at 7pt
    return [
        Column("group", label, False, "16%"),
        Column("numerator", "Numerator", True, "10%"),
        Column("denominator", "Denominator", True, "11.5%"),
        Column("value", _value_title(meta), True, "10%"),
        Column("lower", "Lower 95% CI", True, "7%"),
        Column("upper", "Upper 95% CI", True, "7%"),
        Column("ratio", "Ratio to reference", True, "9%"),
        Column("ratio_lower", "Ratio lower CI", True, "8%"),
        Column("ratio_upper", "Ratio upper CI", True, "8%"),
        Column("compared", "Compared with reference", False, "13.5%"),
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


def _is_quarter_end(day: dt.date) -> bool:
    return day.month % 3 == 0 and (day + dt.timedelta(days=1)).day == 1


def _shown_text(f: Figures, meta: IndicatorMeta) -> str:
    """A value as a sentence reads it: with its unit, or 'not shown'."""
    if f.value.withheld:
        return "not shown"
    return with_unit("0" if f.value.text == sdc.ZERO else f.value.text, meta.unit)


def _chart_table(
    table_id: str,
    caption: str,
    spec: dict[str, Any],
    meta: IndicatorMeta | None,
    kind: str,
    sources: list[dict[str, str]] | None = None,
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
        row_sources=list(sources or []),
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
    code: Iterable[str] = (),
) -> Table | Paragraph:
    """A table of text; ``code`` names the columns of identifiers, hashes and paths."""
    if not rows and empty:
        return Paragraph(empty)
    hints = list(widths) or [""] * len(columns)
    if not any(hints):
        hints = [""] * len(columns)
    codes = set(code)
    return Table(
        table_id,
        caption,
        [Column(k, t, False, w, code=k in codes) for (k, t), w in zip(columns, hints, strict=True)],
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
