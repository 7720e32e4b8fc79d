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
    base = {
        "numerator": x,
        "denominator": n,
        "multiplier": 1000.0,
        "value": x / n * 1000,
        "lower_ci": 0.5,
        "upper_ci": 9.5,
        "ratio": 1.5,
        "ratio_lower": 1.1,
        "ratio_upper": 2.0,
        "ratio_significance": "higher",
        "ci_method": "byar",
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


def test_rare_event_with_1_to_7_events_is_suppressed_with_its_ratio():
    f = sdc.publish_row(row(6, 1100), disclosure_class="rare_event")
    assert f.suppressed
    assert [c.text for c in (f.numerator, f.value, f.lower, f.upper, f.ratio, f.compared)] == [
        "*"
    ] * 6
    assert f.denominator.value == 1100
    # 8 events: shown, from unrounded counts (8 / 1,100 x 1,000 = 7.27 -> 7.3), numerator 10
    g = sdc.publish_row(row(8, 1100), disclosure_class="rare_event")
    assert (g.value.value, g.numerator.value, g.ratio.value) == (7.3, 10, 1.5)
    assert g.compared.text == "Higher"


def test_count_class_small_numerator_hides_the_ratio_but_not_the_rounded_value():
    # 4 of 7 -> 5 of 5 = 100%; the ratio's interval would betray 4, so it is withheld
    f = sdc.publish_row(
        {
            "numerator": 4,
            "denominator": 7,
            "multiplier": 100.0,
            "ratio": 2.1,
            "ratio_lower": 1.0,
            "ratio_upper": 4.0,
            "ci_method": "wilson",
        }
    )
    assert (f.numerator.value, f.denominator.value, f.value.value) == (5, 5, 100.0)
    assert f.ratio.text == "*" and not f.suppressed


def test_internal_variant_shows_stored_figures():
    f = sdc.publish_row(row(6, 1100), disclosure_class="rare_event", variant="internal")
    assert (f.numerator.value, f.value.value) == (6, round(6 / 1100 * 1000, 1))
    with pytest.raises(ValueError, match="variant"):
        sdc.publish_row(row(6, 1100), variant="draft")


def fig(x, n=1000):
    return sdc.publish_row(row(x, n), disclosure_class="rare_event")


def hidden(groups):
    return [i for i, f in enumerate(groups) if f.suppressed]


def test_lone_suppressed_group_gets_a_complement_that_reaches_eight():
    total = fig(40)
    # 3 is hidden; 3 + 4 = 7 is still small, 3 + 9 = 12 is enough: the 9 is the complement
    groups = [fig(3), fig(4), fig(9), fig(24)]
    assert hidden(groups) == [0, 1]  # 3 and 4 are both 1-7
    # two hidden, but together 7 events: recoverable from the total, so a third is hidden
    out = sdc.secondary_suppression(groups, total)
    assert hidden(out) == [0, 1, 2]
    groups = [fig(6), fig(0), fig(9), fig(25)]
    out = sdc.secondary_suppression(groups, total)
    assert hidden(out) == [0, 2]  # not the zero group: 6 + 0 would still be 6


def test_no_complement_without_a_shown_total():
    groups = [fig(6), fig(9), fig(25)]
    assert hidden(sdc.secondary_suppression(groups, None)) == [0]
    assert hidden(sdc.secondary_suppression(groups, fig(5))) == [0]  # total itself hidden


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


def test_ratio_to_a_reference_with_no_events_is_not_available():
    f = sdc.publish_row(
        row(20, 1000, ratio=float("inf"), ratio_lower=float("nan")), disclosure_class="rare_event"
    )
    assert (f.ratio.text, f.ratio.value) == (":", None)


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
