"""Quarantine entries: one row per problem found, built vectorised, worded for a data manager.

The message names the file, the row as the data manager would count it (header = row 1), the
column, the offending value and what was expected. Values of personal data columns (dates of
birth, NHS numbers, postcodes, identifiers) are never copied into the quarantine table.
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd

from maternity_equity.ingest.readers import ROW
from maternity_equity.ingest.sources import SourceFrame

COLUMNS = ("table_name", "file", "row_number", "column", "value", "rule", "message")
INDEX = "__index"  # position of the offending row in its source frame

# rule ids (stable: the quality module and docs refer to them)
REQUIRED_MISSING = "required_missing"
INVALID_DATE = "invalid_date"
INVALID_INTEGER = "invalid_integer"
INVALID_NUMBER = "invalid_number"
INVALID_BOOLEAN = "invalid_boolean"
UNKNOWN_CODE = "unknown_code"
UNKNOWN_REFERENCE = "unknown_reference"
MALFORMED_ROW = "malformed_row"
INCONSISTENT_REFERENCE = "inconsistent_reference"

RULES = {
    REQUIRED_MISSING: "A required field is empty.",
    INVALID_DATE: "A date cannot be read in the expected format, or is not a real date.",
    INVALID_INTEGER: "A whole-number field holds something else.",
    INVALID_NUMBER: "A numeric field holds something that is not a number.",
    INVALID_BOOLEAN: "A yes/no field holds something other than yes or no.",
    UNKNOWN_CODE: "A coded field holds a code outside its code list.",
    UNKNOWN_REFERENCE: "The record refers to a pregnancy or delivery that was never loaded.",
    INCONSISTENT_REFERENCE: "A baby's delivery belongs to another pregnancy than the one given.",
    MALFORMED_ROW: "A CSV line does not split into the header's columns (stray comma or quote).",
}


def malformed_rows(src: SourceFrame) -> pd.DataFrame:
    """One entry per CSV line that could not be read at all (its text is not copied)."""
    if not src.bad_lines:
        return empty()
    lines = src.bad_lines
    return pd.DataFrame(
        {
            "table_name": src.table,
            "file": src.file,
            "row_number": pd.array([b.row for b in lines], dtype="Int64"),
            "column": pd.NA,
            "value": pd.NA,
            "rule": MALFORMED_ROW,
            "message": [
                f"{src.file} row {b.row}: the row has {b.found} fields but the header has "
                f"{b.expected} (a stray comma or quotation mark?), so none of it could be read"
                for b in lines
            ],
            INDEX: -1,
        }
    ).astype({c: "string" for c in ("table_name", "file", "column", "value", "rule", "message")})


_EMPTY: pd.DataFrame | None = None


def empty() -> pd.DataFrame:
    """A quarantine frame with no rows (shared: callers must not modify it)."""
    global _EMPTY
    if _EMPTY is None:
        _EMPTY = _new_empty()
    return _EMPTY


def _new_empty() -> pd.DataFrame:
    frame = pd.DataFrame({c: pd.Series(dtype="string") for c in COLUMNS})
    frame["row_number"] = frame["row_number"].astype("Int64")
    frame[INDEX] = pd.Series(dtype="int64")
    return frame


def entries(
    src: SourceFrame,
    mask: pd.Series,
    column: str,
    rule: str,
    explanation: str | pd.Series | Callable[[pd.DataFrame], str | pd.Series],
    *,
    show_value: bool = True,
) -> pd.DataFrame:
    """Quarantine rows for every True in ``mask`` (aligned with ``src.frame``).

    ``explanation`` follows "<file> row <n>, column <c>: " in the message; it may be a Series
    (aligned with the frame) for value-specific wording, or a function of the offending rows
    that returns one (so wording is only built when there is a problem).
    """
    mask = mask.fillna(False).astype(bool)
    if not mask.any():
        return empty()
    frame = src.frame.loc[mask]
    file = pd.Series(src.file, index=frame.index, dtype="string")
    row = frame[ROW].astype("Int64")
    join = src.origins.get(column)
    if join is not None:
        side_row = frame[f"__row@{join}"]
        found = side_row.notna()
        file = file.where(~found, frame[f"__file@{join}"])
        row = row.where(~found, side_row.astype("Int64"))
    value = frame[column].astype("string") if show_value and column in frame else None
    if callable(explanation):
        explanation = explanation(frame)
    text = explanation.loc[frame.index] if isinstance(explanation, pd.Series) else explanation
    message = file + " row " + row.astype("string") + ", column " + column + ": " + text
    out = pd.DataFrame(
        {
            "table_name": src.table,
            "file": file,
            "row_number": row,
            "column": column,
            "value": value
            if value is not None
            else pd.Series(pd.NA, index=frame.index, dtype="string"),
            "rule": rule,
            "message": message.astype("string"),
            INDEX: frame.index.to_numpy(),
        }
    )
    return out


def concat(parts: list[pd.DataFrame]) -> pd.DataFrame:
    parts = [p for p in parts if len(p)]
    if not parts:
        return empty()
    return pd.concat(parts, ignore_index=True)
