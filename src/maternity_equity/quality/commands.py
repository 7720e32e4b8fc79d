"""`maternity-equity quality`: the summary, the report files, and one team's worklist."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console


def quality(
    warehouse: Path = typer.Option(..., "--warehouse", help="The warehouse DuckDB file."),
    out: Path = typer.Option(..., "--out", help="Folder for quality.csv and quality.html."),
    rules: list[Path] = typer.Option(
        None, "--rules", help="An LMNS rules YAML file adding or overriding rules (repeatable)."
    ),
    team: str | None = typer.Option(
        None, "--team", help="Print this community team's worklist (record-level, pseudonymised)."
    ),
    rule: str | None = typer.Option(None, "--rule", help="With --team: only this rule."),
    lmns: str = typer.Option("LMNS", "--lmns", help="Code shown for the whole LMNS."),
    limit: int = typer.Option(50, "--limit", help="With --team: records to print."),
) -> None:
    """Check data quality: ethnicity, postcode and the CQIM-style completeness rules."""
    from maternity_equity.quality.render import worklist_table
    from maternity_equity.quality.report import run_quality
    from maternity_equity.quality.rulebook import RuleFileError
    from maternity_equity.quality.worklist import filter_worklist

    console = Console()  # per call, so the terminal width (COLUMNS) is read when run
    if not warehouse.is_file():
        raise typer.BadParameter(f"{warehouse}: no such warehouse file", param_hint="--warehouse")
    try:
        with console.status("Checking data quality..."):
            report = run_quality(warehouse, out, rules or None, lmns_code=lmns)
    except RuleFileError as exc:
        console.print(f"[red]Rules file error:[/red] {exc}", soft_wrap=True)
        raise typer.Exit(2) from None
    console.print(report.summary())
    if report.results.empty:
        console.print(
            f"{warehouse} holds no bookings, births or plans to check: load an extract first "
            "with `maternity-equity ingest`.",
            soft_wrap=True,
        )
    for name, path in report.paths.items():
        console.print(f"{name}: {path}")
    failing = report.failing_teams()
    if team is None:
        if not failing.empty:
            by_team = failing.groupby("geography_code")["rule_id"].agg(list)
            for name, rule_ids in by_team.items():
                console.print(f"  {name}: {', '.join(rule_ids)}", soft_wrap=True)
            console.print(f"{len(by_team)} team(s) fail a rule in the latest month.")
            # suggest a team whose failures name records to correct (not only range rules)
            listed = {r.id for r in report.rules if r.worklist and r.record_level}
            to_correct = by_team.map(lambda ids: sum(i in listed for i in ids))
            if to_correct.max() > 0:
                worst = to_correct.sort_values(ascending=False, kind="stable").index[0]
                console.print(f'List one team\'s records with: --team "{worst}"', soft_wrap=True)
        return
    # No role check here: whoever can run this holds the warehouse file itself. The web app
    # and other callers go through quality.worklist(role=...).
    rows = filter_worklist(report.worklist, team=team, rule=rule)
    if rows.empty:
        known = sorted(report.worklist["community_team"].dropna().astype(str).unique())
        console.print(f"No failing records for team {team!r}. Teams with failures: {known}")
        return
    counts = rows.groupby(["rule_id", "category"]).size().rename("records").reset_index()
    for r in counts.itertuples():
        console.print(f"  {r.rule_id}: {r.category} = {r.records}")
    console.print(worklist_table(rows, title=f"Worklist for {team}", limit=limit))


def register(app: typer.Typer) -> None:
    app.command("quality")(quality)
