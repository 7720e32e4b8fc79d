"""One code path for every indicator: aggregate each cohort once in the backend, roll up in
pandas, then compute statistics on the small aggregated table.
"""

from __future__ import annotations

import contextlib
import time
import warnings
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pa_csv

from maternity_equity.indicators import backend, cohorts, rollup
from maternity_equity.indicators.catalogue_entries import catalogue
from maternity_equity.indicators.definitions import Indicator
from maternity_equity.indicators.dq import dq_status
from maternity_equity.indicators.need import NEED_INPUTS, areas_of_highest_need
from maternity_equity.indicators.results import Options, derived_metrics, finish
from maternity_equity.indicators.returns import returns_to_rows
from maternity_equity.warehouse.schema import EXTRACT_TABLES, RESULT_COLUMNS

Progress = Callable[[str], None]


@dataclass
class ComputeReport:
    run_id: str
    rows: int
    indicators: list[str]
    seconds: float
    warehouse: Path
    csv_path: Path | None = None
    skipped: dict[str, str] = field(default_factory=dict)
    results: pd.DataFrame | None = field(default=None, repr=False)

    def summary(self) -> str:
        """A few lines for a console or a log: rows, where they went, what needs a return."""
        lines = [
            f"run {self.run_id}: {self.rows:,} result rows for {len(self.indicators)} "
            f"indicators in {self.seconds:.1f}s"
        ]
        if self.csv_path:
            lines.append(f"wrote {self.csv_path}")
        needs = sorted(k for k, v in self.skipped.items() if v == "needs a return")
        if needs:
            lines.append(f"{len(needs)} indicators need a return: {', '.join(needs)}")
        return "\n".join(lines)


def _group_key(ind: Indicator) -> tuple[str, str, tuple[str, ...]]:
    return (ind.cohort, ind.anchor, ind.extra_breakdowns)


def aggregate_cohort(table, inds: list[Indicator], extra: tuple[str, ...]) -> rollup.CohortCounts:
    """One backend query: counts per month x breakdown keys for every indicator on the cohort,
    as one pair of columns (numerator, denominator) per indicator and per split group."""
    anchor = inds[0].anchor
    t = table.mutate(month=backend.month_start(table[anchor]))
    t = t.filter(t.month.notnull())
    aggs = {}
    columns: list[tuple[str, str, str, str, str]] = []  # (indicator, split, group, num, den)
    references: list[rollup.ReferencePair] = []
    for n, ind in enumerate(inds):
        den = ind.cohort_filter & ind.denominator
        num = den & ind.numerator
        aggs[f"d{n}"] = backend.count_if(t, den.to_ibis(t))
        aggs[f"n{n}"] = backend.count_if(t, num.to_ibis(t))
        columns.append((ind.id, "", "", f"n{n}", f"d{n}"))
        comparison = ind.reference_population
        if comparison is not None:  # the population a targeted indicator is compared with
            ref_den = comparison.population & ind.denominator
            aggs[f"rd{n}"] = backend.count_if(t, ref_den.to_ibis(t))
            aggs[f"rn{n}"] = backend.count_if(t, (ref_den & ind.numerator).to_ibis(t))
            references.append(
                rollup.ReferencePair(
                    ind.id,
                    f"rn{n}",
                    f"rd{n}",
                    comparison.breakdown,
                    comparison.group,
                    comparison.breakdowns,
                )
            )
        for s, split in enumerate(ind.splits):
            for g, (label, cond) in enumerate(split.groups):
                if split.applies_to == "both":
                    sd = den & cond
                    sn = sd & ind.numerator
                else:  # numerator split: same denominator, numerator = the split condition
                    sd, sn = den, den & cond
                aggs[f"d{n}_{s}_{g}"] = backend.count_if(t, sd.to_ibis(t))
                aggs[f"n{n}_{s}_{g}"] = backend.count_if(t, sn.to_ibis(t))
                columns.append((ind.id, split.breakdown, label, f"n{n}_{s}_{g}", f"d{n}_{s}_{g}"))
    by = ["month", *cohorts.KEYS, *extra]
    counts = backend.execute_arrow(t.group_by(by).aggregate(**aggs))
    return rollup.CohortCounts(counts, columns, extra, tuple(references))


def _window(tables: dict) -> tuple[int, int]:
    """Months of data: first booking month to the last month with any dated event."""
    p = tables["pregnancies"]
    lo = backend.execute(p.aggregate(a=p.booking_date.min()))["a"].iloc[0]
    ends = []
    for name, column in (
        ("pregnancies", "booking_date"),
        ("babies", "birth_date"),
        ("deliveries", "delivery_date"),
        ("care_contacts", "contact_date"),
    ):
        t = tables[name]
        ends.append(backend.execute(t.aggregate(b=t[column].max()))["b"].iloc[0])
    ends = [pd.Timestamp(d) for d in ends if pd.notna(d)]
    if pd.isna(lo) or not ends:
        raise ValueError("the warehouse has no bookings to compute indicators from")
    first, last = pd.Timestamp(lo), max(ends)
    return first.year * 12 + first.month - 1, last.year * 12 + last.month - 1


def _names(con) -> dict[tuple[str, str], str]:
    names: dict[tuple[str, str], str] = {}
    if "geography_lsoa" not in backend.list_tables(con):
        return names
    g = backend.execute(con.table("geography_lsoa"))
    for geo, code, name in (
        ("place", "place_code", "place_name"),
        ("neighbourhood", "neighbourhood_code", "neighbourhood_name"),
    ):
        if code in g and name in g:
            for c, n in g[[code, name]].drop_duplicates().itertuples(index=False):
                names[(geo, c)] = n
    if "icb_code" in g and len(g):
        top = g.groupby(["icb_code", "icb_name"]).size().sort_values().index[-1]
        names[("lmns", "__code__")] = top[0]
        names[("lmns", top[0])] = top[1]
    return names


def compute(
    tables: dict,
    *,
    indicators: Iterable[Indicator] | None = None,
    returns: pd.DataFrame | None = None,
    dq_results: pd.DataFrame | None = None,
    names: dict | None = None,
    options: Options | None = None,
    progress: Progress | None = None,
    con=None,
) -> pd.DataFrame:
    """Evaluate the catalogue against Ibis ``tables``; returns the results DataFrame.

    With ``con`` (the backend connection), cohorts used by several anchors are materialised
    once as temporary tables.
    """
    with object_strings():
        results = _compute(
            tables,
            indicators=indicators,
            returns=returns,
            dq_results=dq_results,
            names=names,
            options=options,
            progress=progress,
            con=con,
        )
    # assigned as before, outside the context, so both columns keep pandas' default text type
    results["geography_name"] = results["geography_name"].to_numpy()
    results["run_id"] = ""
    return results[list(RESULT_COLUMNS)]


@contextlib.contextmanager
def object_strings() -> Iterator[None]:
    """Text as numpy object arrays while the engine works: pandas 3 otherwise turns every
    text column it builds into an Arrow-backed one, and converting those back and forth
    (``take``, filters, groupby keys) was a third of the engine's time. The results are the
    same values either way."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*future.infer_string.*")
        with pd.option_context("future.infer_string", False):
            yield


def _compute(
    tables: dict,
    *,
    indicators: Iterable[Indicator] | None = None,
    returns: pd.DataFrame | None = None,
    dq_results: pd.DataFrame | None = None,
    names: dict | None = None,
    options: Options | None = None,
    progress: Progress | None = None,
    con=None,
) -> pd.DataFrame:
    """The body of :func:`compute`, run with text kept as object arrays."""
    options = options or Options()
    inds = {i.id: i for i in (indicators or catalogue())}
    names = names or {}
    lmns_code = names.get(("lmns", "__code__"), "LMNS")
    step = progress or (lambda _msg: None)
    groups: dict[tuple, list[Indicator]] = defaultdict(list)
    for ind in inds.values():
        if ind.source == "records" and ind.kind != "ranking":
            groups[_group_key(ind)].append(ind)
    frames = []
    if groups and tables:  # no tables: returns only (e.g. published national figures)
        first, last = _window(tables)
        bases = []
        # the anchors of one cohort run together, so a cohort built once for several anchors
        # is dropped as soon as its last anchor is counted
        by_cohort: dict[str, list[tuple]] = defaultdict(list)
        for key in groups:
            by_cohort[key[0]].append(key)
        for cohort, keys in by_cohort.items():
            built = cohorts.COHORTS[cohort](tables)
            shared = con is not None and len(keys) > 1
            if shared:
                step(f"building the {cohort} cohort")
                built = backend.materialise(con, built, f"_cohort_{cohort}")
            for key in keys:
                step(f"counting {cohort} by {key[1]}")
                bases.append(aggregate_cohort(built, groups[key], key[2]))
            if shared:
                backend.drop_materialised(con, f"_cohort_{cohort}")
        step("rolling up breakdowns, geographies and periods")
        scope = rollup.Scope(
            first_month=first,
            last_month=last,
            lmns_code=lmns_code,
            detailed_breakdowns=options.detailed_breakdowns,
            detailed_geographies=options.detailed_geographies,
            detailed_period_types=options.detailed_period_types,
            rolling_every_month=options.rolling_every_month,
            total_denominators=tuple(i for i, d in inds.items() if d.kind == "count"),
        )
        rows = rollup.roll_up(bases, scope)
        step("statistics")
        # group ratios and SIIs are built from their own breakdown rows, which are not kept
        special = [i for i, d in inds.items() if d.kind in ("group_ratio", "sii")]
        is_special = rows["indicator_id"].isin(special).to_numpy()
        frames.append(finish(rows[~is_special], inds, options))
        frames.append(derived_metrics(finish(rows[is_special], inds, options), inds, options))
        del rows
    if returns is not None and len(returns):
        step("returns")
        frames.append(finish(returns_to_rows(returns, inds), inds, options))
    if "areas_of_highest_need" in inds and any(len(f) for f in frames):
        step("areas of highest need")
        used = [f[f["indicator_id"].isin(NEED_INPUTS).to_numpy()] for f in frames]
        frames.append(areas_of_highest_need(pd.concat(used, ignore_index=True), inds))
    frames = [f for f in frames if len(f)]
    results = (
        pd.concat(frames, ignore_index=True)
        if frames
        else pd.DataFrame(columns=list(RESULT_COLUMNS))
    )
    del frames
    step("data-quality status")
    results["dq_status"] = dq_status(results, dq_results, list(inds.values()))
    pairs = results[["geography_type", "geography_code"]].drop_duplicates()
    lookup = {(t, c): names.get((t, c), c) for t, c in pairs.itertuples(index=False)}
    keys = pd.MultiIndex.from_frame(results[["geography_type", "geography_code"]])
    results["geography_name"] = pd.Series(lookup, dtype=object).reindex(keys).to_numpy()
    return results


def results_arrow(results: pd.DataFrame) -> pa.Table:
    """Typed Arrow table of the results (dates as dates, numbers as float64).

    Text and date columns hold few distinct values among a million rows, so each distinct
    value is converted once and the column is built by index (``take``).
    """
    types = {"string": pa.string(), "float": pa.float64(), "date": pa.date32()}
    arrays = []
    for c, t in RESULT_COLUMNS.items():
        col = results[c]
        if t == "float":
            if col.dtype != "float64":
                col = pd.to_numeric(col, errors="coerce").astype(float)
            arrays.append(pa.array(col.to_numpy(), type=pa.float64(), from_pandas=True))
            continue
        codes, uniques = pd.factorize(col, use_na_sentinel=True)
        if t == "date":
            values = pd.to_datetime(pd.Series(uniques, dtype=object)).dt.date
        else:
            values = pd.Series(uniques, dtype=object)
        dictionary = pa.array(values.to_numpy(object), type=types[t], from_pandas=True)
        index = pa.array(codes, mask=codes < 0, type=pa.int64())
        arrays.append(dictionary.take(index))
    schema = pa.schema([(c, types[t]) for c, t in RESULT_COLUMNS.items()])
    return pa.Table.from_arrays(arrays, schema=schema)


def compute_all(
    warehouse_path: str | Path,
    *,
    returns: pd.DataFrame | None = None,
    backend: str = "duckdb",
    progress: bool | Progress = True,
    out_dir: str | Path | None = None,
    options: Options | None = None,
    indicators: Iterable[Indicator] | None = None,
) -> ComputeReport:
    """Compute the whole catalogue, write the ``results`` table, ``results.csv`` and a run.

    ``progress``: a progress bar (True), nothing (False), or a callable fed each step's name.
    """
    from maternity_equity.indicators import backend as backend_module

    started = time.perf_counter()
    path = Path(warehouse_path)
    inds = list(indicators or catalogue())
    with progress_steps(progress) as step:
        con = backend_module.connect(path, backend)
        try:
            present = set(backend_module.list_tables(con))
            missing = [t for t in EXTRACT_TABLES if t not in present]
            if missing:
                raise ValueError(f"warehouse {path} lacks tables {missing}: run ingest first")
            tables = {t: con.table(t) for t in EXTRACT_TABLES}
            dq = (
                backend_module.execute(con.table("dq_results")) if "dq_results" in present else None
            )
            results = compute(
                tables,
                indicators=inds,
                returns=returns,
                dq_results=dq,
                names=_names(con),
                options=options,
                progress=step,
                con=con,
            )
        finally:
            con.disconnect()
        step(f"writing {len(results):,} result rows")
        csv_path = None if out_dir is None else Path(out_dir) / "results.csv"
        run = store_results(
            results,
            inputs=[{"path": path.name, "kind": "warehouse"}],
            parameters={
                "backend": backend,
                "indicators": len(inds),
                "returns_rows": 0 if returns is None else len(returns),
                "detail": (options or Options()).detail,
            },
            warehouse=path,
            csv_path=csv_path,
        )
    return compute_report(results, run, inds, started, path, csv_path)


def store_results(
    results: pd.DataFrame,
    *,
    inputs: list[dict],
    parameters: dict,
    warehouse: Path | str | None,
    csv_path: Path | None,
):
    """Stamp ``results`` with a new compute run, then store the table with its run record (one
    transaction) and write the CSV; Arrow writes the CSV while DuckDB writes the table."""
    from maternity_equity.warehouse import RunRecord, Warehouse

    run = RunRecord(kind="compute", inputs=inputs, parameters=parameters)
    results["run_id"] = run.run_id
    run.counts = {
        "results": len(results),
        "by_indicator": results.groupby("indicator_id").size().to_dict(),
    }
    table = results_arrow(results)
    with ThreadPoolExecutor(1) as pool:
        written = None
        if csv_path is not None:
            csv_path.parent.mkdir(parents=True, exist_ok=True)
            written = pool.submit(pa_csv.write_csv, table, csv_path)
        if warehouse is not None:
            with Warehouse(warehouse) as wh:
                wh.write(replace={"results": table}, run=run.finish())
        if written is not None:
            written.result()
    return run


def compute_report(
    results: pd.DataFrame,
    run,
    indicators: Iterable[Indicator],
    started: float,
    warehouse: Path,
    csv_path: Path | None,
) -> ComputeReport:
    """What a compute run produced, and which indicators gave no rows and why."""
    produced = set(results["indicator_id"])
    return ComputeReport(
        run_id=run.run_id,
        rows=len(results),
        indicators=sorted(produced),
        seconds=time.perf_counter() - started,
        warehouse=warehouse,
        csv_path=csv_path,
        skipped={
            i.id: ("needs a return" if i.source == "return" else "no rows")
            for i in indicators
            if i.id not in produced
        },
        results=results,
    )


class progress_steps:
    """A rich progress bar, nothing, or the caller's own function, fed with step names."""

    def __init__(self, enabled: bool | Progress) -> None:
        self.enabled = enabled
        self.bar = None

    def __enter__(self) -> Progress:
        if callable(self.enabled):
            return self.enabled
        if not self.enabled:
            return lambda _m: None
        from rich.progress import Progress as Bar
        from rich.progress import SpinnerColumn, TextColumn, TimeElapsedColumn

        self.bar = Bar(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn())
        self.bar.start()
        task = self.bar.add_task("indicators", total=None)
        return lambda msg: self.bar.update(task, description=msg)

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.stop()
