"""WRES 1 to 9 of the example plan's return, through the indicator engine.

The workforce module's rows (tests/workforce/test_wres_results.py checks them by hand) go to
``compute`` as a return; what comes out must be on each indicator's own scale: percentages as
percentages, relative likelihoods as ratios with the Katz interval the workforce module gave,
the board gap in percentage points. Expected figures are worked out here from the example
plan's counts (src/maternity_equity/plan/examples/example_plan.yaml, RXX 2023/24), with the
Wilson and Katz formulas written out (a second method, not the engine's stats module).
"""

from __future__ import annotations

import math

import pytest

from maternity_equity.indicators import compute, get
from maternity_equity.plan.db import session_scope
from maternity_equity.plan.yaml_io import example_plan_path, import_plan_file
from maternity_equity.workforce import export_for_engine

Z = 1.959963985


def wilson(x: int, n: int) -> tuple[float, float]:
    """Wilson score interval as a percentage, from the textbook formula."""
    p = x / n
    denom = 1 + Z * Z / n
    centre = (p + Z * Z / (2 * n)) / denom
    half = Z * math.sqrt(p * (1 - p) / n + Z * Z / (4 * n * n)) / denom
    return 100 * (centre - half), 100 * (centre + half)


def katz(a: int, n1: int, c: int, n2: int) -> tuple[float, float, float]:
    """(a/n1)/(c/n2) with its Katz log interval."""
    rl = (a / n1) / (c / n2)
    se = math.sqrt(1 / a - 1 / n1 + 1 / c - 1 / n2)
    return rl, rl * math.exp(-Z * se), rl * math.exp(Z * se)


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    from maternity_equity.plan import db

    engine = db.upgrade(f"sqlite:///{tmp_path_factory.mktemp('wres') / 'plan.sqlite'}")
    with session_scope(engine, "hr") as session:
        import_plan_file(session, example_plan_path())
    with session_scope(engine, "hr") as session:
        returns = export_for_engine(session)
    engine.dispose()
    inds = [get(f"p4d_wres_{n}") for n in range(1, 10)]
    return compute({}, indicators=inds, returns=returns)


def row(results, number: int, group: str):
    r = results[(results.indicator_id == f"p4d_wres_{number}") & (results.group == group)]
    assert len(r) == 1, (number, group)
    return r.iloc[0]


def test_units_and_scales_follow_each_indicator():
    # 1 and 5-8 are percentages, 2-4 relative likelihoods, 9 a difference in points
    units = {n: (get(f"p4d_wres_{n}").unit, get(f"p4d_wres_{n}").multiplier) for n in range(1, 10)}
    assert units == {
        1: ("percentage", 100.0),
        2: ("ratio", 1.0),
        3: ("ratio", 1.0),
        4: ("ratio", 1.0),
        5: ("percentage", 100.0),
        6: ("percentage", 100.0),
        7: ("percentage", 100.0),
        8: ("percentage", 100.0),
        9: ("percentage_points", 1.0),
    }


def test_indicator_1_is_a_percentage_with_a_wilson_interval(results):
    # 122 BME of 480 staff of known ethnicity = 25.4167%
    overall = row(results, 1, "All")
    assert (overall.numerator, overall.denominator) == (122, 480)
    assert overall.value == pytest.approx(100 * 122 / 480)
    lo, hi = wilson(122, 480)  # 21.73 .. 29.50
    assert (overall.lower_ci, overall.upper_ci) == (pytest.approx(lo), pytest.approx(hi))
    assert overall.multiplier == 100 and overall.ci_method == "wilson"
    band7 = row(results, 1, "Band 7")  # 10 of 80 = 12.5%, against 25.42% overall
    assert band7.value == pytest.approx(12.5)
    assert band7.ratio == pytest.approx(12.5 / (100 * 122 / 480))
    assert band7.reference_group == "All"


@pytest.mark.parametrize(
    ("number", "focus", "reference", "expected_significance"),
    [
        (2, (60, 200), (24, 160), "higher"),  # White 30% vs BME 15% appointed: 2.0
        (3, (6, 237), (7, 708), "similar"),  # BME vs White disciplinary, two years pooled
        (4, (179, 358), (49, 122), "similar"),  # White vs BME training: 1.2449
    ],
)
def test_relative_likelihoods_keep_their_katz_interval(
    results, number, focus, reference, expected_significance
):
    rl, lo, hi = katz(focus[0], focus[1], reference[0], reference[1])
    headline = row(results, number, "All")
    assert headline.value == pytest.approx(rl)
    assert (headline.lower_ci, headline.upper_ci) == (pytest.approx(lo), pytest.approx(hi))
    assert (headline.ratio, headline.ratio_lower, headline.ratio_upper) == (
        pytest.approx(rl),
        pytest.approx(lo),
        pytest.approx(hi),
    )
    assert headline.ratio_significance == expected_significance
    assert headline.multiplier == 1 and "our addition" in headline.ci_method


def test_relative_likelihood_group_rows_are_percentages(results):
    white = row(results, 2, "White")  # 60 appointed of 200 shortlisted
    assert (white.numerator, white.denominator, white.value) == (60, 200, 30.0)
    assert white.multiplier == 100  # so a publication recomputing 60/200 x 100 gets 30
    lo, hi = wilson(60, 200)
    assert (white.lower_ci, white.upper_ci) == (pytest.approx(lo), pytest.approx(hi))
    bme = row(results, 4, "BME")  # 49 of 122 accessed training
    assert bme.value == pytest.approx(100 * 49 / 122) and bme.multiplier == 100


@pytest.mark.parametrize(
    ("number", "white", "bme"),
    # survey % and respondents (150 White, 50 BME); numerator = % x respondents
    [
        (5, (24.0, 36), (28.0, 14)),
        (6, (20.0, 30), (30.0, 15)),
        (7, (58.0, 87), (42.0, 21)),
        (8, (6.0, 9), (16.0, 8)),
    ],
)
def test_survey_indicators_are_percentages_per_group(results, number, white, bme):
    w, b = row(results, number, "White"), row(results, number, "BME")
    assert (w.value, w.numerator, w.denominator) == (white[0], white[1], 150)
    assert (b.value, b.numerator, b.denominator) == (bme[0], bme[1], 50)
    lo, hi = wilson(bme[1], 50)
    assert (b.lower_ci, b.upper_ci) == (pytest.approx(lo), pytest.approx(hi))
    assert b.ratio == pytest.approx(bme[0] / white[0]) and b.reference_group == "White"


def test_board_gap_is_in_percentage_points(results):
    # 3 BME of 15 board members = 20% against 25.4167% of the workforce
    gap = row(results, 9, "All")
    assert gap.value == pytest.approx(20 - 100 * 122 / 480)
    assert math.isnan(gap.lower_ci) and gap.ci_method == "none" and gap.multiplier == 1
    executive = row(results, 9, "Executive")  # 1 of 8 executives = 12.5%
    assert executive.value == pytest.approx(12.5 - 100 * 122 / 480)
