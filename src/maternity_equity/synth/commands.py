"""``maternity-equity synth``: write a synthetic LMNS extract."""

from __future__ import annotations

from datetime import date, datetime, timedelta
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
        start: str | None = typer.Option(
            None,
            "--start",
            help="First day of the extract (YYYY-MM-DD); by default the window ends on "
            "31 March 2025",
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
        from maternity_equity.synth.context import window_end
        from maternity_equity.synth.generator import default_start, generate_lmns

        try:
            first_day = default_start(years) if start is None else _day(start)
        except ValueError as exc:
            raise typer.BadParameter(f"--start {start!r} is not a YYYY-MM-DD date") from exc
        last_day = window_end(first_day, years) - timedelta(days=1)
        if last_day > date.today():
            console.print(
                f"[yellow]Warning:[/yellow] the extract runs to {last_day:%d %B %Y}, after today; "
                "ingest quarantines records dated after the day they are loaded.",
                soft_wrap=True,
            )

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


def _day(text: str) -> date:
    return datetime.strptime(text, "%Y-%m-%d").date()
