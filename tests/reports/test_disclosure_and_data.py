"""Disclosure rules row by row and table by table; periods; the data layer's errors."""

from __future__ import annotations

import datetime as dt

import duckdb
import pytest

from maternity_equity.indicators import Indicator
from maternity_equity.reports import disclosure as sdc
from maternity_equity.reports.data import (
    Period,
    latest_period,
    load_catalogue,
    load_warehouse,
    meta_from_definition,
)


def row(x, n, **kw):
    """A results row as ``publish.publish_results`` returns it (published figures)."""
    base = {
        "numerator": x,
        "denominator": n,
        "multiplier": 1000.0,
        "value": None if x is None else x / n * 1000,
        "lower_ci": 0.5,
        "upper_ci": 9.5,
        "ratio": 1.5,
        "ratio_lower": 1.1,
        "ratio_upper": 2.0,
        "ratio_significance": "higher",
        "ci_method": "byar",
        "dq_status": "pass",
        "suppressed": False,
    }
    base.update(kw)
    return base


@pytest.mark.parametrize(
    ("count", "shown"),
    [(0, 0), (1, 5), (7, 5), (8, 10), (12, 10), (12.5, 15), (13, 15), (1003, 1005)],
)
def test_round_count_follows_the_rule(count, shown):
    # 0 stays 0, 1-7 become 5, others the nearest 5 with halves up (12.5 -> 15)
    assert sdc.round_count(count) == shown


def test_a_suppressed_row_shows_only_its_denominator():
    f = sdc.figures(row(None, 1100, suppressed=True, ratio_significance="suppressed"))
    assert f.suppressed
    assert [c.text for c in (f.numerator, f.value, f.lower, f.upper, f.ratio, f.compared)] == [
        "*"
    ] * 6
    assert f.denominator.value == 1100
    # a shown row: the published figures as they are (10 / 1,100 x 1,000 = 9.09 -> 9.1)
    g = sdc.figures(row(10, 1100))
    assert (g.value.value, g.numerator.value, g.ratio.value, g.compared.text) == (
        9.1,
        10,
        1.5,
        "Higher",
    )


def test_withheld_comparisons_and_zero_events_have_their_symbols():
    f = sdc.figures(row(5, 5, value=100.0, ratio=None, ratio_significance="suppressed"))
    assert (f.value.value, f.ratio.text, f.compared.text) == (100.0, "*", "*")
    assert not f.suppressed
    zero = sdc.figures(row(0, 1000, ratio=0.0, ratio_significance="not_compared"))
    assert (zero.value.text, zero.ratio.text) == ("-", "-")
    # a ratio to a reference with no events is no number
    inf = sdc.figures(row(20, 1000, ratio=float("inf"), ratio_lower=float("nan")))
    assert (inf.ratio.text, inf.ratio.value) == (":", None)


def test_failing_data_quality_is_words_when_published_and_marked_when_internal():
    failing = row(None, 95, multiplier=100.0, dq_status="fail", lower_ci=None, upper_ci=None)
    published = sdc.figures(failing)
    assert published.value.text == sdc.FAILING_DQ_TEXT and published.value.withheld
    assert published.failing_dq and not published.suppressed
    stored = row(40, 97, multiplier=100.0, value=41.237, dq_status="fail")
    internal = sdc.figures(stored, variant="internal")
    assert (internal.value.value, internal.value.text) == (41.2, "41.2" + sdc.FAILING_MARK)
    assert (internal.numerator.value, internal.denominator.value) == (40, 97)
    with pytest.raises(ValueError, match="variant"):
        sdc.figures(stored, variant="draft")


def test_period_parsing_and_errors():
    p = Period.parse("2025-Q3")
    assert (p.start, p.end, p.title) == (
        dt.date(2025, 7, 1),
        dt.date(2025, 9, 30),
        "July to September 2025",
    )
    assert Period.parse("2024q4").end == dt.date(2024, 12, 31)
    assert p.year_earlier().label == "2024-Q3"
    with pytest.raises(ValueError, match=r"'2025-13'.*calendar quarter"):
        Period.parse("2025-13")


def test_latest_period_is_the_last_quarter_the_months_cover():
    import pandas as pd

    rows = [
        {
            "geography_type": "lmns",
            "period_type": "quarter",
            "period_start": dt.date(2025, 1, 1),
            "period_end": dt.date(2025, 3, 31),
        },
        {
            "geography_type": "lmns",
            "period_type": "quarter",
            "period_start": dt.date(2025, 4, 1),
            "period_end": dt.date(2025, 6, 30),
        },
        {
            "geography_type": "lmns",
            "period_type": "month",
            "period_start": dt.date(2025, 5, 1),
            "period_end": dt.date(2025, 5, 31),
        },
    ]
    # months run only to May, so the April-June quarter is incomplete: report January-March
    assert latest_period(pd.DataFrame(rows)).label == "2025-Q1"


def test_warehouse_errors_name_the_file_and_the_problem(tmp_path):
    with pytest.raises(ValueError, match=r"missing\.duckdb: file not found"):
        load_warehouse(tmp_path / "missing.duckdb")
    path = tmp_path / "empty.duckdb"
    duckdb.connect(str(path)).close()
    with pytest.raises(ValueError, match="no 'results' table"):
        load_warehouse(path)
    con = duckdb.connect(str(path))
    con.execute("create table results (indicator_id varchar)")
    con.close()
    with pytest.raises(
        ValueError,
        match=r"empty.duckdb: table results lacks column\(s\) "
        r"period_type",
    ):
        load_warehouse(path)


def test_catalogue_definitions_are_adapted():
    meta = meta_from_definition(
        Indicator(
            "x",
            "X",
            "metrics",
            "a return-based rate per 1,000",
            source="return",
            unit="per_1000",
            multiplier=1000,
            polarity="lower_is_better",
            target=4,
            disclosure_class="rare_event",
        )
    )
    assert (meta.unit, meta.improvement_direction, meta.target) == ("per 1,000", "decrease", 4.0)
    with pytest.raises(ValueError, match="without an id"):
        meta_from_definition(Indicator("", "no id", "metrics", "", source="return"))
    real = load_catalogue()
    coc = real["p4c_coc_black_asian_mixed"]
    assert (coc.unit, coc.target, coc.polarity) == ("%", 75.0, "higher_is_better")
    assert real["m_stillbirth_rate"].disclosure_class == "rare_event"


def test_sii_sentence_reads_the_engines_sign():
    from maternity_equity.reports.data import IndicatorMeta
    from maternity_equity.reports.sentences import inequality_sentence

    meta = IndicatorMeta("x", "X", unit="%")
    cell = sdc.Cell
    # positive SII = fitted most deprived minus fitted least deprived > 0
    text = inequality_sentence(meta, cell(7.1, "7.1"), cell(-1.0, "-1.0"), cell(15.0, "15.0"))
    assert "7.1 percentage points higher at the most deprived end" in text
    text = inequality_sentence(meta, cell(-2.5, "-2.5"), cell(-4.0, "-4.0"), cell(-1.0, "-1.0"))
    assert "2.5 percentage points higher at the least deprived end" in text
    assert "not shown" in inequality_sentence(
        meta, cell(None, "*"), cell(None, "*"), cell(None, "*")
    )


def test_headline_baseline_names_where_and_when_it_was_measured():
    from maternity_equity.reports.data import load_catalogue
    from maternity_equity.reports.sentences import headline_sentence

    meta = load_catalogue()["m_perinatal_ratio_black_asian_vs_white"]
    assert (meta.baseline, meta.baseline_label) == (1.7, "UK 2017, MBRRACE-UK")
    cell = sdc.Cell
    text = headline_sentence(
        meta,
        cell(2.1, "2.1"),
        cell(1.4, "1.4"),
        cell(3.0, "3.0"),
        period_title="2025-26",
        baseline=cell(1.7, "1.7"),
        baseline_label=meta.baseline_label,
    )
    assert "compared with a baseline of 1.7 (UK 2017, MBRRACE-UK)" in text


# ---- the security review's report findings, on the report as a board reads it -----------------


def _lmns_row(ind, breakdown, group, x, n, **kw):
    from maternity_equity.warehouse.schema import RESULT_COLUMNS

    r = dict.fromkeys(RESULT_COLUMNS)
    r.update(
        indicator_id=ind,
        period_type="rolling_12m",
        period_start=dt.date(2024, 10, 1),
        period_end=dt.date(2025, 9, 30),
        geography_type="lmns",
        geography_code="E54000099",
        geography_name="Fictional Vale LMNS",
        breakdown=breakdown,
        group=group,
        numerator=float(x),
        denominator=float(n),
        multiplier=1000.0,
        dq_status="pass",
        disclosure_class="rare_event",
        ratio_significance="not_compared",
        reference_group="White" if breakdown == "ethnic_group" else "",
    )
    r.update(kw)
    return r


def test_group_ratio_headline_is_the_ratio_of_the_published_rates():
    import pandas as pd

    from maternity_equity.reports.content import ReportBuilder
    from maternity_equity.reports.data import WarehouseData

    mortality = "m_perinatal_mortality_rate"
    rows = [
        _lmns_row(mortality, "ethnic_group", g, x, n, value=x / n * 1000)
        for g, x, n in (("White", 20, 3000), ("Black", 10, 900), ("Asian", 12, 1100))
    ]
    # stored: (22 / 2000) / (20 / 3000) = 1.65 from unrounded counts
    rows.append(
        _lmns_row(
            "m_perinatal_ratio_black_asian_vs_white",
            "all",
            "Black and Asian",
            22,
            2000,
            value=1.65,
            lower_ci=0.9,
            upper_ci=3.0,
            ratio=1.65,
            multiplier=1.0,
            reference_group="White",
        )
    )
    data = WarehouseData(pd.DataFrame(rows), pd.DataFrame(), pd.DataFrame(), pd.DataFrame())
    builder = ReportBuilder(data, load_catalogue(), None, Period.parse("2025-Q3"), "published")
    summary = builder.summary_section()
    table = next(t for t in summary.content if getattr(t, "keys", {}).get("kind") == "headline")
    cells = table.rows[table.row_keys.index("m_perinatal_ratio_black_asian_vs_white")]
    # published 20 / 2,000 against 20 / 3,000: (20 / 2000) / (20 / 3000) = 1.5, not 0.0
    # (numerator over denominator) nor the stored 1.65
    assert cells[1].value == 1.5
    assert any("Black and Asian babies vs White was 1.5 " in p.text for p in summary.content)


@pytest.fixture(scope="module")
def failing_warehouse(tmp_path_factory):
    from fixture_lmns import write_warehouse

    path = write_warehouse(tmp_path_factory.mktemp("failing") / "warehouse.duckdb")
    con = duckdb.connect(str(path))
    # continuity of carer fails its data-quality checks for July to September 2025
    con.execute(
        "update results set dq_status = 'fail' where indicator_id = 'p4c_coc_black_asian_mixed' "
        "and period_type = 'quarter' and period_start = DATE '2025-07-01'"
    )
    con.close()
    return path


def test_failing_data_quality_reaches_every_report_format(failing_warehouse, tmp_path):
    import openpyxl
    from fixture_lmns import CATALOGUE, plan_data
    from report_helpers import html_tables

    from maternity_equity.reports import build_report

    def build(variant):
        paths = build_report(
            failing_warehouse,
            None,
            period="2025-Q3",
            variant=variant,
            out_dir=tmp_path / variant,
            catalogue=CATALOGUE,
            plan=plan_data(),
            pdf=False,
        )
        return paths, paths.html.read_text(encoding="utf-8")

    paths, html = build("published")
    coc = [
        t
        for t in html_tables(html)
        if t.attrs.get("indicator-id") == "p4c_coc_black_asian_mixed"
        and t.attrs.get("kind") == "indicator"
    ]
    assert len(coc) == 2  # by ethnic group and by IMD quintile
    for table in coc:
        for key, cells in table.rows:
            value = next(c for c in cells if c.field == "value")
            assert (value.text, value.value) == ("Failing data quality", None), key
    assert "40.8%" not in html  # 412 / 1,003 published as 410 / 1,005 would read 40.8%
    assert "the figure for July to September 2025 is not shown because the data-quality" in html
    sheet = openpyxl.load_workbook(paths.xlsx, read_only=True)[paths.sheets[coc[0].id]]
    assert "Failing data quality" in {c for r in sheet.iter_rows(values_only=True) for c in r}
    # the boundary: the same indicator's passing months are still charted as numbers
    spc = next(
        t
        for t in html_tables(html)
        if t.attrs.get("kind") == "spc"
        and t.attrs.get("indicator-id") == "p4c_coc_black_asian_mixed"
    )
    assert all(c.value is not None for _, cells in spc.rows for c in cells if c.field == "value")
    # internal: the number, marked
    _, internal = build("internal")
    table = next(
        t
        for t in html_tables(internal)
        if t.attrs.get("indicator-id") == "p4c_coc_black_asian_mixed"
        and t.attrs.get("breakdown") == "ethnic_group"
    )
    black = table.row("Black")["value"]
    assert (black.value, black.text) == (39.7, "39.7" + sdc.FAILING_MARK)  # 58 / 146


def test_published_wres_table_reveals_no_count_of_1_to_7(tmp_path):
    from fixture_lmns import CATALOGUE, write_warehouse

    from maternity_equity.plan.db import session_scope, upgrade
    from maternity_equity.plan.yaml_io import example_plan_path, import_plan_file
    from maternity_equity.reports.build import build_model

    url = f"sqlite:///{tmp_path / 'plan.sqlite'}"
    upgrade(url)
    with session_scope(url, user="test") as s:
        import_plan_file(s, example_plan_path())
    warehouse = write_warehouse(tmp_path / "warehouse.duckdb")

    def wres(variant):
        report = build_model(
            warehouse,
            url,
            period="2025-Q3",
            variant=variant,
            catalogue=CATALOGUE,
            today=dt.date(2025, 10, 15),
        )
        table = next(t for t in report.tables() if t.keys.get("kind") == "wres")
        return {
            k: dict(zip([c.key for c in table.columns], r, strict=True))
            for k, r in zip(table.row_keys, table.rows, strict=True)
        }

    internal = wres("internal")
    # the example return's indicator 3: 6 of 237 BME and 7 of 708 White staff entered the
    # disciplinary process; the relative likelihood 2.5605786618 has one solution among the
    # counts that round to 5 / 235 and 5 / 710, the true ones
    assert internal["3"]["measure"].text == "2.56"
    assert "6 staff of unknown ethnicity excluded" in internal["1"]["note"].text
    published = wres("published")
    assert [published["3"][k].text for k in ("white", "bme", "measure")] == ["*", "*", "*"]
    # indicator 2 from rounded counts: 60 / 200 White and 24 -> 25 / 160 BME appointed:
    # (60 / 200) / (25 / 160) = 1.92
    assert published["2"]["measure"].value == 1.92
    assert published["2"]["bme"].value == pytest.approx(25 / 160 * 100, abs=0.006)
    # indicator 9 is computed from board counts the return holds only in a note: withheld
    assert published["9"]["measure"].text == "*"
    # notes quote unrounded counts ("6 staff of unknown ethnicity", "1 of 8 board members"):
    # the published table has no note column at all
    assert all("note" not in r for r in published.values())
    # indicators 5 to 8 have no overall measure: not applicable, not "not available"
    assert published["5"]["measure"].text == "z" and internal["5"]["measure"].text == "z"


def test_every_catalogue_unit_is_written_in_plain_words():
    from maternity_equity.indicators import catalogue
    from maternity_equity.reports.content import _value_title
    from maternity_equity.reports.data import UNIT_LABELS
    from maternity_equity.reports.sentences import with_unit

    # every unit the catalogue uses has a label chosen for it, not a fallback
    assert {d.unit for d in catalogue()} <= set(UNIT_LABELS)
    real = load_catalogue()
    assert all("_" not in m.unit for m in real.values())
    wres9 = real["p4d_wres_9"]  # % BME of the board minus % BME of the workforce
    assert wres9.unit == "percentage points"
    assert with_unit("-3.5", wres9.unit) == "-3.5 percentage points"
    assert _value_title(wres9) == "Percentage points"


def test_only_rows_the_report_can_show_are_published_and_ratios_keep_their_sources():
    """The report publishes every period's overall rows (trend charts) but group rows only for
    its quarter and a year earlier; a group ratio's trend still finds its source's ethnic rows
    in every period, so its points are published, not withheld for want of them."""
    import pandas as pd

    from maternity_equity.reports.content import ReportBuilder
    from maternity_equity.reports.data import WarehouseData

    mortality, ratio = "m_perinatal_mortality_rate", "m_perinatal_ratio_black_asian_vs_white"
    rows = []
    for start, end in (
        (dt.date(2024, 10, 1), dt.date(2025, 9, 30)),
        (dt.date(2024, 7, 1), dt.date(2025, 6, 30)),
    ):
        when = {"period_start": start, "period_end": end}
        for g, x, n in (("White", 20, 3000), ("Black", 10, 900), ("Asian", 12, 1100)):
            rows.append(_lmns_row(mortality, "ethnic_group", g, x, n, value=x / n * 1000, **when))
        rows.append(_lmns_row(mortality, "all", "All", 42, 5000, value=8.4, **when))
        rows.append(
            _lmns_row(
                ratio,
                "all",
                "Black and Asian",
                22,
                2000,
                value=1.65,
                multiplier=1.0,
                reference_group="White",
                **when,
            )
        )
        # a rate that is no group ratio's source: its groups are needed only in the report's period
        rows.append(_lmns_row("m_stillbirth_rate", "ethnic_group", "White", 9, 3000, **when))
    data = WarehouseData(pd.DataFrame(rows), pd.DataFrame(), pd.DataFrame(), pd.DataFrame())
    builder = ReportBuilder(data, load_catalogue(), None, Period.parse("2025-Q3"), "published")
    shown = builder.shown
    june = shown[shown["period_end"] == dt.date(2025, 6, 30)]
    # (20 / 2,000) / (20 / 3,000) = 1.5 from the rounded counts, in the earlier period too
    assert june.loc[june["indicator_id"] == ratio, "value"].tolist() == [1.5]
    assert june[june["indicator_id"] == "m_stillbirth_rate"].empty
    september = shown[shown["period_end"] == dt.date(2025, 9, 30)]
    assert len(september[september["indicator_id"] == "m_stillbirth_rate"]) == 1
