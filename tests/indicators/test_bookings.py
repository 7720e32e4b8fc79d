"""Booking-cohort indicators on a hand-built extract: numerators and denominators counted by hand.

Eight women book in January 2024 (provider P1, neighbourhood N1). Defaults from ``mother``:
gestation 60 days, ethnic A valid, postcode valid, IMD decile 5, age 30, no smoking status.

    id  gest  folic  smoking     postcode  ethnic        complex social factors
    b1   70   01     smoker      valid     A             substance misuse; nulliparous, 10 ANC
    b2   71   02     non_smoker  pseudo    N (decile 1)  -
    b3    0   03     unknown     valid     Z not stated  aged 19
    b4  None  ZZ     -           missing   99 not known  -
    b5   90   -      -           valid     missing       recent migrant
    b6   91   01     -           valid     H             aged 17, English difficulty; parous
    b7  140   -      -           valid     C             domestic abuse (+ booking flag)
    b8  141   -      -           valid     A             booking flag only
"""

from __future__ import annotations

import datetime as dt

import pytest
from indicator_helpers import mother, pick, run

JAN = dt.date(2024, 1, 1)


def _contacts(pid: str, dates: list[dt.date], attended: str = "Y") -> list[dict]:
    return [
        dict(
            contact_id=f"{pid}c{i}{attended}",
            pregnancy_id=pid,
            rp_start_date=d,
            contact_date=d,
            attended=attended,
            medium="01",
        )
        for i, d in enumerate(dates)
    ]


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    from indicator_helpers import write_warehouse

    p = [
        mother(
            "b1",
            gestation_at_booking_days=70,
            folic_acid="01",
            smoking_at_booking="smoker",
            csf_substance_misuse="Y",
            previous_live_births=0,
        ),
        mother(
            "b2",
            gestation_at_booking_days=71,
            folic_acid="02",
            smoking_at_booking="non_smoker",
            postcode_status="pseudo_no_fixed_abode",
            ethnic_category="N",
            imd_decile=1,
            imd_quintile=1,
        ),
        mother(
            "b3",
            gestation_at_booking_days=0,
            folic_acid="03",
            smoking_at_booking="unknown",
            ethnic_category="Z",
            ethnic_status="not_stated",
            age_at_booking=19,
        ),
        mother(
            "b4",
            gestation_at_booking_days=None,
            folic_acid="ZZ",
            postcode_status="missing",
            ethnic_category="99",
            ethnic_status="not_known",
        ),
        mother(
            "b5",
            gestation_at_booking_days=90,
            ethnic_category=None,
            ethnic_status="missing",
            csf_recent_migrant="Y",
            previous_live_births=0,
        ),
        mother(
            "b6",
            gestation_at_booking_days=91,
            folic_acid="01",
            ethnic_category="H",
            age_at_booking=17,
            csf_english_difficulty="Y",
            previous_live_births=2,
        ),
        mother(
            "b7",
            gestation_at_booking_days=140,
            ethnic_category="C",
            csf_domestic_abuse="Y",
            complex_social_factors="Y",
        ),
        mother("b8", gestation_at_booking_days=141, complex_social_factors="Y"),
    ]
    deliveries = [
        dict(
            delivery_id="d1",
            pregnancy_id="b1",
            rp_start_date=dt.date(2024, 8, 1),
            delivery_date=dt.date(2024, 8, 1),
        ),
        dict(
            delivery_id="d6",
            pregnancy_id="b6",
            rp_start_date=dt.date(2024, 7, 1),
            delivery_date=dt.date(2024, 7, 20),
        ),
        dict(
            delivery_id="d7",
            pregnancy_id="b7",
            rp_start_date=dt.date(2024, 7, 1),
            delivery_date=dt.date(2024, 7, 25),
        ),
    ]
    b1_days = [dt.date(2024, m, 10) for m in range(2, 8)] + [
        dt.date(2024, 1, 15),
        dt.date(2024, 1, 20),
        dt.date(2024, 7, 20),
        dt.date(2024, 7, 31),
    ]  # 10 attended, from the booking day (15 Jan) to the day before delivery (1 Aug)
    contacts = (
        _contacts("b1", b1_days)
        + _contacts("b1", [dt.date(2024, 8, 1)])  # on the delivery day: not antenatal
        + _contacts("b1", [dt.date(2024, 3, 3)], attended="N")  # did not attend
        + _contacts("b6", [dt.date(2024, m, 12) for m in range(2, 8)])  # 6 attended
        + _contacts("b6", [dt.date(2024, 1, 1)])  # before the booking: not counted
    )
    path = write_warehouse(
        tmp_path_factory.mktemp("bookings") / "wh.duckdb",
        dict(pregnancies=p, deliveries=deliveries, care_contacts=contacts),
    )
    ids = [
        "p4b_booking_by_10w",
        "p1_folic_acid",
        "p1_folic_acid_before_pregnancy",
        "p3_valid_postcode_at_booking",
        "p3_valid_ethnic_category_at_booking",
        "p3_ethnicity_not_stated_or_unknown",
        "p4b_booking_ethnic_minority",
        "p4c_smoking_at_booking",
        "p4b_csf_booking_by_10w",
        "p4b_csf_booking_by_12w6d",
        "p4b_csf_booking_by_20w",
        "p4b_csf_recommended_appointments",
        "pop_bookings",
    ]
    return run(path, ids)


def counts(results, ind, **kw):
    row = pick(results, ind, period_start=kw.pop("period_start", JAN), **kw)
    return row["numerator"], row["denominator"]


def test_booking_by_10_weeks_counts_70_days_and_drops_invalid_gestation(results):
    # denominator: gestation 1-999 -> b1 b2 b5 b6 b7 b8 (b3 = 0 and b4 missing excluded) = 6
    # numerator: <= 70 days -> b1 only (b2 at 71 days is late) = 1
    assert counts(results, "p4b_booking_by_10w") == (1, 6)
    assert pick(results, "p4b_booking_by_10w", period_start=JAN)["value"] == pytest.approx(100 / 6)


def test_folic_acid_both_definitions(results):
    # recorded 01/02/03/ZZ: b1 b2 b3 b4 b6 = 5; taking (01, 02): b1 b2 b6 = 3; before (01): 2
    assert counts(results, "p1_folic_acid") == (3, 5)
    assert counts(results, "p1_folic_acid_before_pregnancy") == (2, 5)


def test_data_quality_indicators(results):
    # valid postcode: all but b2 (pseudo) and b4 (missing) = 6 of 8
    assert counts(results, "p3_valid_postcode_at_booking") == (6, 8)
    # valid ethnic category: b1 b2 b6 b7 b8 = 5 of 8; not stated/known: b3 b4 = 2 of 8
    assert counts(results, "p3_valid_ethnic_category_at_booking") == (5, 8)
    assert counts(results, "p3_ethnicity_not_stated_or_unknown") == (2, 8)
    # ethnic minority among valid: N (b2) and H (b6); C (b7) counts as White = 2 of 5
    assert counts(results, "p4b_booking_ethnic_minority") == (2, 5)


def test_smoking_at_booking_keeps_unknown_in_the_denominator(results):
    # any status: b1 smoker, b2 non-smoker, b3 unknown = 3; smokers = 1
    assert counts(results, "p4c_smoking_at_booking") == (1, 3)


def test_complex_social_factor_booking_windows_overall(results):
    # CSF women: b1 b3 b5 b6 b7 b8 (b3 has gestation 0 so leaves every denominator) -> 5
    assert counts(results, "p4b_csf_booking_by_10w") == (1, 5)  # b1 (70)
    assert counts(results, "p4b_csf_booking_by_12w6d") == (2, 5)  # b1, b5 (90)
    assert counts(results, "p4b_csf_booking_by_20w") == (4, 5)  # + b6 (91), b7 (140)


@pytest.mark.parametrize(
    ("factor", "by_10w", "by_20w"),
    [
        ("substance_misuse", (1, 1), (1, 1)),  # b1 at 70 days
        ("recent_migrant", (0, 1), (1, 1)),  # b5 at 90 days
        ("english_difficulty", (0, 1), (1, 1)),  # b6 at 91 days
        ("aged_under_20", (0, 1), (1, 1)),  # b6 (b3 is 19 but has no valid gestation)
        ("domestic_abuse", (0, 1), (1, 1)),  # b7 at 140 days: by 20+0 counts 140
    ],
)
def test_complex_social_factor_booking_windows_per_factor(results, factor, by_10w, by_20w):
    kw = dict(breakdown="complex_social_factor", group=factor)
    assert counts(results, "p4b_csf_booking_by_10w", **kw) == by_10w
    assert counts(results, "p4b_csf_booking_by_20w", **kw) == by_20w


def test_recommended_appointments_by_parity(results):
    # b1 (nulliparous): 10 attended antenatal contacts -> meets 10; delivered August
    assert counts(
        results, "p4b_csf_recommended_appointments", period_start=dt.date(2024, 8, 1)
    ) == (1, 1)
    # b6 (parous): 6 counted (the pre-booking contact is not) -> misses 7; b7 has no parity
    assert counts(
        results, "p4b_csf_recommended_appointments", period_start=dt.date(2024, 7, 1)
    ) == (0, 1)


def test_population_needs_counts(results):
    row = pick(results, "pop_bookings", period_start=JAN)
    assert (row["numerator"], row["value"]) == (8, 8)
    young = pick(results, "pop_bookings", period_start=JAN, breakdown="age_band", group="Under 20")
    assert (young["numerator"], young["denominator"]) == (2, 8)  # b3, b6
    cross = pick(
        results,
        "pop_bookings",
        period_start=JAN,
        breakdown="ethnic_category_x_imd_quintile",
        group="N | 1",
    )
    assert cross["numerator"] == 1  # b2
    csf = pick(
        results,
        "pop_bookings",
        period_start=JAN,
        breakdown="complex_social_factor",
        group="aged_under_20",
    )
    assert csf["numerator"] == 2


def test_breakdowns_by_ethnic_group_and_deprivation(results):
    # booking by 10 weeks, White (A, C): b1 (70) b7 (140) b8 (141) -> 1 of 3; Black: b2 -> 0 of 1
    white = pick(
        results, "p4b_booking_by_10w", period_start=JAN, breakdown="ethnic_group", group="White"
    )
    assert (white["numerator"], white["denominator"]) == (1, 3)
    missing = pick(
        results,
        "p4b_booking_by_10w",
        period_start=JAN,
        breakdown="ethnic_group",
        group="Not stated or not known",
    )
    assert missing["denominator"] == 1  # b5 (b3 and b4 have no valid gestation)
    q1 = pick(results, "p4b_booking_by_10w", period_start=JAN, breakdown="imd_quintile", group="1")
    assert (q1["numerator"], q1["denominator"]) == (0, 1)
