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
