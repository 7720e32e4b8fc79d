"""Settings for one running web app: where the numbers and the plan live, and how cookies behave."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class WebSettings:
    """Everything ``create_app`` needs; nothing is read from globals after start-up.

    warehouse_path: the DuckDB warehouse holding ``results``, ``dq_results``, ``dq_worklist`` and
        ``geography_lsoa`` (read only; a missing file shows empty pages, not errors).
    plan_db_url: SQLAlchemy URL of the plan database (users and audit live there too).
    secret_key: signs session cookies; keep it secret and stable across restarts.
    secure_cookies: set the cookie ``Secure`` flag (True behind HTTPS, e.g. a reverse proxy).
    session_hours: how long a sign-in lasts.
    """

    warehouse_path: Path
    plan_db_url: str
    secret_key: str = field(default_factory=lambda: secrets.token_urlsafe(32), repr=False)
    secure_cookies: bool = False
    session_hours: float = 8.0
    login_max_failures: int = 5
    login_window_seconds: int = 15 * 60
    migrate_plan: bool = True  # bring the plan database to the latest migration at start-up

    @classmethod
    def from_out_dir(cls, out_dir: Path, *, secure_cookies: bool | None = None) -> WebSettings:
        """Settings for a demo/output folder: ``warehouse.duckdb`` and ``plan.sqlite`` inside it.

        ``MATERNITY_EQUITY_PLAN_DB_URL``, ``MATERNITY_EQUITY_SECRET_KEY`` and
        ``MATERNITY_EQUITY_SECURE_COOKIES`` override the defaults for a team deployment.
        """
        out_dir = Path(out_dir)
        url = (
            os.environ.get("MATERNITY_EQUITY_PLAN_DB_URL") or f"sqlite:///{out_dir / 'plan.sqlite'}"
        )
        key = os.environ.get("MATERNITY_EQUITY_SECRET_KEY") or _stable_key(out_dir)
        if secure_cookies is None:
            secure_cookies = os.environ.get("MATERNITY_EQUITY_SECURE_COOKIES", "") in ("1", "true")
        return cls(
            warehouse_path=out_dir / "warehouse.duckdb",
            plan_db_url=url,
            secret_key=key,
            secure_cookies=secure_cookies,
        )


def _stable_key(out_dir: Path) -> str:
    """A per-folder key kept in ``.web_secret`` (mode 600) so sessions survive restarts."""
    path = out_dir / ".web_secret"
    if path.exists():
        return path.read_text().strip()
    out_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(32)
    path.write_text(key)
    path.chmod(0o600)
    return key
