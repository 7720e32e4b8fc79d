"""``maternity-equity workforce wres``: WRES indicators 1 to 9 from the plan database."""

from __future__ import annotations

import math
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table


def console() -> Console:
    """A console sized when it prints (a module-level one keeps the width seen at import)."""
    return Console()


def _fmt(value: float | None, digits: int = 2) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return f"{value:.{digits}f}"


def register(app: typer.Typer) -> None:
    workforce_app = typer.Typer(help="Workforce Race Equality Standard.", no_args_is_help=True)
    app.add_typer(workforce_app, name="workforce")

    @workforce_app.command("load")
    def load(
        file: Path = typer.Argument(..., exists=True, dir_okay=False, help="YAML file."),
        db: str = typer.Option(None, "--db", help="Plan database URL (default demo sqlite)."),
        user: str = typer.Option(None, "--user", help="Name recorded as loaded_by."),
    ) -> None:
        """Load WRES returns from YAML: a list of returns, or a file with 'wres_returns'."""
        from maternity_equity.plan.commands import _fail, _session
        from maternity_equity.plan.yaml_io import parse_yaml
        from maternity_equity.workforce.wres_io import import_returns

        try:
            text = file.read_text(encoding="utf-8")
            data = parse_yaml(text)
            items = data.get("wres_returns") if isinstance(data, dict) else data
            if not isinstance(items, list):
                raise ValueError(f"{file}: expected a list of returns or a 'wres_returns' list")
            with _session(db, user) as session:
                created = import_returns(session, items)
                names = [f"{r.organisation_code} {r.period_start}" for r in created]
        except ValueError as exc:
            raise _fail(exc) from exc
        console().print(f"loaded {len(names)} WRES return(s): {', '.join(names)}")

    @workforce_app.command("wres")
    def wres(
        db: str = typer.Option(None, "--db", help="Plan database URL (default demo sqlite)."),
        rolling_years: int = typer.Option(
            2, "--rolling-years", help="Years of disciplinary entries pooled for indicator 3."
        ),
    ) -> None:
        """Print WRES indicators 1-9 for every stored return."""
        from maternity_equity.plan.commands import _session
        from maternity_equity.workforce.wres import export_for_engine

        with _session(db, None) as session:
            frame = export_for_engine(
                session, rolling_years=rolling_years, include_not_calculable=True
            )
        if frame.empty:
            console().print("no WRES returns stored (load a plan file with a wres_returns section)")
            return
        for (org, start, end), part in frame.groupby(
            ["geography_code", "period_start", "period_end"], sort=True
        ):
            table = Table(
                "indicator", "group", "n", "of", "value", "ratio", "interval*", "note",
                title=f"WRES {org} {start} to {end}",
            )  # fmt: skip
            for row in part.itertuples(index=False):
                interval = (
                    f"{_fmt(row.ratio_lower)}-{_fmt(row.ratio_upper)}"
                    if not math.isnan(row.ratio_lower)
                    else ""
                )
                table.add_row(
                    row.indicator_id.removeprefix("p4d_wres_"), row.group,
                    _fmt(row.numerator, 0), _fmt(row.denominator, 0), _fmt(row.value),
                    _fmt(row.ratio), interval, row.note,
                )  # fmt: skip
            console().print(table)
        console().print(
            "* 95% Katz log interval for relative likelihoods: our addition, WRES defines none."
        )
