"""Period roll-ups, data-quality status and the areas-of-highest-need ranking."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from indicator_helpers import mother, pick, run, write_warehouse

from maternity_equity.indicators import get
from maternity_equity.indicators.need import areas_of_highest_need


@pytest.fixture(scope="module")
def yearly(tmp_path_factory):
    """One booking a month from April 2023 to March 2024; even months (Apr, Jun, ...) book at
    60 days (by 10 weeks), odd months at 80 days."""
    rows = []
    for i in range(12):
        month = dt.date(2023 + (3 + i) // 12, (3 + i) % 12 + 1, 5)
        rows.append(
            mother(f"y{i}", booking_date=month, gestation_at_booking_days=60 if i % 2 == 0 else 80)
        )
    dq = pd.DataFrame(
        {
            "rule_id": ["gestation_at_booking_valid"] * 3,
            "period_start": pd.to_datetime(["2023-04-01", "2023-04-01", "2023-05-01"]),
            "geography_type": ["lmns", "provider", "lmns"],
            "geography_code": ["LMNS", "P1", "LMNS"],
            "numerator": [1, 0, 1],
            "denominator": [1, 1, 1],
            "value": [1.0, 0.0, 1.0],
            "threshold": [0.7] * 3,
            "comparison": [">="] * 3,
            "passed": [True, False, True],
            "run_id": ["q"] * 3,
        }
    )
    path = write_warehouse(
        tmp_path_factory.mktemp("yearly") / "wh.duckdb",
        dict(pregnancies=rows),
        extra={"dq_results": dq},
    )
    return run(path, ["p4b_booking_by_10w", "p3_valid_postcode_at_booking"])


def counts(res, **kw):
    r = pick(res, "p4b_booking_by_10w", **kw)
    return r["numerator"], r["denominator"]


def test_quarters_financial_years_and_rolling_windows(yearly):
    # April-June 2023: Apr (60), May (80), Jun (60) -> 2 of 3
    assert counts(yearly, period_type="quarter", period_start=dt.date(2023, 4, 1)) == (2, 3)
    # January-March 2024: Jan is month 9 (80), Feb 10 (60), Mar 11 (80) -> 1 of 3
    assert counts(yearly, period_type="quarter", period_start=dt.date(2024, 1, 1)) == (1, 3)
    fy = pick(yearly, "p4b_booking_by_10w", period_type="financial_year")
    assert (fy["numerator"], fy["denominator"]) == (6, 12)
    assert (str(fy["period_start"]), str(fy["period_end"])) == ("2023-04-01", "2024-03-31")
    rolling = yearly[
        (yearly["indicator_id"] == "p4b_booking_by_10w") & (yearly["period_type"] == "rolling_12m")
    ]
    # the only complete window inside the data ends in March 2024
    assert rolling["period_end"].astype(str).unique().tolist() == ["2024-03-31"]
    # January-March 2023 is outside the data: no quarter is made up from partial months
    quarters = yearly[
        (yearly["indicator_id"] == "p4b_booking_by_10w") & (yearly["period_type"] == "quarter")
    ]
    assert len(quarters["period_start"].unique()) == 4


def test_data_quality_status_policy(yearly):
    apr, may, jun = dt.date(2023, 4, 1), dt.date(2023, 5, 1), dt.date(2023, 6, 1)
    status = lambda **kw: pick(yearly, "p4b_booking_by_10w", **kw)["dq_status"]  # noqa: E731
    assert status(period_start=apr) == "pass"  # LMNS rule passed in April
    assert status(period_start=apr, geography_type="provider") == "fail"  # P1 failed
    assert status(period_start=apr, geography_type="neighbourhood") == "pass"  # LMNS results
    assert status(period_start=jun) == "not_assessed"  # no result for June
    # the April-June quarter lacks June at LMNS level; at provider level April failed
    assert status(period_type="quarter", period_start=apr) == "not_assessed"
    assert status(period_type="quarter", period_start=apr, geography_type="provider") == "fail"
    assert status(period_start=may) == "pass"
    postcode = pick(yearly, "p3_valid_postcode_at_booking", period_start=apr)
    assert postcode["dq_status"] == "not_assessed"  # no rules listed for it


def test_areas_of_highest_need_ranking():
    def row(ind, code, breakdown, group, numerator=np.nan, value=np.nan):
        return dict(
            indicator_id=ind,
            period_type="rolling_12m",
            period_start="2023-04-01",
            period_end="2024-03-31",
            geography_type="neighbourhood",
            geography_code=code,
            geography_name=code,
            breakdown=breakdown,
            group=group,
            numerator=numerator,
            value=value,
        )

    rows = []
    # (bookings, in quintile 1, Black/Asian/Mixed, preterm %, perinatal per 1,000)
    for code, (total, q1, bam, preterm, peri) in {
        "N1": (100, 80, 60, 10, 8),
        "N2": (100, 10, 5, 6, 3),
        "N3": (50, 25, 20, None, None),
    }.items():
        rows += [
            row("pop_bookings", code, "all", "All", total),
            row("pop_bookings", code, "imd_quintile", "1", q1),
            row("pop_bookings", code, "ethnic_priority", "Black, Asian and Mixed", bam),
        ]
        if preterm is not None:
            rows += [
                row("p4c_births_under_37w", code, "all", "All", value=preterm),
                row("m_perinatal_mortality_rate", code, "all", "All", value=peri),
            ]
    out = areas_of_highest_need(
        pd.DataFrame(rows), {"areas_of_highest_need": get("areas_of_highest_need")}
    )
    got = dict(
        zip(out["geography_code"], zip(out["numerator"], out["value"], strict=True), strict=True)
    )
    # percentile ranks: deprivation and ethnicity N1 1, N3 2/3, N2 1/3; outcomes N1 1, N2 1/2,
    # N3 none. Scores: N1 100; N3 mean(2/3, 2/3) = 66.7; N2 mean(1/3, 1/3, 1/2) = 38.9
    assert got["N1"] == (1, pytest.approx(100))
    assert got["N3"] == (2, pytest.approx(200 / 3))
    assert got["N2"] == (3, pytest.approx(100 * (1 / 3 + 1 / 3 + 1 / 2) / 3))
    assert set(out["denominator"]) == {3}


def _baby(pid: str, born: dt.date, gest: int = 270, outcome: str = "01") -> dict:
    return dict(
        baby_id="x" + pid,
        delivery_id="d" + pid,
        pregnancy_id=pid,
        rp_start_date=born.replace(day=1),
        birth_date=born,
        outcome=outcome,
        gestation_at_birth_days=gest,
        birth_weight_g=3000,
    )


@pytest.fixture(scope="module")
def late_births(tmp_path_factory):
    """One booking a month in 2023 (a0 ... a11); the January, February and March bookings give
    birth on 9 October, November and December 2023: births only from October."""
    rows = [mother(f"a{i}", booking_date=dt.date(2023, 1 + i, 5)) for i in range(12)]
    babies = [_baby(f"a{i}", dt.date(2023, 10 + i, 9)) for i in range(3)]
    path = write_warehouse(
        tmp_path_factory.mktemp("late") / "wh.duckdb", dict(pregnancies=rows, babies=babies)
    )
    return run(path, ["pop_births", "pop_bookings", "m_stillbirth_rate"])


def _periods(res, indicator: str) -> set[tuple[str, str, str]]:
    r = res[
        (res["indicator_id"] == indicator)
        & (res["geography_type"] == "lmns")
        & (res["breakdown"] == "all")
    ]
    return {
        (t, str(s), str(e))
        for t, s, e in zip(r["period_type"], r["period_start"], r["period_end"], strict=True)
        if t != "month"
    }


def test_birth_periods_start_with_the_births_not_the_bookings(late_births):
    # births October-December 2023: only the October-December quarter is complete
    for ind in ("pop_births", "m_stillbirth_rate"):
        assert _periods(late_births, ind) == {("quarter", "2023-10-01", "2023-12-31")}, ind
    births = pick(late_births, "pop_births", period_type="quarter")
    assert births["numerator"] == 3
    months = late_births[
        (late_births["indicator_id"] == "pop_births") & (late_births["period_type"] == "month")
    ]
    assert sorted(months["period_start"].astype(str).unique()) == [
        "2023-10-01",
        "2023-11-01",
        "2023-12-01",
    ]
    # bookings January-December 2023: four quarters and the rolling year ending December
    assert _periods(late_births, "pop_bookings") == {
        ("quarter", "2023-01-01", "2023-03-31"),
        ("quarter", "2023-04-01", "2023-06-30"),
        ("quarter", "2023-07-01", "2023-09-30"),
        ("quarter", "2023-10-01", "2023-12-31"),
        ("rolling_12m", "2023-01-01", "2023-12-31"),
    }
    year = pick(late_births, "pop_bookings", period_type="rolling_12m")
    assert year["numerator"] == 12


@pytest.fixture(scope="module")
def need(tmp_path_factory):
    """Three neighbourhoods, every booking and birth in April 2023 or March 2024 (so the
    financial year 2023/24 and the rolling year to March 2024 are complete):

    N1: deciles 1, 1, 2, 5; ethnic N, H, A, A; babies: live 250 days (preterm), stillborn at
        260 days, live 270, live 270
    N2: deciles 1, 7, 8, 9; ethnic A, A, A, D; four live births at 270 days
    N3: deciles 3, 10; ethnic M, N; no births
    """
    spec = {
        "N1": [
            (1, "N", 250, "01"),
            (1, "H", 260, "02"),
            (2, "A", 270, "01"),
            (5, "A", 270, "01"),
        ],
        "N2": [
            (1, "A", 270, "01"),
            (7, "A", 270, "01"),
            (8, "A", 270, "01"),
            (9, "D", 270, "01"),
        ],
        "N3": [(3, "M", None, None), (10, "N", None, None)],
    }
    pregnancies, babies = [], []
    for code, people in spec.items():
        for i, (decile, ethnic, gest, outcome) in enumerate(people):
            pid = f"{code}-{i}"
            when = dt.date(2023, 4, 10) if i % 2 == 0 else dt.date(2024, 3, 10)
            pregnancies.append(
                mother(
                    pid,
                    booking_date=when,
                    neighbourhood_code=code,
                    imd_decile=decile,
                    imd_quintile=(decile + 1) // 2,
                    ethnic_category=ethnic,
                )
            )
            if gest is not None:
                babies.append(_baby(pid, when, gest, outcome))
    path = write_warehouse(
        tmp_path_factory.mktemp("need") / "wh.duckdb",
        dict(pregnancies=pregnancies, babies=babies),
    )
    ids = ["pop_bookings", "p4c_births_under_37w", "m_perinatal_mortality_rate"]
    return run(path, [*ids, "areas_of_highest_need"])


def test_areas_of_highest_need_from_a_hand_built_extract(need):
    # shares of bookings: quintile 1 (deciles 1-2) N1 3/4, N2 1/4, N3 0; Black, Asian and
    # Mixed N1 2/4, N2 1/4, N3 2/2. Outcomes: preterm N1 1 of 3 live births, N2 0 of 4;
    # perinatal N1 1 stillbirth of 4 births, N2 0 of 4; N3 has no births.
    # Percentile ranks (average, of 3): deprivation N3 1/3, N2 2/3, N1 1; ethnicity N2 1/3,
    # N1 2/3, N3 1; outcomes (of 2) N2 1/2 and 1/2, N1 1 and 1 -> N1 1, N2 1/2, N3 none.
    # Scores: N1 100 x (1 + 2/3 + 1) / 3 = 88.9; N3 100 x (1/3 + 1) / 2 = 66.7;
    # N2 100 x (2/3 + 1/3 + 1/2) / 3 = 50.0. Rank 1 = highest need.
    expected = {"N1": (1, 800 / 9), "N3": (2, 200 / 3), "N2": (3, 50.0)}
    for period_type in ("financial_year", "rolling_12m"):
        rows = need[
            (need["indicator_id"] == "areas_of_highest_need") & (need["period_type"] == period_type)
        ]
        assert len(rows) == 3, period_type
        assert set(rows["period_start"].astype(str)) == {"2023-04-01"}
        got = {
            code: (rank, score)
            for code, rank, score in zip(
                rows["geography_code"], rows["numerator"], rows["value"], strict=True
            )
        }
        assert got.keys() == expected.keys()
        for code, (rank, score) in expected.items():
            assert got[code] == (rank, pytest.approx(score)), (period_type, code)
        assert set(rows["denominator"]) == {3}
