"""LSOA -> sub-ICB -> ICB lookups and an LMNS's own LSOA -> neighbourhood / place lookup."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from maternity_equity.reference.sources import ReferenceFile, find_column, open_text

LSOA_KEY = re.compile(r"^(lsoa(11|21)(cd)?|lsoa_code)$", re.IGNORECASE)


def _read(ref: ReferenceFile, columns: dict[str, str | None]) -> pd.DataFrame:
    present = {field: col for field, col in columns.items() if col is not None}
    with open_text(ref.path) as handle:
        raw = pd.read_csv(
            handle, usecols=list(dict.fromkeys(present.values())), dtype=str, keep_default_na=False
        )
    table = pd.DataFrame(
        {field: raw[col].astype("string").str.strip() for field, col in present.items()}
    )
    for field in columns:
        if field not in table:
            table[field] = pd.NA
    return table.replace("", pd.NA)


def lsoa_vintage_of(column: str) -> str | None:
    match = re.search(r"(11|21)", column)
    return "20" + match.group(1) if match else None


def load_icb_lookup(ref: ReferenceFile) -> tuple[pd.DataFrame, str | None]:
    """lsoa_code, sub_icb_code, sub_icb_name, icb_code, icb_name; plus the LSOA vintage."""
    header = ref.header
    lsoa = find_column(header, LSOA_KEY)
    icb = find_column(header, re.compile(r"^icb\d\d(cd)?$", re.I))
    if lsoa is None or icb is None:
        raise ValueError(f"{ref.path.name}: an ICB lookup needs an LSOA code and an ICBnnCD column")
    table = _read(
        ref,
        {
            "lsoa_code": lsoa,
            "sub_icb_code": find_column(header, re.compile(r"^(sicbl|ccg)\d\d(cd)?$", re.I)),
            "sub_icb_name": find_column(header, re.compile(r"^(sicbl|ccg)\d\dnm$", re.I)),
            "icb_code": icb,
            "icb_name": find_column(header, re.compile(r"^icb\d\dnm$", re.I)),
        },
    )
    return table.drop_duplicates("lsoa_code", keep="first").set_index("lsoa_code"), lsoa_vintage_of(
        lsoa
    )


def load_neighbourhood_lookup(ref: ReferenceFile) -> tuple[pd.DataFrame, str | None]:
    """An LMNS's own lookup: LSOA -> neighbourhood (and optionally place, ICB), with names.

    Columns (case-insensitive): an LSOA code (``lsoa_code``, ``LSOA11CD``, ``LSOA21CD``),
    ``neighbourhood_code`` (required), ``neighbourhood_name``, ``place_code``, ``place_name``,
    ``icb_code``, ``icb_name``.
    """
    name = ref.path.name
    header = ref.header
    lsoa = find_column(header, LSOA_KEY)
    neighbourhood = find_column(header, re.compile(r"^neighbourhood(_code|cd)?$", re.I))
    if lsoa is None:
        raise ValueError(f"{name}: missing column 'lsoa_code' (or LSOA11CD / LSOA21CD)")
    if neighbourhood is None:
        raise ValueError(f"{name}: missing column 'neighbourhood_code'")

    def col(pattern: str) -> str | None:
        return find_column(header, re.compile(pattern, re.I))

    table = _read(
        ref,
        {
            "lsoa_code": lsoa,
            "neighbourhood_code": neighbourhood,
            "neighbourhood_name": col(r"^neighbourhood_?(name|nm)$"),
            "place_code": col(r"^place(_code|cd)?$"),
            "place_name": col(r"^place_?(name|nm)$"),
            "icb_code": col(r"^icb(_code|cd)$"),
            "icb_name": col(r"^icb_?(name|nm)$"),
        },
    )
    missing = table["neighbourhood_code"].isna()
    if missing.any():
        row = int(np.flatnonzero(missing.to_numpy())[0])
        raise ValueError(
            f"{name}: row {row + 2}, column {neighbourhood!r}: empty neighbourhood code"
        )
    duplicated = table["lsoa_code"].duplicated()
    if duplicated.any():
        row = int(np.flatnonzero(duplicated.to_numpy())[0])
        raise ValueError(
            f"{name}: row {row + 2}: LSOA {table['lsoa_code'].iloc[row]} is listed twice; "
            "each LSOA belongs to one neighbourhood"
        )
    return table.set_index("lsoa_code"), lsoa_vintage_of(lsoa)
