"""ONS postcode directory, NSPL and "postcode to OA/LSOA" lookups, whatever the release.

Column names change between releases (``lsoa11`` -> ``lsoa21cd``, ``laua`` -> ``lad25cd``,
``usertype`` -> ``usrtypind``), so every column is found by a pattern.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from maternity_equity.reference.sources import ReferenceFile, find_column, open_text

PATTERNS: dict[str, re.Pattern[str]] = {
    "introduced": re.compile(r"^dointr$", re.I),
    "terminated": re.compile(r"^doterm$", re.I),
    "lsoa11": re.compile(r"^lsoa11(cd)?$", re.I),
    "lsoa21": re.compile(r"^lsoa21(cd)?$", re.I),
    "lsoa11_name": re.compile(r"^lsoa11nm$", re.I),
    "lsoa21_name": re.compile(r"^lsoa21nm$", re.I),
    "msoa11": re.compile(r"^msoa11(cd)?$", re.I),
    "msoa21": re.compile(r"^msoa21(cd)?$", re.I),
    "msoa11_name": re.compile(r"^msoa11nm$", re.I),
    "msoa21_name": re.compile(r"^msoa21nm$", re.I),
    "lad": re.compile(r"^(os)?laua$|^lad\d\dcd$|^ladcd$", re.I),
    "lad_name": re.compile(r"^lad\d\dnm$|^ladnm$|^lauanm$", re.I),
    "icb": re.compile(r"^icb\d\d(cd)?$|^icb$", re.I),
}
# Preference order for the postcode key: the one-space display form first.
POSTCODE_KEYS = ("pcds", "pcd", "pcd7", "pcd8", "pcd2")


@dataclass
class PostcodeDirectory:
    """The parts of a postcode file the geography needs.

    ``table`` has postcode, lsoa_code, introduced, terminated (the Geography contract) plus
    msoa_code/msoa_name, lad_code/lad_name and icb_code where the file carries them.
    """

    table: pd.DataFrame
    lsoa_vintage: str


def normalise_postcodes(values: pd.Series) -> pd.Series:
    """Upper-case, drop all spaces, put one space before the last three characters.

    "le11aa", " LE1  1AA" and "LE1 1AA" all become "LE1 1AA"; empty values become NA.
    """
    text = values.astype("string").str.upper().str.replace(r"\s+", "", regex=True)
    text = text.mask(text == "")
    return (text.str[:-3] + " " + text.str[-3:]).where(text.str.len() > 3, text)


def yyyymm_to_month_start(values: pd.Series, *, file: str, column: str) -> pd.Series:
    """``YYYYMM`` strings to month starts; blank is NaT (live); anything else is an error."""
    text = values.astype("string").str.strip()
    text = text.mask(text == "")
    parsed = pd.to_datetime(text, format="%Y%m", errors="coerce")
    bad = text.notna() & parsed.isna()
    if bad.any():
        row = int(np.flatnonzero(bad.to_numpy())[0])
        raise ValueError(
            f"{file}: row {row + 2}, column {column!r}: {text.iloc[row]!r} is not a YYYYMM date"
        )
    return parsed


def postcode_key_column(header: tuple[str, ...]) -> str | None:
    lowered = {h.lower(): h for h in header}
    for key in POSTCODE_KEYS:
        if key in lowered:
            return lowered[key]
    return None


def load_postcode_directory(
    ref: ReferenceFile, *, lsoa_vintage: str | None = None
) -> PostcodeDirectory:
    """Read a postcode file; ``lsoa_vintage`` ("2011"/"2021") picks the LSOA column to use.

    Without a vintage the file's own LSOA column decides (2021 when it has both).
    """
    name = ref.path.name
    header = ref.header
    key = postcode_key_column(header)
    if key is None:
        raise ValueError(f"{name}: no postcode column (expected one of {', '.join(POSTCODE_KEYS)})")
    found = {field: find_column(header, pattern) for field, pattern in PATTERNS.items()}
    available = [v for v in ("2021", "2011") if found[f"lsoa{v[2:]}"]]
    if not available:
        raise ValueError(f"{name}: no LSOA column (expected lsoa11/lsoa11cd or lsoa21/lsoa21cd)")
    if lsoa_vintage is None:
        lsoa_vintage = available[0]
    if lsoa_vintage not in available:
        have = " and ".join(f"LSOA {v}" for v in available)
        raise ValueError(
            f"{name}: the postcode file carries {have} codes but the deprivation file needs "
            f"LSOA {lsoa_vintage}; use a postcode directory of the same LSOA vintage as the IoD "
            "release (IoD2019 -> LSOA 2011, IoD2025 -> LSOA 2021)"
        )
    for needed in ("introduced", "terminated"):
        if found[needed] is None:
            raise ValueError(f"{name}: missing column {PATTERNS[needed].pattern.strip('^$')!r}")
    suffix = lsoa_vintage[2:]
    wanted = {
        "postcode": key,
        "lsoa_code": found[f"lsoa{suffix}"],
        "introduced": found["introduced"],
        "terminated": found["terminated"],
        "msoa_code": found[f"msoa{suffix}"],
        "msoa_name": found[f"msoa{suffix}_name"],
        "lsoa_name": found[f"lsoa{suffix}_name"],
        "lad_code": found["lad"],
        "lad_name": found["lad_name"],
        "icb_code": found["icb"],
    }
    wanted = {field: column for field, column in wanted.items() if column is not None}
    with open_text(ref.path) as handle:
        raw = pd.read_csv(
            handle,
            usecols=list(dict.fromkeys(wanted.values())),
            dtype=str,
            keep_default_na=False,
        )
    table = pd.DataFrame({field: raw[column] for field, column in wanted.items()})
    table["postcode"] = normalise_postcodes(table["postcode"])
    table["introduced"] = yyyymm_to_month_start(
        table["introduced"], file=name, column=wanted["introduced"]
    )
    table["terminated"] = yyyymm_to_month_start(
        table["terminated"], file=name, column=wanted["terminated"]
    )
    for field in table.columns.difference(["postcode", "introduced", "terminated"]):
        cleaned = table[field].astype("string").str.strip()
        table[field] = cleaned.mask(cleaned == "")
    table = table[table["postcode"].notna()].drop_duplicates("postcode", keep="last")
    return PostcodeDirectory(table.reset_index(drop=True), lsoa_vintage)


def majority(table: pd.DataFrame, key: str, columns: list[str]) -> pd.DataFrame:
    """For each ``key`` value, the most common combination of ``columns`` (ties: first sorted).

    LSOAs nest in MSOAs and districts, but best-fit postcode files can disagree at the edges,
    so the LSOA takes the parent most of its postcodes have.
    """
    subset = table.dropna(subset=[key, columns[0]])
    counts = subset.groupby([key, *columns], dropna=False).size().rename("n").reset_index()
    counts = counts.sort_values(
        [key, "n", *columns], ascending=[True, False, *([True] * len(columns))]
    )
    return counts.drop_duplicates(key).drop(columns="n").set_index(key)
