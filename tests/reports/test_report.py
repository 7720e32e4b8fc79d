"""The board report on a fixture LMNS: numbers, disclosure control, formats, marking, plan."""

from __future__ import annotations

import datetime as dt
import math
import shutil
import subprocess
from pathlib import Path

import openpyxl
import pytest
from fixture_lmns import CATALOGUE, plan_data, results_frame, write_warehouse
from report_helpers import Z95, html_tables, nhs_round, wilson_percent

from maternity_equity.reports import build_report
from maternity_equity.reports.build import build_model

# Hand-worked from the fixture counts: Asian has 6 stillbirths (1-7: suppressed) and is the
# only small group in the ethnic breakdown, so the smallest group that brings the hidden total
# to 8 or more is suppressed as well: Black, with 9 (6 + 9 = 15).
SECONDARY = {("m_stillbirth_rate", "ethnic_group", "Black")}
INTERNAL_MARK = "INTERNAL - not for publication"


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory):
    return write_warehouse(tmp_path_factory.mktemp("wh") / "warehouse.duckdb")


@pytest.fixture(scope="module")
def published(warehouse, tmp_path_factory):
    out = tmp_path_factory.mktemp("published")
    paths = build_report(
        warehouse,
        None,
        period="2025-Q3",
        variant="published",
        out_dir=out,
        catalogue=CATALOGUE,
        plan=plan_data(),
    )
    return paths, paths.html.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def internal(warehouse, tmp_path_factory):
    out = tmp_path_factory.mktemp("internal")
    paths = build_report(
        warehouse,
        None,
        period="2025-Q3",
        variant="internal",
        out_dir=out,
        catalogue=CATALOGUE,
        plan=plan_data(),
    )
    return paths, paths.html.read_text(encoding="utf-8")


RESULTS = results_frame()


def result_row(ind, breakdown, group, start=dt.date(2025, 7, 1), period_type="quarter"):
    r = RESULTS
    r = r[
        (r.indicator_id == ind)
        & (r.period_type == period_type)
        & (r.period_start == start)
        & (r.breakdown == breakdown)
        & (r.group == group)
    ]
    assert len(r) == 1, (ind, breakdown, group, start)
    return r.iloc[0]


def poisson_interval(x: float) -> tuple[float, float]:
    """95% limits of a Poisson count, as the methods note gives them: exact (chi-squared)
    below 10 events, Byar's approximation from 10."""
    from scipy.stats import chi2

    if x < 10:
        lower = chi2.ppf(0.025, 2 * x) / 2 if x > 0 else 0.0
        return lower, chi2.ppf(0.975, 2 * x + 2) / 2
    z = Z95
    lower = x * (1 - 1 / (9 * x) - z / (3 * math.sqrt(x))) ** 3
    upper = (x + 1) * (1 - 1 / (9 * (x + 1)) + z / (3 * math.sqrt(x + 1))) ** 3
    return lower, upper


REFERENCE = {"ethnic_group": "White", "imd_quintile": "5"}


def expected_figures(row, *, secondary=False):
    """The published cells of one results row, worked out from the rule, not the code: every
    figure from the rounded counts; ratios to the reference group withheld where either side
    has 1 to 7 events."""
    x, n = row.numerator, row.denominator
    rare = CATALOGUE[row.indicator_id].disclosure_class == "rare_event"
    if rare and (0 < x <= 7 or secondary):
        return {
            "numerator": "*",
            "denominator": nhs_round(n),
            "value": "*",
            "lower": "*",
            "upper": "*",
            "ratio": "*",
        }
    px, pn = nhs_round(x), nhs_round(n)
    if rare:
        value = px / pn * 1000
        lower, upper = (limit / pn * 1000 for limit in poisson_interval(px))
    else:
        value = px / pn * 100
        lower, upper = wilson_percent(px, pn)
    out = {
        "numerator": px,
        "denominator": pn,
        "value": round(value, 1),
        "lower": round(lower, 1),
        "upper": round(upper, 1),
    }
    ref = (
        None
        if row.breakdown == "all"
        else result_row(
            row.indicator_id,
            row.breakdown,
            REFERENCE[row.breakdown],
            row.period_start,
            row.period_type,
        )
    )
    if ref is None:
        out["ratio"] = "z"
    elif x == 0:
        out["ratio"] = "-"
    elif x <= 7 or ref.numerator <= 7:
        out["ratio"] = "*"
    else:
        # Katz (proportions) and the ratio of rates share the point estimate: rate / rate
        out["ratio"] = round((px / pn) / (nhs_round(ref.numerator) / nhs_round(ref.denominator)), 2)
    return out


def check_cell(cell, expected, where):
    if isinstance(expected, str):
        assert cell.text == expected and cell.value is None, (where, cell)
    else:
        assert cell.value is not None and abs(cell.value - expected) < 1e-9, (where, cell, expected)


def test_every_indicator_number_equals_the_disclosed_results(published):
    tables = [t for t in html_tables(published[1]) if t.attrs.get("kind") == "indicator"]
    # CoC by ethnic group and IMD quintile; stillbirths by ethnic group and IMD quintile
    assert {(t.attrs["indicator-id"], t.attrs["breakdown"]) for t in tables} == {
        ("p4c_coc_black_asian_mixed", "ethnic_group"),
        ("p4c_coc_black_asian_mixed", "imd_quintile"),
        ("m_stillbirth_rate", "ethnic_group"),
        ("m_stillbirth_rate", "imd_quintile"),
    }
    checked = 0
    for t in tables:
        ind, breakdown = t.attrs["indicator-id"], t.attrs["breakdown"]
        for key, cells in t.rows:
            row = result_row(ind, "all" if key == "All" else breakdown, key)
            exp = expected_figures(row, secondary=(ind, breakdown, key) in SECONDARY)
            got = {c.field: c for c in cells}
            for fld, value in exp.items():
                check_cell(got[fld], value, (ind, breakdown, key, fld))
                checked += 1
    assert checked == 4 * 6 * 6  # 4 tables, 5 groups + total, 6 fields each


def test_hand_worked_cells(published):
    tables = {
        (t.attrs.get("indicator-id"), t.attrs.get("breakdown"), t.attrs.get("kind")): t
        for t in html_tables(published[1])
    }
    coc = tables[("p4c_coc_black_asian_mixed", "ethnic_group", "indicator")]
    # Black: 58/146 -> 60/145 = 41.379% -> 41.4; Other: 4/7 -> 5/5 = 100.0%
    assert coc.row("Black")["value"].text == "41.4"
    assert coc.row("Other")["numerator"].text == "5" and coc.row("Other")["value"].text == "100.0"
    sb = tables[("m_stillbirth_rate", "ethnic_group", "indicator")]
    # White: 11 stillbirths (shown as 10) in 3,900 births; rate from the rounded counts:
    # 10 / 3,900 x 1,000 = 2.56 -> 2.6 (the unrounded 11 would give 2.8)
    assert sb.row("White")["numerator"].text == "10" and sb.row("White")["value"].text == "2.6"
    assert sb.row("Mixed")["value"].text == "-"  # zero events
    pop = tables[("pop_bookings", "ethnic_group", "count")]
    # 103 -> 105 of 2,010 -> 5.2%; 3 "not stated" women -> 5
    assert pop.row("Mixed")["count"].text == "105" and pop.row("Mixed")["share"].text == "5.2"
    assert pop.row("Not stated or not known")["count"].text == "5"


def test_counts_shares_headline_and_spc_tables_equal_disclosed_results(published):
    tables = html_tables(published[1])
    for t in (t for t in tables if t.attrs.get("kind") == "count"):
        total = nhs_round(result_row(t.attrs["indicator-id"], "all", "All").numerator)
        for key, cells in t.rows:
            row = result_row(
                t.attrs["indicator-id"], "all" if key == "All" else t.attrs["breakdown"], key
            )
            got = {c.field: c for c in cells}
            check_cell(got["count"], nhs_round(row.numerator), key)
            check_cell(got["share"], round(nhs_round(row.numerator) / total * 100, 1), key)
    headline = next(t for t in tables if t.attrs.get("kind") == "headline")
    for ind in ("p4c_coc_black_asian_mixed", "m_stillbirth_rate"):
        exp = expected_figures(result_row(ind, "all", "All"))
        base = expected_figures(result_row(ind, "all", "All", start=dt.date(2024, 7, 1)))
        got = headline.row(ind)
        for fld in ("value", "lower", "upper"):
            check_cell(got[fld], exp[fld], (ind, fld))
        check_cell(got["baseline"], base["value"], (ind, "baseline"))
    spc = [t for t in tables if t.attrs.get("kind") == "spc"]
    assert {t.attrs["indicator-id"] for t in spc} == {
        "p4c_coc_black_asian_mixed",
        "p3_valid_ethnic_category_at_booking",
        "m_stillbirth_rate",
    }
    for t in spc:
        ind = t.attrs["indicator-id"]
        # stillbirths: monthly counts are too small, so the chart is quarterly
        ptype = "quarter" if ind == "m_stillbirth_rate" else "month"
        for key, cells in t.rows:
            row = result_row(ind, "all", "All", start=dt.date.fromisoformat(key), period_type=ptype)
            check_cell({c.field: c for c in cells}["value"], expected_figures(row)["value"], key)


def test_inequality_shown_only_when_no_quintile_is_suppressed(published):
    tables = [t for t in html_tables(published[1]) if t.attrs.get("kind") == "inequality"]
    by_ind = {t.attrs["indicator-id"]: t for t in tables}
    coc = by_ind["p4c_coc_black_asian_mixed"].row("sii")
    # recomputed from the rounded quintile counts (150/380, 100/250, 80/180, 50/120, 32/73 ->
    # 150/380, 100/250, 80/180, 50/120, 30/75), not the stored -5.2: a weighted least-squares
    # line through the quintile percentages at the midpoints of their cumulative population
    # shares, least deprived first, gives the fitted most minus least deprived difference
    shares = [75, 120, 180, 250, 380]  # quintile 5 (least deprived) first
    values = [30 / 75 * 100, 50 / 120 * 100, 80 / 180 * 100, 100 / 250 * 100, 150 / 380 * 100]
    total = sum(shares)
    ranks, cum = [], 0
    for s in shares:
        ranks.append((cum + s / 2) / total)
        cum += s
    w = [s / total for s in shares]
    pairs = list(zip(w, ranks, values, strict=True))
    mean_r = sum(wi * r for wi, r, _ in pairs)
    mean_v = sum(wi * v for wi, _, v in pairs)
    slope = sum(wi * (r - mean_r) * (v - mean_v) for wi, r, v in pairs) / sum(
        wi * (r - mean_r) ** 2 for wi, r, _ in pairs
    )
    assert coc["value"].value == round(slope, 1)
    assert coc["lower"].value < coc["value"].value < coc["upper"].value
    # four stillbirth quintiles hold 1 to 7 events: the SII (a weighted sum of the quintile
    # rates) would let them be recovered, so it is withheld
    sb = by_ind["m_stillbirth_rate"].row("sii")
    assert [sb[k].text for k in ("value", "lower", "upper")] == ["*", "*", "*"]


def _raw(ind, breakdown, key):
    return result_row(ind, "all" if key == "All" else breakdown, key).numerator


def test_no_published_cell_reveals_a_count_from_1_to_7(published, internal):
    for t in html_tables(published[1]):
        kind = t.attrs.get("kind")
        if kind not in ("indicator", "count"):
            continue
        ind, breakdown = t.attrs["indicator-id"], t.attrs["breakdown"]
        hidden, hidden_sum, total_shown = 0, 0.0, False
        for key, cells in t.rows:
            got = {c.field: c for c in cells}
            for fld in ("numerator", "denominator", "count"):
                if fld in got and got[fld].value is not None:
                    # directly: every count shown is 0 or a multiple of 5, and a true count of
                    # 1 to 7 is only ever shown as 5 (as are true counts of 1 to 7 generally)
                    assert got[fld].value % 5 == 0, (ind, key, fld, got[fld])
            raw = _raw(ind, breakdown, key)
            if "numerator" in got and got["numerator"].text == "*":
                if key == "All":
                    continue
                hidden += 1
                hidden_sum += raw
            elif key == "All":
                total_shown = True
            if 0 < raw <= 7 and "value" in got and CATALOGUE[ind].disclosure_class == "rare_event":
                assert got["value"].text == "*", (ind, key)
        # by subtraction: with the total shown, the hidden groups together are recoverable, so
        # there must be none, or at least two holding 8 or more events between them
        if total_shown and hidden:
            assert hidden >= 2 and hidden_sum >= 8, (ind, breakdown, hidden, hidden_sum)
    # the check can fail: the internal variant shows the 6 Asian stillbirths as they are
    sb = next(
        t
        for t in html_tables(internal[1])
        if t.attrs.get("indicator-id") == "m_stillbirth_rate"
        and t.attrs.get("breakdown") == "ethnic_group"
    )
    assert sb.row("Asian")["numerator"].text == "6"


def test_xlsx_sheets_hold_the_same_numbers_as_the_html(published):
    paths, html = published
    wb = openpyxl.load_workbook(paths.xlsx, read_only=True)
    assert {"Contents", "Notes"} <= set(wb.sheetnames)
    tables = html_tables(html)
    assert len(tables) == len(paths.sheets)
    compared = 0
    for t in tables:
        rows = list(wb[paths.sheets[t.id]].iter_rows(values_only=True))
        assert rows[0][0] == t.caption
        assert list(rows[1][: len(t.headers)]) == t.headers
        assert len(rows) >= 2 + len(t.rows)
        for (_, cells), xrow in zip(t.rows, rows[2:], strict=False):
            for cell, xv in zip(cells, xrow, strict=False):
                if cell.value is not None:
                    assert isinstance(xv, (int, float)) and abs(xv - cell.value) < 1e-9
                else:
                    assert (xv or "") == cell.text
                compared += 1
    assert compared > 500
    notes = [r[0] for r in wb["Notes"].iter_rows(values_only=True) if r and r[0]]
    assert {"*", ":", "z", "-"} <= set(notes)  # every symbol is explained


def test_summary_sentence_is_written_from_the_numbers(published):
    # 412/1003 -> 410/1005 = 40.8%, Wilson 37.8 to 43.9; a year earlier 350/1010 = 34.7%.
    # The last 8 monthly points sit above the mean (a shift): special cause improvement; the
    # 75% target is above the upper process limit: the process will not meet it.
    assert (
        "Continuity of carer by 29 weeks: Black, Asian and Mixed women was 40.8% "
        "(95% CI 37.8% to 43.9%) in July to September 2025, below the 75.0% target (not met), "
        "compared with a baseline of 34.7% (2024-Q3); the latest point shows special cause "
        "variation of improvement; the process will not meet the target without change."
    ) in published[1]


def test_internal_variant_is_marked_on_every_page_and_sheet(published, internal):
    assert INTERNAL_MARK in internal[1] and INTERNAL_MARK not in published[1]
    wb = openpyxl.load_workbook(internal[0].xlsx, read_only=True)
    for name in wb.sheetnames:
        first = next(wb[name].iter_rows(values_only=True))
        assert first[0] == INTERNAL_MARK, name
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    for paths, marked in ((internal[0], True), (published[0], False)):
        text = subprocess.run(
            ["pdftotext", str(paths.pdf), "-"], capture_output=True, text=True, check=True
        ).stdout
        pages = text.split("\f")[:-1]
        assert len(pages) > 5
        assert all((INTERNAL_MARK in p) == marked for p in pages)


def test_pdf_is_tagged_and_renders_to_images(published, tmp_path):
    pdf = published[0].pdf
    assert pdf.read_bytes().startswith(b"%PDF-")
    if shutil.which("pdfinfo") is None or shutil.which("pdftoppm") is None:
        pytest.skip("poppler-utils is not installed")
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert "Tagged:          yes" in info
    pages = int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))
    subprocess.run(["pdftoppm", "-r", "30", "-png", str(pdf), str(tmp_path / "p")], check=True)
    assert len(list(tmp_path.glob("p-*.png"))) == pages


def test_html_is_accessible_in_structure(published):
    html = published[1]
    assert '<html lang="en-GB">' in html and '<main id="main">' in html
    assert html.count("<figure") == html.count("<figcaption")
    # every inline chart has a text alternative and is followed by its data table
    assert html.count('role="img" aria-label="') == html.count("<figure")
    for t in html_tables(html):
        assert t.caption and t.headers


def test_plan_from_the_plan_database(tmp_path, warehouse):
    from maternity_equity.plan.db import session_scope, upgrade
    from maternity_equity.plan.yaml_io import import_plan_file
    from maternity_equity.reports.data import Period, load_plan

    url = f"sqlite:///{tmp_path / 'plan.sqlite'}"
    upgrade(url)
    import maternity_equity.plan

    example = Path(maternity_equity.plan.__file__).parent / "examples" / "example_plan.yaml"
    with session_scope(url, user="test") as s:
        import_plan_file(s, example)
    import yaml

    data = yaml.safe_load(example.read_text(encoding="utf-8"))
    today = dt.date(2025, 10, 15)
    plan = load_plan(url, Period.parse("2025-Q3"), today=today)
    # counted from the YAML itself: actions per intervention and open actions due before today
    actions = [a for i in data["interventions"] for a in i.get("actions", [])]
    assert sum(i.actions for i in plan.interventions) == len(actions)
    open_late = [
        a
        for a in actions
        if a.get("status", "not_started") in ("not_started", "in_progress", "on_hold")
        and a.get("due_date")
        and dt.date.fromisoformat(str(a["due_date"])) < today
    ]
    assert len(plan.overdue) == len(open_late)
    assert {w.number for w in plan.wres} == set(range(1, 10))
    report = build_model(warehouse, url, period="2025-Q3", catalogue=CATALOGUE, today=today)
    plan_section = next(s for s in report.sections if s.id == "plan")
    assert any(
        getattr(x, "caption", "") == "Progress by intervention" for x in plan_section.content
    )


def test_report_command_writes_files_and_rejects_bad_period(warehouse, tmp_path):
    from typer.testing import CliRunner

    from maternity_equity.cli import app

    runner = CliRunner()
    res = runner.invoke(
        app,
        [
            "report",
            "--warehouse",
            str(warehouse),
            "--period",
            "2025-Q3",
            "--out",
            str(tmp_path),
            "--no-pdf",
        ],
    )
    assert res.exit_code == 0, res.output
    assert (tmp_path / "report-2025-Q3-published.html").is_file()
    assert (tmp_path / "report-2025-Q3-published.xlsx").is_file()
    bad = runner.invoke(
        app,
        [
            "report",
            "--warehouse",
            str(warehouse),
            "--period",
            "2025-13",
            "--out",
            str(tmp_path),
            "--no-pdf",
        ],
    )
    assert bad.exit_code == 2 and "expected a calendar quarter" in bad.output


def test_data_quality_numbers_equal_the_disclosed_dq_results(published):
    from fixture_lmns import dq_frame

    dq = dq_frame()
    table = next(t for t in html_tables(published[1]) if t.attrs.get("kind") == "dq")
    assert table.attrs["period-start"] == "2025-09-01"  # the last month of the quarter
    latest = dq[dq.period_start == dt.date(2025, 9, 1)].set_index("rule_id")
    assert {k for k, _ in table.rows} == set(latest.index)
    for key, cells in table.rows:
        got = {c.field: c for c in cells}
        num, den = (
            nhs_round(latest.loc[key, "numerator"]),
            nhs_round(latest.loc[key, "denominator"]),
        )
        check_cell(got["numerator"], num, key)
        check_cell(got["denominator"], den, key)
        check_cell(got["value"], round(num / den * 100, 1), key)
        assert got["passed"].text == ("Met" if latest.loc[key, "passed"] else "Not met")
