"""Co-production plan: events, the groups heard, and the actions each event changed."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from maternity_equity.plan.errors import NotFoundError
from maternity_equity.plan.models import (
    CoproductionActionChange,
    CoproductionEvent,
    CoproductionGroup,
)
from maternity_equity.plan.services.actions import get_action
from maternity_equity.plan.services.concurrency import apply_changes
from maternity_equity.plan.services.plans import get_plan

EVENT_FIELDS = frozenset(
    {
        "title",
        "held_on",
        "format",
        "location",
        "minutes_allocated",
        "reimbursement_offered",
        "what_was_heard",
    }
)


def list_events(session: Session, plan_id: int) -> list[CoproductionEvent]:
    """Events of a plan by date."""
    return list(
        session.scalars(
            select(CoproductionEvent)
            .where(CoproductionEvent.plan_id == plan_id)
            .order_by(CoproductionEvent.held_on, CoproductionEvent.id)
        )
    )


def get_event(session: Session, event_id: int) -> CoproductionEvent:
    event = session.get(CoproductionEvent, event_id)
    if event is None:
        raise NotFoundError(f"no co-production event with id {event_id}")
    return event


def create_event(
    session: Session,
    plan_id: int,
    title: str,
    held_on: date,
    groups: list[tuple[str, str]] = (),
    **fields: Any,
) -> CoproductionEvent:
    """Add an event; ``groups`` is a list of (group name, population it represents)."""
    unknown = set(fields) - EVENT_FIELDS
    if unknown:
        raise ValueError(f"unknown event fields: {', '.join(sorted(unknown))}")
    if fields.get("minutes_allocated", 0) < 0:
        raise ValueError("minutes_allocated cannot be negative")
    plan = get_plan(session, plan_id)
    event = CoproductionEvent(
        title=title, held_on=held_on, position=len(plan.coproduction_events), **fields
    )
    for position, (name, population) in enumerate(groups):
        event.groups.append(
            CoproductionGroup(name=name, population_represented=population, position=position)
        )
    plan.coproduction_events.append(event)
    session.flush()
    return event


def update_event(
    session: Session, event_id: int, changes: dict[str, Any], expected_version: int | None
) -> CoproductionEvent:
    return apply_changes(
        session, get_event(session, event_id), changes, expected_version, EVENT_FIELDS
    )


def link_action_change(
    session: Session, event_id: int, action_id: int, change: str
) -> CoproductionActionChange:
    """Record that what was heard at an event changed an action (and how)."""
    event = get_event(session, event_id)
    action = get_action(session, action_id)
    if action.intervention.plan_id != event.plan_id:
        raise ValueError(f"action {action_id} belongs to another plan than event {event_id}")
    link = CoproductionActionChange(
        action_id=action_id, change=change, position=len(event.action_changes)
    )
    event.action_changes.append(link)
    session.flush()
    return link


def events_for_action(session: Session, action_id: int) -> list[CoproductionActionChange]:
    """Which events changed an action: the "you said, we did" trail."""
    return list(
        session.scalars(
            select(CoproductionActionChange)
            .where(CoproductionActionChange.action_id == action_id)
            .order_by(CoproductionActionChange.id)
        )
    )
