"""Hand-built warehouses: a few rows per table written into a real DuckDB file."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from maternity_equity.warehouse.schema import EXTRACT_TABLES

SQL_TYPES = {
    "string": "VARCHAR",
    "int": "BIGINT",
    "float": "DOUBLE",
    "bool": "BOOLEAN",
    "date": "DATE",
}
DTYPES = {"string": "object", "int": "Int64", "float": "float64", "bool": "boolean"}


def frame(table: str, rows: list[dict]) -> pd.DataFrame:
    """A DataFrame with every warehouse column of ``table``; unspecified columns are NULL."""
    cols = EXTRACT_TABLES[table].warehouse_columns()
    data = {}
    for c in cols:
        values = [r.get(c.name) for r in rows]
        if c.dtype == "date":
            data[c.name] = pd.Series(
                [pd.Timestamp(v) if v is not None else pd.NaT for v in values],
                dtype="datetime64[us]",
            )
        else:
            data[c.name] = pd.Series(values, dtype=DTYPES[c.dtype])
    unknown = {k for r in rows for k in r} - {c.name for c in cols}
    if unknown:
        raise KeyError(f"{table} has no columns {unknown}")
    return pd.DataFrame(data)


def write_warehouse(path: Path, tables: dict[str, list[dict]], extra: dict | None = None) -> Path:
    con = duckdb.connect(str(path))
    for name in EXTRACT_TABLES:
        df = frame(name, tables.get(name, []))
        casts = ", ".join(
            f'CAST("{c.name}" AS {SQL_TYPES[c.dtype]}) AS "{c.name}"'
            for c in EXTRACT_TABLES[name].warehouse_columns()
        )
        con.execute(f"CREATE TABLE {name} AS SELECT {casts} FROM df")
    for name, df in (extra or {}).items():
        con.register("incoming", df)
        con.execute(f"CREATE TABLE {name} AS SELECT * FROM incoming")
        con.unregister("incoming")
    con.close()
    return path


def mother(pid: str, **kw) -> dict:
    """A booked pregnancy with sensible defaults (provider P1, neighbourhood N1, White British)."""
    base = dict(
        pregnancy_id=pid,
        mother_id="m" + pid,
        rp_start_date=dt.date(2024, 1, 1),
        record_number=1,
        provider_code="P1",
        booking_date=dt.date(2024, 1, 15),
        edd=dt.date(2024, 8, 1),
        ethnic_category="A",
        ethnic_status="valid",
        postcode_status="valid",
        imd_decile=5,
        imd_quintile=3,
        neighbourhood_code="N1",
        place_code="PL1",
        gestation_at_booking_days=60,
        age_at_booking=30,
    )
    base.update(kw)
    return base


@pytest.fixture
def warehouse(tmp_path: Path):
    def build(extra: dict | None = None, **tables: list[dict]) -> Path:
        return write_warehouse(tmp_path / "wh.duckdb", tables, extra)

    return build


def pick(
    results: pd.DataFrame,
    indicator: str,
    *,
    period_type: str = "month",
    period_start: dt.date | None = None,
    geography_type: str = "lmns",
    geography_code: str | None = None,
    breakdown: str = "all",
    group: str = "All",
) -> pd.Series:
    """The one result row matching the filters (fails loudly if there is not exactly one)."""
    r = results[
        (results["indicator_id"] == indicator)
        & (results["period_type"] == period_type)
        & (results["geography_type"] == geography_type)
        & (results["breakdown"] == breakdown)
        & (results["group"] == group)
    ]
    if period_start is not None:
        r = r[pd.to_datetime(r["period_start"]) == pd.Timestamp(period_start)]
    if geography_code is not None:
        r = r[r["geography_code"] == geography_code]
    assert len(r) == 1, f"{indicator}: expected one row, found {len(r)}"
    return r.iloc[0]


def run(path: Path, ids: list[str], **kw) -> pd.DataFrame:
    """Compute a subset of the catalogue on a hand-built warehouse."""
    from maternity_equity.indicators.catalogue_entries import get
    from maternity_equity.indicators.engine import compute_all

    report = compute_all(path, progress=False, indicators=[get(i) for i in ids], **kw)
    return report.results
