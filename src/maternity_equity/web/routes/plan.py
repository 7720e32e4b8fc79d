"""Action plan: priorities, interventions, actions; edit forms, progress, co-production, audit."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import RedirectResponse

from maternity_equity.plan.errors import ConflictError, NotFoundError
from maternity_equity.plan.models import RAG, STATUSES
from maternity_equity.plan.services import actions as action_service
from maternity_equity.plan.services import plans as plan_service
from maternity_equity.plan.services.history import changed_fields, history
from maternity_equity.publish.counts import published_counts
from maternity_equity.web import charts, plan_data, views
from maternity_equity.web.deps import render, require, web
from maternity_equity.web.forms import date_parts, parse_date_parts, split_list
from maternity_equity.web.fragments import content, kept, render_part
from maternity_equity.web.roles import Role, can_edit_plan, sees_unsuppressed
from maternity_equity.web.users import User
from maternity_equity.web.workforce import wres_model

router = APIRouter(include_in_schema=False)

STATUS_LABELS = {
    "not_started": "Not started",
    "in_progress": "In progress",
    "complete": "Complete",
    "on_hold": "On hold",
    "cancelled": "Cancelled",
}
RAG_LABELS = {"red": "Red", "amber": "Amber", "green": "Green", "blue": "Blue (complete)"}
RAG_TAGS = {
    "red": "nhsuk-tag--red",
    "amber": "nhsuk-tag--orange",
    "green": "nhsuk-tag--green",
    "blue": "nhsuk-tag--blue",
}
VIEWS = {"all": "All actions", "overdue": "Overdue", "due_soon": "Due in the next 30 days"}


def _not_ready(request: Request):
    return render(request, "plan_empty.html", title="Action plan")


@router.get("/plan")
def plan_page(
    request: Request,
    view: str = "all",
    status: str = "",
    rag: str = "",
    user: User = Depends(require(Role.viewer)),
):
    engine = web(request).engine
    if not plan_data.plan_ready(engine):
        return _not_ready(request)
    view = view if view in VIEWS else "all"
    filters = action_service.ActionFilter(
        overdue=view == "overdue",
        due_soon=view == "due_soon",
        status=status if status in STATUSES else None,
        rag=rag if rag in RAG else None,
    )
    today = date.today()
    key = (
        "plan",
        plan_data.plan_version(engine),
        view,
        filters.status,
        filters.rag,
        can_edit_plan(user.role),
        today,
    )
    body = kept(web(request), key, lambda: _plan_body(request, filters, view, user, today))
    return render(request, "plan.html", title="Action plan", body=body)


def _plan_body(request: Request, filters, view: str, user: User, today: date) -> str:
    """The plan page's body: actions grouped by priority and intervention (rendered while the
    session is open, since the template follows the actions' relationships)."""
    with plan_data.reading(web(request).engine) as session:
        plans = plan_service.list_plans(session)
        actions = action_service.list_actions(session, filters, today=today)
        plan_data.with_assessments(session, [a.intervention for a in actions])
        priorities = {p.code: p.title for p in plan_service.priorities(session)}
        groups: dict[str, dict] = {}
        for action in actions:
            inter = action.intervention
            group = groups.setdefault(
                inter.priority_code,
                {
                    "code": inter.priority_code,
                    "title": priorities.get(inter.priority_code, ""),
                    "interventions": {},
                },
            )
            group["interventions"].setdefault(inter.id, {"intervention": inter, "actions": []})[
                "actions"
            ].append({"action": action, "overdue": action_service.is_overdue(action, today)})
        return render_part(
            web(request),
            "parts/plan.html",
            plan=plans[0] if plans else None,
            groups=list(groups.values()),
            view=view,
            views=VIEWS,
            status=filters.status or "",
            rag=filters.rag or "",
            statuses=STATUS_LABELS,
            rags=RAG_LABELS,
            rag_tags=RAG_TAGS,
            count=len(actions),
            can_edit=can_edit_plan(user.role),
            today=today,
        )


def _load_action(session, action_id: int):
    try:
        return action_service.get_action(session, action_id)
    except NotFoundError:
        raise HTTPException(
            status_code=404, detail="There is no action with that number."
        ) from None


def _sparklines(request: Request, action, unsuppressed: bool) -> list[dict]:
    """Each linked indicator's LMNS series against the action's target."""
    data = web(request).data
    out = []
    for target in action.targets:
        ind = data.indicator(target.indicator_id)
        if ind is None:
            out.append({"target": target, "indicator": None, "chart": None})
            continue
        lmns = data.slice(
            unsuppressed=True, indicator_id=ind.id, breakdown="all", geography_type="lmns"
        )
        chart = None
        if not lmns.empty:
            _, frame = views.series(
                data, ind, "lmns", lmns.iloc[0]["geography_code"], unsuppressed=unsuppressed
            )
            frame = frame[frame["value"].notna()]
            if len(frame) >= 2:
                spec = charts.trend_line(
                    frame[["period_start", "value"]].to_dict("records"),
                    series=None,
                    title=f"{ind.name}: trend against target {float(target.target_value):g}",
                    value_title=views.value_title(ind),
                    description=f"{ind.name} for the LMNS over time; latest "
                    f"{frame['value'].iloc[-1]:.1f}; target {float(target.target_value):g}.",
                    width=320,
                    height=120,
                )
                chart = {
                    "svg": charts.render_svg(spec),
                    "latest": frame["value"].iloc[-1],
                    "latest_date": frame["period_start"].iloc[-1],
                }
        out.append({"target": target, "indicator": ind, "chart": chart})
    return out


@router.get("/plan/actions/{action_id}")
def action_page(request: Request, action_id: int, user: User = Depends(require(Role.viewer))):
    engine = web(request).engine
    if not plan_data.plan_ready(engine):
        return _not_ready(request)
    with plan_data.reading(engine) as session:
        action = _load_action(session, action_id)
        entries = history(session, "actions", action_id, limit=50)
        audit = [{"entry": e, "fields": changed_fields(e)} for e in entries]
        sparklines = _sparklines(request, action, sees_unsuppressed(user.role))
        milestones = list(action.milestones)
        updates = sorted(action.progress_updates, key=lambda u: u.update_date, reverse=True)
        return render(
            request,
            "action.html",
            title=f"Action {action.number}",
            action=action,
            audit=audit,
            sparklines=sparklines,
            milestones=milestones,
            updates=updates,
            statuses=STATUS_LABELS,
            rags=RAG_LABELS,
            rag_tags=RAG_TAGS,
            can_edit=can_edit_plan(user.role),
            overdue=action_service.is_overdue(action),
            errors={},
            saved=request.query_params.get("saved"),
        )


def _edit_context(action, values: dict, errors: dict, conflict: str | None = None) -> dict:
    return {
        "title": f"Change action {action.number}",
        "action": action,
        "values": values,
        "errors": errors,
        "statuses": STATUS_LABELS,
        "rags": RAG_LABELS,
        "conflict": conflict,
    }


def _values_from_action(action) -> dict:
    return {
        "status": action.status,
        "rag": action.rag or "",
        "start": date_parts(action.start_date),
        "due": date_parts(action.due_date),
        "lead_roles": "\n".join(action.lead_roles),
        "lead_people": "\n".join(action.lead_people),
        "version": action.version,
    }


@router.get("/plan/actions/{action_id}/edit")
def edit_action_page(request: Request, action_id: int, user: User = Depends(require(Role.editor))):
    engine = web(request).engine
    with plan_data.reading(engine) as session:
        action = _load_action(session, action_id)
        return render(
            request, "action_edit.html", **_edit_context(action, _values_from_action(action), {})
        )


@router.post("/plan/actions/{action_id}/edit")
def edit_action(
    request: Request,
    action_id: int,
    status: str = Form(""),
    rag: str = Form(""),
    start_day: str = Form(""),
    start_month: str = Form(""),
    start_year: str = Form(""),
    due_day: str = Form(""),
    due_month: str = Form(""),
    due_year: str = Form(""),
    lead_roles: str = Form(""),
    lead_people: str = Form(""),
    version: int = Form(...),
    user: User = Depends(require(Role.editor)),
):
    engine = web(request).engine
    values = {
        "status": status,
        "rag": rag,
        "start": {"day": start_day, "month": start_month, "year": start_year},
        "due": {"day": due_day, "month": due_month, "year": due_year},
        "lead_roles": lead_roles,
        "lead_people": lead_people,
        "version": version,
    }
    errors: dict[str, str] = {}
    if status not in STATUSES:
        errors["status"] = "Select the status of the action"
    if rag and rag not in RAG:
        errors["rag"] = "Select a RAG rating"
    start, err = parse_date_parts(start_day, start_month, start_year, "Start date")
    if err:
        errors["start-day"] = err
    due, err = parse_date_parts(due_day, due_month, due_year, "Due date")
    if err:
        errors["due-day"] = err
    if start and due and due < start:
        errors["due-day"] = "Due date must be the same as or after the start date"
    if not errors:
        changes = {
            "status": status,
            "rag": rag or None,
            "start_date": start,
            "due_date": due,
            "lead_roles": split_list(lead_roles),
            "lead_people": split_list(lead_people),
        }
        try:
            with plan_data.writing(engine, user.username) as session:
                action_service.update_action(session, action_id, changes, version)
            return RedirectResponse(f"/plan/actions/{action_id}?saved=1", status_code=303)
        except NotFoundError:
            raise HTTPException(
                status_code=404, detail="There is no action with that number."
            ) from None
        except ConflictError as exc:
            with plan_data.reading(engine) as session:
                action = _load_action(session, action_id)
                fresh = _values_from_action(action)
                return render(
                    request,
                    "action_edit.html",
                    409,
                    **_edit_context(
                        action,
                        {**values, "version": fresh["version"]},
                        {"status": "Someone else changed this action while you were editing"},
                        conflict=str(exc),
                    ),
                )
        except ValueError as exc:
            errors["status"] = str(exc).capitalize()
    with plan_data.reading(engine) as session:
        action = _load_action(session, action_id)
        return render(request, "action_edit.html", 400, **_edit_context(action, values, errors))


@router.post("/plan/actions/{action_id}/progress")
def add_progress(
    request: Request,
    action_id: int,
    text: str = Form(""),
    rag: str = Form(""),
    user: User = Depends(require(Role.editor)),
):
    engine = web(request).engine
    if not text.strip() or (rag and rag not in RAG):
        with plan_data.reading(engine) as session:
            action = _load_action(session, action_id)
            errors = {}
            if not text.strip():
                errors["progress-text"] = "Enter what has happened since the last update"
            if rag and rag not in RAG:
                errors["progress-rag"] = "Select a RAG rating"
            updates = sorted(action.progress_updates, key=lambda u: u.update_date, reverse=True)
            entries = history(session, "actions", action_id, limit=50)
            return render(
                request,
                "action.html",
                400,
                title=f"Action {action.number}",
                action=action,
                audit=[{"entry": e, "fields": changed_fields(e)} for e in entries],
                sparklines=[],
                milestones=list(action.milestones),
                updates=updates,
                statuses=STATUS_LABELS,
                rags=RAG_LABELS,
                rag_tags=RAG_TAGS,
                can_edit=True,
                overdue=action_service.is_overdue(action),
                errors=errors,
                saved=None,
            )
    try:
        with plan_data.writing(engine, user.username) as session:
            action_service.add_progress_update(
                session, action_id, text.strip(), rag=rag or None, author=user.display_name
            )
    except NotFoundError:
        raise HTTPException(
            status_code=404, detail="There is no action with that number."
        ) from None
    return RedirectResponse(f"/plan/actions/{action_id}?saved=progress", status_code=303)


@router.get("/plan/coproduction")
def coproduction(request: Request, user: User = Depends(require(Role.viewer))):
    engine = web(request).engine
    if not plan_data.plan_ready(engine):
        return _not_ready(request)
    from maternity_equity.plan.services import coproduction as copro

    with plan_data.reading(engine) as session:
        plans = plan_service.list_plans(session)
        events = copro.list_events(session, plans[0].id) if plans else []
        return render(
            request,
            "coproduction.html",
            title="Co-production plan",
            events=events,
            participants=_participants(events, sees_unsuppressed(user.role)),
        )


def _participants(events, unsuppressed: bool) -> dict[int, float | None]:
    """People heard per group, published (rounded) below analyst as every count is."""
    groups = [g for e in events for g in e.groups]
    counts = [g.participants for g in groups]
    if not unsuppressed:
        counts = published_counts([float("nan") if c is None else c for c in counts]).tolist()
    return {g.id: None if c is None or c != c else c for g, c in zip(groups, counts, strict=True)}


@router.get("/plan/audit")
def audit_page(request: Request, user: User = Depends(require(Role.editor))):
    engine = web(request).engine
    if not plan_data.plan_ready(engine):
        return _not_ready(request)
    from maternity_equity.web.users import recent_audit

    sign_ins = recent_audit(engine, limit=100) if user.role >= Role.admin else []
    with plan_data.reading(engine) as session:
        entries = [{"entry": e, "fields": changed_fields(e)} for e in history(session, limit=200)]
        return render(request, "audit.html", title="Audit log", entries=entries, sign_ins=sign_ins)


@router.get("/plan/wres")
def wres(request: Request, user: User = Depends(require(Role.viewer))):
    """Workforce Race Equality Standard indicators 1-9, latest year, from the results table."""
    data = web(request).data
    unsuppressed = sees_unsuppressed(user.role)
    model = data.memo(("wres", unsuppressed), lambda: wres_model(data, unsuppressed=unsuppressed))
    body = content(
        web(request),
        ("wres", unsuppressed),
        "parts/wres.html",
        rows=model["rows"],
        bands=model["bands"],
        unsuppressed=unsuppressed,
    )
    return render(request, "wres.html", title="Workforce Race Equality Standard", body=body)
