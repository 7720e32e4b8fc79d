"""``maternity-equity report``: write the board report as HTML, PDF and XLSX."""

from __future__ import annotations

import time
from pathlib import Path

import typer
from rich.console import Console

console = Console()
DEFAULT_WAREHOUSE = Path("maternity-equity-demo") / "warehouse.duckdb"


def report(
    period: str | None = typer.Option(
        None, "--period", help="Calendar quarter, e.g. 2025-Q3 (default: the latest complete one)."
    ),
    variant: str = typer.Option(
        "published", "--variant", help="published (disclosure control) or internal (unrounded)."
    ),
    out: Path = typer.Option(Path("report"), "--out", help="Folder for the report files."),
    warehouse: Path = typer.Option(DEFAULT_WAREHOUSE, "--warehouse", help="Warehouse DuckDB file."),
    plan_db: str | None = typer.Option(
        None, "--plan-db", help="Plan database URL (default: plan.sqlite beside the warehouse)."
    ),
    pdf: bool = typer.Option(True, "--pdf/--no-pdf", help="Also write the PDF."),
) -> None:
    """Write the equity and equality board report for one quarter."""
    from maternity_equity.reports.build import build_report

    if variant not in ("published", "internal"):
        raise typer.BadParameter("must be 'published' or 'internal'", param_hint="--variant")
    if not warehouse.is_file():
        raise typer.BadParameter(f"{warehouse}: no such warehouse file", param_hint="--warehouse")
    if plan_db is None and (warehouse.parent / "plan.sqlite").is_file():
        plan_db = f"sqlite:///{warehouse.parent / 'plan.sqlite'}"
    started = time.perf_counter()
    try:
        with console.status("Writing the report (HTML, PDF, XLSX)..."):
            paths = build_report(
                warehouse, plan_db, period=period, variant=variant, out_dir=out, pdf=pdf
            )
    except ValueError as exc:
        console.print(f"[red]Cannot write the report:[/red] {exc}")
        raise typer.Exit(2) from None
    console.print(f"[green]Report written in {time.perf_counter() - started:.1f}s[/green]")
    for name in ("html", "pdf", "xlsx"):
        path = getattr(paths, name)
        if path is not None:
            console.print(f"  {name:5s} {path}")


def register(app: typer.Typer) -> None:
    app.command("report")(report)
