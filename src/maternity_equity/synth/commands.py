"""``maternity-equity synth``: write a synthetic LMNS extract."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import typer
from rich.console import Console


def register(app: typer.Typer) -> None:
    @app.command("synth")
    def synth(
        out: Path = typer.Option(
            ..., "--out", help="Folder to write extract/, reference/ and the manifest to"
        ),
        pregnancies: int = typer.Option(
            12000, "--pregnancies", min=1, help="Number of pregnancies"
        ),
        years: int = typer.Option(3, "--years", min=1, help="Years the extract covers"),
        seed: int = typer.Option(2021, "--seed", help="Random seed: same seed, same files"),
        start: str = typer.Option(
            "2022-04-01", "--start", help="First day of the extract (YYYY-MM-DD)"
        ),
        reference: Path | None = typer.Option(
            None,
            "--reference",
            help="Real reference folder (e.g. ../shared/reference); "
            "without it a fictional geography is invented",
        ),
        file_format: str = typer.Option("csv", "--format", help="csv or parquet"),
    ) -> None:
        """Generate a synthetic LMNS: pregnancies, care plans, contacts, deliveries, babies."""
        console = Console()
        try:
            first_day: date = datetime.strptime(start, "%Y-%m-%d").date()
        except ValueError as exc:
            raise typer.BadParameter(f"--start {start!r} is not a YYYY-MM-DD date") from exc
        from maternity_equity.synth.generator import generate_lmns

        try:
            manifest = generate_lmns(
                out,
                pregnancies=pregnancies,
                years=years,
                start=first_day,
                seed=seed,
                reference_dir=reference,
                file_format=file_format.lower(),
                progress=True,
            )
        except ValueError as exc:
            console.print(f"[red]synth failed:[/red] {exc}")
            raise typer.Exit(1) from exc
        counts = ", ".join(f"{name} {count:,}" for name, count in manifest.counts.items())
        console.print(f"Wrote {out / 'extract'} ({counts})")
        console.print(
            f"Geography: {manifest.geography['footprint_name']} "
            f"({manifest.geography['lsoas']} LSOAs, {manifest.geography['imd_vintage']})"
        )
        console.print(f"Manifest with the defect ledger: {out / 'synth_manifest.json'}")
