"""Type the text columns of one source file and find every value that breaks a rule.

All checks are vectorised over whole columns. The result is the typed frame (bad values set to
missing) and the quarantine entries; the caller drops every row that has at least one entry.
"""

from __future__ import annotations

import pandas as pd

from maternity_equity.ingest import quarantine as q
from maternity_equity.ingest.mapping import TableMapping
from maternity_equity.ingest.sources import SourceFrame
from maternity_equity.warehouse.schema import Column, Table

_INT_PATTERN = r"^[+-]?\d+(?:\.0*)?$"  # "3400.0" from a float export is still whole
_ISO_TIME_TAIL = (
    r"^(\d{4}-\d{2}-\d{2})[T ](?:[01]\d|2[0-3]):[0-5]\d(?::[0-5]\d(?:\.\d+)?)?"
    r"(?:Z|[+-]\d{2}:?\d{2})?$"
)
_TRUE = {"Y", "YES", "TRUE", "T", "1"}
_FALSE = {"N", "NO", "FALSE", "F", "0"}


def describe_format(fmt: str) -> str:
    """'%d/%m/%Y' -> 'DD/MM/YYYY', as a data manager would write it."""
    for token, text in (
        ("%Y", "YYYY"),
        ("%y", "YY"),
        ("%m", "MM"),
        ("%d", "DD"),
        ("%H", "hh"),
        ("%M", "mm"),
        ("%S", "ss"),
        ("%b", "Mon"),
        ("%B", "Month"),
    ):
        fmt = fmt.replace(token, text)
    return fmt


def parse_dates(text: pd.Series, formats: tuple[str, ...]) -> pd.Series:
    """First format that parses wins; impossible dates (2024-13-01, 2023-02-29) become NaT."""
    out = pd.Series(pd.NaT, index=text.index, dtype="datetime64[s]")
    if "%Y-%m-%d" in formats:  # an ISO date-time ("2024-03-01T09:30:00") names its date
        text = text.str.replace(_ISO_TIME_TAIL, r"\1", regex=True)
    todo = text.notna()
    for fmt in formats:
        if not todo.any():
            break
        parsed = pd.to_datetime(text[todo], format=fmt, errors="coerce").astype("datetime64[s]")
        out.loc[parsed.index] = out.loc[parsed.index].fillna(parsed)
        todo = text.notna() & out.isna()
    return out


def code_lookup(codes: tuple[str, ...]) -> dict[str, str]:
    """Accepted spellings of each code: any case, and '1' for a zero-padded '01'."""
    lookup: dict[str, str] = {}
    for code in codes:
        lookup[code.upper()] = code
        if code.isdigit() and code.startswith("0") and len(code) > 1:
            lookup[str(int(code))] = code
    return lookup


def _personal(col: Column) -> bool:
    return col.identifier or col.drop_on_ingest


def _explain(col: Column, tail: str):
    """Message text after the column name: the quoted value (unless personal) and the rule."""
    if _personal(col):
        return "the value (not shown: personal data) " + tail

    def wording(rows: pd.DataFrame) -> pd.Series:
        return "'" + rows[col.name].astype("string") + "' " + tail

    return wording


def validate(
    src: SourceFrame, model: Table, mapping: TableMapping
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return (typed frame, quarantine entries) for one source file."""
    frame = src.frame
    typed = pd.DataFrame(index=frame.index)
    found: list[pd.DataFrame] = []
    for col in model.extract_columns():
        text = frame[col.name]
        present = text.notna()
        if col.required:
            found.append(
                q.entries(
                    src,
                    ~present,
                    col.name,
                    q.REQUIRED_MISSING,
                    f"this field is required ({col.description}) but is empty",
                    show_value=False,
                )
            )
        if col.dtype == "date":
            formats = mapping.formats_for(col.name)
            parsed = parse_dates(text, formats)
            expected = " or ".join(describe_format(f) for f in formats)
            found.append(
                q.entries(
                    src,
                    present & parsed.isna(),
                    col.name,
                    q.INVALID_DATE,
                    _explain(col, f"is not a valid date (expected {expected})"),
                    show_value=not _personal(col),
                )
            )
            typed[col.name] = parsed
        elif col.dtype == "int":
            ok = text.str.match(_INT_PATTERN).fillna(False).astype(bool)
            found.append(
                q.entries(
                    src,
                    present & ~ok,
                    col.name,
                    q.INVALID_INTEGER,
                    _explain(col, "is not a whole number"),
                    show_value=not _personal(col),
                )
            )
            whole = text.where(ok).str.replace(r"\.0*$", "", regex=True)
            typed[col.name] = pd.to_numeric(whole, errors="coerce").astype("Int64")
        elif col.dtype == "float":
            number = pd.to_numeric(text, errors="coerce")
            found.append(
                q.entries(
                    src,
                    present & number.isna(),
                    col.name,
                    q.INVALID_NUMBER,
                    _explain(col, "is not a number"),
                    show_value=not _personal(col),
                )
            )
            typed[col.name] = number.astype("Float64")
        elif col.dtype == "bool":
            upper = text.str.upper()
            ok = upper.isin(_TRUE | _FALSE)
            found.append(
                q.entries(
                    src,
                    present & ~ok,
                    col.name,
                    q.INVALID_BOOLEAN,
                    _explain(col, "is not yes or no (expected Y or N)"),
                    show_value=not _personal(col),
                )
            )
            typed[col.name] = upper.isin(_TRUE).astype("boolean").where(ok)
        else:
            value = text
            if col.codes is not None:
                lookup = code_lookup(col.codes)
                value = text.str.upper().map(lookup).astype("string")
                allowed = ", ".join(col.codes)
                found.append(
                    q.entries(
                        src,
                        present & value.isna(),
                        col.name,
                        q.UNKNOWN_CODE,
                        _explain(col, f"is not an allowed code (allowed: {allowed})"),
                        show_value=not _personal(col),
                    )
                )
            typed[col.name] = value
    return typed, q.concat(found)
