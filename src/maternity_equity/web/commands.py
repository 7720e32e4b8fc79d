"""`maternity-equity serve` and `maternity-equity users`: run the dashboard on one machine."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import typer
from rich.console import Console

from maternity_equity.web.roles import Role

console = Console()

# Demo accounts, one per role; the demo data is synthetic so the passwords are published in
# docs/web.md. Never use them on a real deployment.
DEMO_USERS = {
    "viewer": ("Vera Viewer", "demo-viewer-password"),
    "editor": ("Eddie Editor", "demo-editor-password"),
    "analyst": ("Ana Analyst", "demo-analyst-password"),
    "admin": ("Ada Admin", "demo-admin-password"),
}


def ensure_demo_users(engine) -> list[str]:
    """Create the four demo accounts if missing; returns the usernames created."""
    from maternity_equity.web import users as user_store

    made = []
    for role_name, (display, password) in DEMO_USERS.items():
        if user_store.find_user(engine, role_name) is None:
            user_store.create_user(engine, role_name, password, Role[role_name], display)
            made.append(role_name)
    return made


def ensure_first_admin(engine) -> tuple[str, str | None] | None:
    """With no users at all, create an admin from ``MATERNITY_EQUITY_ADMIN_USER`` /
    ``MATERNITY_EQUITY_ADMIN_PASSWORD``, or with a generated one-time password (returned)."""
    from maternity_equity.web import users as user_store

    if user_store.count_users(engine) > 0:
        return None
    username = os.environ.get("MATERNITY_EQUITY_ADMIN_USER", "admin")
    password = os.environ.get("MATERNITY_EQUITY_ADMIN_PASSWORD")
    generated = None
    if not password:
        password = generated = secrets.token_urlsafe(18)
    user_store.create_user(engine, username, password, Role.admin, "Administrator")
    return username, generated


def serve_folder(
    out: Path, *, host: str = "127.0.0.1", port: int = 8000, demo_users: bool = False
) -> None:
    """Serve the warehouse and plan database in ``out`` until interrupted."""
    import uvicorn

    from maternity_equity.web.app import create_app
    from maternity_equity.web.settings import WebSettings

    settings = WebSettings.from_out_dir(Path(out))
    if not settings.warehouse_path.exists():
        console.print(
            f"[yellow]No warehouse at {settings.warehouse_path}: pages will be empty "
            "until you run the pipeline (maternity-equity demo).[/yellow]"
        )
    app = create_app(settings)
    engine = app.state.web.engine
    if demo_users:
        made = ensure_demo_users(engine)
        if made:
            console.print(
                "Demo accounts (synthetic data only): "
                + ", ".join(f"{u} / {DEMO_USERS[u][1]}" for u in made)
            )
    first = ensure_first_admin(engine)
    if first is not None:
        username, generated = first
        if generated:
            console.print(
                f"[bold]Created admin user {username!r} with one-time password "
                f"{generated}[/bold] - sign in and add named accounts."
            )
        else:
            console.print(f"Created admin user {username!r} from the environment.")
    console.print(
        f"[green]Maternity equity is running at http://{host}:{port}/[/green] (Ctrl+C to stop)"
    )
    uvicorn.run(
        app,
        host=host,
        port=port,
        log_level="warning",
        proxy_headers=True,
        forwarded_allow_ips=os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1"),
    )


def register(app: typer.Typer) -> None:
    @app.command()
    def serve(
        out: Path = typer.Option(
            Path("maternity-equity-demo"), help="Folder holding warehouse.duckdb and plan.sqlite."
        ),
        host: str = typer.Option("127.0.0.1", help="Address to listen on."),
        port: int = typer.Option(8000, help="Port to listen on."),
        demo_users: bool = typer.Option(
            False, "--demo-users", help="Create the documented demo accounts."
        ),
    ) -> None:
        """Serve the dashboard and plan tracker for one machine."""
        serve_folder(out, host=host, port=port, demo_users=demo_users)

    @app.command("add-user")
    def add_user(
        username: str,
        role: str = typer.Option("viewer", help="viewer | editor | analyst | admin"),
        out: Path = typer.Option(Path("maternity-equity-demo"), help="Folder of plan.sqlite."),
        display_name: str = typer.Option("", help="Full name shown in the header."),
    ) -> None:
        """Add a web user (the password is asked for, never given on the command line)."""
        from maternity_equity.plan.db import upgrade
        from maternity_equity.web import users as user_store
        from maternity_equity.web.settings import WebSettings

        settings = WebSettings.from_out_dir(out)
        engine = upgrade(settings.plan_db_url)
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
        try:
            user = user_store.create_user(
                engine, username, password, Role.parse(role), display_name
            )
        except ValueError as exc:
            raise typer.BadParameter(str(exc)) from exc
        console.print(f"Added {user.username} ({user.role.name}).")
