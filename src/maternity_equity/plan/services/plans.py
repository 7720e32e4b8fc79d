"""Reading and editing the plan as a whole (one database may hold several plans or versions)."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from maternity_equity.plan.errors import NotFoundError
from maternity_equity.plan.models import Intervention, Plan, PlanVersion, Priority
from maternity_equity.plan.services.concurrency import apply_changes

PLAN_FIELDS = frozenset(
    {
        "title",
        "lmns_name",
        "period_start",
        "period_end",
        "vision",
        "values",
        "aims",
        "population_summary",
        "resourcing",
        "continuous_improvement",
        "publication_date",
    }
)


def list_plans(session: Session) -> list[Plan]:
    """All plans, oldest first."""
    return list(session.scalars(select(Plan).order_by(Plan.id)))


def get_plan(session: Session, plan_id: int | None = None) -> Plan:
    """The plan with ``plan_id``; without an id, the only (or newest) plan in the database."""
    if plan_id is not None:
        plan = session.get(Plan, plan_id)
    else:
        plan = session.scalars(select(Plan).order_by(Plan.id.desc()).limit(1)).first()
    if plan is None:
        raise NotFoundError(
            f"no plan with id {plan_id}" if plan_id else "the database holds no plan yet"
        )
    return plan


def create_plan(session: Session, title: str, **fields: Any) -> Plan:
    """A new, empty plan."""
    unknown = set(fields) - PLAN_FIELDS
    if unknown:
        raise ValueError(f"unknown plan fields: {', '.join(sorted(unknown))}")
    plan = Plan(title=title, **fields)
    session.add(plan)
    session.flush()
    return plan


def update_plan(
    session: Session, plan_id: int, changes: dict[str, Any], expected_version: int | None
) -> Plan:
    """Change narrative fields of a plan; ``expected_version`` is the version the editor saw."""
    return apply_changes(
        session, get_plan(session, plan_id), changes, expected_version, PLAN_FIELDS
    )


def priorities(session: Session) -> list[Priority]:
    """The guidance's priorities and sub-priorities in reading order (reference data)."""
    return list(session.scalars(select(Priority).order_by(Priority.sort_order)))


def interventions_by_priority(session: Session, plan_id: int) -> dict[str, list[Intervention]]:
    """Interventions of a plan grouped by priority code, in plan order."""
    grouped: dict[str, list[Intervention]] = {p.code: [] for p in priorities(session)}
    for intervention in get_plan(session, plan_id).interventions:
        grouped.setdefault(intervention.priority_code, []).append(intervention)
    return grouped


def get_intervention(session: Session, intervention_id: int) -> Intervention:
    intervention = session.get(Intervention, intervention_id)
    if intervention is None:
        raise NotFoundError(f"no intervention with id {intervention_id}")
    return intervention


def snapshot_version(
    session: Session, plan_id: int, label: str, summary: str = "", issued_on: date | None = None
) -> PlanVersion:
    """Record a named version of the plan, keeping the full YAML export of that moment."""
    from maternity_equity.plan.yaml_io import export_plan_text

    plan = get_plan(session, plan_id)
    text = export_plan_text(session, plan.id)
    version = PlanVersion(
        label=label,
        summary=summary,
        issued_on=issued_on,
        snapshot_yaml=text,
        position=len(plan.versions),
    )
    plan.versions.append(version)
    session.flush()
    return version


INTERVENTION_FIELDS = frozenset(
    {"title", "description", "scope", "implementation", "groups_benefit", "priority_code"}
)
ASSESSMENT_FIELDS = frozenset(
    {"prepare", "assess", "refine", "review", "completed_by", "completed_on", "review_date"}
)
MILESTONE_FIELDS = frozenset({"title", "due_date", "achieved_on", "action_id"})


def update_intervention(
    session: Session, intervention_id: int, changes: dict[str, Any], expected_version: int | None
) -> Intervention:
    """Edit an intervention (scope ``national``/``local``; implementation ``all_lmns``/
    ``selected_lmns``)."""
    if "scope" in changes and changes["scope"] not in ("national", "local"):
        raise ValueError(f"scope must be national or local, not {changes['scope']!r}")
    if "implementation" in changes and changes["implementation"] not in (
        "all_lmns",
        "selected_lmns",
    ):
        raise ValueError("implementation must be all_lmns or selected_lmns")
    return apply_changes(
        session,
        get_intervention(session, intervention_id),
        changes,
        expected_version,
        INTERVENTION_FIELDS,
    )


def save_assessment(
    session: Session, intervention_id: int, changes: dict[str, Any], expected_version: int | None
):
    """Create or edit the health equity assessment (prepare, assess, refine, review) of an
    intervention; ``expected_version`` is ignored when there is none yet."""
    from maternity_equity.plan.models import HealthEquityAssessment

    intervention = get_intervention(session, intervention_id)
    if intervention.assessment is None:
        unknown = set(changes) - ASSESSMENT_FIELDS
        if unknown:
            raise ValueError(f"unknown assessment fields: {', '.join(sorted(unknown))}")
        intervention.assessment = HealthEquityAssessment(**changes)
        session.flush()
        return intervention.assessment
    return apply_changes(
        session, intervention.assessment, changes, expected_version, ASSESSMENT_FIELDS
    )


def add_milestone(
    session: Session,
    intervention_id: int,
    title: str,
    due_date: date | None = None,
    action_id: int | None = None,
):
    """Add a milestone to an intervention (optionally tied to one of its actions)."""
    from maternity_equity.plan.models import Milestone

    intervention = get_intervention(session, intervention_id)
    if action_id is not None and action_id not in {a.id for a in intervention.actions}:
        raise ValueError(f"action {action_id} is not an action of intervention {intervention.ref}")
    milestone = Milestone(
        title=title, due_date=due_date, action_id=action_id, position=len(intervention.milestones)
    )
    intervention.milestones.append(milestone)
    session.flush()
    return milestone


def update_milestone(
    session: Session, milestone_id: int, changes: dict[str, Any], expected_version: int | None
):
    """Edit a milestone, e.g. ``{"achieved_on": date.today()}``."""
    from maternity_equity.plan.models import Milestone

    milestone = session.get(Milestone, milestone_id)
    if milestone is None:
        raise NotFoundError(f"no milestone with id {milestone_id}")
    return apply_changes(session, milestone, changes, expected_version, MILESTONE_FIELDS)
