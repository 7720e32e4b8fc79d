"""The demo's plan database: the example plan, its fictional returns, and rows for the engine."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from sqlalchemy import select

from maternity_equity.plan.db import session_scope, upgrade
from maternity_equity.plan.models import ReturnRow
from maternity_equity.plan.returns import RETURN_SPECS, load_return
from maternity_equity.plan.yaml_io import example_plan_path, import_plan, load_yaml

EXAMPLE_RETURNS_DIR = Path(__file__).resolve().parent / "examples" / "returns"


def load_example_plan(
    url: str,
    *,
    user: str = "demo",
    lmns_code: str | None = None,
    provider_code: str | None = None,
) -> str:
    """Migrate ``url``, load the example plan and one fictional CSV per return.

    ``lmns_code`` / ``provider_code`` relabel the example's LMNS (``QXX``) and WRES provider
    (``RXX``) so the figures sit beside the warehouse's own geography codes. Returns the title.
    """
    data = load_yaml(example_plan_path())
    if provider_code:  # relabel before import, so a second load replaces the first
        for ret in data.get("wres_returns") or []:
            ret["organisation_code"] = provider_code
    engine = upgrade(url)
    with session_scope(engine, user) as session:
        plan = import_plan(session, data, replace=True)
        title = plan.title
        for name in RETURN_SPECS:
            path = EXAMPLE_RETURNS_DIR / f"{name}.csv"
            if path.exists():
                load_return(session, name, path)
        if lmns_code:
            for row in session.scalars(select(ReturnRow).where(ReturnRow.geography_code == "QXX")):
                row.geography_code = lmns_code
    engine.dispose()
    return title


def returns_for_engine(url: str) -> pd.DataFrame:
    """Every return row and WRES result of the database, ready for ``compute_all(returns=...)``."""
    from maternity_equity.plan.returns import export_for_engine
    from maternity_equity.workforce.wres import export_for_engine as wres_rows

    engine = upgrade(url)
    with session_scope(engine, "demo") as session:
        frames = [export_for_engine(session), wres_rows(session)]
    engine.dispose()
    return pd.concat([f for f in frames if not f.empty], ignore_index=True)
