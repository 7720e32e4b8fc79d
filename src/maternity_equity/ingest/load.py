"""``load_extract``: read, map, validate, pseudonymise, link, derive, de-duplicate, store.

One load is one transaction: the canonical tables, quarantine, load counts, geography and the
run record are written together, or (on any error) not at all and a failed run is recorded.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from maternity_equity.ingest import derive, plausibility
from maternity_equity.ingest import quarantine as q
from maternity_equity.ingest.dedupe import FILE
from maternity_equity.ingest.mapping import Mapping, load_mapping
from maternity_equity.ingest.parquet_export import export_parquet
from maternity_equity.ingest.progress import LoadProgress
from maternity_equity.ingest.pseudonymise import (
    Pseudonymiser,
    fingerprint,
    pseudonymise_identifiers,
    resolve_key,
)
from maternity_equity.ingest.readers import ROW
from maternity_equity.ingest.references import LOAD_ORDER, REFERENCES, KnownKeys
from maternity_equity.ingest.report import COUNT_COLUMNS, LINE_COLUMNS, LoadReport
from maternity_equity.ingest.sources import SourceFrame, iter_sources, source_targets
from maternity_equity.ingest.staging import StagedTable
from maternity_equity.ingest.validate import validate
from maternity_equity.reference.geography import Geography
from maternity_equity.warehouse import RunRecord, Warehouse
from maternity_equity.warehouse import backend as wh_backend
from maternity_equity.warehouse.runs import describe_inputs
from maternity_equity.warehouse.schema import EXTRACT_TABLES, Table
from maternity_equity.warehouse.store import _to_arrow as to_stored_arrow
from maternity_equity.warehouse.tables import stored_schema

__all__ = ["LoadReport", "load_extract"]

# Parquet files are checked this many records at a time, so memory stays flat with size
ROWS_PER_CHUNK = 250_000
PARENTS = {parent for refs in REFERENCES.values() for parent in refs.values()}
# DuckDB's share while staging: beyond it staged rows spill to the temporary directory
DUCKDB_MEMORY_LIMIT = "3GB"
_DUCKDB_TYPES = {"string": "VARCHAR", "int64": "BIGINT"}  # types of bookkeeping columns
_PANDAS_DTYPES = {
    "string": "string",
    "date": "datetime64[s]",
    "int": "Int64",
    "float": "Float64",
    "bool": "boolean",
}


def load_extract(
    extract_dir: str | Path,
    *,
    reference_dir: str | Path | Geography,
    warehouse_path: str | Path,
    mapping: str | Path | Mapping = "canonical",
    key: str | None = None,
    progress: bool = True,
    parquet_dir: str | Path | None = None,
) -> LoadReport:
    """Load one extract folder into the warehouse; see docs/ingest.md.

    ``reference_dir`` may also be a ready :class:`Geography`. With ``parquet_dir``, the
    canonical tables are also written there as Parquet partitioned by reporting month, after
    the load has committed.
    """
    started = time.perf_counter()
    extract_dir = Path(extract_dir)
    warehouse_path = Path(warehouse_path)
    if not extract_dir.is_dir():
        raise ValueError(f"extract folder {extract_dir} does not exist")
    spec = load_mapping(mapping)
    geography = _resolve_geography(reference_dir)
    key_bytes, key_source = resolve_key(key, warehouse_path)
    run = RunRecord("ingest")
    run.parameters = {
        "extract_dir": str(extract_dir),
        "reference_dir": None if isinstance(reference_dir, Geography) else str(reference_dir),
        "mapping": spec.source or spec.name,
        "key_fingerprint": fingerprint(key_bytes),
        "key_source": key_source,
        "imd_vintage": geography.imd_vintage,
        "lsoa_vintage": geography.lsoa_vintage,
        "footprint": geography.footprint_name,
    }
    with Warehouse(warehouse_path) as wh:
        _check_key(wh, run.parameters["key_fingerprint"])
        load = _Load(wh, run, extract_dir, spec, geography, key_bytes)
        try:
            report = load.execute(show_progress=progress)
        except Exception as exc:
            run.counts = {"error": f"{type(exc).__name__}: {exc}"}
            wh.record_run(run.finish("failed"))
            raise
        if parquet_dir is not None:
            written = export_parquet(wh, parquet_dir)
            report.notes.append(f"Parquet copy of {len(written)} tables in {parquet_dir}")
    report.key_source = key_source
    report.seconds = time.perf_counter() - started
    return report


def _resolve_geography(reference_dir: str | Path | Geography) -> Geography:
    if isinstance(reference_dir, Geography):
        return reference_dir
    path = Path(reference_dir)
    if not path.is_dir():
        raise ValueError(f"reference folder {path} does not exist")
    from maternity_equity.reference import load_geography

    return load_geography(path)


def _check_key(wh: Warehouse, key_fp: str) -> None:
    """Refuse a key other than the one the warehouse's pseudonyms were made with."""
    runs = wh.runs()
    if runs.empty:
        return
    done = runs[(runs["kind"] == "ingest") & (runs["status"] == "succeeded")]
    previous = {p.get("key_fingerprint") for p in done["parameters"]} - {None}
    if previous and key_fp not in previous:
        raise ValueError(
            f"{wh.path.name} was loaded with a different pseudonymisation key (fingerprint "
            f"{sorted(previous)[0]}, this key is {key_fp}); its pseudonyms would not match. "
            "Use the same --key or MATERNITY_EQUITY_PSEUDO_KEY, or load into a new warehouse."
        )


def _empty_typed(model: Table) -> pd.DataFrame:
    return pd.DataFrame({c.name: pd.Series(dtype=_PANDAS_DTYPES[c.dtype]) for c in model.columns})


def _stored(wh: Warehouse, table: str) -> pd.DataFrame | None:
    """The table as the warehouse holds it, with dates in the same dtype as new rows."""
    if not wh.has_table(table):
        return None
    frame = wh.to_pandas(table)
    for col in EXTRACT_TABLES[table].warehouse_columns():
        if col.dtype == "date":
            frame[col.name] = pd.to_datetime(frame[col.name]).astype("datetime64[s]")
    return frame


@dataclass
class _FileResult:
    accepted: pd.DataFrame  # typed, pseudonymised rows that passed every check
    problems: pd.DataFrame  # quarantine entries
    counts: dict  # table_name, file, read, quarantined


@dataclass
class _Load:
    """The state of one load as it walks the tables, parents first."""

    wh: Warehouse
    record: RunRecord
    extract_dir: Path
    spec: Mapping
    geography: Geography
    key: bytes
    known: KnownKeys = field(default_factory=KnownKeys)
    notes: list[str] = field(default_factory=list)
    inputs: list[Path] = field(default_factory=list)
    # the day of the load: dates of things that have happened may not be after it
    today: pd.Timestamp = field(default_factory=lambda: pd.Timestamp.today().normalize())

    def __post_init__(self) -> None:
        self.hasher = Pseudonymiser(self.key)
        self.directory = derive.directory(self.geography)

    def execute(self, *, show_progress: bool) -> LoadReport:
        counts: list[dict] = []
        problems: list[pd.DataFrame] = []
        table_rows: dict[str, int] = {}
        staged: list[StagedTable] = []
        mappings = {t: self.spec.tables.get(t) for t in LOAD_ORDER}
        paths = {
            path
            for m in mappings.values()
            if m is not None
            for path, _ in source_targets(self.extract_dir, m)
        }
        total = sum(p.stat().st_size for p in paths)
        counted: set[Path] = set()
        raw = self.wh.con.con
        limit = raw.execute("SELECT current_setting('memory_limit')").fetchone()[0]
        raw.execute(f"SET memory_limit = '{DUCKDB_MEMORY_LIMIT}'")  # spill staged rows early
        try:
            with LoadProgress(total_bytes=total, enabled=show_progress) as bar:
                for table in LOAD_ORDER:
                    mapping = mappings[table]
                    bar.describe(f"reading {table}")
                    stage = StagedTable(raw, table, EXTRACT_TABLES[table])
                    files: dict[str, dict] = {}
                    chunks = (
                        iter_sources(self.extract_dir, mapping, ROWS_PER_CHUNK) if mapping else ()
                    )
                    for src in chunks:
                        bar.describe(f"{table}: {src.file}")
                        result = self._check_file(src)
                        problems.append(result.problems)
                        self._stage(stage, table, result.accepted)
                        _add_counts(files, result.counts)
                        size = 0 if src.path in counted else src.path.stat().st_size
                        counted.add(src.path)
                        bar.advance(size, len(src.frame) + len(src.bad_lines))
                    if not files:
                        self.notes.append(f"{table}: no files matched in {self.extract_dir.name}")
                    bar.describe(f"de-duplicating {table}")
                    table_rows[table] = self._finish_table(stage, files)
                    counts.extend(files.values())
                    if files or not self.wh.has_table(table):
                        staged.append(stage)
                self._note_unread_files()
                bar.describe("writing the warehouse")
                return self._store(staged, counts, problems, table_rows)
        finally:
            for stage in staged:
                stage.drop()
            raw.execute(f"SET memory_limit = '{limit}'")

    def _stage(self, stage: StagedTable, table: str, accepted: pd.DataFrame) -> None:
        """Derive the computed columns of accepted rows and hand them to DuckDB."""
        model = EXTRACT_TABLES[table]
        rows = derive.add_derived(
            table, accepted.reset_index(drop=True), self.geography, self.directory
        )
        stage.append(rows[[*(c.name for c in model.warehouse_columns()), FILE, ROW]])

    def _finish_table(self, stage: StagedTable, files: dict[str, dict]) -> int:
        """De-duplicate against the warehouse, fill the file counts, remember the keys."""
        accepted, removed, total = stage.deduplicate(stored=self.wh.has_table(stage.table))
        for row in files.values():
            row["duplicates_removed"] = int(removed.get(row["file"], 0))
            row["accepted"] = int(accepted.get(row["file"], 0))
        key = stage.model.key[0]
        if stage.table in PARENTS:  # only parents' keys are looked up (contacts have none)
            wanted = ["delivery_id", "pregnancy_id"] if stage.table == "deliveries" else [key]
            self.known.remember(stage.table, stage.columns(wanted), key)
        return total

    def _note_unread_files(self) -> None:
        """Say which files in the folder no table of the mapping read (a misnamed file?)."""
        read = {p.name for p in self.inputs}
        unread = sorted(
            p.name
            for p in self.extract_dir.iterdir()
            if p.is_file() and not p.name.startswith(".") and p.name not in read
        )
        if unread:
            self.notes.append(f"not read (no table of the mapping matches): {', '.join(unread)}")

    def _check_file(self, src: SourceFrame) -> _FileResult:
        """Validate, pseudonymise and reference-check one file; split good rows from bad."""
        model = EXTRACT_TABLES[src.table]
        self.inputs.append(src.path)
        self.inputs.extend(self.extract_dir / f for f in src.side_files)
        if src.encoding != "utf-8":
            self.notes.append(f"{src.file}: not UTF-8, read as {src.encoding}")
        self.notes.extend(n for n in src.notes if n not in self.notes)
        if src.absent:
            self.notes.append(f"{src.file}: no column for {', '.join(src.absent)}")
        unused = f"{src.file}: columns not used by the mapping (ignored): {', '.join(src.unused)}"
        if src.unused and unused not in self.notes:  # once per file, not per chunk
            self.notes.append(unused)
        frame = src.frame
        if src.table == "pregnancies":  # an NHS number can stand in for the local mother id
            frame["mother_id"] = frame["mother_id"].fillna(frame["nhs_number"])
        typed, found = validate(src, model, self.spec.tables[src.table])
        implausible = plausibility.check(src, model, typed, self.today)
        pseudonymise_identifiers(typed, model, self.hasher)
        issues = q.concat([found, *implausible, *self.known.problems(src, typed)])
        bad = pd.Index(issues[q.INDEX].unique())
        good = typed.drop(index=bad)
        good[FILE] = src.file
        good[ROW] = frame.loc[good.index, ROW]
        issues = q.concat([issues, q.malformed_rows(src)]).drop(columns=[q.INDEX])
        counts = {
            "table_name": src.table,
            "file": src.file,
            "read": len(frame) + len(src.bad_lines),
            "quarantined": len(bad) + len(src.bad_lines),
            "lines": src.lines,
            "blank_lines": src.blank_lines if src.lines is not None else None,
        }
        return _FileResult(good, issues, counts)

    def _store(
        self,
        staged: list[StagedTable],
        counts: list[dict],
        problems: list[pd.DataFrame],
        table_rows: dict[str, int],
    ) -> LoadReport:
        """Write tables, quarantine, counts and the run record in one transaction."""
        count_frame = pd.DataFrame(counts, columns=[*COUNT_COLUMNS, *LINE_COLUMNS])
        count_frame = count_frame.astype(dict.fromkeys(LINE_COLUMNS, "Int64"))
        quarantine = q.concat(problems).drop(columns=[q.INDEX], errors="ignore")
        run = self.record
        run.inputs = describe_inputs(sorted(set(self.inputs))) + list(self.geography.sources)
        files = count_frame.astype(object).where(count_frame.notna(), None)
        run.counts = {
            "tables": table_rows,
            "files": files.to_dict(orient="records"),
            "quarantine_entries": len(quarantine),
            "notes": list(self.notes),
        }
        # converted (and checked against the stored schemas) before anything is touched
        replace = {"geography_lsoa": derive.geography_lsoa_table(self.geography)}
        append = {
            "quarantine": quarantine.assign(run_id=run.run_id),
            "load_counts": count_frame.assign(run_id=run.run_id),
        }
        replace_arrow = {n: to_stored_arrow(n, d) for n, d in replace.items()}
        append_arrow = {n: to_stored_arrow(n, d) for n, d in append.items()}
        append_arrow["runs"] = run.finish("succeeded").to_arrow()
        with wh_backend.transaction(self.wh.con):
            _add_missing_columns(self.wh, "quarantine")
            for stage in staged:
                stage.store()
            for name, data in replace_arrow.items():
                wh_backend.write_arrow(self.wh.con, name, data, mode="replace")
            for name, data in append_arrow.items():
                wh_backend.write_arrow(self.wh.con, name, data, mode="append")
        return LoadReport(
            run_id=run.run_id,
            warehouse_path=self.wh.path,
            counts=count_frame,
            quarantine=quarantine,
            table_rows=table_rows,
            mapping=self.spec.name,
            notes=self.notes,
        )


def _add_counts(files: dict[str, dict], counts: dict) -> None:
    """Sum the read and quarantined counts of the chunks of one file (only CSV files, which
    are never chunked, have line counts)."""
    row = files.setdefault(counts["file"], {**counts, "read": 0, "quarantined": 0})
    row["read"] += counts["read"]
    row["quarantined"] += counts["quarantined"]


def _add_missing_columns(wh: Warehouse, table: str) -> None:
    """Give a table stored by an older version the columns added since (as empty values)."""
    if not wh.has_table(table):
        return
    stored = set(wh.con.table(table).columns)
    for column in stored_schema(table):
        if column.name not in stored:
            wh.con.con.execute(
                f"ALTER TABLE {wh_backend.quote(table)} ADD COLUMN "
                f"{wh_backend.quote(column.name)} {_DUCKDB_TYPES[str(column.type)]}"
            )
