"""Read-only JSON API for results and the plan (documented at ``/api/openapi.json`` and, as a
page, ``/api/docs``; both for signed-in users, like the rest of ``/api``).

The same role rules as the pages: viewers and editors get disclosure-controlled figures
(``publish``), with suppressed values as ``null`` and ``suppressed: true``, and no figures for a
row whose data-quality checks fail (``dq_status: "fail"``).
"""

from __future__ import annotations

import math
from datetime import date

import pandas as pd
from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from maternity_equity.web import plan_data
from maternity_equity.web.deps import render, require, web
from maternity_equity.web.roles import Role, sees_unsuppressed
from maternity_equity.web.routes.downloads import actions_frame, assets_frame
from maternity_equity.web.users import User

router = APIRouter(prefix="/api", tags=["read-only API"])


class IndicatorOut(BaseModel):
    id: str
    name: str
    unit: str
    higher_is_better: bool | None
    target: float | None


class ResultOut(BaseModel):
    indicator_id: str
    period_type: str
    period_start: date
    period_end: date | None
    geography_type: str
    geography_code: str
    geography_name: str | None
    breakdown: str
    group: str
    numerator: float | None
    denominator: float | None
    value: float | None
    lower_ci: float | None
    upper_ci: float | None
    reference_group: str | None
    ratio: float | None
    ratio_lower: float | None
    ratio_upper: float | None
    ratio_significance: str | None
    sii: float | None
    rii: float | None
    dq_status: str | None
    disclosure_class: str | None
    suppressed: bool


class ResultsPage(BaseModel):
    total: int
    offset: int
    limit: int
    disclosure_controlled: bool
    results: list[ResultOut]


class ActionOut(BaseModel):
    id: int
    number: str
    priority: str
    intervention: str
    text: str
    lead_roles: str
    lead_people: str
    start_date: date | None
    due_date: date | None
    status: str
    rag: str
    overdue: bool


def _none_if_nan(value):
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


@router.get("/indicators", response_model=list[IndicatorOut])
def indicators(request: Request, user: User = Depends(require(Role.viewer))):
    """Every indicator with results, with its unit, polarity and target."""
    return [
        IndicatorOut(
            id=i.id, name=i.name, unit=i.unit, higher_is_better=i.higher_is_better, target=i.target
        )
        for i in web(request).data.indicators()
    ]


@router.get("/results", response_model=ResultsPage)
def results(
    request: Request,
    indicator_id: str | None = None,
    breakdown: str | None = None,
    geography_type: str | None = None,
    geography_code: str | None = None,
    period_type: str | None = None,
    period_start: date | None = None,
    limit: int = Query(1000, ge=1, le=10000),
    offset: int = Query(0, ge=0),
    user: User = Depends(require(Role.viewer)),
):
    """Rows of the results table, filtered; paged with ``limit`` and ``offset``."""
    unsuppressed = sees_unsuppressed(user.role)
    filters = {
        "indicator_id": indicator_id,
        "breakdown": breakdown,
        "geography_type": geography_type,
        "geography_code": geography_code,
        "period_type": period_type,
        "period_start": period_start,
    }
    total, skip, parts = 0, offset, []
    for _, count, load in web(request).data.results_pages(unsuppressed=unsuppressed, **filters):
        total += count
        wanted = limit - sum(len(p) for p in parts)
        if skip >= count:
            skip -= count
            continue
        if wanted > 0:
            parts.append(load().iloc[skip : skip + wanted])
        skip = 0
    page = pd.concat(parts) if parts else pd.DataFrame(columns=list(ResultOut.model_fields))
    fields = ResultOut.model_fields
    rows = [
        ResultOut(**{k: _none_if_nan(rec.get(k)) for k in fields})
        for rec in page.to_dict("records")
    ]
    return ResultsPage(
        total=total,
        offset=offset,
        limit=limit,
        disclosure_controlled=not unsuppressed,
        results=rows,
    )


@router.get("/plan/actions", response_model=list[ActionOut])
def actions(request: Request, user: User = Depends(require(Role.viewer))):
    """Every action of the plan with leads, dates, status, RAG and whether it is overdue."""
    frame = actions_frame(web(request).engine)
    return [
        ActionOut(**{k: _none_if_nan(v) for k, v in rec.items() if k in ActionOut.model_fields})
        for rec in frame.to_dict("records")
    ]


@router.get("/plan/actions/{action_id}", response_model=ActionOut)
def action(request: Request, action_id: int, user: User = Depends(require(Role.viewer))):
    for item in actions(request, user):
        if item.id == action_id:
            return item
    raise HTTPException(status_code=404, detail="no such action")


@router.get("/assets")
def assets(request: Request, user: User = Depends(require(Role.viewer))) -> list[dict]:
    """The community assets register."""
    frame = assets_frame(web(request).engine)
    return [{k: _none_if_nan(v) for k, v in rec.items()} for rec in frame.to_dict("records")]


@router.get("/plan/ready")
def ready(request: Request, user: User = Depends(require(Role.viewer))) -> dict:
    """Whether the plan database has been set up."""
    return {"plan_ready": plan_data.plan_ready(web(request).engine)}


@router.get("/openapi.json", include_in_schema=False)
def openapi(request: Request, user: User = Depends(require(Role.viewer))) -> JSONResponse:
    """The OpenAPI description of this API, for the same users as the API itself."""
    return JSONResponse(request.app.openapi())


@router.get("/docs", include_in_schema=False)
def docs(request: Request, user: User = Depends(require(Role.viewer))):
    """The API described on a page of the service (Swagger UI would load scripts from a CDN)."""
    spec = request.app.openapi()
    endpoints = [
        {
            "path": path,
            "summary": (op.get("description") or op.get("summary") or "").strip(),
            "parameters": [
                {
                    "name": p["name"],
                    "where": p.get("in", ""),
                    "required": p.get("required", False),
                    "type": p.get("schema", {}).get("type")
                    or " or ".join(t.get("type", "") for t in p.get("schema", {}).get("anyOf", [])),
                }
                for p in op.get("parameters", [])
            ],
        }
        for path, ops in spec.get("paths", {}).items()
        for method, op in ops.items()
        if method == "get"
    ]
    return render(request, "api_docs.html", title="API", endpoints=endpoints, spec=spec)
