"""Reference-group ratios, SII/RII on deprivation breakdowns and the headline group ratio."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pytest
from indicator_helpers import mother, pick, run, write_warehouse

from maternity_equity.indicators import Options

JAN = dt.date(2024, 1, 1)
MONTHLY_SII = Options(sii_period_types=("month",))


@pytest.fixture(scope="module")
def bookings(tmp_path_factory):
    """White (A): 10 bookings, 4 by 10 weeks. Black (N): 5 bookings, 4 by 10 weeks.
    Deprivation: 10 bookings in each quintile (deciles 1, 3, 5, 7, 9); by 10 weeks
    5, 4, 3, 2, 1 from quintile 1 (most deprived) to quintile 5."""
    rows = []
    for i in range(10):
        rows.append(mother(f"w{i}", gestation_at_booking_days=60 if i < 4 else 80))
    for i in range(5):
        rows.append(
            mother(f"b{i}", ethnic_category="N", gestation_at_booking_days=60 if i < 4 else 80)
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
                )
            )
    path = write_warehouse(tmp_path_factory.mktemp("sii") / "wh.duckdb", dict(pregnancies=rows))
    slope = run(path, ["p4b_booking_by_10w"], options=MONTHLY_SII)
    return ratio, slope


def test_ratio_to_white_with_katz_interval(bookings):
    ratio, _ = bookings
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


def test_sii_and_rii_on_quintiles(bookings):
    _, slope = bookings
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
        path,
        ["m_perinatal_ratio_black_asian_vs_white", "m_perinatal_sii_deprivation"],
        options=MONTHLY_SII,
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
