"""Running the warehouse's tables on Spark (local mode here, a cluster or Databricks elsewhere).

The canonical tables travel as Parquet (``ingest --parquet-dir``, partitioned by submission
month); Spark reads them as temporary views and Ibis's PySpark backend runs the same engine
expressions DuckDB runs. Nothing here is Spark-version specific beyond the session settings.
"""

from __future__ import annotations

from pathlib import Path

import ibis
import pyarrow.parquet as pq

PARTITION = "period_month"  # as written by ingest.parquet_export

# Loopback only, no UI, UTC dates, few shuffle partitions: right for local mode on a small
# machine; on a cluster pass your own session instead.
LOCAL_SETTINGS = {
    "spark.ui.enabled": "false",
    "spark.driver.host": "127.0.0.1",
    "spark.driver.bindAddress": "127.0.0.1",
    "spark.sql.session.timeZone": "UTC",
    "spark.sql.shuffle.partitions": "4",
    "spark.sql.execution.arrow.pyspark.enabled": "true",
}


def local_session(master: str = "local[2]", app_name: str = "maternity-equity", **settings):
    """A Spark session in local mode (needs ``pip install maternity-equity[spark]`` and Java)."""
    try:
        from pyspark.sql import SparkSession
    except ImportError as exc:  # pragma: no cover - depends on the optional extra
        raise RuntimeError(
            "the Spark backend needs the optional extra: pip install 'maternity-equity[spark]'"
        ) from exc
    builder = SparkSession.builder.master(master).appName(app_name)
    for key, value in {**LOCAL_SETTINGS, **settings}.items():
        builder = builder.config(key, value)
    session = builder.getOrCreate()
    session.sparkContext.setLogLevel("ERROR")
    return session


def _active_session():
    """The Spark session already running in this process (a notebook's ``spark``), if any."""
    from pyspark.sql import SparkSession

    return SparkSession.getActiveSession()


def connect(session=None) -> ibis.BaseBackend:
    """Ibis PySpark backend on ``session`` (e.g. a Databricks session) or a local one."""
    return ibis.pyspark.connect(session if session is not None else local_session())


def register_parquet(con: ibis.BaseBackend, parquet_dir: Path | str, names: list[str]) -> dict:
    """Expose ``parquet_dir/<name>`` (a Parquet file or partitioned folder) as Spark views.

    Returns the Ibis tables by name. A missing table is a clear error naming the folder.
    """
    root = Path(parquet_dir)
    tables = {}
    for name in names:
        path = root / name
        if not path.exists():
            raise ValueError(f"{root} has no Parquet table {name!r} (expected {path})")
        frame = con._session.read.parquet(str(path))
        if PARTITION in frame.columns:
            frame = frame.drop(PARTITION)  # the partition column is not part of the table
        frame.createOrReplaceTempView(name)
        tables[name] = con.table(name)
    return tables


def read_names_and_dq(warehouse: Path | str | None, parquet_dir: Path | str):
    """Geography names and ``dq_results`` for the run: from the DuckDB warehouse when given,
    else from the Parquet copies ``ingest --parquet-dir`` wrote beside the tables.

    Both are small (one row per LSOA, one per check), so they are read into pandas here and
    never touch Spark.
    """
    from maternity_equity.indicators import backend, engine

    if warehouse is not None:
        con = backend.connect(warehouse)
        try:
            present = set(backend.list_tables(con))
            dq = backend.execute(con.table("dq_results")) if "dq_results" in present else None
            return engine._names(con), dq
        finally:
            con.disconnect()
    root = Path(parquet_dir)
    lsoas = root / "geography_lsoa"
    names = geography_names(pq.read_table(lsoas).to_pandas()) if lsoas.exists() else {}
    dq_path = root / "dq_results"
    dq = pq.read_table(dq_path).to_pandas() if dq_path.exists() else None
    return names, dq


def geography_names(geography_lsoa) -> dict:
    """Place, neighbourhood and LMNS names for the results, from a ``geography_lsoa`` table
    (a DataFrame: e.g. ``spark.table("catalog.schema.geography_lsoa").toPandas()``)."""
    from maternity_equity.indicators import engine

    con = ibis.duckdb.connect()
    try:
        con.con.register("_lsoas", geography_lsoa)
        con.con.execute("CREATE TABLE geography_lsoa AS SELECT * FROM _lsoas")
        return engine._names(con)
    finally:
        con.disconnect()


def compute_on_spark(
    parquet_dir: Path | str,
    *,
    warehouse: Path | str | None = None,
    session=None,
    master: str = "local[2]",
    returns=None,
    progress=None,
    settings: dict[str, str] | None = None,
    options=None,
):
    """The whole catalogue on Spark over the Parquet tables; returns the results DataFrame.

    ``session``: an existing SparkSession (a cluster, Databricks); else the session already
    active in this process, else a local one started with ``master`` and stopped at the end.
    """
    from maternity_equity.indicators import engine
    from maternity_equity.warehouse.schema import EXTRACT_TABLES

    names, dq = read_names_and_dq(warehouse, parquet_dir)
    own = session is None and _active_session() is None  # never stop a session we found
    session = session if session is not None else local_session(master, **(settings or {}))
    try:
        con = connect(session)
        tables = register_parquet(con, parquet_dir, list(EXTRACT_TABLES))
        return engine.compute(
            tables,
            returns=returns,
            dq_results=dq,
            names=names,
            progress=progress,
            con=con,
            options=options,
        )
    finally:
        if own:
            session.stop()


def run_on_spark(
    parquet_dir: Path | str,
    *,
    warehouse: Path | str | None = None,
    out_dir: Path | str | None = None,
    returns=None,
    session=None,
    master: str = "local[2]",
    progress: bool = True,
    settings: dict[str, str] | None = None,
    options=None,
):
    """``compute --backend pyspark``: results.csv in ``out_dir`` and, with ``warehouse``, the
    ``results`` table and a compute run, exactly as the DuckDB path writes them."""
    import time

    from maternity_equity.indicators import engine
    from maternity_equity.indicators.catalogue_entries import catalogue

    started = time.perf_counter()
    if warehouse is not None and not Path(warehouse).exists():
        raise ValueError(f"warehouse file {warehouse} does not exist")
    with engine.progress_steps(progress) as step:
        results = compute_on_spark(
            parquet_dir,
            warehouse=warehouse,
            session=session,
            master=master,
            returns=returns,
            progress=step,
            settings=settings,
            options=options,
        )
        csv_path = None if out_dir is None else Path(out_dir) / "results.csv"
        step(f"writing {len(results):,} result rows")
        run = engine.store_results(
            results,
            inputs=[{"path": Path(parquet_dir).name, "kind": "parquet"}],
            parameters={
                "backend": "pyspark",
                "spark_master": master if session is None else "external session",
                "returns_rows": 0 if returns is None else len(returns),
            },
            warehouse=warehouse,
            csv_path=csv_path,
        )
    place = Path(warehouse) if warehouse is not None else Path(parquet_dir)
    return engine.compute_report(results, run, catalogue(), started, place, csv_path)
