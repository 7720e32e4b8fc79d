"""Write the canonical tables as Parquet partitioned by reporting month, for Spark and others.

Layout: ``<dir>/<table>/period_month=YYYY-MM/part-<n>.parquet`` (Hive style), where the period is
the month of ``rp_start_date``, the submission's reporting period. Each table is written to a
temporary folder first and swapped in, so a reader never sees half a table.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pyarrow.parquet as pq

from maternity_equity.warehouse import Warehouse
from maternity_equity.warehouse.backend import quote
from maternity_equity.warehouse.schema import EXTRACT_TABLES

PARTITION = "period_month"
# Small side tables Spark runs need besides the canonical ones (geography names for the
# results, data-quality status): one unpartitioned file each.
SIDE_TABLES = ("geography_lsoa", "dq_results")


def export_parquet(warehouse: Warehouse, out_dir: str | Path) -> dict[str, int]:
    """Export every canonical table the warehouse holds (and ``SIDE_TABLES``, unpartitioned);
    returns rows written per table."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written: dict[str, int] = {}
    raw = warehouse.con.con
    for table in EXTRACT_TABLES:
        if not warehouse.has_table(table):
            continue
        staging = out / f".{table}.writing"
        shutil.rmtree(staging, ignore_errors=True)
        # DuckDB streams the table to Parquet: a national table never sits in memory whole
        raw.execute(
            f"COPY (SELECT *, strftime(rp_start_date, '%Y-%m') AS {PARTITION} "
            f"FROM {quote(table)}) TO '{_sql_text(staging)}' "
            f"(FORMAT parquet, PARTITION_BY ({PARTITION}), FILENAME_PATTERN 'part-{{i}}')"
        )
        staging.mkdir(exist_ok=True)  # an empty table writes no partition: keep the folder
        final = out / table
        shutil.rmtree(final, ignore_errors=True)
        staging.rename(final)
        written[table] = raw.execute(f"SELECT count(*) FROM {quote(table)}").fetchone()[0]
    for table in SIDE_TABLES:
        if warehouse.has_table(table):
            data = warehouse.to_arrow(table)
            staging = out / f".{table}.writing"
            shutil.rmtree(staging, ignore_errors=True)
            staging.mkdir()
            pq.write_table(data, staging / "part-0.parquet")
            final = out / table
            shutil.rmtree(final, ignore_errors=True)
            staging.rename(final)
            written[table] = data.num_rows
    return written


def _sql_text(path: Path) -> str:
    return str(path).replace("'", "''")
