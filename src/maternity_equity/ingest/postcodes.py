"""Postcode normalisation and classification (docs/msds-domain.md sections 3.4 and 5.4).

A postcode gives geography only when it is well formed, in the postcode directory and still
live in the booking month, as MSDS's ValidPostcodeFlag. Everything else gets a status saying
why, because "no fixed abode" and "not known" are themselves equity signals.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

STRICT = (
    r"^(GIR ?0AA|[A-PR-UWYZ](?:[0-9]{1,2}|[A-HK-Y][0-9]{1,2}|[0-9][A-HJKPSTUW]"
    r"|[A-HK-Y][0-9][ABEHMNPRVWXY]) ?[0-9][ABD-HJLNP-UW-Z]{2})$"
)
PSEUDO = r"^ZZ99 ?[0-9][A-Z]{2}$"
NO_FIXED_ABODE = "ZZ99 3VZ"
NOT_KNOWN = "ZZ99 3WZ"

STATUSES = (
    "valid",
    "missing",
    "malformed",
    "pseudo_no_fixed_abode",
    "pseudo_not_known",
    "pseudo_elsewhere",
    "not_in_directory",
    "terminated",
)


def normalise(values: pd.Series) -> pd.Series:
    """Upper case, no surrounding or inner spaces, one space before the last three characters."""
    text = values.astype("string").str.upper().str.replace(r"\s+", "", regex=True)
    text = text.mask(text == "")
    long_enough = text.str.len() >= 5
    spaced = text.str[:-3] + " " + text.str[-3:]
    return text.where(~long_enough.fillna(False), spaced)


def classify(
    postcodes: pd.Series, booking_dates: pd.Series, directory: pd.DataFrame
) -> pd.DataFrame:
    """Status, district and LSOA for each postcode.

    ``directory`` has columns postcode (normalised), lsoa_code, terminated (month start or
    NaT). A postcode terminated on or before the first day of the booking month counts as
    ``terminated``: it no longer existed when she booked.
    """
    pc = normalise(postcodes)
    missing = pc.isna()
    pseudo = pc.str.match(PSEUDO).fillna(False).astype(bool)
    wellformed = pc.str.match(STRICT).fillna(False).astype(bool) & ~pseudo
    looked_up = pd.DataFrame({"postcode": pc}).merge(
        directory[["postcode", "lsoa_code", "terminated"]].drop_duplicates("postcode"),
        how="left",
        on="postcode",
    )
    looked_up.index = pc.index
    in_directory = looked_up["lsoa_code"].notna() | looked_up["postcode"].isin(
        directory["postcode"]
    )
    booking_month = pd.to_datetime(booking_dates).dt.to_period("M").dt.to_timestamp()
    terminated_at = pd.to_datetime(looked_up["terminated"])
    is_terminated = (terminated_at.notna() & (terminated_at <= booking_month)).fillna(False)
    status = np.select(
        [
            missing.to_numpy(bool),
            (pc == NO_FIXED_ABODE).fillna(False).to_numpy(bool),
            (pc == NOT_KNOWN).fillna(False).to_numpy(bool),
            pseudo.to_numpy(bool),
            (~wellformed).to_numpy(bool),
            (~in_directory).to_numpy(bool),
            is_terminated.to_numpy(bool),
        ],
        [
            "missing",
            "pseudo_no_fixed_abode",
            "pseudo_not_known",
            "pseudo_elsewhere",
            "malformed",
            "not_in_directory",
            "terminated",
        ],
        default="valid",
    )
    valid = status == "valid"
    district = pc.str.split(" ").str[0].where(wellformed | pseudo)
    return pd.DataFrame(
        {
            "postcode_status": pd.Series(status, index=pc.index, dtype="string"),
            "postcode_district": district.astype("string"),
            "lsoa_code": looked_up["lsoa_code"].astype("string").where(valid),
        },
        index=pc.index,
    )
