"""Quarantine entries: one row per problem found, built vectorised, worded for a data manager.

The message names the file (and sheet), the row as the data manager would count it (header =
row 1), the column as the file names it (with the canonical name beside it when the mapping
renamed it), the offending value and what was expected. Values of personal data columns (dates
of birth, NHS numbers, postcodes, identifiers) are never copied into the quarantine table.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from maternity_equity.ingest.csv_text import MALFORMED_ROW, UNCLOSED_QUOTE
from maternity_equity.ingest.readers import ROW
from maternity_equity.ingest.sources import SourceFrame

COLUMNS = (
    "table_name",
    "file",
    "row_number",
    "column",
    "source_column",
    "value",
    "rule",
    "message",
)
INDEX = "__index"  # position of the offending row in its source frame

# rule ids (stable: the quality module and docs refer to them)
REQUIRED_MISSING = "required_missing"
INVALID_DATE = "invalid_date"
INVALID_INTEGER = "invalid_integer"
INVALID_NUMBER = "invalid_number"
INVALID_BOOLEAN = "invalid_boolean"
UNKNOWN_CODE = "unknown_code"
UNKNOWN_REFERENCE = "unknown_reference"
INCONSISTENT_REFERENCE = "inconsistent_reference"
# MALFORMED_ROW and UNCLOSED_QUOTE come from the CSV reader, which finds those lines
FUTURE_DATE = "future_date"
AFTER_REPORTING_PERIOD = "after_reporting_period"
IMPLAUSIBLE_GESTATION = "implausible_gestation"
IMPLAUSIBLE_AGE = "implausible_age"
BELOW_MINIMUM = "below_minimum"

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
    UNCLOSED_QUOTE: "A CSV line opens a quotation mark that does not close on the same line.",
    FUTURE_DATE: "A date of something that has happened is after the day of the load.",
    AFTER_REPORTING_PERIOD: "An event is dated after the end of the row's reporting period.",
    IMPLAUSIBLE_GESTATION: "Gestation at booking is negative or over 44 weeks.",
    IMPLAUSIBLE_AGE: "The mother's age at booking is outside 11 to 60 years.",
    BELOW_MINIMUM: "A count or order is below its smallest valid value (e.g. negative).",
}


def _bad_line_message(file: str, line) -> str:
    if line.rule == UNCLOSED_QUOTE:
        return (
            f"{file} row {line.row}: a quotation mark opens a value that does not close on this "
            "line (unclosed quote), so none of the row could be read; the lines after it were "
            "read on their own"
        )
    return (
        f"{file} row {line.row}: the row has {line.found} fields but the header has "
        f"{line.expected} (a stray comma or quotation mark?), so none of it could be read"
    )


def malformed_rows(src: SourceFrame) -> pd.DataFrame:
    """One entry per CSV line that could not be read at all (its text is not copied)."""
    if not src.bad_lines:
        return empty()
    lines = src.bad_lines
    text = ("table_name", "file", "column", "source_column", "value", "rule", "message")
    return pd.DataFrame(
        {
            "table_name": src.table,
            "file": src.file,
            "row_number": pd.array([b.row for b in lines], dtype="Int64"),
            "column": pd.NA,
            "source_column": pd.NA,
            "value": pd.NA,
            "rule": [b.rule for b in lines],
            "message": [_bad_line_message(src.file, b) for b in lines],
            INDEX: -1,
        }
    ).astype(dict.fromkeys(text, "string"))


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


def source_names(src: SourceFrame, frame: pd.DataFrame, column: str) -> pd.Series:
    """Per row of ``frame``, the file's own column the value of ``column`` came from.

    Missing where no column of the file feeds it (absent, or a constant of the mapping). Where
    several columns feed it, the one that held the value (all of them, "A or B", if none did).
    """
    out = pd.Series(pd.NA, index=frame.index, dtype="string")
    names = src.sources.get(column, ())
    if len(names) == 1:
        out[:] = names[0]
    elif names:
        choices = np.array([*names, " or ".join(names)], dtype=object)  # -1: none held a value
        out[:] = choices[frame[f"__source@{column}"].to_numpy()]
    join = src.origins.get(column)
    side = src.side_sources.get(column, ())
    if join is not None and side:
        from_side = frame[f"__row@{join}"].notna()
        out = out.where(~from_side, " or ".join(side))
    return out


def describe_column(src: SourceFrame, column: str) -> str:
    """How a message names a column: ``BookedOn (booking_date)``, or ``booking_date`` alone
    when the file uses the canonical name or has no column for it."""
    names = src.side_sources.get(column) or src.sources.get(column, ())
    source = " or ".join(names)
    return column if source in ("", column) else f"{source} ({column})"


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
    source = source_names(src, frame, column)
    label = (source + " (" + column + ")").where(source.notna() & (source != column), column)
    message = file + " row " + row.astype("string") + ", column " + label + ": " + text
    out = pd.DataFrame(
        {
            "table_name": src.table,
            "file": file,
            "row_number": row,
            "column": column,
            "source_column": source,
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
