"""Birth-cohort indicators and mortality metrics on a hand-built extract (all born March 2024).

baby outcome gest  weight feed  death            notes
x1   01      259   2499   01                     term (37+0), low weight
x2   01      258   2000   02                     preterm (36+6)
x3   01      300   2500   03                     term (42+6), not low weight (2,500 g)
x4   01      301   2000   -                      post-term: outside the LBW cohort
x5   01      280   0      -                      term, invalid weight
x6   01      188   800    01    birth + 27 days  under 27+0, neonatal death (day 27)
x7   01      189   900    -     birth + 28 days  27+0 exactly; death at day 28 is not neonatal
x8   02      168   600    -                      stillbirth at 24+0
x9   03      167   500    -                      late fetal loss (23+6): outside every rate
x10  04      None  450    -                      stillbirth, gestation unknown, >= 400 g
x11  05      200   700    -                      termination: excluded
x12  01      153   300    -                      below the valid window (22+0) and 24+0
x13  01      None  3000   -                      live, gestation unknown, >= 400 g
x14  01      141   250    -                      live at 20+1: in MSDS's '<37 weeks' band,
                                                 outside the CQIM window (154-315)

Mothers (for the population needs splits): x1's is 19 and speaks Punjabi (pa); x2's has a
domestic abuse flag; the others are 30 with no language recorded.
"""

from __future__ import annotations

import datetime as dt

import pytest
from indicator_helpers import mother, pick, run, write_warehouse

MAR = dt.date(2024, 3, 1)
BORN = dt.date(2024, 3, 10)


def _baby(bid, outcome, gest, weight, feed=None, death_after=None):
    return dict(
        baby_id=bid,
        delivery_id="d" + bid,
        pregnancy_id="p" + bid,
        rp_start_date=MAR,
        birth_date=BORN,
        outcome=outcome,
        gestation_at_birth_days=gest,
        birth_weight_g=weight,
        first_feed=feed,
        death_date=None if death_after is None else BORN + dt.timedelta(days=death_after),
    )


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    babies = [
        _baby("x1", "01", 259, 2499, "01"),
        _baby("x2", "01", 258, 2000, "02"),
        _baby("x3", "01", 300, 2500, "03"),
        _baby("x4", "01", 301, 2000),
        _baby("x5", "01", 280, 0),
        _baby("x6", "01", 188, 800, "01", death_after=27),
        _baby("x7", "01", 189, 900, death_after=28),
        _baby("x8", "02", 168, 600),
        _baby("x9", "03", 167, 500),
        _baby("x10", "04", None, 450),
        _baby("x11", "05", 200, 700),
        _baby("x12", "01", 153, 300),
        _baby("x13", "01", None, 3000),
        _baby("x14", "01", 141, 250),
    ]
    profile = {
        "x1": dict(age_at_booking=19, language_code="pa"),
        "x2": dict(csf_domestic_abuse="Y"),
    }
    pregnancies = [
        mother(
            "p" + b["baby_id"], booking_date=dt.date(2023, 8, 1), **profile.get(b["baby_id"], {})
        )
        for b in babies
    ]
    smoking = ["smoker", "non_smoker", "unknown", None]
    deliveries = [
        dict(
            delivery_id="d" + b["baby_id"],
            pregnancy_id="p" + b["baby_id"],
            rp_start_date=MAR,
            delivery_date=BORN,
            smoking_at_delivery=smoking[i] if i < 4 else None,
        )
        for i, b in enumerate(babies)
    ]
    path = write_warehouse(
        tmp_path_factory.mktemp("births") / "wh.duckdb",
        dict(pregnancies=pregnancies, babies=babies, deliveries=deliveries),
    )
    ids = [
        "p4c_low_birth_weight_term",
        "p4c_breast_milk_first_feed",
        "p4c_births_under_27w",
        "p4c_births_under_37w",
        "m_stillbirth_rate",
        "m_neonatal_mortality_rate",
        "m_perinatal_mortality_rate",
        "p4c_smoking_at_delivery",
        "pop_births",
    ]
    return run(path, ids)


def row(results, ind):
    return pick(results, ind, period_start=MAR)


def test_low_birth_weight_at_term_boundaries(results):
    # live births 259-300 days: x1, x3, x5 (x2 at 258 and x4 at 301 are not term)
    # valid weight 1-9998: x1, x3 (x5 weighs 0) -> 2; under 2,500 g: x1 (2,499) -> 1
    r = row(results, "p4c_low_birth_weight_term")
    assert (r["numerator"], r["denominator"], r["value"]) == (1, 2, 50.0)


def test_breast_milk_at_first_feed(results):
    # live births with feed 01-03: x1 x2 x3 x6 = 4; breast milk 01/02: x1 x2 x6 = 3
    r = row(results, "p4c_breast_milk_first_feed")
    assert (r["numerator"], r["denominator"]) == (3, 4)


def test_preterm_definitions(results):
    # live births with gestation 154-315: x1 x2 x3 x4 x5 x6 x7 = 7 (x12 153, x14 141 and x13
    # unknown are outside the CQIM window: in neither numerator nor denominator)
    under_27 = row(results, "p4c_births_under_27w")  # < 189 days: x6 only (x7 is 27+0)
    assert (under_27["numerator"], under_27["denominator"]) == (1, 7)
    assert under_27["value"] == pytest.approx(1000 / 7)  # per 1,000
    under_37 = row(results, "p4c_births_under_37w")  # < 259 days: x2 x6 x7
    assert (under_37["numerator"], under_37["denominator"]) == (3, 7)


def test_mortality_rates(results):
    # total births from 24+0: live x1-x7 and x13 (8) + stillbirths x8 and x10 (2) = 10
    still = row(results, "m_stillbirth_rate")
    assert (still["numerator"], still["denominator"], still["value"]) == (2, 10, 200.0)
    # neonatal deaths (age 0-27 days) among the 8 live births from 24+0: x6 only
    neo = row(results, "m_neonatal_mortality_rate")
    assert (neo["numerator"], neo["denominator"], neo["value"]) == (1, 8, 125.0)
    peri = row(results, "m_perinatal_mortality_rate")
    assert (peri["numerator"], peri["denominator"], peri["value"]) == (3, 10, 300.0)
    # exact Poisson limits below 10 events: 3 events -> 0.6187 to 8.7673 -> per 1,000 of 10
    assert peri["lower_ci"] == pytest.approx(61.87, abs=0.01)
    assert peri["upper_ci"] == pytest.approx(876.73, abs=0.01)
    assert peri["disclosure_class"] == "rare_event"


def test_smoking_at_delivery_uses_known_status(results):
    # statuses: smoker, non_smoker, unknown, missing x10 -> known = 2, smokers = 1
    r = row(results, "p4c_smoking_at_delivery")
    assert (r["numerator"], r["denominator"]) == (1, 2)


def test_population_births_excludes_terminations(results):
    assert row(results, "pop_births")["numerator"] == 13  # 14 babies less the termination


@pytest.mark.parametrize(
    ("breakdown", "group", "babies"),
    [
        ("age_band", "Under 20", 1),  # x1
        ("age_band", "30-34", 12),  # the other 12 births (x11, a termination, is out)
        ("language", "pa", 1),  # x1
        ("language", "Unknown", 12),
        ("complex_social_factor", "aged_under_20", 1),  # x1
        ("complex_social_factor", "domestic_abuse", 1),  # x2
        ("ethnic_category_x_imd_quintile", "A | 3", 13),  # every mother: A, decile 5
    ],
)
def test_population_births_by_age_language_and_complex_social_factors(
    results, breakdown, group, babies
):
    r = pick(results, "pop_births", period_start=MAR, breakdown=breakdown, group=group)
    assert (r["numerator"], r["denominator"]) == (babies, 13)  # of all 13 births
