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

from maternity_equity.publish import publish_results
from maternity_equity.reports import build_report
from maternity_equity.reports.build import build_model

# Hand-worked from the fixture counts: Asian has 6 stillbirths (1-7: suppressed) and is the
# only small group in the ethnic breakdown, so the smallest group that brings the hidden total
# to 8 or more is suppressed as well: Black, with 9 (6 + 9 = 15). Perinatal deaths: Other has
# 3; Mixed (0) would not bring the hidden total to 8, Black (12) does.
SECONDARY = {
    ("m_stillbirth_rate", "ethnic_group", "Black"),
    ("m_perinatal_mortality_rate", "ethnic_group", "Black"),
}
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
# continuity of carer's overall row is compared with White women (the reference population)
TOTAL_REFERENCE = {"p4c_coc_black_asian_mixed": ("ethnic_priority", "White")}


def expected_figures(row, *, secondary=False, table_breakdown=None):
    """The published cells of one results row, worked out from the rule, not the code: every
    figure from the rounded counts; ratios to the reference group withheld where either side
    has 1 to 7 events. A total row shows its own comparison only in the table of its reference
    group (continuity of carer's total beside White women, in the ethnic-group table)."""
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
    if row.breakdown == "all":
        ref_breakdown, ref_group = TOTAL_REFERENCE.get(row.indicator_id, (None, None))
        shown_here = ref_group == REFERENCE.get(table_breakdown)
        ref = (
            result_row(
                row.indicator_id, ref_breakdown, ref_group, row.period_start, row.period_type
            )
            if ref_breakdown and shown_here
            else None
        )
    else:
        ref = result_row(
            row.indicator_id,
            row.breakdown,
            REFERENCE[row.breakdown],
            row.period_start,
            row.period_type,
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
    # CoC, stillbirths (the quarter) and perinatal deaths (12 months) by ethnic group and
    # IMD quintile
    assert {(t.attrs["indicator-id"], t.attrs["breakdown"]) for t in tables} == {
        (ind, b)
        for ind in ("p4c_coc_black_asian_mixed", "m_stillbirth_rate", "m_perinatal_mortality_rate")
        for b in ("ethnic_group", "imd_quintile")
    }
    checked = 0
    for t in tables:
        ind, breakdown = t.attrs["indicator-id"], t.attrs["breakdown"]
        start = dt.date.fromisoformat(t.attrs["period-start"])
        for key, cells in t.rows:
            row = result_row(
                ind, "all" if key == "All" else breakdown, key, start, t.attrs["period-type"]
            )
            exp = expected_figures(
                row, secondary=(ind, breakdown, key) in SECONDARY, table_breakdown=breakdown
            )
            got = {c.field: c for c in cells}
            for fld, value in exp.items():
                check_cell(got[fld], value, (ind, breakdown, key, fld))
                checked += 1
    # CoC: White (the reference population), Mixed, Asian, Black + total; 5 quintiles + total;
    # stillbirths and perinatal deaths: 5 ethnic groups or quintiles + total; 6 fields each
    assert checked == (5 + 6 + 4 * 6) * 6


def test_hand_worked_cells(published):
    tables = {
        (t.attrs.get("indicator-id"), t.attrs.get("breakdown"), t.attrs.get("kind")): t
        for t in html_tables(published[1])
    }
    coc = tables[("p4c_coc_black_asian_mixed", "ethnic_group", "indicator")]
    # Black: 58/146 -> 60/145 = 41.379% -> 41.4
    assert coc.row("Black")["value"].text == "41.4"
    # the reference group is labelled so, and is compared with nothing
    assert coc.row("White")["group"].text == "White (reference)"
    assert coc.row("White")["compared"].text == "Reference"
    # quintile 5: 4/7 -> 5/5 = 100.0%; its 4 women make every ratio to it unpublishable
    q = tables[("p4c_coc_black_asian_mixed", "imd_quintile", "indicator")]
    assert q.row("5")["numerator"].text == "5" and q.row("5")["value"].text == "100.0"
    assert q.row("1")["ratio"].text == "*"
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


def wls_sii(shares, values):
    """The SII by hand: a weighted least-squares line through the group values at the midpoints
    of their cumulative population shares (least deprived first), evaluated from one end of the
    range to the other, so its slope is the fitted most minus least deprived difference."""
    total = sum(shares)
    ranks, cum = [], 0
    for s in shares:
        ranks.append((cum + s / 2) / total)
        cum += s
    w = [s / total for s in shares]
    pairs = list(zip(w, ranks, values, strict=True))
    mean_r = sum(wi * r for wi, r, _ in pairs)
    mean_v = sum(wi * v for wi, _, v in pairs)
    return sum(wi * (r - mean_r) * (v - mean_v) for wi, r, v in pairs) / sum(
        wi * (r - mean_r) ** 2 for wi, r, _ in pairs
    )


def test_inequality_shown_only_when_no_quintile_is_suppressed(published):
    tables = [t for t in html_tables(published[1]) if t.attrs.get("kind") == "inequality"]
    by_ind = {t.attrs["indicator-id"]: t for t in tables}
    coc = by_ind["p4c_coc_black_asian_mixed"].row("sii")
    # recomputed from the rounded quintile counts (80/200, 60/150, 40/100, 24/59, 4/7 ->
    # 80/200, 60/150, 40/100, 25/60, 5/5), not the stored -5.2
    slope = wls_sii([5, 60, 100, 150, 200], [100.0, 25 / 60 * 100, 40.0, 40.0, 40.0])
    assert coc["value"].value == round(slope, 1)
    assert coc["lower"].value < coc["value"].value < coc["upper"].value
    # four stillbirth quintiles hold 1 to 7 events: the SII (a weighted sum of the quintile
    # rates) would let them be recovered, so it is withheld
    sb = by_ind["m_stillbirth_rate"].row("sii")
    assert [sb[k].text for k in ("value", "lower", "upper")] == ["*", "*", "*"]
    # perinatal deaths by quintile, 10 to 30 in 4,000 births each: 2.5 to 7.5 per 1,000 in
    # equal steps, so the line rises 5.0 per 1,000 over 0.8 of the range: SII 6.25
    pm = by_ind["m_perinatal_mortality_rate"].row("sii")
    assert abs(pm["value"].value - 6.25) <= 0.05 + 1e-9
    assert abs(wls_sii([4000] * 5, [2.5, 3.75, 5.0, 6.25, 7.5]) - 6.25) < 1e-9


def test_perinatal_sii_headline_against_its_baseline(published, internal):
    """The perinatal SII is on IMD deciles in 12-month periods: it is in the summary and its
    priority section, against the 4.39 per 1,000 baseline, or said plainly to be withheld."""

    def parts(html):
        tables = html_tables(html)
        headline = next(t for t in tables if t.attrs.get("kind") == "headline")
        sii = next(t for t in tables if t.attrs.get("kind") == "sii")
        return headline.row("m_perinatal_sii_deprivation"), sii

    row, sii = parts(published[1])
    assert row["baseline"].text == "4.39"
    # deciles 8 to 10 have 7, 6 and 4 deaths: the decile SII (the headline) is withheld...
    assert [row[k].text for k in ("value", "lower", "upper")] == ["*", "*", "*"]
    assert [sii.row("imd_decile")[k].text for k in ("value", "lower", "upper", "rii")] == ["*"] * 4
    assert (
        "Perinatal mortality: slope index of inequality by deprivation: the figure for the 12 "
        "months to September 2025 is not shown because at least one IMD decile had 1 to 7 "
        "events, which the index (with the decile rates) would let a reader work out; the "
        "baseline is 4.39 per 1,000 (England 2017, ONS)."
    ) in published[1]
    # ...while every quintile has 8 or more, so the quintile SII is shown, from the rounded
    # counts (the same as the perinatal rate's own inequality table: 6.25 by hand)
    assert abs(sii.row("imd_quintile")["value"].value - 6.25) <= 0.05 + 1e-9
    # internal: the stored decile SII, 5.1 (95% CI 1.2 to 9.0)
    row, sii = parts(internal[1])
    assert [row[k].value for k in ("value", "lower", "upper", "baseline")] == [5.1, 1.2, 9.0, 4.39]
    assert sii.row("imd_decile")["rii"].value == 2.6
    assert (
        "Perinatal mortality: slope index of inequality by deprivation was 5.1 per 1,000 (95% CI "
        "1.2 per 1,000 to 9.0 per 1,000) in the 12 months to September 2025, across IMD "
        "deciles, compared with a baseline of 4.39 per 1,000 (England 2017, ONS): the modelled "
        "rate is 5.1 per 1,000 higher at the most deprived end"
    ) in internal[1]
    # the SII rows ("All quintiles", "All deciles") are never shown as a group of a table
    for t in html_tables(published[1]) + html_tables(internal[1]):
        for key, cells in t.rows:
            assert not key.startswith("All ") and not cells[0].text.startswith("All "), (t.id, key)


def test_rare_events_too_few_for_spc_show_rolling_rates(published):
    tables = html_tables(published[1])
    headline = next(t for t in tables if t.attrs.get("kind") == "headline")
    assert headline.row("m_perinatal_mortality_rate")["variation"].text == (
        "Not assessed: too few events"
    )
    # quarters of 5, 30, 28, 6, 31, 31, 31 and 7 deaths: three below 8
    assert (
        "Events are too few for an SPC judgement (3 of the last 8 quarters had fewer than 8), so "
        "the trend is shown as rolling 12-month rates."
    ) in published[1]
    trend = next(
        t
        for t in tables
        if t.attrs.get("kind") == "trend"
        and t.attrs.get("indicator-id") == "m_perinatal_mortality_rate"
    )
    assert trend.headers[0] == "12 months to"
    # the 12 months to each quarter end from September 2024: 69, 95, 96, 99 and 100 deaths in
    # 20,000 births, rounded to 70, 95, 95, 100, 100: 3.5, 4.75, 4.75, 5.0, 5.0 per 1,000
    values = [next(c for c in cells if c.field == "shown") for _, cells in trend.rows]
    assert [cells[0].text for _, cells in trend.rows] == [
        "Sep 2024",
        "Dec 2024",
        "Mar 2025",
        "Jun 2025",
        "Sep 2025",
    ]
    assert [v.value for v in values] == [3.5, round(4.75, 1), round(4.75, 1), 5.0, 5.0]
    # stillbirths have 8 or more every quarter: a quarterly SPC chart, as before
    assert headline.row("m_stillbirth_rate")["variation"].text != "Not assessed: too few events"


def test_continuity_of_carer_is_compared_with_white_women(published):
    tables = html_tables(published[1])
    cmp = next(t for t in tables if t.attrs.get("kind") == "comparison")
    assert cmp.attrs["indicator-id"] == "p4c_coc_black_asian_mixed"
    assert [k for k, _ in cmp.rows] == ["All", "White"]
    total, white = cmp.row("All"), cmp.row("White")
    assert total["group"].text == "Black, Asian and Mixed women (total)"
    assert white["group"].text == "Reference: White women"
    # 208/516 -> 210/515 against 300/480: ratio (210/515)/(300/480) = 0.652; Katz interval
    # exp(+-1.96 se), se = sqrt(1/210 - 1/515 + 1/300 - 1/480) = 0.0638: 0.58 to 0.74
    ratio = (210 / 515) / (300 / 480)
    se = math.sqrt(1 / 210 - 1 / 515 + 1 / 300 - 1 / 480)
    lo, hi = ratio * math.exp(-Z95 * se), ratio * math.exp(Z95 * se)
    assert [total[k].value for k in ("ratio", "ratio_lower", "ratio_upper")] == [
        round(ratio, 2),
        round(lo, 2),
        round(hi, 2),
    ]
    assert total["compared"].text == "Lower"
    wl, wh = wilson_percent(300, 480)
    assert (
        f"For comparison, White women: 62.5% (95% CI {wl:.1f}% to {wh:.1f}%); the ratio of "
        f"Black, Asian and Mixed women to White women is {ratio:.2f} (95% CI {lo:.2f} to "
        f"{hi:.2f}), significantly lower."
    ) in published[1]


def _section_tables(html):
    by_section: dict[str, list] = {}
    for t in html_tables(html):
        by_section.setdefault(t.section, []).append(t)
    return by_section


def _key(src):
    return (src["indicator_id"], src["period_type"], src["period_start"])


def _raw_count(src):
    r = RESULTS
    r = r[
        (r.indicator_id == src["indicator_id"])
        & (r.breakdown == src["breakdown"])
        & (r.group == src["group"])
        & (r.period_type == src["period_type"])
        & (r.period_start.astype(str) == src["period_start"])
    ]
    assert len(r) == 1, src
    return float(r.iloc[0].numerator)


def disclosure_problems(html):
    """What a reader of one section (a page or a run of pages) could learn about a count from
    1 to 7: shown directly, shown in one table and hidden in another, or worked out by
    subtracting the shown groups from a total shown anywhere in the same section."""
    problems = []
    for section, tables in _section_tables(html).items():
        shown: dict[tuple, set] = {}  # each row's numerator text, over every table
        totals: set = set()  # (indicator, period) whose total is shown somewhere here
        groups: dict[tuple, dict] = {}  # (indicator, period, breakdown) -> {group: text}
        for t in tables:
            for (key, cells), src in zip(t.rows, t.sources, strict=True):
                got = {c.field: c for c in cells}
                for fld in ("numerator", "denominator", "count"):
                    cell = got.get(fld)
                    if cell is not None and cell.value is not None and cell.value % 5:
                        problems.append((section, t.id, key, fld, "not rounded", cell.text))
                if src is None:
                    continue
                num = got.get("numerator") or got.get("count")
                value = got.get("value")
                text = num.text if num is not None else None
                small = num is not None and num.value is not None and 0 < _raw_count(src) <= 7
                if small and num.value != 5:
                    problems.append((section, t.id, key, "count 1 to 7 shown", num.text))
                if text is not None:
                    shown.setdefault(tuple(src.values()), set()).add(text == "*")
                if src["breakdown"] == "all":
                    if (num is not None and num.value is not None) or (
                        value is not None and value.value is not None
                    ):
                        totals.add(_key(src))
                elif text is not None:
                    where = (*_key(src), src["breakdown"])
                    groups.setdefault(where, {})[src["group"]] = (text, _raw_count(src))
        for src, hidden in shown.items():
            if len(hidden) > 1:
                problems.append((section, src, "hidden in one table, shown in another"))
        for (ind, ptype, start, breakdown), by_group in groups.items():
            hid = [raw for text, raw in by_group.values() if text == "*"]
            if (ind, ptype, start) in totals and hid and (len(hid) < 2 or sum(hid) < 8):
                problems.append((section, ind, breakdown, "recoverable by subtraction", hid))
    return problems


def test_no_published_cell_reveals_a_count_from_1_to_7(published, internal):
    assert disclosure_problems(published[1]) == []
    # the check can fail: the internal variant shows the 6 Asian stillbirths as they are
    assert any(
        "not rounded" in p or "count 1 to 7 shown" in p for p in disclosure_problems(internal[1])
    )
    sb = next(
        t
        for t in html_tables(internal[1])
        if t.attrs.get("indicator-id") == "m_stillbirth_rate"
        and t.attrs.get("breakdown") == "ethnic_group"
    )
    assert sb.row("Asian")["numerator"].text == "6"


def test_subtraction_check_sees_totals_in_other_tables_of_the_section(published):
    """The check is not blind: hiding a lone small group while its total is shown in another
    table of the same section is reported."""
    html = published[1]
    # show the secondary suppression (Black, 12 perinatal deaths) as if it were not hidden:
    # the lone Other group (3) is then the total minus the shown groups
    tables = html_tables(html)
    eth = next(
        t
        for t in tables
        if t.attrs.get("indicator-id") == "m_perinatal_mortality_rate"
        and t.attrs.get("breakdown") == "ethnic_group"
    )
    start = html.index(f'id="{eth.id}"')
    row_at = html.index('data-key="Black"', start)
    cell_at = html.index('data-field="numerator"', row_at)
    end = html.index("</td>", cell_at)
    tampered = html[:cell_at] + 'data-field="numerator" data-value="10">10' + html[end:]
    # and take the total out of this table: the quintile table beside it still shows it
    total_at = tampered.rindex("<tr", 0, tampered.index('data-key="All"', start))
    tampered = tampered[:total_at] + tampered[tampered.index("</tr>", total_at) + 5 :]
    assert disclosure_problems(html) == []
    found = disclosure_problems(tampered)
    assert any("recoverable by subtraction" in p for p in found), found


PUBLISHED = publish_results(results_frame())  # the publication layer, as the web app uses it
# where a cell's number sits in its results row, by the cell's field
RESULT_FIELDS = {
    "numerator": "numerator",
    "count": "numerator",
    "denominator": "denominator",
    "value": "value",
    "shown": "value",  # a trend chart's point (a symbol where it is withheld)
    "lower": "lower_ci",
    "upper": "upper_ci",
    "ratio": "ratio",
    "ratio_lower": "ratio_lower",
    "ratio_upper": "ratio_upper",
    "rii": "rii",
    "rii_lower": "rii_lower",
    "rii_upper": "rii_upper",
}
SLOPE_FIELDS = {  # the inequality table: one row per index
    "sii": {"value": "sii", "lower": "sii_lower", "upper": "sii_upper"},
    "rii": {"value": "rii", "lower": "rii_lower", "upper": "rii_upper"},
}
# numbers that are not figures of their results row, each checked by its own test: shares of
# the total, baselines and targets (catalogue, or a year earlier), SPC mean and limits
NOT_FROM_THE_ROW = {"share", "baseline", "target", "mean", "lpl", "upl"}
TRACED_KINDS = {"indicator", "count", "headline", "inequality", "comparison", "sii", "spc", "trend"}
SYMBOL_TEXTS = {"*", ":", "z", "-", "Failing data quality"}


def row_of(frame, src):
    r = frame[
        (frame.indicator_id == src["indicator_id"])
        & (frame.breakdown == src["breakdown"])
        & (frame.group == src["group"])
        & (frame.period_type == src["period_type"])
        & (frame.period_start.astype(str) == src["period_start"])
    ]
    assert len(r) == 1, src
    return r.iloc[0]


def _decimals(text):
    return len(text.split(".")[1]) if "." in text else 0


def check_traced(field, value, text, expected, row, where):
    """A shown number is its row's figure rounded as printed; a withheld one is a symbol where
    the row has no figure (or a zero-event group's ratio, shown as '-')."""
    if expected is None or (isinstance(expected, float) and math.isnan(expected)):
        assert value is None and text in SYMBOL_TEXTS, (where, text, expected)
    elif value is None:
        # a total's comparison outside the table of its reference group is not applicable
        not_here = text == "z" and row.breakdown == "all"
        zero = text == "-" and row.numerator == 0
        assert field.startswith("ratio") and (zero or not_here), (where, text)
    else:
        assert abs(value - round(float(expected), _decimals(text))) < 1e-9, (where, value, expected)


@pytest.mark.parametrize("variant", ["published", "internal"])
def test_every_number_traces_to_its_results_row(variant, published, internal):
    """Walk every table of the HTML and its XLSX sheet: each row names the results row it
    shows, and each number equals that row after the publication layer (published) or as
    stored (internal): values, counts, intervals, ratios, SII and RII."""
    paths, html = published if variant == "published" else internal
    frame = PUBLISHED if variant == "published" else results_frame()
    wb = openpyxl.load_workbook(paths.xlsx, read_only=True)
    skip = 3 if variant == "internal" else 2  # marking, caption and header rows of a sheet
    kinds, checked = set(), 0
    for t in html_tables(html):
        kind = t.attrs.get("kind")
        if kind not in TRACED_KINDS:
            continue
        kinds.add(kind)
        sheet = list(wb[paths.sheets[t.id]].iter_rows(values_only=True))[skip:]
        for (key, cells), src, xrow in zip(t.rows, t.sources, sheet, strict=False):
            assert src is not None, (t.id, key)  # every row says where it comes from
            row = row_of(frame, src)
            fields = SLOPE_FIELDS[key] if kind == "inequality" else RESULT_FIELDS
            for cell, xv in zip(cells, xrow, strict=False):
                if cell.field not in fields:
                    assert cell.value is None or cell.field in NOT_FROM_THE_ROW, (t.id, cell)
                    continue
                expected = row[fields[cell.field]]
                where = (t.id, key, cell.field)
                check_traced(cell.field, cell.value, cell.text, expected, row, where)
                number = xv if isinstance(xv, (int, float)) else None
                check_traced(
                    cell.field,
                    number,
                    cell.text if number is None else str(xv),
                    expected,
                    row,
                    (*where, "xlsx"),
                )
                checked += 1
    assert kinds == TRACED_KINDS
    assert checked > 400


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
    # 208/516 -> 210/515 = 40.8%, Wilson 36.6 to 45.1; a year earlier 350/1010 = 34.7%.
    # The last 8 monthly points sit above the mean (a shift): special cause improvement; the
    # 75% target is above the upper process limit: the process will not meet it. Then the
    # comparison with White women (300/480 = 62.5%), the catalogue's reference population.
    lo, hi = wilson_percent(210, 515)
    assert (round(lo, 1), round(hi, 1)) == (36.6, 45.1)
    summary = published[1].split('id="population"')[0]
    assert (
        "Continuity of carer by 29 weeks: Black, Asian and Mixed women was 40.8% "
        "(95% CI 36.6% to 45.1%) in July to September 2025, below the 75.0% target (not met), "
        "compared with a baseline of 34.7% (2024-Q3); the latest point shows special cause "
        "variation of improvement; the process will not meet the target without change. "
        "For comparison, White women: 62.5%"
    ) in summary


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
    # the trend chart's text names each check's threshold (the fixture's 0.80 and 0.95)
    chart = published[1].split("Data-quality checks over time.</strong>")[1].split("</")[0]
    assert "(threshold 80.0%)" in chart and "(threshold 95.0%)" in chart
