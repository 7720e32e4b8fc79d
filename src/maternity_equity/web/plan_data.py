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


def plan_version(engine: Engine) -> int:
    """The newest entry of the plan's audit log (0 for none): every change to the plan and the
    registers writes one (``plan.audit``'s session hook), so pages built from the plan database
    may be kept until it moves."""
    if not inspect(engine).has_table("audit_log"):
        return 0
    from maternity_equity.plan.services.history import history

    with reading(engine) as session:
        latest = history(session, limit=1)
        return latest[0].id if latest else 0


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


def asset_counts_by_area(listed: tuple[tuple[int, str, str, str], ...]) -> dict[str, int]:
    """Community assets per neighbourhood (by code or name as the register records it), from
    :func:`assets_for_map`."""
    counts: dict[str, int] = {}
    for _, _, neighbourhood, _ in listed:
        if neighbourhood:
            counts[neighbourhood] = counts.get(neighbourhood, 0) + 1
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


def with_assessments(session: Session, interventions) -> None:
    """Load the health equity assessment of each intervention in one query (the plan page
    shows every intervention's review date; loading them one by one took a query each)."""
    from sqlalchemy import select
    from sqlalchemy.orm import selectinload

    from maternity_equity.plan.models import Intervention

    ids = sorted({i.id for i in interventions})
    if ids:
        session.scalars(
            select(Intervention)
            .where(Intervention.id.in_(ids))
            .options(selectinload(Intervention.assessment))
        ).all()
