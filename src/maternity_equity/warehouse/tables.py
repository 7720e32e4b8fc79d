"""Arrow schemas of every stored table: canonical tables from ``schema.py`` plus the bookkeeping
tables (runs, load_counts, quarantine, geography_lsoa) that make numbers traceable."""

from __future__ import annotations

import pyarrow as pa

from maternity_equity.warehouse.schema import EXTRACT_TABLES, Table

ARROW_TYPES: dict[str, pa.DataType] = {
    "string": pa.string(),
    "date": pa.date32(),
    "int": pa.int64(),
    "float": pa.float64(),
    "bool": pa.bool_(),
}

RUNS = pa.schema(
    [
        ("run_id", pa.string()),
        ("kind", pa.string()),
        ("started_at", pa.timestamp("us", tz="UTC")),
        ("finished_at", pa.timestamp("us", tz="UTC")),
        ("code_version", pa.string()),
        ("inputs_json", pa.string()),
        ("parameters_json", pa.string()),
        ("counts_json", pa.string()),
        ("status", pa.string()),
    ]
)

LOAD_COUNTS = pa.schema(
    [
        ("run_id", pa.string()),
        ("table_name", pa.string()),
        ("file", pa.string()),
        ("read", pa.int64()),
        ("accepted", pa.int64()),
        ("quarantined", pa.int64()),
        ("duplicates_removed", pa.int64()),
    ]
)

QUARANTINE = pa.schema(
    [
        ("run_id", pa.string()),
        ("table_name", pa.string()),
        ("file", pa.string()),
        ("row_number", pa.int64()),
        ("column", pa.string()),
        ("source_column", pa.string()),  # the name the file gave the column
        ("value", pa.string()),
        ("rule", pa.string()),
        ("message", pa.string()),
    ]
)

GEOGRAPHY_LSOA = pa.schema(
    [
        ("lsoa_code", pa.string()),
        ("lsoa_name", pa.string()),
        ("imd_decile", pa.int64()),
        ("imd_quintile", pa.int64()),
        ("imd_score", pa.float64()),
        ("imd_rank", pa.int64()),
        ("population", pa.int64()),
        ("neighbourhood_code", pa.string()),
        ("neighbourhood_name", pa.string()),
        ("place_code", pa.string()),
        ("place_name", pa.string()),
        ("icb_code", pa.string()),
        ("icb_name", pa.string()),
        ("imd_vintage", pa.string()),
        ("lsoa_vintage", pa.string()),
    ]
)


def canonical_schema(table: Table | str) -> pa.Schema:
    """Arrow schema of a canonical table as stored (warehouse columns, in model order)."""
    t = EXTRACT_TABLES[table] if isinstance(table, str) else table
    return pa.schema([(c.name, ARROW_TYPES[c.dtype]) for c in t.warehouse_columns()])


BOOKKEEPING: dict[str, pa.Schema] = {
    "runs": RUNS,
    "load_counts": LOAD_COUNTS,
    "quarantine": QUARANTINE,
    "geography_lsoa": GEOGRAPHY_LSOA,
}


def stored_schema(name: str) -> pa.Schema | None:
    """The schema the warehouse stores ``name`` with, or None for tables it does not define."""
    if name in EXTRACT_TABLES:
        return canonical_schema(name)
    return BOOKKEEPING.get(name)
