"""Community assets register: search by need, language and area; detail; editors keep it current."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import RedirectResponse
from sqlalchemy import inspect

from maternity_equity.plan.errors import ConflictError, NotFoundError
from maternity_equity.plan.models import ASSET_CATEGORIES
from maternity_equity.plan.services import assets as asset_service
from maternity_equity.web import plan_data
from maternity_equity.web.deps import render, require, web
from maternity_equity.web.forms import split_list
from maternity_equity.web.roles import Role, can_edit_plan
from maternity_equity.web.users import User

router = APIRouter(include_in_schema=False)


def _ready(engine) -> bool:
    return inspect(engine).has_table("community_assets")


@router.get("/assets")
def search(
    request: Request,
    q: str = "",
    language: str = "",
    area: str = "",
    category: str = "",
    user: User = Depends(require(Role.viewer)),
):
    engine = web(request).engine
    if not _ready(engine):
        return render(request, "plan_empty.html", title="Community assets")
    category = category if category in ASSET_CATEGORIES else ""
    with plan_data.reading(engine) as session:
        hits = asset_service.search_assets(
            session,
            q,
            language=language or None,
            area=area or None,
            category=category or None,
            limit=50,
        )
        languages = sorted(
            {lang for a in asset_service.list_assets(session) for lang in a.languages}
        )
        return render(
            request,
            "assets.html",
            title="Community assets",
            hits=hits,
            q=q,
            language=language,
            area=area,
            category=category,
            categories=ASSET_CATEGORIES,
            languages=languages,
            searched=bool(q or language or area or category),
            can_edit=can_edit_plan(user.role),
        )


def _load(session, asset_id: int):
    try:
        return asset_service.get_asset(session, asset_id)
    except NotFoundError:
        raise HTTPException(status_code=404, detail="There is no asset with that number.") from None


@router.get("/assets/{asset_id}")
def detail(request: Request, asset_id: int, user: User = Depends(require(Role.viewer))):
    engine = web(request).engine
    with plan_data.reading(engine) as session:
        asset = _load(session, asset_id)
        return render(
            request,
            "asset.html",
            title=asset.name,
            asset=asset,
            category_labels=[ASSET_CATEGORIES.get(c, c) for c in asset.categories],
            stale=asset_service.is_stale(asset),
            can_edit=can_edit_plan(user.role),
            saved=request.query_params.get("saved"),
        )


def _values(asset) -> dict:
    return {
        "name": asset.name,
        "organisation": asset.organisation,
        "description": asset.description,
        "categories": list(asset.categories),
        "languages": ", ".join(asset.languages),
        "place": asset.place,
        "neighbourhood": asset.neighbourhood,
        "postcode": asset.postcode,
        "contact_phone": asset.contact_phone,
        "contact_email": asset.contact_email,
        "website": asset.website,
        "opening_times": asset.opening_times,
        "version": asset.version,
    }


@router.get("/assets/{asset_id}/edit")
def edit_page(request: Request, asset_id: int, user: User = Depends(require(Role.editor))):
    with plan_data.reading(web(request).engine) as session:
        asset = _load(session, asset_id)
        return render(
            request,
            "asset_edit.html",
            title=f"Change {asset.name}",
            asset=asset,
            values=_values(asset),
            errors={},
            categories=ASSET_CATEGORIES,
        )


@router.post("/assets/{asset_id}/edit")
async def edit(request: Request, asset_id: int, user: User = Depends(require(Role.editor))):
    form = await request.form()
    engine = web(request).engine
    text_fields = (
        "name",
        "organisation",
        "description",
        "place",
        "neighbourhood",
        "postcode",
        "contact_phone",
        "contact_email",
        "website",
        "opening_times",
    )
    values = {k: str(form.get(k, "")).strip() for k in text_fields}
    values["categories"] = [c for c in form.getlist("categories") if c in ASSET_CATEGORIES]
    values["languages"] = str(form.get("languages", ""))
    try:
        version = int(str(form.get("version", "")))
    except ValueError:
        raise HTTPException(status_code=400, detail="The form is missing its version.") from None
    values["version"] = version
    errors: dict[str, str] = {}
    if not values["name"]:
        errors["name"] = "Enter the name of the service or group"
    if values["contact_email"] and "@" not in values["contact_email"]:
        errors["contact_email"] = (
            "Enter an email address in the correct format, like name@example.com"
        )
    if not errors:
        changes = {k: values[k] for k in text_fields}
        changes["categories"] = values["categories"]
        changes["languages"] = split_list(values["languages"])
        try:
            with plan_data.writing(engine, user.username) as session:
                asset_service.update_asset(session, asset_id, changes, version)
            return RedirectResponse(f"/assets/{asset_id}?saved=1", status_code=303)
        except ConflictError:
            errors["name"] = "Someone else changed this entry while you were editing; reload it"
        except ValueError as exc:
            errors["name"] = str(exc).capitalize()
    with plan_data.reading(engine) as session:
        asset = _load(session, asset_id)
        return render(
            request,
            "asset_edit.html",
            400,
            title=f"Change {asset.name}",
            asset=asset,
            values=values,
            errors=errors,
            categories=ASSET_CATEGORIES,
        )


@router.post("/assets/{asset_id}/verify")
def verify(
    request: Request,
    asset_id: int,
    version: int = Form(...),
    user: User = Depends(require(Role.editor)),
):
    try:
        with plan_data.writing(web(request).engine, user.username) as session:
            asset_service.verify_asset(session, asset_id, expected_version=version)
    except NotFoundError:
        raise HTTPException(status_code=404, detail="There is no asset with that number.") from None
    except ConflictError:
        raise HTTPException(
            status_code=409, detail="Someone else changed this entry; reload it."
        ) from None
    return RedirectResponse(f"/assets/{asset_id}?saved=verified", status_code=303)
