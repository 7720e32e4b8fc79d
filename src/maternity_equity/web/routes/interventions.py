"""Interventions: what each one is, its actions and milestones, and its health equity
assessment (HEAT: prepare, assess, refine, review), which editors keep up to date."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import RedirectResponse

from maternity_equity.plan.errors import ConflictError, NotFoundError
from maternity_equity.plan.services import actions as action_service
from maternity_equity.plan.services import plans as plan_service
from maternity_equity.plan.services.history import changed_fields, history
from maternity_equity.web import plan_data
from maternity_equity.web.deps import render, require, web
from maternity_equity.web.forms import date_parts, parse_date_parts
from maternity_equity.web.roles import Role, can_edit_plan
from maternity_equity.web.routes.plan import RAG_LABELS, RAG_TAGS, STATUS_LABELS
from maternity_equity.web.users import User

router = APIRouter(include_in_schema=False)

HEAT_STEPS = (  # field, heading, what the step asks (HEAT: Public Health England, 2020)
    ("prepare", "Prepare", "What data and voices were gathered about who the intervention serves"),
    ("assess", "Assess", "The inequalities found, and who could benefit or be left out"),
    ("refine", "Refine", "What was changed in the intervention to reduce those inequalities"),
    ("review", "Review", "How and when the effect on inequalities is checked"),
)
SCOPES = {"national": "National (from the guidance)", "local": "Local"}
IMPLEMENTATION = {"all_lmns": "All LMNSs", "selected_lmns": "Selected LMNSs"}
NO_SUCH = "There is no intervention with that number."


def _load(session, intervention_id: int):
    try:
        return plan_service.get_intervention(session, intervention_id)
    except NotFoundError:
        raise HTTPException(status_code=404, detail=NO_SUCH) from None


def review_state(assessment, today: date | None = None) -> str:
    """ "overdue", "due" (within 30 days), "" (later), or "none" (no review date set)."""
    if assessment is None:
        return ""
    if assessment.review_date is None:
        return "none"
    today = today or date.today()
    if assessment.review_date < today:
        return "overdue"
    return "due" if (assessment.review_date - today).days <= 30 else ""


@router.get("/plan/interventions/{intervention_id}")
def intervention_page(
    request: Request, intervention_id: int, user: User = Depends(require(Role.viewer))
):
    engine = web(request).engine
    if not plan_data.plan_ready(engine):
        return render(request, "plan_empty.html", title="Action plan")
    with plan_data.reading(engine) as session:
        inter = _load(session, intervention_id)
        assessment = inter.assessment
        audit = []
        if assessment is not None and can_edit_plan(user.role):
            entries = history(session, "health_equity_assessments", assessment.id, limit=20)
            audit = [{"entry": e, "fields": changed_fields(e)} for e in entries]
        return render(
            request,
            "intervention.html",
            title=f"Intervention {inter.ref}",
            intervention=inter,
            assessment=assessment,
            review=review_state(assessment),
            steps=HEAT_STEPS,
            actions=[{"action": a, "overdue": action_service.is_overdue(a)} for a in inter.actions],
            milestones=list(inter.milestones),
            scopes=SCOPES,
            implementation=IMPLEMENTATION,
            statuses=STATUS_LABELS,
            rags=RAG_LABELS,
            rag_tags=RAG_TAGS,
            can_edit=can_edit_plan(user.role),
            audit=audit,
            saved=request.query_params.get("saved"),
        )


def _values(assessment) -> dict:
    if assessment is None:
        return {
            **{field: "" for field, _, _ in HEAT_STEPS},
            "completed_by": "",
            "completed_on": date_parts(None),
            "review_date": date_parts(None),
            "version": "",
        }
    return {
        **{field: getattr(assessment, field) for field, _, _ in HEAT_STEPS},
        "completed_by": assessment.completed_by,
        "completed_on": date_parts(assessment.completed_on),
        "review_date": date_parts(assessment.review_date),
        "version": assessment.version,
    }


def _form(request: Request, inter, values: dict, errors: dict, status: int = 200, conflict=None):
    return render(
        request,
        "assessment_edit.html",
        status,
        title=f"Health equity assessment: intervention {inter.ref}",
        intervention=inter,
        values=values,
        errors=errors,
        steps=HEAT_STEPS,
        conflict=conflict,
    )


@router.get("/plan/interventions/{intervention_id}/assessment")
def edit_assessment_page(
    request: Request, intervention_id: int, user: User = Depends(require(Role.editor))
):
    with plan_data.reading(web(request).engine) as session:
        inter = _load(session, intervention_id)
        return _form(request, inter, _values(inter.assessment), {})


@router.post("/plan/interventions/{intervention_id}/assessment")
def edit_assessment(
    request: Request,
    intervention_id: int,
    prepare: str = Form(""),
    assess: str = Form(""),
    refine: str = Form(""),
    review: str = Form(""),
    completed_by: str = Form(""),
    completed_on_day: str = Form(""),
    completed_on_month: str = Form(""),
    completed_on_year: str = Form(""),
    review_date_day: str = Form(""),
    review_date_month: str = Form(""),
    review_date_year: str = Form(""),
    version: str = Form(""),
    user: User = Depends(require(Role.editor)),
):
    """Create the assessment (no version yet) or change it (``version`` as opened)."""
    engine = web(request).engine
    texts = {"prepare": prepare, "assess": assess, "refine": refine, "review": review}
    values = {
        **texts,
        "completed_by": completed_by,
        "completed_on": {
            "day": completed_on_day,
            "month": completed_on_month,
            "year": completed_on_year,
        },
        "review_date": {
            "day": review_date_day,
            "month": review_date_month,
            "year": review_date_year,
        },
        "version": version,
    }
    errors: dict[str, str] = {}
    if not any(text.strip() for text in texts.values()):
        errors["prepare"] = "Enter at least one step of the assessment"
    completed_on, err = parse_date_parts(
        completed_on_day, completed_on_month, completed_on_year, "Date completed"
    )
    if err:
        errors["completed_on-day"] = err
    review_date, err = parse_date_parts(
        review_date_day, review_date_month, review_date_year, "Review date"
    )
    if err:
        errors["review_date-day"] = err
    if completed_on and review_date and review_date < completed_on:
        errors["review_date-day"] = "Review date must be the same as or after the date completed"
    if version and not version.isdigit():
        errors["prepare"] = "The form was damaged: open the page again and make your change"
    if not errors:
        changes = {
            **{k: v.strip() for k, v in texts.items()},
            "completed_by": completed_by.strip(),
            "completed_on": completed_on,
            "review_date": review_date,
        }
        try:
            with plan_data.writing(engine, user.username) as session:
                existing = plan_service.get_intervention(session, intervention_id).assessment
                if existing is not None and not version:  # opened before anyone wrote one
                    raise ConflictError("HealthEquityAssessment", existing.id, 0, existing.version)
                plan_service.save_assessment(
                    session, intervention_id, changes, int(version) if version else None
                )
            return RedirectResponse(
                f"/plan/interventions/{intervention_id}?saved=1", status_code=303
            )
        except NotFoundError:
            raise HTTPException(status_code=404, detail=NO_SUCH) from None
        except ConflictError as exc:
            with plan_data.reading(engine) as session:
                inter = _load(session, intervention_id)
                fresh = _values(inter.assessment)
                return _form(
                    request,
                    inter,
                    {**values, "version": fresh["version"]},
                    {"prepare": "Someone else changed this assessment while you were editing"},
                    409,
                    conflict=str(exc),
                )
    with plan_data.reading(engine) as session:
        return _form(request, _load(session, intervention_id), values, errors, 400)
