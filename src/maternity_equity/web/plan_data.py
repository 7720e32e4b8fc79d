"""The plan database as the pages need it, through the plan module's public services.

Reads open a short session; writes go through ``plan.db.session_scope`` acting for the signed-in
user, so the plan's audit hook records every change with their name.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date

from sqlalchemy import Engine, inspect
from sqlalchemy.orm import Session

from maternity_equity.plan.db import session_factory, session_scope


def plan_ready(engine: Engine) -> bool:
    """True when the plan tables exist (a fresh folder may not have been migrated yet)."""
    return inspect(engine).has_table("actions")


@contextmanager
def reading(engine: Engine) -> Iterator[Session]:
    session = session_factory(engine)(info={"user": "web-reader"})
    try:
        yield session
    finally:
        session.rollback()
        session.close()


def writing(engine: Engine, username: str):
    """A session acting for ``username``: commits on success, audited by the plan module."""
    return session_scope(engine, user=username)


def action_annotations(engine: Engine, indicator_id: str) -> list[tuple[date, str]]:
    """Start dates of actions whose targets track ``indicator_id`` (for SPC annotations)."""
    if not plan_ready(engine):
        return []
    from sqlalchemy import select

    from maternity_equity.plan.models import Action, Target

    with reading(engine) as session:
        rows = session.execute(
            select(Action.number, Action.start_date)
            .join(Target, Target.action_id == Action.id)
            .where(Target.indicator_id == indicator_id, Action.start_date.is_not(None))
            .distinct()
        ).all()
    return sorted((start, f"Action {number}") for number, start in rows)


def asset_counts_by_area(engine: Engine) -> dict[str, int]:
    """Community assets per neighbourhood (by code or name as the register records it)."""
    if not inspect(engine).has_table("community_assets"):
        return {}
    from maternity_equity.plan.services.assets import list_assets

    counts: dict[str, int] = {}
    with reading(engine) as session:
        for asset in list_assets(session):
            if asset.neighbourhood:
                counts[asset.neighbourhood] = counts.get(asset.neighbourhood, 0) + 1
    return counts


def assets_for_map(engine: Engine) -> tuple[tuple[int, str, str, str], ...]:
    """(id, name, neighbourhood, place) of every asset, hashable so the map model can be cached."""
    if not inspect(engine).has_table("community_assets"):
        return ()
    from maternity_equity.plan.services.assets import list_assets

    with reading(engine) as session:
        return tuple(
            (a.id, a.name, a.neighbourhood or "", a.place or "") for a in list_assets(session)
        )
