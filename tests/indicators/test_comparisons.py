"""Reference-group ratios, SII/RII on deprivation breakdowns and the headline group ratio."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pytest
from indicator_helpers import mother, pick, run, write_warehouse

from maternity_equity.indicators import Options

JAN = dt.date(2024, 1, 1)


@pytest.fixture(scope="module")
def bookings(tmp_path_factory):
    """White (A): 10 bookings, 4 by 10 weeks. Black (N): 5 bookings, 4 by 10 weeks. Unknown
    groups: u1 ethnicity not stated (Z), deprivation unknown; u2 ethnicity not known (99),
    decile 10 (so the least deprived reference row exists); both by 10 weeks.
    Deprivation: 10 bookings in each quintile (deciles 1, 3, 5, 7, 9); by 10 weeks
    5, 4, 3, 2, 1 from quintile 1 (most deprived) to quintile 5. Quintile 3 lives in place PL2,
    the others in PL1 (neighbourhood N1 holds them all)."""
    rows = []
    for i in range(10):
        rows.append(mother(f"w{i}", gestation_at_booking_days=60 if i < 4 else 80))
    for i in range(5):
        rows.append(
            mother(f"b{i}", ethnic_category="N", gestation_at_booking_days=60 if i < 4 else 80)
        )
    rows.append(
        mother("u1", ethnic_category="Z", ethnic_status="not_stated", imd_decile=None)
        | {"imd_quintile": None}
    )
    rows.append(
        mother("u2", ethnic_category="99", ethnic_status="not_known", imd_decile=10, imd_quintile=5)
    )
    path = write_warehouse(tmp_path_factory.mktemp("ratio") / "wh.duckdb", dict(pregnancies=rows))
    ratio = run(path, ["p4b_booking_by_10w"])
    rows = []
    for q in range(1, 6):
        for i in range(10):
            rows.append(
                mother(
                    f"q{q}-{i}",
                    imd_decile=2 * q - 1,
                    imd_quintile=q,
                    gestation_at_booking_days=60 if i < 6 - q else 80,
                    place_code="PL2" if q == 3 else "PL1",
                )
            )
    path = write_warehouse(tmp_path_factory.mktemp("sii") / "wh.duckdb", dict(pregnancies=rows))
    slope = run(path, ["p4b_booking_by_10w"])  # default options: SII for every period
    standard = run(path, ["p4b_booking_by_10w"], options=Options.standard())
    return ratio, slope, standard


def test_ratio_to_white_with_katz_interval(bookings):
    ratio, *_ = bookings
    black = pick(
        ratio, "p4b_booking_by_10w", period_start=JAN, breakdown="ethnic_group", group="Black"
    )
    # (4/5) / (4/10) = 2; Katz SE = sqrt(1/4 - 1/5 + 1/4 - 1/10) = sqrt(0.2)
    se = math.sqrt(0.2)
    assert black["reference_group"] == "White"
    assert black["ratio"] == pytest.approx(2.0)
    assert black["ratio_lower"] == pytest.approx(2 * math.exp(-1.959964 * se), rel=1e-5)
    assert black["ratio_upper"] == pytest.approx(2 * math.exp(1.959964 * se), rel=1e-5)
    assert black["ratio_significance"] == "similar"  # 0.83 to 4.81 includes 1
    white = pick(
        ratio, "p4b_booking_by_10w", period_start=JAN, breakdown="ethnic_group", group="White"
    )
    assert white["ratio"] == 1 and white["ratio_significance"] == "not_compared"
    overall = pick(ratio, "p4b_booking_by_10w", period_start=JAN)
    assert overall["ratio_significance"] == "not_compared" and np.isnan(overall["ratio"])


def test_unknown_groups_get_no_reference_and_no_ratio(bookings):
    ratio, *_ = bookings
    for breakdown, group in (
        ("ethnic_group", "Not stated or not known"),  # u1 and u2: 2 of 2
        ("ethnic_priority", "Not stated or not known"),
        ("ethnic_category", "Z"),
        ("ethnic_category", "99"),
        ("imd_decile", "Unknown"),  # u1, though decile 10 (u2) is there to compare with
        ("imd_quintile", "Unknown"),
        ("ethnic_group_x_imd_quintile", "Not stated or not known | 5"),
        ("ethnic_group_x_imd_quintile", "Not stated or not known | Unknown"),
    ):
        row = pick(ratio, "p4b_booking_by_10w", period_start=JAN, breakdown=breakdown, group=group)
        assert row["reference_group"] == "", (breakdown, group)
        assert np.isnan(row["ratio"]) and row["ratio_significance"] == "not_compared"
    # a known group is still compared: decile 5 (w*, b*: 8 of 15) against decile 10 (u2: 1/1)
    dec5 = pick(ratio, "p4b_booking_by_10w", period_start=JAN, breakdown="imd_decile", group="5")
    assert dec5["reference_group"] == "10" and dec5["ratio"] == pytest.approx(8 / 15)
    # the cross compares with White in the least deprived quintile (absent here: no ratio)
    black = pick(
        ratio,
        "p4b_booking_by_10w",
        period_start=JAN,
        breakdown="ethnic_group_x_imd_quintile",
        group="Black | 3",
    )
    assert black["reference_group"] == "White | 5" and np.isnan(black["ratio"])


def test_sii_and_rii_on_quintiles(bookings):
    _, slope, _ = bookings
    # equal populations at ranks 0.1 ... 0.9 (least deprived first) with values 0.1 ... 0.5:
    # y = 0.05 + 0.5 x exactly, so SII = 0.5 x 100 = 50 points, RII = 0.55 / 0.05 = 11
    rows = slope[
        (slope["indicator_id"] == "p4b_booking_by_10w")
        & (slope["breakdown"] == "imd_quintile")
        & (slope["geography_type"] == "lmns")
        & (slope["period_type"] == "month")
    ]
    assert len(rows) == 5
    assert rows["sii"].to_numpy() == pytest.approx([50.0] * 5)
    assert rows["rii"].to_numpy() == pytest.approx([11.0] * 5)
    assert (rows["sii_lower"] < 50).all() and (rows["sii_upper"] > 50).all()
    q1 = rows[rows["group"] == "1"].iloc[0]
    # quintile 1 against quintile 5: 50% vs 10% -> ratio 5; Katz SE = sqrt(1/5 - 1/10 + 1/1
    # - 1/10) = 1, so the CI 5 x exp(-/+1.96) = 0.70 to 35.5 includes 1: "similar"
    assert q1["reference_group"] == "5" and q1["ratio"] == pytest.approx(5.0)
    assert q1["ratio_lower"] == pytest.approx(5 * math.exp(-1.959964), rel=1e-5)
    assert q1["ratio_significance"] == "similar"
    deciles = slope[(slope["breakdown"] == "imd_decile") & (slope["period_type"] == "month")]
    assert deciles["sii"].isna().all()  # only 5 of the 10 deciles have bookings


def test_sii_on_every_geography_where_every_quantile_is_present(bookings):
    _, slope, standard = bookings
    quintiles = slope[
        (slope["breakdown"] == "imd_quintile") & (slope["period_type"] == "month")
    ].set_index(["geography_type", "geography_code", "group"])
    # the neighbourhood and the provider hold all five quintiles: the LMNS's SII of 50 points
    for geo, code in (("neighbourhood", "N1"), ("provider", "P1")):
        assert quintiles.loc[(geo, code), "sii"].to_numpy() == pytest.approx([50.0] * 5)
    # PL1 lacks quintile 3 and PL2 has only quintile 3: no SII for either place
    assert quintiles.loc[("place", "PL1"), "sii"].isna().all()
    assert len(quintiles.loc[("place", "PL1")]) == 4
    assert quintiles.loc[("place", "PL2"), "sii"].isna().all()
    # compute --detail standard: SII only for rolling years and financial years (none here)
    assert standard["sii"].isna().all()


@pytest.fixture(scope="module")
def perinatal(tmp_path_factory):
    """150 births in March 2024: 15 per IMD decile; White mothers (A) in deciles 1-6 except
    the Black (N, deciles 7-8) and Asian (H, deciles 9-10) ones. Perinatal deaths (stillbirths)
    by decile: 3, 3, 2, 2, 1, 1, 1, 1, 0, 1."""
    deaths = [3, 3, 2, 2, 1, 1, 1, 1, 0, 1]
    ethnic = {7: "N", 8: "N", 9: "H", 10: "H"}
    pregnancies, babies = [], []
    for dec in range(1, 11):
        for i in range(15):
            pid = f"p{dec}-{i}"
            pregnancies.append(
                mother(
                    pid,
                    imd_decile=dec,
                    imd_quintile=(dec + 1) // 2,
                    ethnic_category=ethnic.get(dec, "A"),
                    booking_date=dt.date(2023, 8, 1),
                )
            )
            babies.append(
                dict(
                    baby_id="x" + pid,
                    delivery_id="d" + pid,
                    pregnancy_id=pid,
                    rp_start_date=dt.date(2024, 3, 1),
                    birth_date=dt.date(2024, 3, 9),
                    outcome="02" if i < deaths[dec - 1] else "01",
                    gestation_at_birth_days=270,
                    birth_weight_g=3000,
                )
            )
    path = write_warehouse(
        tmp_path_factory.mktemp("peri") / "wh.duckdb", dict(pregnancies=pregnancies, babies=babies)
    )
    return deaths, run(
        path, ["m_perinatal_ratio_black_asian_vs_white", "m_perinatal_sii_deprivation"]
    )


def test_black_and_asian_versus_white_perinatal_ratio(perinatal):
    _, res = perinatal
    row = pick(
        res,
        "m_perinatal_ratio_black_asian_vs_white",
        period_start=dt.date(2024, 3, 1),
        group="Black and Asian",
    )
    # Black + Asian: deciles 7-10 -> 3 deaths / 60 births; White: deciles 1-6 -> 12 / 90
    assert (row["numerator"], row["denominator"]) == (3, 60)
    assert row["value"] == pytest.approx((3 / 60) / (12 / 90))
    se = math.sqrt(1 / 3 + 1 / 12)  # ratio of rates, Poisson log interval
    assert row["lower_ci"] == pytest.approx(row["value"] * math.exp(-1.959964 * se), rel=1e-5)


def test_perinatal_sii_matches_a_weighted_regression(perinatal):
    deaths, res = perinatal
    row = pick(
        res,
        "m_perinatal_sii_deprivation",
        period_start=dt.date(2024, 3, 1),
        breakdown="imd_decile",
        group="All deciles",
    )
    # second method: least squares of the rate (per 1,000) on the mid-rank, least deprived
    # first, equal weights because every decile has 15 births
    rate = np.array(deaths[::-1]) / 15 * 1000
    rank = (np.arange(10) + 0.5) / 10
    slope = np.polyfit(rank, rate, 1)[0]
    assert row["value"] == pytest.approx(slope)
    assert row["sii"] == pytest.approx(slope) and row["value"] > 0  # worse where deprived
    assert row["lower_ci"] < slope < row["upper_ci"]
    assert (row["numerator"], row["denominator"]) == (sum(deaths), 150)


def test_perinatal_sii_on_quintiles_and_every_geography(perinatal):
    deaths, res = perinatal
    # quintiles pair the deciles: 6, 4, 2, 2, 1 deaths of 30 births each, least deprived first
    # 1, 2, 2, 4, 6; equal weights, so the SII is the least-squares slope on the mid-ranks
    by_quintile = np.add.reduceat(np.array(deaths), [0, 2, 4, 6, 8])
    rate = by_quintile[::-1] / 30 * 1000
    slope = np.polyfit((np.arange(5) + 0.5) / 5, rate, 1)[0]
    sii = res[res["indicator_id"] == "m_perinatal_sii_deprivation"]
    for geo, code in (("lmns", None), ("provider", "P1"), ("neighbourhood", "N1")):
        row = pick(
            res,
            "m_perinatal_sii_deprivation",
            period_start=dt.date(2024, 3, 1),
            geography_type=geo,
            geography_code=code,
            breakdown="imd_quintile",
            group="All quintiles",
        )
        assert row["value"] == pytest.approx(slope) and row["sii"] == pytest.approx(slope)
        assert (row["numerator"], row["denominator"]) == (sum(deaths), 150)
    assert set(sii["breakdown"]) == {"imd_decile", "imd_quintile"}
    assert set(sii["group"]) == {"All deciles", "All quintiles"}
    # one month of births: the month and nothing longer
    assert set(sii["period_type"]) == {"month"}
    ratio = res[res["indicator_id"] == "m_perinatal_ratio_black_asian_vs_white"]
    assert set(ratio["geography_type"]) == {"lmns", "provider", "place", "neighbourhood"}
