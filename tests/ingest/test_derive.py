"""Derivations against values worked out by hand."""

from __future__ import annotations

import pandas as pd
import pytest

from maternity_equity.ingest import derive, postcodes


def _d(*values):
    return pd.Series(pd.to_datetime(list(values)))


def test_gestation_from_agreed_edd():
    # EDD 2024-10-01 - 280 days = 2023-12-26 (Oct 1 is day 275 of 2024; 275 - 280 = -5, i.e.
    # 5 days before 2024-01-01... counting Dec 31 as day 0 gives Dec 26). Booking 2024-03-01:
    # 6 days of December (26->Jan 1) + 31 (Jan) + 29 (Feb, leap year) = 66 days.
    got = derive.gestation_at_booking_days(_d("2024-03-01"), _d("2024-10-01"), _d(None))
    assert got.tolist() == [66]


def test_gestation_falls_back_to_lmp_only_without_edd():
    # LMP 2023-12-20 -> booking 2024-03-01: 12 (Dec) + 31 + 29 = 72 days
    got = derive.gestation_at_booking_days(
        _d("2024-03-01", "2024-03-01"), _d(None, "2024-10-01"), _d("2023-12-20", "2023-12-20")
    )
    assert got.tolist() == [72, 66]  # the EDD wins when both are given


def test_gestation_missing_when_neither_date_given():
    got = derive.gestation_at_booking_days(_d("2024-03-01"), _d(None), _d(None))
    assert got.isna().all()


@pytest.mark.parametrize(
    ("birth", "on", "years"),
    [
        ("1990-06-15", "2024-03-01", 33),  # birthday later in the year
        ("1990-06-15", "2024-06-14", 33),  # the day before her birthday
        ("1990-06-15", "2024-06-15", 34),  # on her birthday
        ("2000-02-29", "2023-02-28", 22),  # leap-day birthday not yet reached in a common year
        ("2000-02-29", "2023-03-01", 23),
        ("2008-01-01", "2024-12-31", 16),
    ],
)
def test_age_in_completed_years(birth, on, years):
    assert derive.age_in_completed_years(_d(birth), _d(on)).tolist() == [years]


def test_ethnicity_takes_national_code_and_status():
    got = derive.ethnicity(pd.Series(["A", "h1", "Z", "99", None, "Q", " n "]))
    assert got["ethnic_category"].fillna("-").tolist() == ["A", "H", "Z", "99", "-", "-", "N"]
    assert got["ethnic_status"].tolist() == [
        "valid",
        "valid",
        "not_stated",
        "not_known",
        "missing",
        "unrecognised",
        "valid",
    ]


def test_postcode_normalisation():
    got = postcodes.normalise(pd.Series([" le1 1aa", "LE11AA", "sw1a  1aa", "", None]))
    assert got.fillna("-").tolist() == ["LE1 1AA", "LE1 1AA", "SW1A 1AA", "-", "-"]


@pytest.mark.parametrize(
    ("postcode", "booking", "status", "district", "lsoa", "decile"),
    [
        ("LE1 1AA", "2024-03-01", "valid", "LE1", "E01000001", 1),
        ("le2 2bb", "2024-03-01", "valid", "LE2", "E01000002", 10),
        ("LE3 3DD", "2024-01-31", "valid", "LE3", "E01000003", 5),  # terminated only from Feb
        ("LE3 3DD", "2024-02-01", "terminated", "LE3", None, None),
        ("LE3 3DD", "2024-02-20", "terminated", "LE3", None, None),
        ("LE4 4EE", "2024-03-01", "valid", "LE4", "W01000009", None),  # outside England's IMD
        ("SW1A 1AA", "2024-03-01", "not_in_directory", "SW1A", None, None),
        ("ZZ99 3VZ", "2024-03-01", "pseudo_no_fixed_abode", "ZZ99", None, None),
        ("zz993wz", "2024-03-01", "pseudo_not_known", "ZZ99", None, None),
        ("ZZ99 3CZ", "2024-03-01", "pseudo_elsewhere", "ZZ99", None, None),
        ("LE1 1A", "2024-03-01", "malformed", None, None, None),
        ("QE1 1AA", "2024-03-01", "malformed", None, None, None),  # Q never starts a postcode
        ("12345", "2024-03-01", "malformed", None, None, None),
        (None, "2024-03-01", "missing", None, None, None),
    ],
)
def test_postcode_classification_and_linkage(
    geography, postcode, booking, status, district, lsoa, decile
):
    got = derive.geography_columns(
        pd.Series([postcode], dtype="string"), _d(booking), geography, derive.directory(geography)
    ).iloc[0]
    assert got["postcode_status"] == status
    assert (None if pd.isna(got["postcode_district"]) else got["postcode_district"]) == district
    assert (None if pd.isna(got["lsoa_code"]) else got["lsoa_code"]) == lsoa
    assert (None if pd.isna(got["imd_decile"]) else int(got["imd_decile"])) == decile
    if decile is not None:
        assert int(got["imd_quintile"]) == -(-decile // 2)  # ceil(decile / 2)
        assert got["neighbourhood_code"] in {"N1", "N2", "N3"}
    else:
        assert pd.isna(got["imd_quintile"]) and pd.isna(got["neighbourhood_code"])


def test_geography_lsoa_table_has_the_contract_columns(geography):
    table = derive.geography_lsoa_table(geography)
    expected = [
        "lsoa_code",
        "lsoa_name",
        "imd_decile",
        "imd_quintile",
        "imd_score",
        "imd_rank",
        "population",
        "neighbourhood_code",
        "neighbourhood_name",
        "place_code",
        "place_name",
        "icb_code",
        "icb_name",
        "imd_vintage",
        "lsoa_vintage",
    ]
    assert set(expected) <= set(table.columns)
    assert table.set_index("lsoa_code")["imd_quintile"].to_dict() == {
        "E01000001": 1,
        "E01000002": 5,
        "E01000003": 3,
    }
    assert set(table["imd_vintage"]) == {"IoD2019"} and set(table["lsoa_vintage"]) == {"2011"}


def test_iso_date_times_and_whole_floats_are_accepted():
    from maternity_equity.ingest.validate import parse_dates

    text = pd.Series(
        [
            "2024-03-01T09:30:00",
            "2024-03-01 00:00:00",
            "2024-03-01T25:00",
            "2024-03-01",
            "01/03/2024",
        ],
        dtype="string",
    )
    got = parse_dates(text, ("%Y-%m-%d",))
    assert got.dt.strftime("%Y-%m-%d").fillna("-").tolist() == [
        "2024-03-01",
        "2024-03-01",
        "-",
        "2024-03-01",
        "-",
    ]
