"""Accepted rows wait in DuckDB, not in pandas, until the load commits.

A national extract (tens of millions of care contacts) does not fit in memory as pandas text,
so each checked chunk is typed to the warehouse schema and appended to a temporary DuckDB table
(which DuckDB spills to disk when it must). De-duplication then runs as one SQL window over the
staged rows and the stored table, with exactly the ordering of :mod:`dedupe`: the latest row
per key by ``dedupe_order`` (descending, missing last), this load before the warehouse, a later
row of this load before an earlier one.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import pyarrow as pa

from maternity_equity.ingest.dedupe import FILE, SEQ
from maternity_equity.ingest.readers import ROW
from maternity_equity.warehouse.backend import quote
from maternity_equity.warehouse.schema import Table
from maternity_equity.warehouse.tables import stored_schema

_FROM_STORE = "__from_store"
_RANK = "__rank"


def staging_schema(table: str) -> pa.Schema:
    """The warehouse schema of ``table`` plus the file, row and load position of each row."""
    schema = stored_schema(table)
    return (
        schema.append(pa.field(FILE, pa.string()))
        .append(pa.field(ROW, pa.int64()))
        .append(pa.field(SEQ, pa.int64()))
    )


@dataclass
class StagedTable:
    """One table's accepted rows of this load, staged in a temporary table of ``raw``."""

    raw: object  # the warehouse's duckdb connection
    table: str
    model: Table
    rows: int = 0

    @property
    def name(self) -> str:
        return f"__staged_{self.table}"

    @property
    def final(self) -> str:
        return f"__final_{self.table}"

    def __post_init__(self) -> None:
        empty = staging_schema(self.table).empty_table()
        self.raw.register("__empty_chunk", empty)
        self.raw.execute(
            f"CREATE OR REPLACE TEMP TABLE {quote(self.name)} AS SELECT * FROM __empty_chunk"
        )
        self.raw.unregister("__empty_chunk")

    def append(self, frame: pd.DataFrame) -> None:
        """Add checked, derived rows (warehouse columns plus file and row) in load order."""
        if not len(frame):
            return
        schema = staging_schema(self.table)
        frame = frame.assign(**{SEQ: range(self.rows, self.rows + len(frame))})
        chunk = pa.Table.from_pandas(frame[schema.names], schema=schema, preserve_index=False)
        self.raw.register("__chunk", chunk)
        try:
            self.raw.execute(f"INSERT INTO {quote(self.name)} SELECT * FROM __chunk")
        finally:
            self.raw.unregister("__chunk")
        self.rows += len(frame)

    def deduplicate(self, stored: bool) -> tuple[dict[str, int], dict[str, int], int]:
        """Keep the latest row per key (also against the stored table when ``stored``).

        Returns (accepted per file, superseded new rows per file, rows in the final table).
        The survivors are left in the temporary table :attr:`final`, ordered by key.
        """
        columns = [f.name for f in stored_schema(self.table)]
        cols = ", ".join(quote(c) for c in columns)
        key = ", ".join(quote(c) for c in self.model.key)
        order = ", ".join(
            [f"{quote(c)} DESC NULLS LAST" for c in self.model.dedupe_order]
            + [f"{_FROM_STORE} ASC", f"{quote(SEQ)} DESC"]
        )
        staged = quote(self.name)
        union = f"SELECT {cols}, {quote(FILE)}, {quote(SEQ)}, 0 AS {_FROM_STORE} FROM {staged}"
        if stored:
            union += (
                f" UNION ALL SELECT {cols}, NULL::VARCHAR, -1::BIGINT, 1 FROM {quote(self.table)}"
            )
        self.raw.execute(
            f"CREATE OR REPLACE TEMP TABLE __ranked AS SELECT *, row_number() OVER "
            f"(PARTITION BY {key} ORDER BY {order}) AS {_RANK} FROM ({union})"
        )
        self.raw.execute(
            f"CREATE OR REPLACE TEMP TABLE {quote(self.final)} AS SELECT {cols}, {quote(FILE)} "
            f"FROM __ranked WHERE {_RANK} = 1 ORDER BY {key}"
        )
        accepted = dict(
            self.raw.execute(
                f"SELECT {quote(FILE)}, count(*) FROM {quote(self.final)} "
                f"WHERE {quote(FILE)} IS NOT NULL GROUP BY 1"
            ).fetchall()
        )
        removed = dict(
            self.raw.execute(
                f"SELECT {quote(FILE)}, count(*) FROM __ranked WHERE {_RANK} > 1 "
                f"AND {_FROM_STORE} = 0 GROUP BY 1"
            ).fetchall()
        )
        total = self.raw.execute(f"SELECT count(*) FROM {quote(self.final)}").fetchone()[0]
        self.raw.execute("DROP TABLE __ranked")
        self.raw.execute(f"DROP TABLE {quote(self.name)}")
        return accepted, removed, total

    def columns(self, names: list[str]) -> pd.DataFrame:
        """Some columns of the surviving rows (keys for the reference checks of children)."""
        cols = ", ".join(quote(c) for c in names)
        return self.raw.execute(f"SELECT {cols} FROM {quote(self.final)}").fetch_df()

    def store(self) -> None:
        """Replace the warehouse table by the survivors (call inside the load's transaction)."""
        cols = ", ".join(quote(f.name) for f in stored_schema(self.table))
        self.raw.execute(
            f"CREATE OR REPLACE TABLE {quote(self.table)} AS SELECT {cols} FROM {quote(self.final)}"
        )

    def drop(self) -> None:
        for name in (self.name, self.final, "__ranked"):
            self.raw.execute(f"DROP TABLE IF EXISTS {quote(name)}")
