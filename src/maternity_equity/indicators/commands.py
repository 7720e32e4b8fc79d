"""Commands: ``maternity-equity indicators`` (the catalogue) and ``maternity-equity compute``."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import typer


def register(app: typer.Typer) -> None:
    @app.command("indicators")
    def indicators_command(
        as_json: bool = typer.Option(False, "--json", help="Print the catalogue as JSON."),
        markdown: bool = typer.Option(False, "--markdown", help="Print docs/indicators.md."),
    ) -> None:
        """List every indicator of the catalogue (id, priority, source, title)."""
        from maternity_equity.indicators.catalogue_entries import catalogue
        from maternity_equity.indicators.docs import render

        if markdown:
            typer.echo(render(), nl=False)
            return
        items = catalogue()
        if as_json:
            typer.echo(json.dumps([i.summary() for i in items], indent=2, default=str))
            return
        for i in items:
            typer.echo(f"{i.id:45} {i.priority:8} {i.source:8} {i.title}")

    @app.command("compute")
    def compute_command(
        warehouse: Path | None = typer.Option(
            None, "--warehouse", help="Warehouse DuckDB file (required on duckdb)."
        ),
        out: Path | None = typer.Option(None, "--out", help="Folder for results.csv."),
        returns: Path | None = typer.Option(
            None, "--returns", help="CSV of returns (columns in docs/indicators.md)."
        ),
        backend: str = typer.Option(
            "duckdb", "--backend", help="duckdb (the warehouse) or pyspark (Parquet tables)."
        ),
        parquet_dir: Path | None = typer.Option(
            None, "--parquet-dir", help="pyspark: the folder ingest --parquet-dir wrote."
        ),
        spark_master: str = typer.Option(
            "local[2]", "--spark-master", help="pyspark: Spark master of the local session."
        ),
        spark_conf: list[str] = typer.Option(
            [],
            "--spark-conf",
            help="pyspark: KEY=VALUE setting (repeatable), e.g. spark.driver.memory=8g.",
        ),
        quiet: bool = typer.Option(False, "--quiet", help="No progress bar."),
        detail: str = typer.Option(
            "full",
            "--detail",
            help="full: every breakdown, SII/RII for every geography and period (default). "
            "standard: for national runs, ethnic category and ethnic group x quintile only for "
            "the LMNS, providers and places by quarter, rolling 12 months and financial year; "
            "SII/RII only there for rolling 12 months and financial years.",
        ),
    ) -> None:
        """Compute the whole catalogue into the warehouse ``results`` table (and results.csv)."""
        from maternity_equity.indicators.results import Options

        frame = pd.read_csv(returns) if returns is not None else None
        try:
            options = Options.for_detail(detail)
            if backend == "pyspark":
                settings = _settings(spark_conf)
                report = _compute_pyspark(
                    parquet_dir, warehouse, out, frame, spark_master, quiet, settings, options
                )
            elif backend == "duckdb":
                from maternity_equity.indicators.engine import compute_all

                if warehouse is None:
                    raise ValueError("--warehouse is required with --backend duckdb")
                report = compute_all(
                    warehouse, returns=frame, progress=not quiet, out_dir=out, options=options
                )
            else:
                raise ValueError(f"unknown backend {backend!r}; expected duckdb or pyspark")
        except ValueError as exc:
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(2) from exc
        typer.echo(report.summary())


def _compute_pyspark(
    parquet_dir: Path | None,
    warehouse: Path | None,
    out: Path | None,
    returns: pd.DataFrame | None,
    master: str,
    quiet: bool,
    settings: dict[str, str],
    options=None,
):
    """Spark over the Parquet tables; results to the warehouse (a run) and/or results.csv."""
    from maternity_equity.warehouse.spark import run_on_spark

    if parquet_dir is None:
        raise ValueError("--parquet-dir is required with --backend pyspark")
    if warehouse is None and out is None:
        raise ValueError("give --warehouse and/or --out: the results need somewhere to go")
    return run_on_spark(
        parquet_dir,
        warehouse=warehouse,
        out_dir=out,
        returns=returns,
        master=master,
        progress=not quiet,
        settings=settings,
        options=options,
    )


def _settings(pairs: list[str]) -> dict[str, str]:
    """``--spark-conf KEY=VALUE`` options as a dict; a pair without '=' is an error."""
    settings = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise ValueError(f"--spark-conf expects KEY=VALUE, not {pair!r}")
        settings[key.strip()] = value.strip()
    return settings
