"""Values that read correctly but cannot be true are quarantined at ingest (dates after their
reporting period or in the future, gestation and age at booking no pregnancy has, negative
counts); doubtful clinical values (birth weight, gestation at birth) still load for the
data-quality rules."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from ingest_helpers import make_geography, pregnancy, pseudo, write_extract

from maternity_equity.ingest import load_extract
from maternity_equity.warehouse import Warehouse

TODAY = dt.date.today()
# a reporting period that starts in two months' time, and a date a month ahead
NEXT_PERIOD = (TODAY.replace(day=1) + dt.timedelta(days=62)).replace(day=1)
NEXT_MONTH = TODAY + dt.timedelta(days=31)


def _iso(day: dt.date) -> str:
    return day.isoformat()


def _edd_for(booking: str, gestation_days: int) -> str:
    """The EDD that gives this gestation at booking: booking - (EDD - 280) = gestation."""
    return _iso(dt.date.fromisoformat(booking) + dt.timedelta(days=280 - gestation_days))


def _delivery(did: str, **kw: str) -> dict:
    row = {
        "delivery_id": did,
        "pregnancy_id": "P01",
        "rp_start_date": "2024-10-01",
        "delivery_date": "2024-10-02",
        "births_in_delivery": "1",
    }
    return {**row, **kw}


def _baby(bid: str, **kw: str) -> dict:
    row = {
        "baby_id": bid,
        "delivery_id": "D3",
        "pregnancy_id": "P01",
        "rp_start_date": "2024-10-01",
        "birth_date": "2024-10-02",
        "outcome": "01",
        "gestation_at_birth_days": "275",
        "birth_weight_g": "3400",
        "birth_order": "1",
    }
    return {**row, **kw}


EXTRACT = {
    "pregnancies": [
        pregnancy("P01"),  # row 2: good (booking 2024-03-01, EDD 2024-10-01: 66 days, age 33)
        # row 3: the reviewer's booking in 2030, submitted for January 2023
        pregnancy("P02", rp_start_date="2023-01-01", booking_date="2030-01-01", edd="2023-07-01"),
        pregnancy("P03", mother_birth_date="2023-01-15"),  # row 4: a mother aged 1
        pregnancy("P04", edd=_edd_for("2024-03-01", 308)),  # row 5: 44+0 weeks, the limit
        pregnancy("P05", edd=_edd_for("2024-03-01", 309)),  # row 6: one day over
        pregnancy("P06", edd=_edd_for("2024-03-01", -1)),  # row 7: booked before conception
        pregnancy("P07", edd="", lmp_date="2024-03-01"),  # row 8: 0 days from the LMP: allowed
        pregnancy("P08", mother_birth_date="2013-03-01"),  # row 9: 11 on the booking day
        pregnancy("P09", mother_birth_date="2013-03-02"),  # row 10: 10, a day short of 11
        pregnancy("P10", mother_birth_date="1964-03-01"),  # row 11: 60 on the booking day
        pregnancy("P11", mother_birth_date="1963-03-01"),  # row 12: 61
        pregnancy("P12", previous_live_births="-1"),  # row 13: a negative count
        # row 14: a reporting period that has not started, booked on its first day
        pregnancy(
            "P13",
            rp_start_date=_iso(NEXT_PERIOD),
            booking_date=_iso(NEXT_PERIOD),
            edd=_edd_for(_iso(NEXT_PERIOD), 70),
        ),
        pregnancy("P14", discharge_date=_iso(NEXT_MONTH)),  # row 15: discharged in the future
    ],
    "deliveries": [
        _delivery("D1", births_in_delivery="0"),  # row 2: no baby
        _delivery("D2", births_in_delivery="-1"),  # row 3: the reviewer's case
        _delivery("D3"),  # row 4: good
        _delivery("D4", delivery_date="2024-11-02"),  # row 5: after October's period
    ],
    "babies": [
        _baby("B1", birth_order="0"),  # row 2: birth order starts at 1
        # row 3: implausible weight and gestation at birth are data-quality matters: it loads
        _baby("B2", birth_weight_g="12000", gestation_at_birth_days="-5"),
    ],
}

EXPECTED = {  # (file, row, column, rule), from the comments above
    ("pregnancies.csv", 3, "booking_date", "after_reporting_period"),
    ("pregnancies.csv", 3, "edd", "implausible_gestation"),
    ("pregnancies.csv", 4, "mother_birth_date", "implausible_age"),
    ("pregnancies.csv", 6, "edd", "implausible_gestation"),
    ("pregnancies.csv", 7, "edd", "implausible_gestation"),
    ("pregnancies.csv", 10, "mother_birth_date", "implausible_age"),
    ("pregnancies.csv", 12, "mother_birth_date", "implausible_age"),
    ("pregnancies.csv", 13, "previous_live_births", "below_minimum"),
    ("pregnancies.csv", 14, "rp_start_date", "future_date"),
    ("pregnancies.csv", 14, "booking_date", "future_date"),
    ("pregnancies.csv", 15, "discharge_date", "future_date"),
    ("deliveries.csv", 2, "births_in_delivery", "below_minimum"),
    ("deliveries.csv", 3, "births_in_delivery", "below_minimum"),
    ("deliveries.csv", 5, "delivery_date", "after_reporting_period"),
    ("babies.csv", 2, "birth_order", "below_minimum"),
}


@pytest.fixture(scope="module")
def loaded(tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("plausible")
    extract = write_extract(tmp_path / "extract", EXTRACT)
    report = load_extract(
        extract,
        reference_dir=make_geography(),
        warehouse_path=tmp_path / "w.duckdb",
        key="test-key",
        progress=False,
    )
    with Warehouse(tmp_path / "w.duckdb") as wh:
        tables = {t: wh.to_pandas(t) for t in ("pregnancies", "deliveries", "babies")}
    return report, tables


def test_implausible_values_are_quarantined_with_file_row_column_and_rule(loaded):
    report, _ = loaded
    q = report.quarantine
    found = set(zip(q["file"], q["row_number"], q["column"], q["rule"], strict=True))
    assert found == EXPECTED
    assert report.reconciles()
    counts = report.counts.set_index("table_name")
    # pregnancies: 14 read; rows 3, 4, 6, 7, 10, 12, 13, 14, 15 rejected (9); 5 kept
    assert counts.loc["pregnancies", ["read", "accepted", "quarantined"]].tolist() == [14, 5, 9]
    assert counts.loc["deliveries", ["read", "accepted", "quarantined"]].tolist() == [4, 1, 3]
    assert counts.loc["babies", ["read", "accepted", "quarantined"]].tolist() == [2, 1, 1]


def test_plausible_edge_values_and_data_quality_matters_load(loaded):
    _, tables = loaded
    kept = {pseudo(p, "pregnancy_id") for p in ("P01", "P04", "P07", "P08", "P10")}
    preg = tables["pregnancies"].set_index("pregnancy_id")
    assert set(preg.index) == kept
    assert preg.loc[pseudo("P04", "pregnancy_id"), "gestation_at_booking_days"] == 308
    assert preg.loc[pseudo("P07", "pregnancy_id"), "gestation_at_booking_days"] == 0
    assert preg.loc[pseudo("P08", "pregnancy_id"), "age_at_booking"] == 11
    assert preg.loc[pseudo("P10", "pregnancy_id"), "age_at_booking"] == 60
    baby = tables["babies"].iloc[0]
    assert (baby["birth_weight_g"], baby["gestation_at_birth_days"]) == (12000, -5)


def test_messages_name_the_value_the_limit_and_the_rule(loaded):
    report, _ = loaded
    by_place = {
        (m.split(",")[0], r): m
        for m, r in zip(report.quarantine["message"], report.quarantine["rule"], strict=True)
    }
    assert by_place["pregnancies.csv row 3", "after_reporting_period"] == (
        "pregnancies.csv row 3, column booking_date: '2030-01-01' is after 2023-01-31, the last "
        "day of this row's reporting period (the month of rp_start_date): a submission cannot "
        "report a later event"
    )
    # by hand with datetime: 2030-01-01 - (2023-07-01 - 280 days) = 2030-01-01 - 2022-09-24
    days = (dt.date(2030, 1, 1) - dt.date(2022, 9, 24)).days
    assert days == 2656
    assert by_place["pregnancies.csv row 3", "implausible_gestation"] == (
        "pregnancies.csv row 3, column edd: the gestation at booking from booking_date and edd "
        f"is {days} days ({days // 7}+{days % 7} weeks), but a plausible one is 0 to 308 days "
        "(up to 44+0 weeks): one of the two dates is wrong"
    )
    assert (
        "is -1 days (before conception)"
        in by_place["pregnancies.csv row 7", "implausible_gestation"]
    )
    age = by_place["pregnancies.csv row 4", "implausible_age"]
    assert "an age at booking of 1 years, but a plausible one is 11 to 60" in age
    assert "2023-01-15" not in age  # a date of birth is personal data
    assert by_place["deliveries.csv row 3", "below_minimum"] == (
        "deliveries.csv row 3, column births_in_delivery: '-1' is below the smallest valid "
        "value, 1 (Number of babies (1 = singleton))"
    )
    assert (
        f"is after the day of this load ({TODAY.isoformat()})"
        in (by_place["pregnancies.csv row 15", "future_date"])
    )


def test_the_reviewers_2030_booking_no_longer_reaches_the_warehouse(loaded):
    _, tables = loaded
    latest = pd.to_datetime(tables["pregnancies"]["booking_date"]).max()
    assert latest <= pd.Timestamp(TODAY)
