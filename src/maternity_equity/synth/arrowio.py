"""Fast string ids, dates and chunked CSV / Parquet writing with pyarrow (no Python loops)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

EPOCH = np.datetime64("1970-01-01", "D")


def ids(prefix: str, numbers: np.ndarray, width: int) -> pa.Array:
    """``prefix`` + zero-padded numbers, e.g. ids("PREG", [7], 9) -> "PREG000000007"."""
    text = pc.utf8_lpad(
        pc.cast(pa.array(np.asarray(numbers, dtype=np.int64)), pa.string()), width, "0"
    )
    return pc.binary_join_element_wise(pa.scalar(prefix), text, "")


def join(*parts: pa.Array | str) -> pa.Array:
    """Concatenate string arrays and literals element-wise."""
    return pc.binary_join_element_wise(
        *[pa.scalar(p) if isinstance(p, str) else p for p in parts], ""
    )


def dates(days: np.ndarray, valid: np.ndarray | None = None) -> pa.Array:
    """Days since 1970-01-01 as a date32 array; ``valid`` False gives nulls."""
    values = np.asarray(days, dtype=np.int32)
    mask = None if valid is None else ~np.asarray(valid, dtype=bool)
    return pa.array(values, type=pa.date32(), mask=mask)


def strings(values: np.ndarray, valid: np.ndarray | None = None) -> pa.Array:
    mask = None if valid is None else ~np.asarray(valid, dtype=bool)
    return pa.array(np.asarray(values, dtype=object), type=pa.string(), mask=mask)


def ints(values: np.ndarray, valid: np.ndarray | None = None) -> pa.Array:
    mask = None if valid is None else ~np.asarray(valid, dtype=bool)
    return pa.array(np.asarray(values, dtype=np.int64), type=pa.int64(), mask=mask)


def month_start(days: np.ndarray) -> np.ndarray:
    """Days since epoch of the first of the month each day falls in."""
    months = (EPOCH + np.asarray(days, dtype="timedelta64[D]")).astype("datetime64[M]")
    return (months.astype("datetime64[D]") - EPOCH).astype(np.int64)


def add_months(days: np.ndarray, months: np.ndarray) -> np.ndarray:
    """Month start ``months`` after the month of each day."""
    start = (EPOCH + np.asarray(days, dtype="timedelta64[D]")).astype("datetime64[M]")
    moved = start + np.asarray(months, dtype="timedelta64[M]")
    return (moved.astype("datetime64[D]") - EPOCH).astype(np.int64)


class TableWriter:
    """Append chunks of one table to ``<name>.csv`` or ``<name>.parquet``."""

    def __init__(self, path: Path, schema: pa.Schema, file_format: str):
        self.path = path
        self.file_format = file_format
        if file_format == "parquet":
            self._writer = pq.ParquetWriter(path, schema, compression="zstd")
        else:
            options = pacsv.WriteOptions(include_header=True, quoting_style="needed")
            self._writer = pacsv.CSVWriter(path, schema, write_options=options)
        self.rows = 0

    def write(self, table: pa.Table) -> None:
        self._writer.write_table(table)
        self.rows += table.num_rows

    def close(self) -> None:
        self._writer.close()
