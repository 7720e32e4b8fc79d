"""The data-quality worklist: which pseudonymised records each team must correct, for whom.

Record-level rows (even pseudonymised) are for analysts and above; the same role order as the
web app (viewer < editor < analyst < admin) is checked here so that every caller, CLI, web or
report, goes through one gate.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

ROLE_ORDER = ("viewer", "editor", "analyst", "admin")
RECORD_LEVEL_MIN_ROLE = "analyst"
WORKLIST_TABLE = "dq_worklist"


def role_name(role: Any) -> str:
    """Accepts "analyst" or an enum member such as ``web.roles.Role.analyst``."""
    name = getattr(role, "name", role)
    return str(name).strip().lower() if name is not None else ""


def can_see_records(role: Any) -> bool:
    name = role_name(role)
    if name not in ROLE_ORDER:
        return False
    return ROLE_ORDER.index(name) >= ROLE_ORDER.index(RECORD_LEVEL_MIN_ROLE)


def require_record_access(role: Any) -> None:
    """Raise PermissionError unless ``role`` may see record-level (pseudonymised) data."""
    if not can_see_records(role):
        raise PermissionError(
            f"role {role_name(role) or None!r} may not see record-level data-quality worklists; "
            f"it needs {RECORD_LEVEL_MIN_ROLE!r} or above ({' < '.join(ROLE_ORDER)})"
        )


def filter_worklist(
    frame: pd.DataFrame,
    *,
    team: str | None = None,
    rule: str | None = None,
    provider: str | None = None,
    category: str | None = None,
    period_start: Any = None,
) -> pd.DataFrame:
    """Rows for one team / rule / provider / category / month (None = any), oldest first."""
    mask = pd.Series(True, index=frame.index)
    for column, wanted in (
        ("community_team", team),
        ("rule_id", rule),
        ("provider_code", provider),
        ("category", category),
    ):
        if wanted is not None:
            mask &= frame[column].astype("string").fillna("not_recorded") == wanted
    if period_start is not None:
        mask &= pd.to_datetime(frame["period_start"]) == pd.Timestamp(period_start)
    out = frame.loc[mask]
    return out.sort_values(
        ["period_start", "community_team", "rule_id", "booking_date", "pregnancy_id"],
        na_position="last",
    ).reset_index(drop=True)


def worklist(
    warehouse_path: str | Path,
    *,
    role: Any,
    team: str | None = None,
    rule: str | None = None,
    provider: str | None = None,
    category: str | None = None,
    period_start: Any = None,
) -> pd.DataFrame:
    """The stored worklist (from the last ``run_quality``), filtered; analyst role or above."""
    require_record_access(role)
    from maternity_equity.warehouse import Warehouse

    with Warehouse(warehouse_path) as wh:
        if not wh.has_table(WORKLIST_TABLE):
            raise ValueError(
                f"{warehouse_path}: no {WORKLIST_TABLE} table; run `maternity-equity quality` first"
            )
        frame = wh.to_pandas(WORKLIST_TABLE)
    return filter_worklist(
        frame, team=team, rule=rule, provider=provider, category=category, period_start=period_start
    )
