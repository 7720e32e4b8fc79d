"""Everything that is specific to the DuckDB backend lives here, so a Spark backend is one module.

The rest of the warehouse speaks Arrow tables and Ibis expressions; only this module knows how a
DuckDB file is opened, how a transaction is run and how an Arrow table becomes a stored table.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

import duckdb
import ibis
import pyarrow as pa


def connect(path: Path, *, read_only: bool = False) -> ibis.BaseBackend:
    """Open (creating if needed) the DuckDB file at ``path`` as an Ibis backend.

    Read-only connections let several readers (web app, reports) share the file; DuckDB allows
    one writing process at a time.
    """
    if read_only:
        if not path.exists():
            raise ValueError(f"warehouse {path} does not exist (run `maternity-equity ingest`)")
        return ibis.duckdb.connect(str(path), read_only=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    return ibis.duckdb.connect(str(path))


def _raw(con: ibis.BaseBackend):
    return con.con  # the duckdb.DuckDBPyConnection under the Ibis backend


def quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


@contextmanager
def transaction(con: ibis.BaseBackend) -> Iterator[None]:
    """All statements inside commit together or not at all (DuckDB DDL is transactional)."""
    raw = _raw(con)
    raw.execute("BEGIN TRANSACTION")
    try:
        yield
    except BaseException:
        with suppress(duckdb.Error):  # never let a failed rollback hide the real error
            raw.execute("ROLLBACK")
        raise
    raw.execute("COMMIT")


def write_arrow(con: ibis.BaseBackend, name: str, data: pa.Table, *, mode: str) -> None:
    """Store ``data`` as table ``name``: mode "replace" (drop and create) or "append".

    Appending to a table that does not exist yet creates it. Columns are matched by name.
    """
    raw = _raw(con)
    view = f"__incoming_{name}"
    raw.register(view, data)
    try:
        if mode == "replace" or not table_exists(con, name):
            raw.execute(f"CREATE OR REPLACE TABLE {quote(name)} AS SELECT * FROM {quote(view)}")
        elif mode == "append":
            raw.execute(f"INSERT INTO {quote(name)} BY NAME SELECT * FROM {quote(view)}")
        else:
            raise ValueError(f"unknown write mode {mode!r} (expected 'replace' or 'append')")
    finally:
        with suppress(duckdb.Error):  # fails inside an aborted transaction; the view is temporary
            raw.unregister(view)


def table_exists(con: ibis.BaseBackend, name: str) -> bool:
    return name in list_tables(con)


def list_tables(con: ibis.BaseBackend) -> list[str]:
    """Tables of the file's main schema (duckdb_tables() is quicker than information_schema)."""
    rows = (
        _raw(con)
        .execute(
            "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'main' "
            "AND database_name = current_database() ORDER BY table_name"
        )
        .fetchall()
    )
    return [r[0] for r in rows]


def read_arrow(con: ibis.BaseBackend, name: str) -> pa.Table:
    return _raw(con).sql(f"SELECT * FROM {quote(name)}").to_arrow_table()
