"""Whole-plan YAML import and export (format ``maternity-equity-plan/1``, see docs/plan.md).

Export then import then export gives the same text: lists keep their order (positions), dates
stay ISO dates, and links between parts use natural keys (intervention ``ref``, action
``number``) rather than database ids, so the file reads well and survives a new database.
Bad input raises ``ValueError`` naming the place in the file, e.g.
``interventions[2].actions[0].status: 'doing' is not one of not_started, ...``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from maternity_equity.plan.errors import NotFoundError
from maternity_equity.plan.models import (
    ASSET_CATEGORIES,
    RAG,
    STATUSES,
    Action,
    ActionDependency,
    Approval,
    CommunicationItem,
    CommunityAsset,
    CoproductionActionChange,
    CoproductionEvent,
    CoproductionGroup,
    FundingLine,
    HealthEquityAssessment,
    Interdependency,
    Intervention,
    Milestone,
    Plan,
    PlanRole,
    PlanVersion,
    Priority,
    ProgressUpdate,
    Risk,
    Target,
)
from maternity_equity.workforce import wres_io

FORMAT = "maternity-equity-plan/1"
# The C (libyaml) loader and dumper are ~10x faster; same output, pure-Python fallback.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)

# Field lists: (yaml key, model attribute, kind). Kind drives validation and conversion.
PLAN_FIELDS = [
    ("title", "title", "str!"),
    ("lmns_name", "lmns_name", "str"),
    ("period_start", "period_start", "date"),
    ("period_end", "period_end", "date"),
    ("publication_date", "publication_date", "date"),
    ("vision", "vision", "str"),
    ("values", "values", "list"),
    ("aims", "aims", "list"),
    ("population_summary", "population_summary", "str"),
    ("resourcing", "resourcing", "str"),
    ("continuous_improvement", "continuous_improvement", "str"),
]
ROLE_FIELDS = [
    ("role", "role", "str!"),
    ("person", "person", "str"),
    ("organisation", "organisation", "str"),
    ("responsibilities", "responsibilities", "str"),
]
INTERDEPENDENCY_FIELDS = [
    ("workstream", "workstream", "str!"),
    ("description", "description", "str"),
]
COMMUNICATION_FIELDS = [
    ("audience", "audience", "str!"),
    ("message", "message", "str"),
    ("channel", "channel", "str"),
    ("frequency", "frequency", "str"),
    ("owner", "owner", "str"),
]
APPROVAL_FIELDS = [
    ("body", "body", "str!"),
    ("decision", "decision", "str"),
    ("decided_on", "decided_on", "date"),
    ("plan_version", "plan_version_label", "str"),
    ("notes", "notes", "str"),
]
VERSION_FIELDS = [
    ("label", "label", "str!"),
    ("issued_on", "issued_on", "date"),
    ("summary", "summary", "str"),
]
INTERVENTION_FIELDS = [
    ("ref", "ref", "str!"),
    ("priority", "priority_code", "str!"),
    ("title", "title", "str!"),
    ("description", "description", "str"),
    ("scope", "scope", ("national", "local")),
    ("implementation", "implementation", ("all_lmns", "selected_lmns")),
    ("groups_benefit", "groups_benefit", "list"),
]
ASSESSMENT_FIELDS = [
    ("prepare", "prepare", "str"),
    ("assess", "assess", "str"),
    ("refine", "refine", "str"),
    ("review", "review", "str"),
    ("completed_by", "completed_by", "str"),
    ("completed_on", "completed_on", "date"),
    ("review_date", "review_date", "date"),
]
ACTION_FIELDS = [
    ("number", "number", "str!"),
    ("text", "text", "str!"),
    ("lead_roles", "lead_roles", "list"),
    ("lead_people", "lead_people", "list"),
    ("start_date", "start_date", "date"),
    ("due_date", "due_date", "date"),
    ("status", "status", STATUSES),
    ("rag", "rag", (None, *RAG)),
]
PROGRESS_FIELDS = [
    ("date", "update_date", "date!"),
    ("author", "author", "str"),
    ("text", "text", "str!"),
    ("evidence", "evidence", "str"),
    ("rag", "rag", (None, *RAG)),
]
RISK_FIELDS = [
    ("description", "description", "str!"),
    ("likelihood", "likelihood", "score"),
    ("impact", "impact", "score"),
    ("mitigation", "mitigation", "str"),
    ("owner", "owner", "str"),
]
TARGET_FIELDS = [
    ("indicator_id", "indicator_id", "str!"),
    ("description", "description", "str"),
    ("group", "group", "str"),
    ("comparison", "comparison", (">=", "<=")),
    ("value", "target_value", "number!"),
    ("date", "target_date", "date"),
    ("baseline_value", "baseline_value", "number"),
    ("baseline_date", "baseline_date", "date"),
]
MILESTONE_FIELDS = [
    ("title", "title", "str!"),
    ("due_date", "due_date", "date"),
    ("achieved_on", "achieved_on", "date"),
]
FUNDING_FIELDS = [
    ("source", "source", "str!"),
    ("purpose", "purpose", "str"),
    ("financial_year", "financial_year", "str"),
    ("amount_gbp", "amount_gbp", "number!"),
    ("recurrent", "recurrent", "bool"),
]
EVENT_FIELDS = [
    ("title", "title", "str!"),
    ("held_on", "held_on", "date!"),
    ("format", "format", "str"),
    ("location", "location", "str"),
    ("minutes_allocated", "minutes_allocated", "int"),
    ("reimbursement_offered", "reimbursement_offered", "str"),
    ("what_was_heard", "what_was_heard", "str"),
]
GROUP_FIELDS = [
    ("name", "name", "str!"),
    ("population_represented", "population_represented", "str"),
    ("participants", "participants", "int"),
]
ASSET_FIELDS = [
    ("name", "name", "str!"),
    ("organisation", "organisation", "str"),
    ("description", "description", "str"),
    ("categories", "categories", "categories"),
    ("languages", "languages", "list"),
    ("serves", "serves", "str"),
    ("place", "place", "str"),
    ("neighbourhood", "neighbourhood", "str"),
    ("postcode", "postcode", "str"),
    ("address", "address", "str"),
    ("contact_phone", "contact_phone", "str"),
    ("contact_email", "contact_email", "str"),
    ("website", "website", "str"),
    ("opening_times", "opening_times", "str"),
    ("last_verified", "last_verified", "date"),
]

_DEFAULTS = {
    "scope": "national",
    "implementation": "all_lmns",
    "status": "not_started",
    "comparison": ">=",
    "group": "All",
    "decision": "approved",
    "format": "meeting",
    "likelihood": 3,
    "impact": 3,
    "recurrent": False,
    "minutes_allocated": 0,
}


# ---------------------------------------------------------------- export


def _out(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, list):
        return list(value)
    return value


def _fields_out(obj: Any, fields: list) -> dict[str, Any]:
    return {key: _out(getattr(obj, attr)) for key, attr, _kind in fields}


def export_plan(session: Session, plan_id: int | None = None) -> dict[str, Any]:
    """The whole plan (plus the asset register and WRES returns) as plain data."""
    from maternity_equity.plan.services.plans import get_plan

    plan = get_plan(session, plan_id)
    action_numbers = {a.id: a.number for i in plan.interventions for a in i.actions}
    data: dict[str, Any] = {"format": FORMAT, "plan": _fields_out(plan, PLAN_FIELDS)}
    data["plan"]["roles"] = [_fields_out(r, ROLE_FIELDS) for r in plan.roles]
    data["plan"]["interdependencies"] = [
        _fields_out(r, INTERDEPENDENCY_FIELDS) for r in plan.interdependencies
    ]
    data["plan"]["communications"] = [
        _fields_out(r, COMMUNICATION_FIELDS) for r in plan.communications
    ]
    data["plan"]["approvals"] = [_fields_out(r, APPROVAL_FIELDS) for r in plan.approvals]
    data["plan"]["versions"] = [_fields_out(r, VERSION_FIELDS) for r in plan.versions]
    data["interventions"] = [_intervention_out(i, action_numbers) for i in plan.interventions]
    data["funding"] = [
        {
            **_fields_out(f, FUNDING_FIELDS),
            "intervention": f.intervention.ref if f.intervention else None,
        }
        for f in plan.funding_lines
    ]
    data["coproduction"] = [_event_out(e) for e in plan.coproduction_events]
    assets = session.scalars(select(CommunityAsset).order_by(CommunityAsset.name))
    data["community_assets"] = [_fields_out(a, ASSET_FIELDS) for a in assets]
    data["wres_returns"] = wres_io.export_returns(session)
    return data


def _intervention_out(intervention: Intervention, numbers: dict[int, str]) -> dict[str, Any]:
    out = _fields_out(intervention, INTERVENTION_FIELDS)
    out["assessment"] = (
        _fields_out(intervention.assessment, ASSESSMENT_FIELDS) if intervention.assessment else None
    )
    out["actions"] = [_action_out(a, numbers) for a in intervention.actions]
    out["milestones"] = [
        {**_fields_out(m, MILESTONE_FIELDS), "action": m.action.number if m.action else None}
        for m in intervention.milestones
    ]
    return out


def _action_out(action: Action, numbers: dict[int, str]) -> dict[str, Any]:
    out = _fields_out(action, ACTION_FIELDS)
    out["progress"] = [_fields_out(p, PROGRESS_FIELDS) for p in action.progress_updates]
    out["risks"] = [_fields_out(r, RISK_FIELDS) for r in action.risks]
    out["targets"] = [_fields_out(t, TARGET_FIELDS) for t in action.targets]
    out["depends_on"] = [
        {"action": numbers[d.depends_on_id], "note": d.note} for d in action.dependencies
    ]
    return out


def _event_out(event: CoproductionEvent) -> dict[str, Any]:
    out = _fields_out(event, EVENT_FIELDS)
    out["groups"] = [_fields_out(g, GROUP_FIELDS) for g in event.groups]
    out["changed_actions"] = [
        {"action": c.action.number, "change": c.change} for c in event.action_changes
    ]
    return out


def dump_yaml(data: dict[str, Any]) -> str:
    """YAML text with keys in our order and long text kept readable."""
    return yaml.dump(data, Dumper=_DUMPER, sort_keys=False, allow_unicode=True, width=100)


def parse_yaml(text: str) -> dict[str, Any]:
    """Parse plan YAML text (safe loader: no Python objects)."""
    return yaml.load(text, Loader=_LOADER)


def export_plan_text(session: Session, plan_id: int | None = None) -> str:
    return dump_yaml(export_plan(session, plan_id))


def export_plan_file(session: Session, path: Path | str, plan_id: int | None = None) -> Path:
    path = Path(path)
    path.write_text(export_plan_text(session, plan_id), encoding="utf-8")
    return path


# ---------------------------------------------------------------- import


def _convert(value: Any, kind: Any, where: str) -> Any:
    """Check one value against its kind; ``!`` marks a required field."""
    required = isinstance(kind, str) and kind.endswith("!")
    base = kind.rstrip("!") if isinstance(kind, str) else kind
    if value is None:
        if required:
            raise ValueError(f"{where}: is required")
        if base == "list" or base == "categories":
            return []
        if base == "str":
            return ""
        return None
    if isinstance(base, tuple):
        if value not in base:
            allowed = ", ".join(str(v) for v in base if v is not None)
            raise ValueError(f"{where}: {value!r} is not one of {allowed}")
        return value
    checks: dict[str, Callable[[Any], bool]] = {
        "str": lambda v: isinstance(v, str),
        "date": lambda v: isinstance(v, date),
        "list": lambda v: isinstance(v, list) and all(isinstance(x, str) for x in v),
        "categories": lambda v: isinstance(v, list),
        "number": lambda v: isinstance(v, int | float) and not isinstance(v, bool),
        "int": lambda v: isinstance(v, int) and not isinstance(v, bool) and v >= 0,
        "score": lambda v: isinstance(v, int) and 1 <= v <= 5,
        "bool": lambda v: isinstance(v, bool),
    }
    if not checks[base](value):
        hint = {
            "date": "an ISO date like 2024-03-31",
            "list": "a list of text items",
            "score": "a whole number from 1 to 5",
            "int": "a whole number, 0 or more",
        }.get(base, f"a {base}")
        raise ValueError(f"{where}: {value!r} should be {hint}")
    if base == "str" and required and not value.strip():
        raise ValueError(f"{where}: is required")
    if base == "categories":
        bad = [c for c in value if c not in ASSET_CATEGORIES]
        if bad:
            raise ValueError(
                f"{where}: unknown categories {bad}; use {', '.join(ASSET_CATEGORIES)}"
            )
    return value


def _fields_in(item: Any, fields: list, where: str, extra: tuple[str, ...] = ()) -> dict:
    if not isinstance(item, dict):
        raise ValueError(f"{where}: should be a mapping of field names to values")
    known = {key for key, _attr, _kind in fields} | set(extra)
    unknown = sorted(set(item) - known)
    if unknown:
        raise ValueError(f"{where}: unknown field(s) {', '.join(unknown)}")
    values = {}
    for key, attr, kind in fields:
        value = item.get(key, _DEFAULTS.get(key))
        values[attr] = _convert(value, kind, f"{where}.{key}")
    return values


def _list(data: dict, key: str, where: str) -> list:
    value = data.get(key) or []
    if not isinstance(value, list):
        raise ValueError(f"{where}.{key}: should be a list")
    return value


def import_plan(session: Session, data: dict[str, Any], *, replace: bool = False) -> Plan:
    """Create the plan described by ``data`` (as ``export_plan`` makes it).

    A plan with the same title must not exist unless ``replace`` is true (then it is deleted
    first). Assets are matched by name and updated; WRES returns by organisation, period and
    staff group. Nothing is written unless the whole file is valid (one flush at the end).
    """
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ValueError(f"plan file: 'format' must be {FORMAT!r}")
    known = {
        "format",
        "plan",
        "interventions",
        "funding",
        "coproduction",
        "community_assets",
        "wres_returns",
    }
    unknown = sorted(set(data) - known)
    if unknown:
        raise ValueError(f"plan file: unknown section(s) {', '.join(unknown)}")
    plan_data = data.get("plan")
    if not isinstance(plan_data, dict):
        raise ValueError("plan: section is missing")
    children = ("roles", "interdependencies", "communications", "approvals", "versions")
    plan = Plan(**_fields_in(plan_data, PLAN_FIELDS, "plan", extra=children))
    existing = session.scalars(select(Plan).where(Plan.title == plan.title)).first()
    if existing is not None:
        if not replace:
            raise ValueError(
                f"plan: a plan titled {plan.title!r} already exists (id {existing.id}); "
                "import with replace to overwrite it"
            )
        session.delete(existing)
        session.flush()
    for key, model, fields, target in [
        ("roles", PlanRole, ROLE_FIELDS, plan.roles),
        ("interdependencies", Interdependency, INTERDEPENDENCY_FIELDS, plan.interdependencies),
        ("communications", CommunicationItem, COMMUNICATION_FIELDS, plan.communications),
        ("approvals", Approval, APPROVAL_FIELDS, plan.approvals),
        ("versions", PlanVersion, VERSION_FIELDS, plan.versions),
    ]:
        for n, item in enumerate(_list(plan_data, key, "plan")):
            target.append(model(position=n, **_fields_in(item, fields, f"plan.{key}[{n}]")))

    priorities = set(session.scalars(select(Priority.code)))
    actions_by_number: dict[str, Action] = {}
    pending_links: list[tuple[Action, str, str, str]] = []
    interventions_by_ref: dict[str, Intervention] = {}
    for n, item in enumerate(_list(data, "interventions", "plan file")):
        where = f"interventions[{n}]"
        intervention = _intervention_in(
            item, where, n, priorities, actions_by_number, pending_links
        )
        if intervention.ref in interventions_by_ref:
            raise ValueError(f"{where}.ref: {intervention.ref!r} appears twice")
        interventions_by_ref[intervention.ref] = intervention
        plan.interventions.append(intervention)
    for action, number, note, where in pending_links:
        if number not in actions_by_number:
            raise ValueError(f"{where}: no action numbered {number!r} in this plan")
        action.dependencies.append(
            ActionDependency(depends_on=actions_by_number[number], note=note)
        )
    for n, item in enumerate(_list(data, "funding", "plan file")):
        where = f"funding[{n}]"
        values = _fields_in(item, FUNDING_FIELDS, where, extra=("intervention",))
        ref = item.get("intervention")
        if ref is not None and ref not in interventions_by_ref:
            raise ValueError(f"{where}.intervention: no intervention with ref {ref!r}")
        plan.funding_lines.append(
            FundingLine(position=n, intervention=interventions_by_ref.get(ref), **values)
        )
    for n, item in enumerate(_list(data, "coproduction", "plan file")):
        plan.coproduction_events.append(_event_in(item, f"coproduction[{n}]", n, actions_by_number))
    session.add(plan)
    for n, item in enumerate(_list(data, "community_assets", "plan file")):
        _asset_in(session, item, f"community_assets[{n}]")
    wres_io.import_returns(session, _list(data, "wres_returns", "plan file"))
    session.flush()
    return plan


def _intervention_in(
    item: dict,
    where: str,
    position: int,
    priorities: set[str],
    actions_by_number: dict[str, Action],
    pending_links: list,
) -> Intervention:
    extra = ("assessment", "actions", "milestones")
    values = _fields_in(item, INTERVENTION_FIELDS, where, extra=extra)
    if values["priority_code"] not in priorities:
        raise ValueError(
            f"{where}.priority: {values['priority_code']!r} is not one of "
            f"{', '.join(sorted(priorities))}"
        )
    intervention = Intervention(position=position, **values)
    if item.get("assessment") is not None:
        intervention.assessment = HealthEquityAssessment(
            **_fields_in(item["assessment"], ASSESSMENT_FIELDS, f"{where}.assessment")
        )
    for n, action_item in enumerate(_list(item, "actions", where)):
        action_where = f"{where}.actions[{n}]"
        action = _action_in(action_item, action_where, n, pending_links)
        if action.number in actions_by_number:
            raise ValueError(f"{action_where}.number: {action.number!r} appears twice")
        actions_by_number[action.number] = action
        intervention.actions.append(action)
    for n, m_item in enumerate(_list(item, "milestones", where)):
        m_where = f"{where}.milestones[{n}]"
        values = _fields_in(m_item, MILESTONE_FIELDS, m_where, extra=("action",))
        number = m_item.get("action")
        own = {a.number: a for a in intervention.actions}
        if number is not None and number not in own:
            raise ValueError(f"{m_where}.action: no action numbered {number!r} in {where}")
        intervention.milestones.append(Milestone(position=n, action=own.get(number), **values))
    return intervention


def _action_in(item: dict, where: str, position: int, pending_links: list) -> Action:
    extra = ("progress", "risks", "targets", "depends_on")
    values = _fields_in(item, ACTION_FIELDS, where, extra=extra)
    if values["start_date"] and values["due_date"] and values["due_date"] < values["start_date"]:
        raise ValueError(f"{where}.due_date: {values['due_date']} is before the start date")
    action = Action(position=position, **values)
    for n, p in enumerate(_list(item, "progress", where)):
        action.progress_updates.append(
            ProgressUpdate(**_fields_in(p, PROGRESS_FIELDS, f"{where}.progress[{n}]"))
        )
    for n, r in enumerate(_list(item, "risks", where)):
        action.risks.append(Risk(position=n, **_fields_in(r, RISK_FIELDS, f"{where}.risks[{n}]")))
    for n, t in enumerate(_list(item, "targets", where)):
        action.targets.append(
            Target(position=n, **_fields_in(t, TARGET_FIELDS, f"{where}.targets[{n}]"))
        )
    for n, d in enumerate(_list(item, "depends_on", where)):
        d_where = f"{where}.depends_on[{n}]"
        if not isinstance(d, dict) or not isinstance(d.get("action"), str):
            raise ValueError(f"{d_where}: should be a mapping with 'action' (a number) and 'note'")
        pending_links.append((action, d["action"], d.get("note") or "", f"{d_where}.action"))
    return action


def _event_in(
    item: dict, where: str, position: int, actions_by_number: dict[str, Action]
) -> CoproductionEvent:
    values = _fields_in(item, EVENT_FIELDS, where, extra=("groups", "changed_actions"))
    event = CoproductionEvent(position=position, **values)
    for n, g in enumerate(_list(item, "groups", where)):
        event.groups.append(
            CoproductionGroup(position=n, **_fields_in(g, GROUP_FIELDS, f"{where}.groups[{n}]"))
        )
    for n, c in enumerate(_list(item, "changed_actions", where)):
        c_where = f"{where}.changed_actions[{n}]"
        number = c.get("action") if isinstance(c, dict) else None
        if number not in actions_by_number:
            raise ValueError(f"{c_where}.action: no action numbered {number!r} in this plan")
        event.action_changes.append(
            CoproductionActionChange(
                position=n, action=actions_by_number[number], change=c.get("change") or ""
            )
        )
    return event


def _asset_in(session: Session, item: dict, where: str) -> CommunityAsset:
    values = _fields_in(item, ASSET_FIELDS, where)
    asset = session.scalars(
        select(CommunityAsset).where(CommunityAsset.name == values["name"])
    ).first()
    if asset is None:
        asset = CommunityAsset(**values)
        session.add(asset)
    else:
        for key, value in values.items():
            setattr(asset, key, value)
    return asset


def load_yaml(path: Path | str) -> dict[str, Any]:
    """Read a plan file; YAML errors are re-raised naming the file."""
    path = Path(path)
    try:
        data = parse_yaml(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise ValueError(f"{path}: not valid YAML: {exc}") from exc
    if not isinstance(data, dict):
        raise ValueError(f"{path}: should hold a mapping with a 'format' key")
    return data


def import_plan_file(session: Session, path: Path | str, *, replace: bool = False) -> Plan:
    """Import a plan file; errors name the file and the place in it."""
    try:
        return import_plan(session, load_yaml(path), replace=replace)
    except ValueError as exc:
        message = str(exc)
        if not message.startswith(str(path)):
            raise ValueError(f"{path}: {message}") from exc
        raise


def example_plan_path() -> Path:
    """The example plan shipped with the package (fictional LMNS, our own words)."""
    path = Path(__file__).resolve().parent / "examples" / "example_plan.yaml"
    if not path.exists():  # pragma: no cover - packaging error
        raise NotFoundError(f"example plan missing at {path}")
    return path
