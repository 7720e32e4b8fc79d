"""`maternity-equity demo`: the whole pipeline end to end on a synthetic LMNS.

Generate -> ingest -> data quality -> plan database with the example plan -> every indicator ->
board report -> dashboard. Each step is the same public function the individual commands use, so
the demo proves the commands fit together.
"""

from __future__ import annotations

import sys
import time
from datetime import date
from pathlib import Path

import typer
from rich.console import Console

# Wide enough for the load and quality tables when the output goes to a file or a CI log.
console = Console(width=None if sys.stdout.isatty() else 120)

DEFAULT_OUT = Path("maternity-equity-demo")


def _warehouse_codes(warehouse: Path) -> tuple[str | None, str | None]:
    """The footprint's ICB code and its largest provider, so the example plan's returns and
    WRES figures are labelled with the same geography as the records."""
    import duckdb

    with duckdb.connect(str(warehouse), read_only=True) as con:
        icb = con.execute(
            "SELECT icb_code FROM geography_lsoa GROUP BY icb_code ORDER BY count(*) DESC LIMIT 1"
        ).fetchone()
        provider = con.execute(
            "SELECT provider_code FROM pregnancies GROUP BY 1 ORDER BY count(*) DESC LIMIT 1"
        ).fetchone()
    return (icb[0] if icb else None), (provider[0] if provider else None)


def run_demo(
    out: Path,
    *,
    reference: Path | None = None,
    pregnancies: int = 12_000,
    years: int = 3,
    seed: int = 2021,
    report: bool = True,
) -> dict[str, Path]:
    """Run every stage into ``out`` and return where the main outputs are."""
    from maternity_equity.indicators.engine import compute_all
    from maternity_equity.ingest import load_extract
    from maternity_equity.plan.demo_data import load_example_plan, returns_for_engine
    from maternity_equity.quality import run_quality
    from maternity_equity.synth import generate_lmns

    out = out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    warehouse = out / "warehouse.duckdb"
    plan_url = f"sqlite:///{out / 'plan.sqlite'}"
    started = time.perf_counter()

    def step(title: str) -> None:
        console.print(f"[bold]{title}[/bold]  ({time.perf_counter() - started:.1f}s)")

    step(f"1/6 Generating a synthetic LMNS: {pregnancies:,} pregnancies over {years} years")
    manifest = generate_lmns(
        out / "synthetic",
        pregnancies=pregnancies,
        years=years,
        start=date(2022, 4, 1),
        seed=seed,
        reference_dir=reference,
    )
    reference_dir = reference if reference is not None else out / "synthetic" / "reference"

    step("2/6 Ingesting the extract into the warehouse")
    load = load_extract(
        Path(manifest.out_dir) / "extract",
        reference_dir=reference_dir,
        warehouse_path=warehouse,
        key=f"demo-key-{seed}",
    )
    console.print(load.summary())

    step("3/6 Checking data quality")
    quality = run_quality(warehouse, out / "quality")
    console.print(quality.summary())

    step("4/6 Loading the example action plan, assets register, returns and WRES")
    lmns_code, provider_code = _warehouse_codes(warehouse)
    load_example_plan(plan_url, lmns_code=lmns_code, provider_code=provider_code)
    returns = returns_for_engine(plan_url)

    step("5/6 Computing every indicator")
    computed = compute_all(warehouse, returns=returns, out_dir=out)
    console.print(computed.summary())
    results_csv = out / "results.csv"

    outputs = {
        "warehouse": warehouse,
        "results": results_csv,
        "quality": out / "quality",
        "plan": out / "plan.sqlite",
    }
    if report:
        from maternity_equity.reports import build_report

        step("6/6 Writing the board report")
        paths = build_report(
            warehouse, plan_url, period=None, variant="published", out_dir=out / "report"
        )
        outputs["report"] = Path(paths.html).parent
    console.print(f"[green]Done in {time.perf_counter() - started:.1f}s.[/green]")
    for name, path in outputs.items():
        console.print(f"  {name:10s} {path}")
    return outputs


def register(app: typer.Typer) -> None:
    @app.command()
    def demo(
        out: Path = typer.Option(DEFAULT_OUT, help="Folder for the warehouse and all outputs."),
        reference: Path | None = typer.Option(
            None,
            help="Folder of real reference files (postcodes, IMD, boundaries) to use "
            "instead of a fictional geography, e.g. ../shared/reference.",
        ),
        pregnancies: int = typer.Option(12_000, min=100, help="Pregnancies to generate."),
        years: int = typer.Option(3, min=1, max=10, help="Years of bookings to generate."),
        seed: int = typer.Option(2021, help="Random seed (same seed, same data)."),
        serve: bool = typer.Option(True, "--serve/--no-serve", help="Serve the dashboard after."),
        host: str = typer.Option("127.0.0.1"),
        port: int = typer.Option(8000),
    ) -> None:
        """Generate a synthetic LMNS, ingest, check quality, compute, report and serve it."""
        if reference is not None and not reference.is_dir():
            raise typer.BadParameter(f"{reference} is not a folder", param_hint="--reference")
        run_demo(out, reference=reference, pregnancies=pregnancies, years=years, seed=seed)
        if serve:
            from maternity_equity.web.commands import serve_folder

            serve_folder(out.resolve(), host=host, port=port, demo_users=True)
