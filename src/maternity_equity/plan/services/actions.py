"""Actions: listing (overdue, due soon), editing with version checks, progress, risks, links."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from maternity_equity.plan.errors import NotFoundError
from maternity_equity.plan.models import (
    RAG,
    STATUSES,
    Action,
    ActionDependency,
    HealthEquityAssessment,
    Intervention,
    ProgressUpdate,
    Risk,
    Target,
)
from maternity_equity.plan.services.concurrency import apply_changes

ACTION_FIELDS = frozenset(
    {"number", "text", "lead_roles", "lead_people", "start_date", "due_date", "status", "rag"}
)
OPEN_STATUSES = ("not_started", "in_progress", "on_hold")


@dataclass(frozen=True)
class ActionFilter:
    """Which actions to list. ``due_soon_days`` sets the window for "due soon"."""

    plan_id: int | None = None
    overdue: bool = False
    due_soon: bool = False
    due_soon_days: int = 30
    status: str | None = None
    rag: str | None = None
    lead: str | None = None  # matches a role or a person, case-insensitive
    priority_code: str | None = None


def list_actions(
    session: Session, filters: ActionFilter | None = None, today: date | None = None
) -> list[Action]:
    """Actions in plan order. Overdue = open and due before today; due soon = open and due
    within ``due_soon_days`` from today (today included)."""
    filters = filters or ActionFilter()
    today = today or date.today()
    query = (
        select(Action)
        .join(Intervention)
        .options(selectinload(Action.intervention), selectinload(Action.progress_updates))
        .order_by(Intervention.plan_id, Intervention.position, Action.position, Action.id)
    )
    if filters.plan_id is not None:
        query = query.where(Intervention.plan_id == filters.plan_id)
    if filters.priority_code:
        query = query.where(Intervention.priority_code == filters.priority_code)
    if filters.status:
        query = query.where(Action.status == filters.status)
    if filters.rag:
        query = query.where(Action.rag == filters.rag)
    if filters.overdue or filters.due_soon:
        query = query.where(Action.status.in_(OPEN_STATUSES), Action.due_date.is_not(None))
    if filters.overdue:
        query = query.where(Action.due_date < today)
    if filters.due_soon:
        horizon = today + timedelta(days=filters.due_soon_days)
        query = query.where(Action.due_date >= today, Action.due_date <= horizon)
    actions = list(session.scalars(query))
    if filters.lead:
        needle = filters.lead.casefold()
        actions = [
            a
            for a in actions
            if any(needle in str(x).casefold() for x in [*a.lead_roles, *a.lead_people])
        ]
    return actions


def is_overdue(action: Action, today: date | None = None) -> bool:
    today = today or date.today()
    return (
        action.status in OPEN_STATUSES and action.due_date is not None and action.due_date < today
    )


def get_action(session: Session, action_id: int) -> Action:
    action = session.get(Action, action_id)
    if action is None:
        raise NotFoundError(f"no action with id {action_id}")
    return action


def find_action(session: Session, plan_id: int, number: str) -> Action:
    """The action with a given number (e.g. ``4c.1.2``) in a plan."""
    action = session.scalars(
        select(Action)
        .join(Intervention)
        .where(Intervention.plan_id == plan_id, Action.number == number)
    ).first()
    if action is None:
        raise NotFoundError(f"no action numbered {number!r} in plan {plan_id}")
    return action


def _validate(changes: dict[str, Any]) -> None:
    if "status" in changes and changes["status"] not in STATUSES:
        raise ValueError(f"status must be one of {', '.join(STATUSES)}, not {changes['status']!r}")
    if changes.get("rag") is not None and changes["rag"] not in RAG:
        raise ValueError(f"rag must be one of {', '.join(RAG)}, not {changes['rag']!r}")
    start, due = changes.get("start_date"), changes.get("due_date")
    if start and due and due < start:
        raise ValueError(f"due date {due} is before start date {start}")


def create_action(
    session: Session, intervention_id: int, number: str, text: str, **fields
) -> Action:
    """Add an action at the end of an intervention."""
    _validate(fields)
    intervention = session.get(Intervention, intervention_id)
    if intervention is None:
        raise NotFoundError(f"no intervention with id {intervention_id}")
    action = Action(number=number, text=text, position=len(intervention.actions), **fields)
    intervention.actions.append(action)
    session.flush()
    return action


def update_action(
    session: Session, action_id: int, changes: dict[str, Any], expected_version: int | None
) -> Action:
    """Edit an action. Raises ``ConflictError`` when someone saved it after ``expected_version``."""
    _validate(changes)
    action = get_action(session, action_id)
    merged_start = changes.get("start_date", action.start_date)
    merged_due = changes.get("due_date", action.due_date)
    _validate({"start_date": merged_start, "due_date": merged_due})
    return apply_changes(session, action, changes, expected_version, ACTION_FIELDS)


def add_progress_update(
    session: Session,
    action_id: int,
    text: str,
    *,
    update_date: date | None = None,
    evidence: str = "",
    rag: str | None = None,
    author: str | None = None,
) -> ProgressUpdate:
    """Append a dated progress note; a RAG given here also becomes the action's current RAG."""
    if rag is not None and rag not in RAG:
        raise ValueError(f"rag must be one of {', '.join(RAG)}, not {rag!r}")
    action = get_action(session, action_id)
    update = ProgressUpdate(
        update_date=update_date or date.today(),
        text=text,
        evidence=evidence,
        rag=rag,
        author=author or session.info.get("user", ""),
    )
    action.progress_updates.append(update)
    if rag is not None:
        action.rag = rag
    session.flush()
    return update


def add_risk(session: Session, action_id: int, description: str, **fields: Any) -> Risk:
    action = get_action(session, action_id)
    risk = Risk(description=description, position=len(action.risks), **fields)
    action.risks.append(risk)
    session.flush()
    return risk


def add_target(
    session: Session, action_id: int, indicator_id: str, target_value: float, **fields: Any
) -> Target:
    """Link an action to a catalogue indicator id with a target value (and date)."""
    if not indicator_id or not indicator_id.replace("_", "").isalnum():
        raise ValueError(f"indicator id {indicator_id!r} is not a catalogue id like p4c_coc_...")
    action = get_action(session, action_id)
    target = Target(
        indicator_id=indicator_id,
        target_value=target_value,
        position=len(action.targets),
        **fields,
    )
    action.targets.append(target)
    session.flush()
    return target


def add_dependency(
    session: Session, action_id: int, depends_on_id: int, note: str = ""
) -> ActionDependency:
    """Record that one action waits for another; refuses self-links and cycles."""
    if action_id == depends_on_id:
        raise ValueError(f"action {action_id} cannot depend on itself")
    action = get_action(session, action_id)
    get_action(session, depends_on_id)
    if action_id in _upstream(session, depends_on_id):
        raise ValueError(
            f"action {action_id} cannot depend on action {depends_on_id}: that would make a cycle"
        )
    dependency = ActionDependency(depends_on_id=depends_on_id, note=note)
    action.dependencies.append(dependency)
    session.flush()
    return dependency


def _upstream(session: Session, action_id: int) -> set[int]:
    """Every action that ``action_id`` depends on, directly or not."""
    edges = session.execute(select(ActionDependency.action_id, ActionDependency.depends_on_id))
    graph: dict[int, set[int]] = {}
    for src, dst in edges:
        graph.setdefault(src, set()).add(dst)
    seen: set[int] = set()
    stack = [action_id]
    while stack:
        for nxt in graph.get(stack.pop(), ()):
            if nxt not in seen:
                seen.add(nxt)
                stack.append(nxt)
    return seen


def assessments_due(
    session: Session, plan_id: int, today: date | None = None
) -> list[HealthEquityAssessment]:
    """Health equity assessments whose review date has come (or has no date at all)."""
    today = today or date.today()
    query = (
        select(HealthEquityAssessment)
        .join(Intervention)
        .where(Intervention.plan_id == plan_id)
        .order_by(HealthEquityAssessment.review_date)
    )
    return [a for a in session.scalars(query) if a.review_date is None or a.review_date <= today]
