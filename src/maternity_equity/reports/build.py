"""``build_report``: one report model, written as HTML, PDF and XLSX."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from maternity_equity.reports.content import ReportBuilder
from maternity_equity.reports.data import (
    IndicatorMeta,
    Period,
    PlanData,
    latest_period,
    load_catalogue,
    load_plan,
    load_warehouse,
)
from maternity_equity.reports.model import Report
from maternity_equity.reports.render import render_html, render_pdf, render_xlsx


@dataclass(frozen=True)
class ReportPaths:
    html: Path
    pdf: Path | None
    xlsx: Path
    sheets: Mapping[str, str]  # table id -> XLSX sheet name


def build_model(
    warehouse_path: str | Path,
    plan_db_url: str | None = None,
    *,
    period: str | None = None,
    variant: str = "published",
    catalogue: Mapping[str, IndicatorMeta] | None = None,
    plan: PlanData | None = None,
    today: dt.date | None = None,
) -> Report:
    """The report as data (sections, tables, charts) before rendering.

    ``period`` is a calendar quarter such as ``2025-Q3``; ``None`` means the latest quarter
    the results cover completely.
    """
    cat = load_catalogue() if catalogue is None else catalogue
    data = load_warehouse(warehouse_path, cat)
    p = Period.parse(period) if period else latest_period(data.results)
    if plan is None:
        plan = load_plan(plan_db_url, p, today=today)
    return ReportBuilder(data, cat, plan, p, variant, today=today).build()


def build_report(
    warehouse_path: str | Path,
    plan_db_url: str | None = None,
    *,
    period: str | None = None,
    variant: str = "published",
    out_dir: str | Path,
    catalogue: Mapping[str, IndicatorMeta] | None = None,
    plan: PlanData | None = None,
    pdf: bool = True,
) -> ReportPaths:
    """Write ``report-<period>-<variant>.{html,pdf,xlsx}`` to ``out_dir``."""
    report = build_model(
        warehouse_path, plan_db_url, period=period, variant=variant, catalogue=catalogue, plan=plan
    )
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    stem = f"report-{report.period_label}-{variant}"
    html = render_html(report)
    html_path = out / f"{stem}.html"
    html_path.write_text(html, encoding="utf-8")
    pdf_path = None
    if pdf:
        pdf_path = out / f"{stem}.pdf"
        render_pdf(render_html(report, for_print=True), pdf_path, internal=report.internal)
    xlsx_path = out / f"{stem}.xlsx"
    sheets = render_xlsx(report, xlsx_path)
    return ReportPaths(html_path, pdf_path, xlsx_path, sheets)
