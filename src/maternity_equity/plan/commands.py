"""``maternity-equity plan ...``: the plan database from the command line.

Every command takes ``--db URL`` (default: the demo SQLite file) and works through
``plan.services``, the same code the web app uses.
"""

from __future__ import annotations

import getpass
import os
from datetime import date
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table


def console() -> Console:
    """A console sized when it prints (a module-level one keeps the width seen at import)."""
    return Console()


DB_OPTION = typer.Option(
    None, "--db", help="Database URL (default sqlite file in ./maternity-equity-demo)."
)
USER_OPTION = typer.Option(
    None, "--user", help="Name recorded in the audit log (default: login name)."
)


def _url(db: str | None) -> str:
    from maternity_equity.plan.db import default_url

    return db or os.environ.get("MATERNITY_EQUITY_PLAN_DB") or default_url()


def _user(user: str | None) -> str:
    if user:
        return user
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # pragma: no cover - containers without a passwd entry
        return "cli"


def _session(db: str | None, user: str | None):
    from maternity_equity.plan.db import session_scope, upgrade

    engine = upgrade(_url(db))
    return session_scope(engine, _user(user))


def _fail(exc: Exception) -> typer.Exit:
    console().print(f"[red]error:[/red] {exc}", soft_wrap=True)
    return typer.Exit(2)


def register(app: typer.Typer) -> None:
    plan_app = typer.Typer(
        help="The equity and equality action plan database.", no_args_is_help=True
    )
    assets_app = typer.Typer(help="Community assets register.", no_args_is_help=True)
    returns_app = typer.Typer(help="Returns for indicators no extract holds.", no_args_is_help=True)
    plan_app.add_typer(assets_app, name="assets")
    plan_app.add_typer(returns_app, name="returns")
    app.add_typer(plan_app, name="plan")

    @plan_app.command("init")
    def init(
        db: str = DB_OPTION,
        example: bool = typer.Option(False, "--example", help="Also load the example plan."),
        user: str = USER_OPTION,
    ) -> None:
        """Create or upgrade the plan database (and optionally load the example plan)."""
        from maternity_equity.plan.db import current_revision, upgrade
        from maternity_equity.plan.yaml_io import example_plan_path, import_plan_file

        url = _url(db)
        engine = upgrade(url)
        console().print(f"plan database at revision {current_revision(engine)}: {engine.url!r}")
        if example:
            with _session(db, user) as session:
                plan = import_plan_file(session, example_plan_path(), replace=True)
                console().print(f"loaded example plan {plan.title!r}")

    @plan_app.command("import")
    def import_(
        file: Path = typer.Argument(..., exists=True, dir_okay=False, help="Plan YAML file."),
        db: str = DB_OPTION,
        replace: bool = typer.Option(False, "--replace", help="Replace a plan of the same title."),
        user: str = USER_OPTION,
    ) -> None:
        """Import a whole plan from YAML (format in docs/plan.md)."""
        from maternity_equity.plan.yaml_io import import_plan_file

        try:
            with _session(db, user) as session:
                plan = import_plan_file(session, file, replace=replace)
                n = sum(len(i.actions) for i in plan.interventions)
                console().print(
                    f"imported {plan.title!r}: {len(plan.interventions)} interventions, {n} actions"
                )
        except ValueError as exc:
            raise _fail(exc) from exc

    @plan_app.command("export")
    def export(
        file: Path = typer.Argument(..., dir_okay=False, help="YAML file to write."),
        db: str = DB_OPTION,
        plan_id: int = typer.Option(None, "--plan-id", help="Plan to export (default newest)."),
    ) -> None:
        """Export a whole plan to YAML."""
        from maternity_equity.plan.errors import NotFoundError
        from maternity_equity.plan.yaml_io import export_plan_file

        try:
            with _session(db, None) as session:
                export_plan_file(session, file, plan_id)
        except NotFoundError as exc:
            raise _fail(exc) from exc
        console().print(f"wrote {file}")

    @plan_app.command("actions")
    def actions(
        db: str = DB_OPTION,
        overdue: bool = typer.Option(False, "--overdue", help="Open actions past their due date."),
        due_soon: bool = typer.Option(False, "--due-soon", help="Open actions due within --days."),
        days: int = typer.Option(30, "--days", help="Window for --due-soon."),
        lead: str = typer.Option(None, "--lead", help="Role or person (part of the name)."),
        today: str = typer.Option(None, "--today", help="Pretend today is this ISO date."),
    ) -> None:
        """List actions with status, RAG, leads and due dates."""
        from maternity_equity.plan.services.actions import ActionFilter, is_overdue, list_actions

        day = date.fromisoformat(today) if today else date.today()
        filters = ActionFilter(overdue=overdue, due_soon=due_soon, due_soon_days=days, lead=lead)
        with _session(db, None) as session:
            found = list_actions(session, filters, today=day)
            table = Table("number", "action", "leads", "due", "status", "RAG", title="Actions")
            for a in found:
                due = a.due_date.isoformat() if a.due_date else ""
                if is_overdue(a, day):
                    due = f"[red]{due} (overdue)[/red]"
                leads = ", ".join([*a.lead_roles, *a.lead_people])
                table.add_row(a.number, a.text, leads, due, a.status, a.rag or "")
        console().print(table)
        console().print(f"{len(found)} action(s)")

    @plan_app.command("history")
    def history_(
        db: str = DB_OPTION,
        entity: str = typer.Option(None, "--entity", help="Table name, e.g. actions."),
        entity_id: str = typer.Option(None, "--id", help="Row id."),
        limit: int = typer.Option(50, "--limit"),
    ) -> None:
        """Show the audit trail: who changed what, and when."""
        from maternity_equity.plan.services.history import changed_fields, history

        with _session(db, None) as session:
            table = Table("when", "who", "what", "fields", title="Audit trail")
            for e in history(session, entity, entity_id, limit):
                table.add_row(
                    e.at.isoformat(timespec="seconds"),
                    e.who,
                    f"{e.operation} {e.entity} {e.entity_id}",
                    ", ".join(changed_fields(e))[:80],
                )
        console().print(table)

    @assets_app.command("search")
    def assets_search(
        query: str = typer.Argument("", help="What the family needs, e.g. 'debt advice'."),
        db: str = DB_OPTION,
        language: str = typer.Option(None, "--language", help="Language spoken, e.g. Urdu."),
        area: str = typer.Option(None, "--area", help="Place, neighbourhood or postcode district."),
        category: str = typer.Option(None, "--category", help="Category code, e.g. housing."),
        fresh_only: bool = typer.Option(False, "--fresh-only", help="Leave out stale entries."),
        stale_months: int = typer.Option(12, "--stale-months"),
    ) -> None:
        """Search the community assets register, best match first."""
        from maternity_equity.plan.services.assets import search_assets

        try:
            with _session(db, None) as session:
                hits = search_assets(
                    session, query, language=language, area=area, category=category,
                    include_stale=not fresh_only, stale_months=stale_months,
                )  # fmt: skip
                table = Table("name", "offers", "languages", "area", "contact", "verified")
                for h in hits:
                    a = h.asset
                    verified = a.last_verified.isoformat() if a.last_verified else "never"
                    if h.stale:
                        verified = f"[yellow]{verified} (stale)[/yellow]"
                    table.add_row(
                        a.name, ", ".join(a.categories), ", ".join(a.languages),
                        " ".join(x for x in (a.neighbourhood, a.postcode) if x),
                        a.contact_phone or a.contact_email or a.website, verified,
                    )  # fmt: skip
        except ValueError as exc:
            raise _fail(exc) from exc
        console().print(table)
        console().print(f"{len(hits)} asset(s)")

    @assets_app.command("stale")
    def assets_stale(db: str = DB_OPTION, months: int = typer.Option(12, "--months")) -> None:
        """Assets not verified in the last N months."""
        from maternity_equity.plan.services.assets import stale_assets

        with _session(db, None) as session:
            for a in stale_assets(session, months):
                verified = a.last_verified.isoformat() if a.last_verified else "never"
                console().print(f"{a.name}: last verified {verified}")

    @returns_app.command("load")
    def returns_load(
        return_name: str = typer.Argument(..., metavar="RETURN", help="Return name, see 'list'."),
        csv_file: Path = typer.Argument(..., exists=True, dir_okay=False, metavar="CSV"),
        db: str = DB_OPTION,
        user: str = USER_OPTION,
    ) -> None:
        """Load a return CSV; bad rows are reported and skipped, good rows kept."""
        from maternity_equity.plan.returns import load_return

        try:
            with _session(db, user) as session:
                report = load_return(session, return_name, csv_file)
        except ValueError as exc:
            raise _fail(exc) from exc
        for message in report.messages:
            console().print(f"[yellow]rejected:[/yellow] {message}", soft_wrap=True)
        console().print(
            f"load {report.load_id}: {report.rows_accepted} of {report.rows_read} rows accepted"
        )
        if report.rows_rejected:
            raise typer.Exit(1)

    @returns_app.command("list")
    def returns_list() -> None:
        """The returns this system accepts and the indicator each feeds."""
        from maternity_equity.plan.returns import RETURN_SPECS

        table = Table("return", "indicator", "title", "columns")
        for spec in RETURN_SPECS.values():
            table.add_row(spec.name, spec.indicator_id, spec.title, ", ".join(spec.header))
        console().print(table)

    @returns_app.command("template")
    def returns_template(
        return_name: str = typer.Argument(..., metavar="RETURN"),
        file: Path = typer.Argument(None, dir_okay=False, help="Write here (default: print)."),
    ) -> None:
        """Print or write the CSV template of a return (header and one example row)."""
        from maternity_equity.plan.returns import template_csv

        try:
            text = template_csv(return_name)
        except ValueError as exc:
            raise _fail(exc) from exc
        if file is None:
            typer.echo(text, nl=False)
        else:
            file.write_text(text, encoding="utf-8")
            console().print(f"wrote {file}")

    @returns_app.command("export")
    def returns_export(
        file: Path = typer.Argument(..., dir_okay=False, help="CSV for 'compute --returns'."),
        db: str = DB_OPTION,
    ) -> None:
        """Write every return row and WRES result in the indicator engine's shape."""
        import pandas as pd

        from maternity_equity.plan.returns import export_for_engine
        from maternity_equity.workforce.wres import export_for_engine as wres_rows

        with _session(db, None) as session:
            frames = [export_for_engine(session), wres_rows(session)]
        frame = pd.concat([f for f in frames if not f.empty], ignore_index=True)
        frame.to_csv(file, index=False)
        console().print(f"wrote {len(frame)} rows to {file}")
