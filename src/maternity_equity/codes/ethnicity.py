"""Ethnic category (NHS Data Dictionary, 2001 census based) and the groupings analysts report by.

The first character is the national code; a second character is a local sub-code, so 'A1'
groups as 'A'. Z means the woman was asked and declined ("not stated"); 99 means not known.
Groupings are presets because publications disagree (e.g. Chinese is "Any other ethnic group"
in MSDS publications but "Asian" in the 2021 Census).
"""

from __future__ import annotations

from enum import StrEnum

import numpy as np
import pandas as pd

ETHNIC_CATEGORIES: dict[str, str] = {
    "A": "White - British",
    "B": "White - Irish",
    "C": "White - Any other White background",
    "D": "Mixed - White and Black Caribbean",
    "E": "Mixed - White and Black African",
    "F": "Mixed - White and Asian",
    "G": "Mixed - Any other mixed background",
    "H": "Asian or Asian British - Indian",
    "J": "Asian or Asian British - Pakistani",
    "K": "Asian or Asian British - Bangladeshi",
    "L": "Asian or Asian British - Any other Asian background",
    "M": "Black or Black British - Caribbean",
    "N": "Black or Black British - African",
    "P": "Black or Black British - Any other Black background",
    "R": "Other Ethnic Groups - Chinese",
    "S": "Other Ethnic Groups - Any other ethnic group",
    "Z": "Not stated",
    "99": "Not known",
}
VALID_CODES: tuple[str, ...] = tuple(c for c in ETHNIC_CATEGORIES if c not in ("Z", "99"))


class EthnicStatus(StrEnum):
    """Why an ethnic category is or is not usable (Maternity Incentive Scheme categories)."""

    VALID = "valid"
    NOT_STATED = "not_stated"
    NOT_KNOWN = "not_known"
    MISSING = "missing"
    UNRECOGNISED = "unrecognised"


_W, _M, _A, _B, _O = "White", "Mixed", "Asian", "Black", "Other"
GROUPING_PRESETS: dict[str, dict[str, str]] = {
    # MSDS monthly publication (EthnicCategoryMotherGroup)
    "msds_publication": {
        **dict.fromkeys("ABC", "White"),
        **dict.fromkeys("DEFG", "Mixed"),
        **dict.fromkeys("HJKL", "Asian or Asian British"),
        **dict.fromkeys("MNP", "Black or Black British"),
        **dict.fromkeys("RS", "Any other ethnic group"),
    },
    # NHS Digital continuity-of-carer measure: G, R and S are "Other", not in the target group
    "msds_coc": {
        **dict.fromkeys("ABC", "White"),
        **dict.fromkeys("DEFHJKLMNP", "BAME"),
        **dict.fromkeys("GRS", "Other"),
    },
    # 2021 Census headline groups: Chinese counts as Asian
    "census2021": {
        **dict.fromkeys("ABC", _W),
        **dict.fromkeys("DEFG", "Mixed or Multiple"),
        **dict.fromkeys("HJKLR", _A),
        **dict.fromkeys("MNP", _B),
        "S": _O,
    },
    # MBRRACE-UK headline groups (Chinese in Other: unconfirmed, see docs/msds-domain notes)
    "mbrrace": {
        **dict.fromkeys("ABC", _W),
        **dict.fromkeys("DEFG", _M),
        **dict.fromkeys("HJKL", _A),
        **dict.fromkeys("MNP", _B),
        **dict.fromkeys("RS", _O),
    },
}
DEFAULT_PRESET = "mbrrace"
REFERENCE_GROUP = {
    "msds_publication": "White",
    "msds_coc": "White",
    "census2021": _W,
    "mbrrace": _W,
}
MISSING_GROUP = "Not stated or not known"

# The guidance's priority groups: women from Black, Asian and Mixed ethnic groups.
BLACK_ASIAN_MIXED: frozenset[str] = frozenset("DEFGHJKLMNP")


def classify_ethnic_category(value: object) -> tuple[str | None, EthnicStatus]:
    """Return (national code or None, status) for one recorded value."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None, EthnicStatus.MISSING
    text = str(value).strip().upper()
    if text == "" or text in ("NAN", "NULL", "NONE"):
        return None, EthnicStatus.MISSING
    if text == "99":
        return "99", EthnicStatus.NOT_KNOWN
    if text == "Z" or text == "ZZ":
        return "Z", EthnicStatus.NOT_STATED
    if len(text) <= 2 and text[0] in VALID_CODES and (len(text) == 1 or text[1].isalnum()):
        return text[0], EthnicStatus.VALID
    return None, EthnicStatus.UNRECOGNISED


def classify_ethnic_categories(values: pd.Series) -> pd.DataFrame:
    """Vectorised :func:`classify_ethnic_category`: ``ethnic_category`` and ``ethnic_status``."""
    text = values.astype("string").str.strip().str.upper()
    missing = text.isna() | text.isin(["", "NAN", "NULL", "NONE"])
    first = text.str[0]
    valid = ~missing & (text.str.len() <= 2) & first.isin(list(VALID_CODES))
    valid &= (text.str.len() == 1) | text.str[1:2].str.isalnum().fillna(False)
    not_known = text == "99"
    not_stated = text.isin(["Z", "ZZ"])
    status = np.select(
        [
            missing.to_numpy(bool),
            not_known.fillna(False).to_numpy(bool),
            not_stated.fillna(False).to_numpy(bool),
            valid.fillna(False).to_numpy(bool),
        ],
        [
            EthnicStatus.MISSING.value,
            EthnicStatus.NOT_KNOWN.value,
            EthnicStatus.NOT_STATED.value,
            EthnicStatus.VALID.value,
        ],
        default=EthnicStatus.UNRECOGNISED.value,
    )
    code = np.select(
        [status == "valid", status == "not_known", status == "not_stated"],
        [first.fillna("").to_numpy(object), "99", "Z"],
        default=None,
    )
    return pd.DataFrame({"ethnic_category": code, "ethnic_status": status}, index=values.index)


def ethnic_group(code: str | None, preset: str = DEFAULT_PRESET) -> str:
    """Group a national code under a preset; Z, 99 and missing become :data:`MISSING_GROUP`."""
    return GROUPING_PRESETS[preset].get(code or "", MISSING_GROUP)
