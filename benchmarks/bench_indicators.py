"""Benchmark: the whole indicator catalogue on a synthetic extract, against two baselines.

    .venv/bin/python benchmarks/bench_indicators.py --pregnancies 12000 --years 3
    .venv/bin/python benchmarks/bench_indicators.py --pregnancies 3000000 --years 5 \
        --pandas-pregnancies 300000          # national size; pandas on an equal subset

Variants, each in its own process so peak memory (max RSS) is its own:
- ``engine``: ``compute_all`` on the full catalogue (writes results and results.csv);
- ``engine_subset``: the engine on the indicators the pandas baseline implements;
- ``pandas``: a straightforward pandas implementation of those indicators: load the tables,
  build each cohort, and for every indicator group the records by geography x breakdown x
  period (month, quarter, financial year, rolling 12 months at quarter ends; no shared
  pre-aggregation), Wilson/Byar CIs from maternity_equity.stats. It does less than the engine
  (no reference ratios, SII, data-quality status or writing), so it flatters pandas;
- ``floor``: one DuckDB scan (read and hash every value) over the columns the engine's queries
  read, found from their compiled SQL (``engine_columns``); ``floor_all_columns`` scans every
  column of the five extract tables, for comparison.
The machine is shared: the load average at start and end is recorded with the figures.
Results go to ``benchmarks/results/indicators-<pregnancies>.json``.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import multiprocessing as mp
import os
import platform
import resource
import shutil
import tempfile
import time
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"
PANDAS_IDS = [
    "p1_folic_acid",
    "p1_folic_acid_before_pregnancy",
    "p3_valid_postcode_at_booking",
    "p3_valid_ethnic_category_at_booking",
    "p3_ethnicity_not_stated_or_unknown",
    "p4b_booking_by_10w",
    "p4b_booking_ethnic_minority",
    "p4c_smoking_at_booking",
    "p4c_breast_milk_first_feed",
    "p4c_low_birth_weight_term",
    "p4c_births_under_27w",
    "p4c_births_under_37w",
    "m_stillbirth_rate",
    "m_neonatal_mortality_rate",
    "m_perinatal_mortality_rate",
]
KEYS = ["provider_code", "place_code", "neighbourhood_code", "ethnic_category", "imd_decile"]


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _engine(warehouse: str, out_dir: str, subset: bool) -> dict:
    from maternity_equity.indicators import catalogue, compute_all, get

    inds = [get(i) for i in PANDAS_IDS] if subset else catalogue()
    steps: dict[str, float] = {}
    last = [time.perf_counter(), "connecting"]

    def step(name: str) -> None:  # seconds per engine step, summed by the step's first word
        now = time.perf_counter()
        key = last[1].split()[0]
        steps[key] = steps.get(key, 0.0) + now - last[0]
        last[:] = [now, name]

    start = time.perf_counter()
    report = compute_all(warehouse, progress=step, out_dir=out_dir, indicators=inds)
    seconds = time.perf_counter() - start
    step("end")
    return {"seconds": seconds, "peak_mb": _peak_mb(), "rows": report.rows, "steps": steps}


def _pandas(warehouse: str) -> dict:
    import duckdb
    import numpy as np
    import pandas as pd

    from maternity_equity import stats
    from maternity_equity.indicators import get
    from maternity_equity.indicators.rollup import breakdown_labels

    start = time.perf_counter()
    con = duckdb.connect(warehouse, read_only=True)
    preg = con.sql("SELECT * FROM pregnancies").df()
    babies = con.sql("SELECT * FROM babies").df()
    con.close()
    births = babies.drop(columns=["ethnic_category"]).merge(
        preg[["pregnancy_id", *KEYS]], on="pregnancy_id"
    )
    age = (pd.to_datetime(births["death_date"]) - pd.to_datetime(births["birth_date"])).dt.days
    births["neonatal_death"] = (births["outcome"] == "01") & age.between(0, 27)
    births["stillbirth"] = births["outcome"].isin(["02", "03", "04"])
    births["perinatal_death"] = births["stillbirth"] | births["neonatal_death"]
    gest = births["gestation_at_birth_days"]
    births["born_from_24w"] = (gest >= 168) | (gest.isna() & (births["birth_weight_g"] >= 400))
    cohorts = {"bookings": preg, "births": births}
    rows = 0
    for ind_id in PANDAS_IDS:
        ind = get(ind_id)
        c = cohorts[ind.cohort]
        den = (ind.cohort_filter & ind.denominator).mask(c)
        num = den & ind.numerator.mask(c)
        frame = c[KEYS].copy()
        frame["num"], frame["den"] = num.astype(int), den.astype(int)
        month = pd.to_datetime(c[ind.anchor]).dt.to_period("M")
        frame["month"] = month.astype(str)
        frame["quarter"] = month.dt.asfreq("Q").astype(str)
        frame["fy"] = (month.dt.year - (month.dt.month < 4)).astype(str)
        frame["lmns"] = "LMNS"
        labels = breakdown_labels(c["ethnic_category"], c["imd_decile"])
        for name, lab in labels.items():
            frame[name] = lab.to_numpy()
        frame["mi"] = month.dt.year * 12 + month.dt.month - 1
        ends = [
            m for m in range(int(frame["mi"].min()) + 11, int(frame["mi"].max()) + 1) if m % 3 == 2
        ]  # rolling 12 months ending at quarter ends, as the engine
        for geo in ("lmns", "provider_code", "place_code", "neighbourhood_code"):
            for breakdown in labels:
                grouped = [
                    frame.groupby([geo, breakdown, p])[["num", "den"]].sum()
                    for p in ("month", "quarter", "fy")
                ]
                for end in ends:
                    window = frame[frame["mi"].between(end - 11, end)]
                    grouped.append(window.groupby([geo, breakdown])[["num", "den"]].sum())
                for g in grouped:
                    g = g[g["den"] > 0]
                    if ind.ci_method == "wilson":
                        est = stats.proportion(
                            g["num"].to_numpy(), g["den"].to_numpy(), 0.95, ind.multiplier
                        )
                    else:
                        est = stats.rate(
                            g["num"].to_numpy(), g["den"].to_numpy(), 0.95, ind.multiplier
                        )
                    rows += len(np.atleast_1d(est.value))
    return {
        "seconds": time.perf_counter() - start,
        "peak_mb": _peak_mb(),
        "rows": rows,
        "indicators": len(PANDAS_IDS),
    }


class _Captured(Exception):
    """Raised instead of running a query whose SQL was only wanted."""


def engine_columns(warehouse: str) -> dict[str, list[str]]:
    """The columns of each extract table the engine's queries read, from their SQL.

    Each cohort query of the full catalogue is compiled (not run) and a table column counts as
    read when its quoted name appears in any of them; names shared by several tables (ids)
    count for each, so the floor can only come out larger, i.e. kinder to the engine.
    """
    import ibis

    from maternity_equity.indicators import backend, cohorts, engine
    from maternity_equity.indicators.catalogue_entries import catalogue
    from maternity_equity.warehouse.schema import EXTRACT_TABLES

    con = backend.connect(Path(warehouse), "duckdb")
    try:
        tables = {t: con.table(t) for t in EXTRACT_TABLES}
        groups: dict[tuple, list] = {}
        for ind in catalogue():
            if ind.source == "records" and ind.kind != "ranking":
                groups.setdefault(engine._group_key(ind), []).append(ind)
        sql: list[str] = []
        run = backend.execute_arrow

        def capture(expr):
            sql.append(ibis.to_sql(expr, dialect="duckdb"))
            raise _Captured

        backend.execute_arrow = capture
        try:
            for (cohort, _anchor, extra), members in groups.items():
                with contextlib.suppress(_Captured):
                    engine.aggregate_cohort(cohorts.COHORTS[cohort](tables), members, extra)
        finally:
            backend.execute_arrow = run
        if len(sql) != len(groups):
            raise RuntimeError("the engine's cohort queries were not all captured")
        text = "\n".join(sql)
        window = {"pregnancies": ["booking_date"], "babies": ["birth_date"]}
        window |= {"deliveries": ["delivery_date"], "care_contacts": ["contact_date"]}
        return {
            t: sorted({c for c in tables[t].columns if f'"{c}"' in text} | set(window.get(t, [])))
            for t in EXTRACT_TABLES
        }
    finally:
        con.disconnect()


def _floor(warehouse: str, columns: dict[str, list[str]] | None) -> dict:
    """One DuckDB pass over ``columns`` of each table (every column when None): read and
    hash every value, the least any engine reading those columns must do."""
    import duckdb

    start = time.perf_counter()
    con = duckdb.connect(warehouse, read_only=True)
    read = 0
    for table in ("pregnancies", "babies", "deliveries", "care_plans", "care_contacts"):
        cols = [r[0] for r in con.execute(f"DESCRIBE {table}").fetchall()]
        if columns is not None:
            cols = [c for c in cols if c in columns.get(table, [])]
        if not cols:
            continue
        read += len(cols)
        con.execute(f"SELECT COUNT(*), SUM(hash({', '.join(cols)})) FROM {table}").fetchall()
    con.close()
    return {"seconds": time.perf_counter() - start, "peak_mb": _peak_mb(), "columns": read}


def _child(fn, args, queue) -> None:
    queue.put(fn(*args))


def isolated(fn, *args) -> dict:
    """Run ``fn`` in a fresh process so its peak memory is measured alone."""
    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    proc = ctx.Process(target=_child, args=(fn, args, queue))
    proc.start()
    result = queue.get()
    proc.join()
    return result


def prepare(work: Path, pregnancies: int, years: int) -> dict:
    """Generate and ingest in a child process: Linux keeps max RSS across fork and exec, so a
    big parent would inflate every variant's peak."""
    t = time.perf_counter()
    warehouse = isolated(_prepare, work, pregnancies, years)
    return {"warehouse": warehouse, "seconds": time.perf_counter() - t}


def _prepare(work: Path, pregnancies: int, years: int) -> str:
    from maternity_equity.ingest import load_extract
    from maternity_equity.synth import generate_lmns

    generate_lmns(work, pregnancies=pregnancies, years=years, seed=2021, file_format="parquet")
    warehouse = work / "wh.duckdb"
    load_extract(
        work / "extract", reference_dir=work / "reference", warehouse_path=warehouse, progress=False
    )
    return str(warehouse)


def _copy(warehouse: Path, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    return Path(shutil.copy(warehouse, folder / "wh.duckdb"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pregnancies", type=int, default=12_000)
    parser.add_argument("--years", type=int, default=3)
    parser.add_argument(
        "--pandas-pregnancies",
        type=int,
        default=None,
        help="run the pandas baseline on a smaller extract of this size",
    )
    parser.add_argument("--keep", action="store_true", help="keep the generated data")
    parser.add_argument(
        "--warehouse",
        type=Path,
        help="use this warehouse (ingested from generate_lmns(seed=2021) of the size given) "
        "instead of generating one; it is copied, never changed",
    )
    parser.add_argument("--subset-warehouse", type=Path, help="likewise for the pandas subset")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-indicators-"))
    try:
        if args.warehouse:
            prepared = {"warehouse": str(_copy(args.warehouse, work / "full")), "seconds": None}
        else:
            prepared = prepare(work / "full", args.pregnancies, args.years)
        warehouse, prep = prepared["warehouse"], prepared["seconds"]
        result = {
            "pregnancies": args.pregnancies,
            "years": args.years,
            "prepare_seconds": prep,
            "machine": {"cpus": mp.cpu_count(), "python": platform.python_version()},
            "load_average_at_start": list(os.getloadavg()),
            "floor_columns": isolated(engine_columns, str(warehouse)),
            "engine": isolated(_engine, str(warehouse), str(work / "out"), False),
        }
        result["floor"] = isolated(_floor, str(warehouse), result["floor_columns"])
        result["floor_all_columns"] = isolated(_floor, str(warehouse), None)
        small = warehouse
        if args.pandas_pregnancies and args.pandas_pregnancies < args.pregnancies:
            if args.subset_warehouse:
                small = str(_copy(args.subset_warehouse, work / "subset"))
            else:
                small = prepare(work / "subset", args.pandas_pregnancies, args.years)["warehouse"]
        result["subset_pregnancies"] = args.pandas_pregnancies or args.pregnancies
        result["engine_subset"] = isolated(_engine, str(small), str(work / "out2"), True)
        result["pandas"] = isolated(_pandas, str(small))
        result["speedup_vs_pandas"] = (
            result["pandas"]["seconds"] / result["engine_subset"]["seconds"]
        )
        result["engine_vs_floor"] = result["engine"]["seconds"] / result["floor"]["seconds"]
        result["engine_peak_under_8gb"] = result["engine"]["peak_mb"] < 8 * 1024
        result["load_average_at_end"] = list(os.getloadavg())
        RESULTS.mkdir(parents=True, exist_ok=True)
        out = RESULTS / f"indicators-{args.pregnancies}.json"
        out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
        print(json.dumps(result, indent=2))
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
