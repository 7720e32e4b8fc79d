"""Derived columns (docs/msds-domain.md section 1.4), each a whole-column operation."""

from __future__ import annotations

import numpy as np
import pandas as pd

from maternity_equity.codes.ethnicity import classify_ethnic_categories
from maternity_equity.codes.imd import decile_to_quintile
from maternity_equity.ingest import postcodes
from maternity_equity.reference.geography import Geography

EDD_TO_CONCEPTION_DAYS = 280  # the agreed EDD is 280 days (40+0 weeks) after the LMP date


def gestation_at_booking_days(booking: pd.Series, edd: pd.Series, lmp: pd.Series) -> pd.Series:
    """booking - (EDD - 280 days) when there is an agreed EDD, else booking - LMP, in days."""
    from_edd = (booking - (edd - pd.Timedelta(days=EDD_TO_CONCEPTION_DAYS))).dt.days
    from_lmp = (booking - lmp).dt.days
    return from_edd.fillna(from_lmp).astype("Int64")


def age_in_completed_years(birth: pd.Series, on: pd.Series) -> pd.Series:
    """Whole years between ``birth`` and ``on``: one less if the birthday is still to come."""
    years = on.dt.year - birth.dt.year
    before_birthday = (on.dt.month < birth.dt.month) | (
        (on.dt.month == birth.dt.month) & (on.dt.day < birth.dt.day)
    )
    return (years - before_birthday.astype("Int64")).astype("Int64")


def ethnicity(values: pd.Series) -> pd.DataFrame:
    """National code (first character of a local two-character code) and its status."""
    out = classify_ethnic_categories(values)
    return out.astype({"ethnic_category": "string", "ethnic_status": "string"})


def directory(geography: Geography) -> pd.DataFrame:
    """Postcode directory keyed on the normalised postcode."""
    pcs = geography.postcodes
    return pd.DataFrame(
        {
            "postcode": postcodes.normalise(pcs["postcode"]),
            "lsoa_code": pcs["lsoa_code"].astype("string"),
            "terminated": pd.to_datetime(pcs["terminated"]),
        }
    )


def geography_columns(
    postcode: pd.Series, booking: pd.Series, geography: Geography, directory_frame: pd.DataFrame
) -> pd.DataFrame:
    """Postcode status and district; LSOA, IMD and neighbourhood/place for valid postcodes."""
    out = postcodes.classify(postcode, booking, directory_frame)
    lsoas = geography.lsoas[["lsoa_code", "imd_decile", "neighbourhood_code", "place_code"]]
    lsoas = lsoas.drop_duplicates("lsoa_code").astype({"lsoa_code": "string"})
    linked = out[["lsoa_code"]].merge(lsoas, how="left", on="lsoa_code")
    linked.index = out.index
    decile = pd.to_numeric(linked["imd_decile"], errors="coerce").astype("Int64")
    out["imd_decile"] = decile
    quintile = np.ceil(decile.astype("Float64") / 2)
    out["imd_quintile"] = quintile.astype("Int64")
    out["neighbourhood_code"] = linked["neighbourhood_code"].astype("string")
    out["place_code"] = linked["place_code"].astype("string")
    return out


def geography_lsoa_table(geography: Geography) -> pd.DataFrame:
    """The ``geography_lsoa`` warehouse table: every LSOA of the footprint with its vintages."""
    lsoas = geography.lsoas.copy()
    decile = pd.to_numeric(lsoas["imd_decile"], errors="coerce")
    lsoas["imd_decile"] = decile.astype("Int64")
    lsoas["imd_quintile"] = (
        pd.Series(decile_to_quintile(decile.fillna(1).to_numpy()), index=lsoas.index)
        .where(decile.notna())
        .astype("Int64")
    )
    for col in ("imd_rank", "population"):
        lsoas[col] = pd.to_numeric(lsoas.get(col), errors="coerce").round().astype("Int64")
    lsoas["imd_score"] = pd.to_numeric(lsoas.get("imd_score"), errors="coerce").astype("Float64")
    lsoas["imd_vintage"] = geography.imd_vintage
    lsoas["lsoa_vintage"] = geography.lsoa_vintage
    for col in (
        "lsoa_code",
        "lsoa_name",
        "neighbourhood_code",
        "neighbourhood_name",
        "place_code",
        "place_name",
        "icb_code",
        "icb_name",
    ):
        if col not in lsoas:
            lsoas[col] = pd.NA
        lsoas[col] = lsoas[col].astype("string")
    return lsoas


def add_derived(
    table: str, rows: pd.DataFrame, geography: Geography, directory_frame: pd.DataFrame
) -> pd.DataFrame:
    """Add (in place) the derived columns of ``table``: gestation, age, ethnicity, geography."""
    if table == "pregnancies":
        rows["gestation_at_booking_days"] = gestation_at_booking_days(
            rows["booking_date"], rows["edd"], rows["lmp_date"]
        )
        rows["age_at_booking"] = age_in_completed_years(
            rows["mother_birth_date"], rows["booking_date"]
        )
        eth = ethnicity(rows["ethnic_category"])
        rows["ethnic_category"] = eth["ethnic_category"]
        rows["ethnic_status"] = eth["ethnic_status"]
        geo = geography_columns(rows["postcode"], rows["booking_date"], geography, directory_frame)
        for col in geo.columns:
            rows[col] = geo[col]
    elif table == "babies":
        rows["ethnic_category"] = ethnicity(rows["ethnic_category"])["ethnic_category"]
    return rows
