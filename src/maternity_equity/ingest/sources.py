"""Reading one table's files through a mapping: canonical column names, still as text.

Also follows the mapping's joins to side files, keeping the file and row each joined value
came from so problems can be reported where they are.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from maternity_equity.ingest.csv_text import UNCLOSED_QUOTE
from maternity_equity.ingest.mapping import Join, TableMapping
from maternity_equity.ingest.readers import (
    READABLE_SUFFIXES,
    ROW,
    iter_parquet_text,
    read_text_table,
    workbook_sheets,
)
from maternity_equity.warehouse.schema import EXTRACT_TABLES


@dataclass
class SourceFrame:
    """One primary file of one table after mapping: canonical columns as text.

    ``frame`` holds the canonical columns found, ``__row`` (row in ``file``) and, for columns
    that came from a side file, ``__row@<join>`` / ``__file@<join>`` so problems are reported
    against the file and row the value was actually in (``origins`` says which join).
    ``sources`` names, per canonical column, the file's own column(s) it was read from, so
    messages use the names the data manager sees; where several columns feed one canonical
    column, ``__source@<column>`` holds, per row, the position of the one the value came from.
    """

    table: str
    file: str  # how messages name it: "babies.csv", or "extract.xlsx sheet babies"
    frame: pd.DataFrame
    path: Path | None = None
    origins: dict[str, str] = field(default_factory=dict)
    absent: tuple[str, ...] = ()  # canonical columns no source column provided
    unused: tuple[str, ...] = ()  # source columns the mapping did not use
    side_files: tuple[str, ...] = ()
    bad_lines: tuple = ()  # csv_text.BadLine: CSV lines that could not be read as records
    encoding: str = "utf-8"
    notes: tuple[str, ...] = ()  # e.g. unreadable lines in a side file
    sources: dict[str, tuple[str, ...]] = field(default_factory=dict)
    side_sources: dict[str, tuple[str, ...]] = field(default_factory=dict)  # joined columns
    lines: int | None = None  # CSV: physical lines after the header, counted from the bytes
    blank_lines: int = 0  # CSV: lines with no value (skipped, not records)


def match_files(extract_dir: Path, patterns: tuple[str, ...]) -> list[Path]:
    """Readable files in ``extract_dir`` matching any pattern (case-insensitive), sorted."""
    found = []
    for path in sorted(extract_dir.iterdir()):
        if not path.is_file() or path.suffix.lower() not in READABLE_SUFFIXES:
            continue
        name = path.name.lower()
        if any(fnmatch.fnmatch(name, p.lower()) for p in patterns):
            found.append(path)
    return found


def source_targets(extract_dir: Path, mapping: TableMapping) -> list[tuple[Path, str | None]]:
    """(file, sheet) pairs holding one table: matching files, plus, when the mapping allows
    it, the sheet named after the table in any other workbook (e.g. one workbook, one tab per
    table)."""
    matched = match_files(extract_dir, mapping.files)
    targets: list[tuple[Path, str | None]] = [
        (p, mapping.sheet if p.suffix.lower() == ".xlsx" else None) for p in matched
    ]
    if mapping.sheet_per_table:
        for path in match_files(extract_dir, ("*.xlsx",)):
            if path in matched:
                continue
            sheet = next(
                (s for s in workbook_sheets(path) if s.strip().lower() == mapping.table), None
            )
            if sheet is not None:
                targets.append((path, sheet))
    return targets


def present_columns(raw: pd.DataFrame, candidates: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(c for c in candidates if c in raw.columns)


def _first_present(raw: pd.DataFrame, candidates: tuple[str, ...]) -> pd.Series | None:
    """First non-empty value across the candidate columns that exist (None if none exist)."""
    present = present_columns(raw, candidates)
    if not present:
        return None
    out = raw[present[0]].copy()
    for col in present[1:]:
        out = out.fillna(raw[col])
    return out


def source_choice(raw: pd.DataFrame, present: tuple[str, ...]) -> pd.Series:
    """Per row, the position in ``present`` of the first non-empty column (-1: all empty)."""
    filled = [raw[c].notna().to_numpy() for c in present]
    choice = np.select(filled, list(range(len(present))), default=-1).astype(np.int8)
    return pd.Series(choice, index=raw.index)


def _translate(series: pd.Series, values: dict[str, str]) -> pd.Series:
    """Apply a value map (exact match first, then case-insensitive); unmapped values pass."""
    exact = series.map(values)
    upper = {k.upper(): v for k, v in values.items()}
    folded = series.str.upper().map(upper)
    return exact.fillna(folded).fillna(series).astype("string")


@dataclass(frozen=True)
class _Side:
    """One join's side rows keyed for the merge, with what messages need about them."""

    join: Join
    frame: pd.DataFrame
    files: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    sources: dict[str, tuple[str, ...]] = field(default_factory=dict)


def _side_table(extract_dir: Path, join: Join, table: str, sheet: str | None) -> _Side:
    paths = match_files(extract_dir, join.files)
    parts = []
    notes = []
    for path in paths:
        raw = read_text_table(path, sheet=sheet if path.suffix.lower() == ".xlsx" else None)
        for bad in raw.attrs.get("bad_lines", ()):
            problem = (
                "a quotation mark does not close on the line"
                if bad.rule == UNCLOSED_QUOTE
                else f"{bad.found} fields where the header has {bad.expected}"
            )
            notes.append(
                f"{path.name} row {bad.row}: {problem}; the line was skipped, so the "
                f"{join.name} details it held are missing"
            )
        raw["__file"] = path.name
        parts.append(raw)
    if not parts:
        return _Side(join, pd.DataFrame())
    side = pd.concat(parts, ignore_index=True)
    for col, allowed in join.where.items():
        if col not in side.columns:
            raise ValueError(f"{table} join {join.name}: {paths[0].name} has no column {col!r}")
        side = side[side[col].isin(list(allowed))]
    missing = [c for c in join.on.values() if c not in side.columns]
    if missing:
        raise ValueError(f"{table} join {join.name}: {paths[0].name} lacks key column(s) {missing}")
    out = pd.DataFrame({f"{join.name}.{k}": side[v] for k, v in join.on.items()})
    sources = {}
    for canon, cands in join.columns.items():
        value = _first_present(side, cands)
        if value is None:
            continue
        sources[canon] = present_columns(side, cands)
        rule = join.scale.get(canon)
        if rule:
            unit = side[rule["unit_column"]].str.lower() if rule["unit_column"] in side else None
            factors = {str(k).lower(): float(v) for k, v in rule["factors"].items()}
            number = pd.to_numeric(value, errors="coerce")
            factor = unit.map(factors) if unit is not None else pd.Series(1.0, index=side.index)
            scaled = (number * factor.astype(float)).round()
            value = value.where(scaled.isna(), scaled.astype("Int64").astype("string"))
        out[canon] = value
    out[f"__row@{join.name}"] = side[ROW]
    out[f"__file@{join.name}"] = side["__file"]
    # one side row per key: a later row (later file, later line) wins
    out = out[out[[f"{join.name}.{k}" for k in join.on]].notna().all(axis=1)]
    out = out.drop_duplicates([f"{join.name}.{k}" for k in join.on], keep="last")
    return _Side(join, out, tuple(p.name for p in paths), tuple(notes), sources)


def read_sources(extract_dir: Path, mapping: TableMapping) -> list[SourceFrame]:
    """Read every file of one table and express it in canonical column names (text)."""
    return list(iter_sources(extract_dir, mapping))


def iter_sources(
    extract_dir: Path, mapping: TableMapping, rows_per_chunk: int | None = None
) -> Iterator[SourceFrame]:
    """Like :func:`read_sources`, one file at a time; with ``rows_per_chunk``, Parquet files
    come in chunks of that many records (same ``file`` label, row numbers as in the file)."""
    sides = [_side_table(extract_dir, j, mapping.table, mapping.sheet) for j in mapping.joins]
    for path, sheet in source_targets(extract_dir, mapping):
        # the sheet is named whenever one was chosen, as the data manager must open it
        label = path.name if sheet is None else f"{path.name} sheet {sheet}"
        if rows_per_chunk and path.suffix.lower() == ".parquet":
            raws: Iterable[pd.DataFrame] = iter_parquet_text(path, rows_per_chunk)
        else:
            raws = [read_text_table(path, sheet=sheet)]
        for raw in raws:
            yield _map_frame(raw, path, label, mapping, sides)


def _map_frame(
    raw: pd.DataFrame, path: Path, label: str, mapping: TableMapping, sides: list[_Side]
) -> SourceFrame:
    """One file's text (or a chunk of it) in canonical column names, with its side joins."""
    model = EXTRACT_TABLES[mapping.table]
    out = pd.DataFrame(index=raw.index)
    used: set[str] = set()
    absent = []
    origins: dict[str, str] = {}
    sources: dict[str, tuple[str, ...]] = {}
    side_sources: dict[str, tuple[str, ...]] = {}
    for col in model.extract_columns():
        if col.name in mapping.constants:
            out[col.name] = pd.Series(mapping.constants[col.name], index=raw.index, dtype="string")
            continue
        present = present_columns(raw, mapping.sources_for(col.name))
        if present:
            used.update(present)
            out[col.name] = _first_present(raw, present)
            sources[col.name] = present
            if len(present) > 1:
                out[f"__source@{col.name}"] = source_choice(raw, present)
    side_files: list[str] = []
    for side_table in sides:
        join, side = side_table.join, side_table.frame
        side_files.extend(side_table.files)
        keys = list(join.on)
        lacking = [k for k in keys if k not in raw.columns]
        if lacking:
            raise ValueError(f"{label}: join {join.name} needs column(s) {lacking}")
        used.update(keys)
        if side.empty:
            continue
        left = raw[keys].rename(columns={k: f"{join.name}.{k}" for k in keys})
        merged = left.merge(side, how="left", on=list(left.columns), validate="many_to_one")
        merged.index = raw.index
        for canon in join.columns:
            if canon not in merged.columns:
                continue
            joined = merged[canon].astype("string")
            out[canon] = joined if canon not in out else out[canon].fillna(joined)
            origins[canon] = join.name
            side_sources[canon] = side_table.sources.get(canon, ())
        out[f"__row@{join.name}"] = merged[f"__row@{join.name}"].astype("Int64")
        out[f"__file@{join.name}"] = merged[f"__file@{join.name}"].astype("string")
    for col in model.extract_columns():
        if col.name not in out.columns:
            absent.append(col.name)
            out[col.name] = pd.Series(pd.NA, index=raw.index, dtype="string")
        elif col.name in mapping.values:
            out[col.name] = _translate(out[col.name], mapping.values[col.name])
    out[ROW] = raw[ROW]
    unused = tuple(c for c in raw.columns if c not in used and c != ROW)
    return SourceFrame(
        table=mapping.table,
        file=label,
        frame=out,
        path=path,
        origins=origins,
        absent=tuple(absent),
        unused=unused,
        side_files=tuple(side_files),
        bad_lines=tuple(raw.attrs.get("bad_lines", ())),
        encoding=raw.attrs.get("encoding", "utf-8"),
        notes=tuple(n for side in sides for n in side.notes),
        sources=sources,
        side_sources=side_sources,
        lines=raw.attrs.get("lines"),
        blank_lines=raw.attrs.get("blank_lines", 0),
    )
