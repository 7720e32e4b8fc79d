"""WRES indicators for a stored return, checked by hand against the example plan's figures."""

from __future__ import annotations

import math

import pytest

from maternity_equity.plan.db import session_scope
from maternity_equity.plan.engine_rows import ALL_COLUMNS
from maternity_equity.plan.yaml_io import example_plan_path, import_plan_file
from maternity_equity.workforce import export_for_engine


@pytest.fixture(scope="module")
def frame(tmp_path_factory):
    """Results for the example plan's WRES return (loaded once; the tests only read)."""
    from maternity_equity.plan import db

    engine = db.upgrade(f"sqlite:///{tmp_path_factory.mktemp('wres') / 'plan.sqlite'}")
    with session_scope(engine, "hr") as session:
        import_plan_file(session, example_plan_path())
    with session_scope(engine, "hr") as session:
        result = export_for_engine(session)
    engine.dispose()
    return result


def _row(frame, number: int, group: str):
    rows = frame[(frame.indicator_id == f"p4d_wres_{number}") & (frame.group == group)]
    assert len(rows) == 1, (number, group)
    return rows.iloc[0]


def test_shape_matches_returns(frame):
    assert list(frame.columns) == list(ALL_COLUMNS)
    assert set(frame.indicator_id) == {f"p4d_wres_{n}" for n in range(1, 10)}
    assert set(frame.geography_code) == {"RXX"} and set(frame.loaded_by) == {"hr"}


def test_indicator_1_percent_bme_by_band(frame):
    # Known ethnicity: 122 BME of 480 (6 unknown excluded) = 25.4167%.
    overall = _row(frame, 1, "All")
    assert (overall.numerator, overall.denominator) == (122, 480)
    assert overall.value == pytest.approx(25.4167, abs=1e-4)
    band7 = _row(frame, 1, "Band 7")  # 10 of 80 = 12.5%, half the overall share
    assert band7.value == pytest.approx(12.5)
    assert band7.ratio == pytest.approx(12.5 / 25.41667, abs=1e-5)


def test_indicator_2_relative_likelihood_with_katz_interval(frame):
    # White 60/200 = 30%, BME 24/160 = 15% -> RL 2.0. SE = sqrt(1/60 - 1/200 + 1/24 - 1/160)
    # = 0.216987; exp(ln 2 -/+ 1.959964 x 0.216987) = 1.30717 .. 3.06006.
    headline = _row(frame, 2, "All")
    assert headline.value == pytest.approx(2.0)
    assert headline.ratio_lower == pytest.approx(1.30717, abs=1e-5)
    assert headline.ratio_upper == pytest.approx(3.06006, abs=1e-5)
    assert "our addition" in headline.ci_method
    assert _row(frame, 2, "White").value == pytest.approx(30.0)
    assert _row(frame, 2, "BME").value == pytest.approx(15.0)


def test_indicator_3_pools_two_years_and_flags_small_numbers(frame):
    # Two years pooled: BME 6 of 237, White 7 of 708 -> (6/237)/(7/708) = 2.5606.
    headline = _row(frame, 3, "All")
    assert headline.value == pytest.approx((6 / 237) / (7 / 708))
    assert headline.reference_group == "White"
    assert "small numbers" in headline.note and "2-year pooled" in headline.note


def test_indicator_3_one_year_option(wres_engine):
    from maternity_equity.workforce.wres import export_for_engine as export

    with session_scope(wres_engine, "hr") as session:
        import_plan_file(session, example_plan_path())
        frame = export(session, rolling_years=1)
    # Current year only: BME 3/122, White 4/358 -> 2.2008.
    assert _row(frame, 3, "All").value == pytest.approx((3 / 122) / (4 / 358))


def test_indicator_4_and_survey_and_board(frame):
    # Training: White 179/358 = 50%, BME 49/122 = 40.16% -> 1.2449.
    assert _row(frame, 4, "All").value == pytest.approx(0.5 / (49 / 122))
    # Indicator 8: BME 16% vs White 6%; 16% of 50 respondents = 8 people.
    bme8 = _row(frame, 8, "BME")
    assert (bme8.value, bme8.numerator, bme8.denominator) == (16.0, 8, 50)
    assert bme8.ratio == pytest.approx(16 / 6)
    assert "+10.0 percentage points" in bme8.note
    # Board: 3 BME of 15 = 20% vs workforce 25.4167% -> -5.4167 pp; executives 1 of 8.
    assert _row(frame, 9, "All").value == pytest.approx(20 - 100 * 122 / 480)
    assert _row(frame, 9, "Executive").value == pytest.approx(12.5 - 100 * 122 / 480)
    voting = _row(frame, 9, "Voting")  # 3 of 13 voting members: 23.08% - 25.42%
    assert voting.value == pytest.approx(100 * 3 / 13 - 100 * 122 / 480)
    assert math.isnan(voting.denominator) and voting.note.startswith("3 of 13 board members")


def test_white_row_carries_the_ratio_only_for_the_focus_group(frame):
    assert _row(frame, 2, "White").ratio == pytest.approx(2.0)
    assert math.isnan(_row(frame, 2, "BME").ratio)


def test_not_calculable_ratios_are_left_out_for_the_engine(tmp_path):
    """No White staff entered a disciplinary process: indicator 3 cannot be calculated."""
    from maternity_equity.plan import db
    from maternity_equity.workforce.wres import export_for_engine as export
    from maternity_equity.workforce.wres_io import import_returns

    engine = db.upgrade(f"sqlite:///{tmp_path / 'plan.sqlite'}")
    header = {"organisation_code": "SYN03", "period_start": __import__("datetime").date(2024, 4, 1)}
    header["period_end"] = header["period_start"].replace(year=2025, month=3, day=31)
    disciplinary = [
        {"year_offset": 0, "ethnic_group": "White", "headcount": 90, "entered": 0},
        {"year_offset": 0, "ethnic_group": "BME", "headcount": 30, "entered": 2},
    ]
    with session_scope(engine, "hr") as session:
        import_returns(session, [{**header, "disciplinary": disciplinary}])
    with session_scope(engine, "hr") as session:
        full = export(session, include_not_calculable=True)
        lean = export(session)
    engine.dispose()
    headline = _row(full, 3, "All")
    assert math.isnan(headline.value) and "not calculable" in headline.note
    assert "All" not in set(lean.group)  # dropped for the engine
    assert set(lean.group) == {"White", "BME"}  # the group likelihoods remain
