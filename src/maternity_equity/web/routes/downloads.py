"""Every table as CSV, cut by role: viewers and editors get the disclosure-controlled figures."""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd
from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import Response, StreamingResponse

from maternity_equity.publish.counts import published_counts
from maternity_equity.quality.gating import FAIL
from maternity_equity.warehouse.schema import RESULT_COLUMNS
from maternity_equity.web import plan_data
from maternity_equity.web.deps import render, require, web
from maternity_equity.web.disclosure import FAILING_DQ_TEXT, SUPPRESSED
from maternity_equity.web.roles import Role, can_see_worklists, sees_unsuppressed
from maternity_equity.web.users import User
from maternity_equity.web.workforce import wres_frame

router = APIRouter(include_in_schema=False)

DOWNLOADS = (
    (
        "results.csv",
        "Indicator results",
        "Every indicator by breakdown, area and period.",
        Role.viewer,
    ),
    (
        "data-quality.csv",
        "Data quality results",
        "Each data-quality rule by area and period.",
        Role.viewer,
    ),
    (
        "geography.csv",
        "Small areas",
        "LSOAs with IMD decile, neighbourhood and place.",
        Role.viewer,
    ),
    ("actions.csv", "Action plan", "Every action with leads, dates, status and RAG.", Role.viewer),
    (
        "interventions.csv",
        "Interventions and health equity assessments",
        "Every intervention with its groups and its assessment: prepare, assess, refine, "
        "review and the review date.",
        Role.viewer,
    ),
    (
        "coproduction.csv",
        "Co-production plan",
        "Each event with the groups heard, what was heard and the actions it changed.",
        Role.viewer,
    ),
    (
        "wres.csv",
        "Workforce Race Equality Standard",
        "WRES indicators 1 to 9 by provider, latest year, with intervals.",
        Role.viewer,
    ),
    ("assets.csv", "Community assets", "The assets register.", Role.viewer),
    (
        "dq-worklist.csv",
        "Data-quality worklist",
        "Pseudonymised records to correct (analysts).",
        Role.analyst,
    ),
)


def csv_response(frame: pd.DataFrame, filename: str) -> Response:
    buffer = io.StringIO()
    frame.to_csv(buffer, index=False)
    return Response(
        buffer.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def results_for_download(frame: pd.DataFrame, unsuppressed: bool) -> pd.DataFrame:
    """Published CSV: suppressed values written as ``*`` (the dashboard's symbol) and values
    failing data quality as the failing-data-quality words; analysts get the stored figures,
    with ``dq_status`` saying which fail."""
    out = frame.copy()
    if not unsuppressed and "suppressed" in out:
        out["value"] = out["value"].astype(object)
        if "dq_status" in out:
            out.loc[out["dq_status"].eq(FAIL).to_numpy(dtype=bool), "value"] = FAILING_DQ_TEXT
        out.loc[out["suppressed"].to_numpy(dtype=bool), "value"] = SUPPRESSED
    return out


REPORT_TYPES = {
    ".html": "text/html",
    ".pdf": "application/pdf",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def report_files(request: Request) -> list[Path]:
    """The published board report files (``<folder>/report``), written by ``reports``."""
    folder = Path(web(request).settings.warehouse_path).parent / "report"
    if not folder.is_dir():
        return []
    return sorted(
        p
        for p in folder.iterdir()
        if p.suffix in REPORT_TYPES and p.is_file() and "internal" not in p.name
    )


@router.get("/downloads")
def downloads(request: Request, user: User = Depends(require(Role.viewer))):
    items = [d for d in DOWNLOADS if user.role >= d[3]]
    return render(
        request,
        "downloads.html",
        title="Downloads",
        items=items,
        reports=[p.name for p in report_files(request)],
        unsuppressed=sees_unsuppressed(user.role),
    )


@router.get("/downloads/report/{name}")
def report_file(request: Request, name: str, user: User = Depends(require(Role.viewer))):
    """A board report file, always as a download (its own styles are not the app's)."""
    match = next((p for p in report_files(request) if p.name == name), None)
    if match is None:
        raise HTTPException(status_code=404, detail="There is no report with that name.")
    return Response(
        match.read_bytes(),
        media_type=REPORT_TYPES[match.suffix],
        headers={"Content-Disposition": f'attachment; filename="{match.name}"'},
    )


@router.get("/downloads/results.csv")
def results_csv(
    request: Request,
    indicator: str | None = None,
    breakdown: str | None = None,
    geography_type: str | None = None,
    geography_code: str | None = None,
    period_type: str | None = None,
    user: User = Depends(require(Role.viewer)),
):
    unsuppressed = sees_unsuppressed(user.role)
    pages = web(request).data.results_pages(
        unsuppressed=unsuppressed,
        indicator_id=indicator or None,
        breakdown=breakdown or None,
        geography_type=geography_type or None,
        geography_code=geography_code or None,
        period_type=period_type or None,
    )

    def chunks():
        header = True
        for _, _, load in pages:
            buffer = io.StringIO()
            results_for_download(load(), unsuppressed).to_csv(buffer, index=False, header=header)
            header = False
            yield buffer.getvalue()
        if header:  # nothing matched: still a valid CSV with its header
            yield ",".join([*RESULT_COLUMNS, "suppressed"]) + "\n"

    name = f"results-{indicator}.csv" if indicator else "results.csv"
    return StreamingResponse(
        chunks(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.get("/downloads/data-quality.csv")
def dq_csv(request: Request, user: User = Depends(require(Role.viewer))):
    frame = web(request).data.dq_results(unsuppressed=sees_unsuppressed(user.role))
    return csv_response(frame if frame is not None else pd.DataFrame(), "data-quality.csv")


@router.get("/downloads/geography.csv")
def geography_csv(request: Request, user: User = Depends(require(Role.viewer))):
    frame = web(request).data.geography()
    return csv_response(frame if frame is not None else pd.DataFrame(), "geography.csv")


@router.get("/downloads/dq-worklist.csv")
def worklist_csv(request: Request, user: User = Depends(require(Role.viewer))):
    if not can_see_worklists(user.role):
        raise HTTPException(status_code=403, detail="Worklists are for analysts.")
    frame = web(request).data.dq_worklist()
    return csv_response(frame if frame is not None else pd.DataFrame(), "dq-worklist.csv")


def actions_frame(engine) -> pd.DataFrame:
    if not plan_data.plan_ready(engine):
        return pd.DataFrame()
    from maternity_equity.plan.services.actions import is_overdue, list_actions

    with plan_data.reading(engine) as session:
        rows = [
            {
                "id": a.id,
                "number": a.number,
                "priority": a.intervention.priority_code,
                "intervention": a.intervention.ref,
                "text": a.text,
                "lead_roles": "; ".join(a.lead_roles),
                "lead_people": "; ".join(a.lead_people),
                "start_date": a.start_date,
                "due_date": a.due_date,
                "status": a.status,
                "rag": a.rag or "",
                "overdue": is_overdue(a),
                "version": a.version,
            }
            for a in list_actions(session)
        ]
    return pd.DataFrame(rows)


def assets_frame(engine) -> pd.DataFrame:
    from sqlalchemy import inspect

    if not inspect(engine).has_table("community_assets"):
        return pd.DataFrame()
    from maternity_equity.plan.services.assets import list_assets

    with plan_data.reading(engine) as session:
        rows = [
            {
                "id": a.id,
                "name": a.name,
                "organisation": a.organisation,
                "description": a.description,
                "categories": "; ".join(a.categories),
                "languages": "; ".join(a.languages),
                "place": a.place,
                "neighbourhood": a.neighbourhood,
                "postcode": a.postcode,
                "contact_phone": a.contact_phone,
                "contact_email": a.contact_email,
                "website": a.website,
                "opening_times": a.opening_times,
                "last_verified": a.last_verified,
            }
            for a in list_assets(session)
        ]
    return pd.DataFrame(rows)


@router.get("/downloads/actions.csv")
def actions_csv(request: Request, user: User = Depends(require(Role.viewer))):
    return csv_response(actions_frame(web(request).engine), "actions.csv")


@router.get("/downloads/assets.csv")
def assets_csv(request: Request, user: User = Depends(require(Role.viewer))):
    return csv_response(assets_frame(web(request).engine), "assets.csv")


def interventions_frame(engine) -> pd.DataFrame:
    """One row per intervention with its health equity assessment (HEAT)."""
    if not plan_data.plan_ready(engine):
        return pd.DataFrame()
    from maternity_equity.plan.services import plans as plan_service

    rows = []
    with plan_data.reading(engine) as session:
        for plan in plan_service.list_plans(session):
            for inter in plan.interventions:
                heat = inter.assessment
                rows.append(
                    {
                        "id": inter.id,
                        "plan": plan.title,
                        "priority": inter.priority_code,
                        "ref": inter.ref,
                        "title": inter.title,
                        "scope": inter.scope,
                        "implementation": inter.implementation,
                        "groups_benefit": "; ".join(inter.groups_benefit),
                        "actions": len(inter.actions),
                        "heat_prepare": heat.prepare if heat else "",
                        "heat_assess": heat.assess if heat else "",
                        "heat_refine": heat.refine if heat else "",
                        "heat_review": heat.review if heat else "",
                        "heat_completed_by": heat.completed_by if heat else "",
                        "heat_completed_on": heat.completed_on if heat else None,
                        "heat_review_date": heat.review_date if heat else None,
                    }
                )
    return pd.DataFrame(rows)


def coproduction_frame(engine, unsuppressed: bool) -> pd.DataFrame:
    """One row per event and group heard (participants are counts of people: published, i.e.
    rounded, below analyst), with the actions the event changed."""
    if not plan_data.plan_ready(engine):
        return pd.DataFrame()
    from maternity_equity.plan.services import coproduction as copro
    from maternity_equity.plan.services import plans as plan_service

    rows = []
    with plan_data.reading(engine) as session:
        for plan in plan_service.list_plans(session):
            for event in copro.list_events(session, plan.id):
                changes = "; ".join(f"{c.action.number}: {c.change}" for c in event.action_changes)
                for group in event.groups or [None]:
                    rows.append(
                        {
                            "event_id": event.id,
                            "title": event.title,
                            "held_on": event.held_on,
                            "format": event.format,
                            "location": event.location,
                            "minutes_allocated": event.minutes_allocated,
                            "group": group.name if group else "",
                            "population_represented": group.population_represented if group else "",
                            "participants": group.participants if group else None,
                            "reimbursement_offered": event.reimbursement_offered,
                            "what_was_heard": event.what_was_heard,
                            "action_changes": changes,
                        }
                    )
    frame = pd.DataFrame(rows)
    if not unsuppressed and "participants" in frame:
        counts = pd.to_numeric(frame["participants"], errors="coerce")
        frame["participants"] = pd.array(published_counts(counts), dtype="Int64")
    return frame


@router.get("/downloads/interventions.csv")
def interventions_csv(request: Request, user: User = Depends(require(Role.viewer))):
    return csv_response(interventions_frame(web(request).engine), "interventions.csv")


@router.get("/downloads/coproduction.csv")
def coproduction_csv(request: Request, user: User = Depends(require(Role.viewer))):
    frame = coproduction_frame(web(request).engine, sees_unsuppressed(user.role))
    return csv_response(frame, "coproduction.csv")


@router.get("/downloads/wres.csv")
def wres_csv(request: Request, user: User = Depends(require(Role.viewer))):
    """The WRES rows as the WRES page shows them: published below analyst."""
    unsuppressed = sees_unsuppressed(user.role)
    frame = wres_frame(web(request).data, unsuppressed=unsuppressed)
    return csv_response(results_for_download(frame, unsuppressed), "wres.csv")
