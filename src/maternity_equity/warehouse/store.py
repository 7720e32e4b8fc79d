"""The warehouse: one DuckDB file behind Ibis, written only in whole, atomic loads.

Readers get Ibis tables (``table``) or pandas frames (``to_pandas``). Writers hand over a set of
Arrow tables to replace and to append; all of it commits in one transaction together with the
run record, so a failed load leaves the previous tables exactly as they were.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path

import ibis
import pandas as pd
import pyarrow as pa

from maternity_equity.warehouse import backend
from maternity_equity.warehouse.runs import RunRecord
from maternity_equity.warehouse.tables import stored_schema

TableData = pa.Table | pd.DataFrame


def _to_arrow(name: str, data: TableData) -> pa.Table:
    """Cast to the table's stored schema when the warehouse defines one (names and types)."""
    schema = stored_schema(name)
    if isinstance(data, pd.DataFrame):
        if schema is None:
            return pa.Table.from_pandas(data, preserve_index=False)
        missing = [f.name for f in schema if f.name not in data.columns]
        if missing:
            raise ValueError(f"table {name!r} is missing columns {missing}")
        return pa.Table.from_pandas(data[schema.names], schema=schema, preserve_index=False)
    if schema is None:
        return data
    return data.select(schema.names).cast(schema)


class Warehouse:
    """One DuckDB warehouse file. Use as a context manager, or call :meth:`close`."""

    def __init__(self, path: str | Path, *, read_only: bool = False) -> None:
        self.path = Path(path)
        self.read_only = read_only
        self.con = backend.connect(self.path, read_only=read_only)

    # reading -------------------------------------------------------------------------------
    def table(self, name: str) -> ibis.Table:
        if not self.has_table(name):
            raise KeyError(f"the warehouse {self.path} has no table {name!r}")
        return self.con.table(name)

    def to_pandas(self, table: str | ibis.Table) -> pd.DataFrame:
        """A stored table (by name) or an Ibis expression, executed into a DataFrame."""
        expr = self.table(table) if isinstance(table, str) else table
        return self.con.execute(expr)

    def to_arrow(self, name: str) -> pa.Table:
        return backend.read_arrow(self.con, name)

    def has_table(self, name: str) -> bool:
        return backend.table_exists(self.con, name)

    def list_tables(self) -> list[str]:
        return backend.list_tables(self.con)

    # writing -------------------------------------------------------------------------------
    def write(
        self,
        *,
        replace: Mapping[str, TableData] | None = None,
        append: Mapping[str, TableData] | None = None,
        run: RunRecord | None = None,
    ) -> None:
        """Replace and append tables, and record ``run``, all in one transaction.

        Everything is converted to Arrow (and checked against the stored schema) before the
        transaction starts, so most mistakes fail before anything is touched; any error inside
        the transaction rolls every table back.
        """
        if self.read_only:
            raise ValueError(f"warehouse {self.path.name} was opened read-only")
        replace_arrow = {n: _to_arrow(n, d) for n, d in (replace or {}).items()}
        append_arrow = {n: _to_arrow(n, d) for n, d in (append or {}).items()}
        if run is not None:
            append_arrow["runs"] = run.to_arrow()
        with backend.transaction(self.con):
            for name, data in replace_arrow.items():
                backend.write_arrow(self.con, name, data, mode="replace")
            for name, data in append_arrow.items():
                backend.write_arrow(self.con, name, data, mode="append")

    def replace_tables(self, tables: Mapping[str, TableData], run: RunRecord | None = None) -> None:
        """Atomically replace a set of tables (all or none)."""
        self.write(replace=tables, run=run)

    def record_run(self, run: RunRecord) -> None:
        """Store a run on its own (e.g. a failed load, after its tables were rolled back)."""
        self.write(run=run)

    def runs(self) -> pd.DataFrame:
        """The run log, newest first, with the json columns decoded."""
        if not self.has_table("runs"):
            return pd.DataFrame(columns=[f.name for f in stored_schema("runs")])
        frame = self.to_pandas(self.table("runs").order_by(ibis.desc("started_at")))
        for col in ("inputs_json", "parameters_json", "counts_json"):
            frame[col.removesuffix("_json")] = frame[col].map(json.loads)
        return frame

    def latest_run(self, kind: str, *, status: str = "succeeded") -> dict | None:
        """The newest run of ``kind`` (e.g. the ingest a computation read), or None.

        A stage that reads the warehouse records this run id among its own inputs, so a
        published number leads back through its computation to the extract files.
        """
        runs = self.runs()
        runs = runs[(runs["kind"] == kind) & (runs["status"] == status)]
        return None if runs.empty else runs.iloc[0].to_dict()

    def close(self) -> None:
        self.con.disconnect()

    def __enter__(self) -> Warehouse:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
