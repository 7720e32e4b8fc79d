"""English Indices of Deprivation, File 1 / File 7 CSV, IoD2019 (LSOA 2011) or IoD2025 (LSOA 2021).

The vintage is read from the header (``LSOA code (2011)`` or ``(2021)``), never guessed from
the file name, and carried through so no LSOA 2021 postcode is ever joined to IoD2019.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from maternity_equity.reference.sources import (
    IMD_LSOA_COLUMN,
    ReferenceFile,
    find_column,
    open_text,
)

VINTAGE_BY_LSOA_YEAR = {"2011": "IoD2019", "2021": "IoD2025"}
PREFIXES = {
    "lsoa_name": "lsoa name (",
    "lad_code": "local authority district code (",
    "lad_name": "local authority district name (",
    "imd_score": "index of multiple deprivation (imd) score",
    "imd_rank": "index of multiple deprivation (imd) rank",
    "imd_decile": "index of multiple deprivation (imd) decile",
}
POPULATION_PREFIXES = ("total population", "population")


@dataclass
class ImdTable:
    """One row per LSOA: lsoa_code, lsoa_name, lad_code, lad_name, imd_score, imd_rank,
    imd_decile, population (NA where the file lacks the column)."""

    table: pd.DataFrame
    imd_vintage: str
    lsoa_vintage: str


def by_prefix(header: tuple[str, ...], prefix: str) -> str | None:
    for name in header:
        if name.lower().startswith(prefix):
            return name
    return None


def _integers(
    values: pd.Series, *, file: str, column: str, low: int, high: int | None
) -> pd.Series:
    """Whole numbers within [low, high]; a bad value names its row and column."""
    text = values.astype("string").str.strip().str.replace(",", "", regex=False)
    numbers = pd.to_numeric(text, errors="coerce")
    bad = numbers.isna() | (numbers < low) | (numbers != np.floor(numbers))
    if high is not None:
        bad |= numbers > high
    if bad.any():
        row = int(np.flatnonzero(bad.to_numpy())[0])
        span = f"{low}-{high}" if high is not None else f">= {low}"
        raise ValueError(
            f"{file}: row {row + 2}, column {column!r}: {values.iloc[row]!r} is not a whole "
            f"number {span}"
        )
    return numbers.astype("Int64")


def load_imd(ref: ReferenceFile) -> ImdTable:
    """Read an IoD File 1 or File 7 CSV (only the columns needed)."""
    name = ref.path.name
    code_column = find_column(ref.header, IMD_LSOA_COLUMN)
    if code_column is None:
        raise ValueError(f"{name}: missing column 'LSOA code (2011)' or 'LSOA code (2021)'")
    lsoa_year = re.search(r"(2011|2021)", code_column).group(1)
    columns = {"lsoa_code": code_column}
    for field, prefix in PREFIXES.items():
        found = by_prefix(ref.header, prefix)
        if found:
            columns[field] = found
    if "imd_decile" not in columns:
        raise ValueError(f"{name}: missing column 'Index of Multiple Deprivation (IMD) Decile ...'")
    population = next(
        (c for c in ref.header for p in POPULATION_PREFIXES if c.lower().startswith(p)), None
    )
    if population:
        columns["population"] = population
    with open_text(ref.path) as handle:
        raw = pd.read_csv(handle, usecols=list(columns.values()), dtype=str, keep_default_na=False)
    table = pd.DataFrame({field: raw[column] for field, column in columns.items()})
    table["lsoa_code"] = table["lsoa_code"].astype("string").str.strip()
    table["imd_decile"] = _integers(
        table["imd_decile"], file=name, column=columns["imd_decile"], low=1, high=10
    )
    if "imd_rank" in table:
        table["imd_rank"] = _integers(
            table["imd_rank"], file=name, column=columns["imd_rank"], low=1, high=None
        )
    if "population" in table:
        table["population"] = _integers(
            table["population"], file=name, column=columns["population"], low=0, high=None
        )
    if "imd_score" in table:
        table["imd_score"] = pd.to_numeric(table["imd_score"], errors="coerce")
    for field in ("lsoa_name", "lad_code", "lad_name", "imd_score", "imd_rank", "population"):
        if field not in table:
            table[field] = pd.NA
    duplicated = table["lsoa_code"].duplicated()
    if duplicated.any():
        row = int(np.flatnonzero(duplicated.to_numpy())[0])
        raise ValueError(
            f"{name}: row {row + 2}: LSOA {table['lsoa_code'].iloc[row]} appears twice"
        )
    return ImdTable(table, VINTAGE_BY_LSOA_YEAR[lsoa_year], lsoa_year)
