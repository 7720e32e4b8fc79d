"""Read extract files as text, whatever their format, so typing and validation happen in one place.

Every reader returns a DataFrame of strings (missing = <NA>, surrounding spaces stripped) plus
``__row``: the row number as a person counts it in the file. For CSV and Excel the header is row
1, so the first record is row 2; Parquet has no header row, so its first record is row 1.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from maternity_equity.ingest.csv_text import read_csv_records
from maternity_equity.ingest.errors import UnreadableFileError

READABLE_SUFFIXES = (".csv", ".parquet", ".xlsx")
ROW = "__row"


def _tidy_arrow(table: pa.Table, first_row: int) -> pd.DataFrame:
    """Trim every text column, make empty text missing, add ``__row`` (all in Arrow)."""
    columns = {}
    for name in table.column_names:
        text = pc.utf8_trim_whitespace(pc.cast(table[name], pa.string()))
        columns[str(name).strip()] = pc.if_else(pc.equal(text, ""), None, text)
    out = pa.table(columns) if columns else pa.table({})
    frame = out.to_pandas(types_mapper={pa.string(): pd.StringDtype()}.get)
    frame.index = pd.RangeIndex(len(table))
    frame[ROW] = pd.RangeIndex(first_row, first_row + len(table), dtype="int64")
    return frame


def _tidy(frame: pd.DataFrame, first_row: int) -> pd.DataFrame:
    table = pa.table({str(c): pa.array(frame[c].astype(object), pa.string()) for c in frame})
    if not frame.columns.size:
        table = pa.table({"__empty": pa.nulls(len(frame), pa.string())}).drop(["__empty"])
    return _tidy_arrow(table, first_row)


def read_csv_text(path: Path) -> pd.DataFrame:
    """CSV as text, one record per line (see :mod:`csv_text`).

    ``frame.attrs`` holds ``bad_lines`` (lines set aside: wrong field count or an unclosed
    quote), ``encoding``, ``lines`` (physical lines after the header, counted from the bytes)
    and ``blank_lines`` (lines with no value, skipped), so ``lines = records + bad + blank``.
    """
    records = read_csv_records(path)
    frame = _tidy_arrow(records.table, first_row=2)
    frame[ROW] = pd.array(records.rows, dtype="int64")
    data = [c for c in frame.columns if c != ROW]
    filled = frame[data].notna().any(axis=1) if data else pd.Series(False, index=frame.index)
    frame = frame[filled].reset_index(drop=True)  # blank lines
    frame.attrs["bad_lines"] = records.bad
    frame.attrs["encoding"] = records.encoding
    frame.attrs["lines"] = records.lines
    frame.attrs["blank_lines"] = records.blank_bad + int((~filled).sum())
    return frame


@contextmanager
def _reading(path: Path, kind: str) -> Iterator[None]:
    """Turn whatever a format library raises on a damaged file into one line naming the file."""
    try:
        yield
    except UnreadableFileError:
        raise
    except Exception as exc:  # zipfile, XML, Arrow, OS errors alike: the file is the problem
        reason = str(exc) or type(exc).__name__
        raise UnreadableFileError(
            f"{path.name}: cannot be read as {kind}: {reason}. Is it damaged, or another kind "
            "of file with this name?"
        ) from exc


def _arrow_column_as_text(col: pa.ChunkedArray) -> pa.ChunkedArray:
    """Dates as YYYY-MM-DD, whole floats without '.0', everything else via Arrow's cast."""
    if pa.types.is_timestamp(col.type):
        col = pc.cast(col, pa.date32())
    if pa.types.is_date(col.type):
        return pc.strftime(col, format="%Y-%m-%d")
    if pa.types.is_floating(col.type):
        as_int = pc.cast(col, pa.int64(), safe=False)
        whole = pc.equal(pc.cast(as_int, col.type), col)
        return pc.if_else(whole, pc.cast(as_int, pa.string()), pc.cast(col, pa.string()))
    return pc.cast(col, pa.string())


def read_parquet_text(path: Path) -> pd.DataFrame:
    with _reading(path, "Parquet"):
        table = pq.read_table(path)
    text = pa.table({name: _arrow_column_as_text(table[name]) for name in table.column_names})
    return _tidy_arrow(text, first_row=1)


def iter_parquet_text(path: Path, rows_per_chunk: int) -> Iterator[pd.DataFrame]:
    """A Parquet file as text, ``rows_per_chunk`` records at a time (row numbers continue).

    Large extracts are Parquet; reading them whole as pandas text costs many times the file.
    An empty file still yields one (empty) frame, so its columns are known.
    """
    with _reading(path, "Parquet"):
        handle = pq.ParquetFile(path)
        batches = handle.iter_batches(batch_size=rows_per_chunk)
    first = 1
    while True:
        with _reading(path, "Parquet"):
            batch = next(batches, None)
        if batch is None:
            break
        table = pa.Table.from_batches([batch])
        text = pa.table({name: _arrow_column_as_text(table[name]) for name in table.column_names})
        yield _tidy_arrow(text, first_row=first)
        first += batch.num_rows
    if first == 1:
        yield read_parquet_text(path)


def _cell_text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, bool):
        return "Y" if value else "N"
    return str(value)


def workbook_sheets(path: Path) -> list[str]:
    """Sheet names of an .xlsx workbook (read-only open: cheap even for large books)."""
    from openpyxl import load_workbook

    with _reading(path, "an Excel workbook (.xlsx)"):
        book = load_workbook(path, read_only=True)
        try:
            return list(book.sheetnames)
        finally:
            book.close()


def read_excel_text(path: Path, sheet: str | None = None) -> pd.DataFrame:
    """First sheet (or ``sheet``) of an .xlsx workbook; row 1 is the header."""
    from openpyxl import load_workbook

    with _reading(path, "an Excel workbook (.xlsx)"):
        book = load_workbook(path, read_only=True, data_only=True)
    try:
        if sheet is not None and sheet not in book.sheetnames:
            raise ValueError(f"{path.name}: no sheet {sheet!r} (sheets: {book.sheetnames})")
        ws = book[sheet] if sheet is not None else book.worksheets[0]
        with _reading(path, "an Excel workbook (.xlsx)"):
            rows = ws.iter_rows(values_only=True)
            header = next(rows, None)
            if header is None:
                return _tidy(pd.DataFrame(), first_row=2)
            names = [
                str(h).strip() if h is not None else f"column_{i + 1}" for i, h in enumerate(header)
            ]
            records = [[_cell_text(v) for v in row[: len(names)]] for row in rows]
    finally:
        book.close()
    while records and all(v is None for v in records[-1]):
        records.pop()  # trailing formatted-but-empty rows
    frame = pd.DataFrame(records, columns=names, dtype="string")
    return _tidy(frame, first_row=2)


def read_text_table(path: Path, *, sheet: str | None = None) -> pd.DataFrame:
    """Read one extract file as text; the format is chosen by the file suffix."""
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return read_csv_text(path)
    if suffix == ".parquet":
        return read_parquet_text(path)
    if suffix == ".xlsx":
        return read_excel_text(path, sheet)
    raise ValueError(
        f"{path.name}: cannot read '{suffix}' files "
        f"(expected one of {', '.join(READABLE_SUFFIXES)})"
    )
