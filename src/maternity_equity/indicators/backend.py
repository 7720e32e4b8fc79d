"""Every place where DuckDB and PySpark could differ, in one module.

The engine builds Ibis expressions and only calls these helpers for date arithmetic, windows and
conditional counts. To run on Spark, connect with ``ibis.pyspark.connect`` and check only this
file. Window note: ``sum().over(window(order_by=...))`` is a grand total in Ibis, not a running
sum; the engine never needs one because rolling periods are summed in pandas after aggregation.
"""

from __future__ import annotations

from pathlib import Path

import ibis
import ibis.expr.types as ir
import pandas as pd
import pyarrow as pa

BACKENDS = ("duckdb", "pyspark")


def connect(warehouse_path: Path | str, backend: str = "duckdb", **kwargs) -> ibis.BaseBackend:
    """Open the warehouse. ``pyspark`` expects the tables registered in the Spark session."""
    if backend == "duckdb":
        path = Path(warehouse_path)
        if not path.exists():
            raise ValueError(f"warehouse file {path} does not exist")
        return ibis.duckdb.connect(str(path), **kwargs)
    if backend == "pyspark":  # pragma: no cover - needs a Spark session
        session = kwargs.pop("session")
        return ibis.pyspark.connect(session)
    raise ValueError(f"unknown backend {backend!r}; expected one of {BACKENDS}")


def list_tables(con: ibis.BaseBackend) -> list[str]:
    """Table names. (Ibis 12's own ``list_tables`` calls a method duckdb 2.0 no longer has.)"""
    if con.name == "duckdb":
        rows = con.con.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main'"
        ).fetchall()
        return sorted(r[0] for r in rows)
    return list(con.list_tables())  # pragma: no cover - other backends


def month_start(date: ir.DateValue) -> ir.DateValue:
    """First day of the month of ``date`` (the unit every period is built from)."""
    return date.truncate("M")


def add_days(date: ir.DateValue, days: ir.IntegerValue) -> ir.DateValue:
    return (date + days.as_interval("D")).cast("date")


def days_between(later: ir.DateValue, earlier: ir.DateValue) -> ir.IntegerValue:
    """Whole days from ``earlier`` to ``later`` (negative when later is before earlier)."""
    return later.delta(earlier, unit="day")


def count_if(table: ir.Table, condition: ir.BooleanValue) -> ir.IntegerScalar:
    """Rows of ``table`` where ``condition`` holds (a literal True counts every row)."""
    return table.count(where=condition)


def latest_per(table: ir.Table, by: str, order_by: list[str]) -> ir.Table:
    """The last row per ``by`` when ordered by ``order_by`` (ties: first listed column wins)."""
    ranked = table.mutate(
        _rank=ibis.row_number().over(
            ibis.window(group_by=table[by], order_by=[ibis.desc(table[c]) for c in order_by])
        )
    )
    return ranked.filter(ranked._rank == 0).drop("_rank")


def materialise(con: ibis.BaseBackend, expr: ir.Table, name: str) -> ir.Table:
    """Compute ``expr`` once into a temporary table, so several queries reuse it.

    DuckDB: raw ``CREATE OR REPLACE TEMP TABLE`` (Ibis 12's ``create_table(overwrite=True)``
    emits SQL that duckdb 2.0 rejects). Other backends: Ibis ``create_table(temp=True)``.
    """
    if con.name == "duckdb":
        con.con.execute(f'CREATE OR REPLACE TEMP TABLE "{name}" AS {con.compile(expr)}')
        return con.table(name)
    if con.name == "pyspark":  # Ibis 12 has no temporary tables on Spark: a cached temp view
        frame = con._session.sql(con.compile(expr)).cache()
        frame.createOrReplaceTempView(name)
        return con.table(name)
    return con.create_table(name, expr, temp=True, overwrite=True)  # pragma: no cover


def drop_materialised(con: ibis.BaseBackend, name: str) -> None:
    """Free what :func:`materialise` built."""
    if con.name == "duckdb":
        con.con.execute(f'DROP TABLE IF EXISTS "{name}"')
    elif con.name == "pyspark":
        con._session.catalog.dropTempView(name)  # also unpersists the cached frame
    else:  # pragma: no cover
        con.drop_table(name, force=True)


def execute_arrow(expr: ir.Table) -> pa.Table:
    """Run an expression and bring the (aggregated) result back as an Arrow table."""
    result = expr.to_pyarrow()
    return result.read_all() if isinstance(result, pa.RecordBatchReader) else result


def execute(expr: ir.Table) -> pd.DataFrame:
    """Run an expression and bring the (small, aggregated) result into pandas."""
    return expr.to_pandas()
