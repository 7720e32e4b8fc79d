"""CSV files as text records: the encoding found from the bytes, and every line accounted for.

Provider extracts hold one record per physical line. A quotation mark that never closes makes a
CSV parser read every following line into one value, and those records vanish without a word.
So the lines of the file are counted from its bytes, independently of the parser. When the
parser returns fewer records than there are lines, the first record that ran over a line break
is set aside as an ``unclosed_quote`` line and reading starts again on the line after it. Every
line then ends up as exactly one record, one malformed or unclosed line, or a blank line.
"""

from __future__ import annotations

import codecs
import csv
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from maternity_equity.ingest.errors import UnreadableFileError

MALFORMED_ROW = "malformed_row"
UNCLOSED_QUOTE = "unclosed_quote"
# A file with more broken quotes than this is rejected whole: each one costs a re-read of the
# rest of the file, and so many mean the export itself is wrong (fix it, do not patch lines).
MAX_UNCLOSED_QUOTES = 50
_BLOCK_SIZE = 1 << 24
# UTF-32 first: its little-endian mark starts with the UTF-16 one
_BYTE_ORDER_MARKS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


@dataclass(frozen=True)
class BadLine:
    """A CSV line that could not be read as a record: wrong field count, or an unclosed quote."""

    row: int
    expected: int
    found: int
    rule: str = MALFORMED_ROW


@dataclass
class CsvRecords:
    """The records of one CSV file, as Arrow strings, with the line each came from."""

    header: list[str]
    table: pa.Table  # every record that split into the header's columns ("" for empty)
    rows: np.ndarray  # the line number of each record of ``table`` (header = line 1)
    bad: list[BadLine]  # lines set aside, blank ones excluded
    blank_bad: int  # lines of only separators and spaces with the wrong field count
    lines: int  # physical lines after the header, counted from the bytes
    encoding: str


def count_lines(data: bytes) -> int:
    """Physical lines as a CSV parser ends them (LF, CRLF or a lone CR); C-speed counts."""
    if not data:
        return 0
    breaks = data.count(b"\n")
    if b"\r" in data:
        breaks += data.count(b"\r") - data.count(b"\r\n")
    return breaks + (0 if data.endswith((b"\n", b"\r")) else 1)


def _line_ends(data: bytes) -> np.ndarray:
    """Offset just past each line break (only needed when a quote ran over a line)."""
    byte = np.frombuffer(data, dtype=np.uint8)
    lf = byte == 10
    lone_cr = (byte == 13) & ~np.append(lf[1:], False)
    return np.flatnonzero(lf | lone_cr) + 1


def to_utf8(path: Path, raw: bytes) -> tuple[bytes, str]:
    """The file's bytes as UTF-8 (a byte-order mark decides UTF-8, UTF-16 or UTF-32)."""
    for mark, encoding in _BYTE_ORDER_MARKS:
        if not raw.startswith(mark):
            continue
        body = raw[len(mark) :]
        if encoding == "utf-8":
            return body, encoding
        try:
            return body.decode(encoding).encode("utf-8"), encoding
        except UnicodeDecodeError as exc:
            raise UnreadableFileError(
                f"{path.name}: starts with a {encoding.upper()} byte-order mark but is not valid "
                f"{encoding.upper()} text (at byte {exc.start + len(mark)}); save it again as "
                "CSV UTF-8"
            ) from exc
    if b"\x00" in raw:
        raise UnreadableFileError(
            f"{path.name}: contains NUL bytes, so it is not CSV text (UTF-16 saved without a "
            "byte-order mark, or a workbook or other binary file named .csv); save it as CSV UTF-8"
        )
    return raw, "utf-8"


def _from_cp1252(path: Path, raw: bytes) -> bytes:
    """Extracts saved by Excel on Windows are often Windows-1252 (e.g. an accented name)."""
    try:
        return raw.decode("cp1252").encode("utf-8")
    except UnicodeDecodeError as exc:
        raise UnreadableFileError(
            f"{path.name}: is neither UTF-8 nor Windows-1252 text (byte 0x{raw[exc.start]:02X} at "
            f"position {exc.start} has no meaning in either); save it as CSV UTF-8"
        ) from exc


def _header(data: bytes) -> tuple[list[str], int]:
    """Column names from the first line, and the offset where the records start."""
    ends = data.find(b"\n"), data.find(b"\r")
    end = min((e for e in ends if e >= 0), default=len(data))
    first = data[:end].decode("utf-8")
    names = next(csv.reader([first]), [])
    start = end + (2 if data[end : end + 2] == b"\r\n" else 1)
    return [name.lstrip("\ufeff") for name in names], start


@dataclass
class _Parsed:
    table: pa.Table
    invalid: list[tuple[int, int, int, bool, bool]]  # index, expected, found, multiline, blank


def _parse(body: bytes, header: list[str]) -> _Parsed:
    invalid: list[tuple[int, int, int, bool, bool]] = []

    def keep_aside(row: pacsv.InvalidRow) -> str:
        text = row.text
        invalid.append(
            (
                row.number - 1,  # Arrow counts records from 1 (single-threaded, so exactly)
                row.expected_columns,
                row.actual_columns,
                "\n" in text or "\r" in text,
                text.strip(" ,\t\r\n") == "",
            )
        )
        return "skip"

    table = pacsv.read_csv(
        pa.BufferReader(body),
        read_options=pacsv.ReadOptions(
            encoding="utf-8", use_threads=False, column_names=header, block_size=_BLOCK_SIZE
        ),
        parse_options=pacsv.ParseOptions(invalid_row_handler=keep_aside, ignore_empty_lines=False),
        convert_options=pacsv.ConvertOptions(
            column_types=dict.fromkeys(header, pa.string()),
            strings_can_be_null=False,
            quoted_strings_can_be_null=False,
        ),
    )
    return _Parsed(table, invalid)


def _first_over_a_line(parsed: _Parsed, record_of_row: np.ndarray) -> int | None:
    """Index of the first record holding a line break (a quote that ran on), if any."""
    over = [index for index, _, _, multiline, _ in parsed.invalid if multiline]
    spans = None
    for column in parsed.table.columns:
        breaks = pc.or_(pc.match_substring(column, "\n"), pc.match_substring(column, "\r"))
        spans = breaks if spans is None else pc.or_(spans, breaks)
    if spans is not None:
        hits = np.flatnonzero(spans.to_numpy(zero_copy_only=False))
        if len(hits):
            over.append(int(record_of_row[hits[0]]))
    return min(over) if over else None


def _records(
    path: Path, body: bytes, header: list[str], body_lines: int
) -> tuple[list, list, list, int]:
    """Parse, and re-parse after each record that ran over a line break (see module doc).

    ``body_lines`` is ``count_lines(body)``, which the caller has counted already."""
    tables: list[pa.Table] = []
    rows: list[np.ndarray] = []
    bad: list[BadLine] = []
    blank = 0
    first_line = 2  # the header is line 1
    while body:
        parsed = _parse(body, header)
        lines = body_lines if first_line == 2 else count_lines(body)
        records = parsed.table.num_rows + len(parsed.invalid)
        is_row = np.ones(records, dtype=bool)
        is_row[[index for index, *_ in parsed.invalid]] = False
        record_of_row = np.flatnonzero(is_row)
        cut = None if records == lines else _first_over_a_line(parsed, record_of_row)
        if records != lines and cut is None:
            raise UnreadableFileError(
                f"{path.name}: {lines:,} lines from line {first_line} on, but only {records:,} "
                "records could be read from them, so the file cannot be read safely"
            )
        keep = record_of_row < cut if cut is not None else slice(None)
        tables.append(parsed.table.filter(pa.array(keep)) if cut is not None else parsed.table)
        rows.append(record_of_row[keep] + first_line)
        for index, expected, found, _, empty in parsed.invalid:
            if cut is not None and index >= cut:
                continue
            if empty:
                blank += 1
            else:
                bad.append(BadLine(first_line + index, expected, found))
        if cut is None:
            break
        bad.append(BadLine(first_line + cut, len(header), len(header), UNCLOSED_QUOTE))
        unclosed = [b.row for b in bad if b.rule == UNCLOSED_QUOTE]
        if len(unclosed) > MAX_UNCLOSED_QUOTES:
            raise UnreadableFileError(
                f"{path.name}: more than {MAX_UNCLOSED_QUOTES} lines open a quotation mark that "
                f"does not close on the same line (rows {', '.join(map(str, unclosed[:5]))}, ...), "
                "so its quoting is broken; fix the export and load it again"
            )
        ends = _line_ends(body)
        body = body[ends[cut] :] if cut < len(ends) else b""
        first_line += cut + 1
    return tables, rows, sorted(bad, key=lambda b: b.row), blank


def is_utf8(data: bytes) -> bool:
    """Whether ``data`` is valid UTF-8, checked by Arrow in place (milliseconds per 100 MB)."""
    offsets = pa.py_buffer(np.array([0, len(data)], dtype=np.int64).tobytes())
    text = pa.Array.from_buffers(pa.large_string(), 1, [None, offsets, pa.py_buffer(data)])
    try:
        text.validate(full=True)
    except pa.ArrowInvalid:
        return False
    return True


def read_csv_records(path: Path) -> CsvRecords:
    """Every line of a CSV file as a record, a bad line or a blank line (see the module doc)."""
    data, encoding = to_utf8(path, path.read_bytes())
    if encoding == "utf-8" and not is_utf8(data):
        data, encoding = _from_cp1252(path, data), "cp1252"
    header, start = _header(data)
    if not header:
        return CsvRecords([], pa.table({}), np.array([], np.int64), [], 0, 0, encoding)
    body = data[start:]
    lines = count_lines(body)
    try:
        tables, rows, bad, blank = _records(path, body, header, lines)
    except pa.ArrowInvalid as exc:
        raise UnreadableFileError(f"{path.name}: cannot be read as CSV ({exc})") from exc
    schema = pa.schema([(name, pa.string()) for name in header])
    table = pa.concat_tables(tables) if tables else schema.empty_table()
    row_numbers = np.concatenate(rows) if rows else np.array([], np.int64)
    found = table.num_rows + len(bad) + blank
    if found != lines:  # the independent check: every line is accounted for
        raise UnreadableFileError(
            f"{path.name}: {lines:,} lines after the header but {found:,} were accounted for, "
            "so the file cannot be read safely"
        )
    return CsvRecords(header, table, row_numbers, bad, blank, lines, encoding)
