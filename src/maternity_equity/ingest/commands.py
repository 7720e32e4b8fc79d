"""`maternity-equity ingest`: load an extract folder into the warehouse."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.console import Console
from rich.table import Table as RichTable

if TYPE_CHECKING:
    from maternity_equity.ingest.load import LoadReport


def print_report(report: LoadReport, console: Console) -> None:
    table = RichTable(title=f"Load {report.run_id}")
    for col in ("table", "file", "read", "accepted", "quarantined", "duplicates removed"):
        table.add_column(col, justify="right" if col not in ("table", "file") else "left")
    for row in report.counts.itertuples(index=False):
        table.add_row(
            row.table_name,
            row.file,
            f"{row.read:,}",
            f"{row.accepted:,}",
            f"{row.quarantined:,}",
            f"{row.duplicates_removed:,}",
        )
    console.print(table)
    verdict = "reconcile" if report.reconciles() else "DO NOT reconcile"
    console.print(
        f"Counts {verdict}: read = accepted + quarantined + duplicates removed, and every line "
        "of each CSV file (counted from the file itself) is a record read or a blank line."
    )
    for note in report.notes:
        console.print(f"[yellow]note:[/yellow] {note}")
    if len(report.quarantine):
        console.print(
            f"{len(report.quarantine):,} problems in {report.quarantined_rows:,} rows; "
            "first few (all are in the warehouse table 'quarantine'):"
        )
        for message in report.quarantine["message"].head(5):
            console.print(f"  - {message}")
    console.print(
        f"Warehouse: {report.warehouse_path}  ({report.seconds:.1f} s, pseudonym key "
        f"from {report.key_source})"
    )


def register(app: typer.Typer) -> None:
    @app.command("ingest")
    def ingest(
        extract_dir: Path = typer.Argument(..., help="Folder holding the extract files."),
        reference: Path = typer.Option(..., "--reference", help="Reference files folder."),
        warehouse: Path = typer.Option(..., "--warehouse", help="DuckDB warehouse file."),
        mapping: str = typer.Option(
            "canonical", "--mapping", help="canonical, msds, or a YAML mapping file."
        ),
        key: str | None = typer.Option(
            None,
            "--key",
            help="Pseudonymisation key (else $MATERNITY_EQUITY_PSEUDO_KEY, "
            "else a key file beside the warehouse).",
            envvar=None,
        ),
        progress: bool = typer.Option(True, "--progress/--no-progress"),
        parquet_dir: Path | None = typer.Option(
            None, "--parquet-dir", help="Also write the tables as Parquet by reporting month."
        ),
        quarantine_csv: Path | None = typer.Option(
            None, "--quarantine-csv", help="Write this load's quarantined problems to a CSV file."
        ),
    ) -> None:
        """Read, validate, pseudonymise, link and store an extract; bad rows go to quarantine."""
        # a wide table when piped to a file or CI log, the terminal's width otherwise
        console = Console(width=None if sys.stdout.isatty() else 120)
        from maternity_equity.ingest.load import load_extract

        try:
            report = load_extract(
                extract_dir,
                reference_dir=reference,
                warehouse_path=warehouse,
                mapping=mapping,
                key=key,
                progress=progress,
                parquet_dir=parquet_dir,
            )
        except ValueError as exc:
            console.print(f"[red]error:[/red] {exc}")
            raise typer.Exit(2) from exc
        print_report(report, console)
        if quarantine_csv is not None:
            quarantine_csv.parent.mkdir(parents=True, exist_ok=True)
            report.quarantine.assign(run_id=report.run_id).to_csv(quarantine_csv, index=False)
            console.print(f"Quarantined problems written to {quarantine_csv}")
