"""User management (admins): add users, change roles, switch accounts off."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import RedirectResponse
from sqlalchemy.exc import IntegrityError

from maternity_equity.web import users as user_store
from maternity_equity.web.deps import client_ip, render, require, web
from maternity_equity.web.roles import Role
from maternity_equity.web.users import User

router = APIRouter(include_in_schema=False)


def _page(request: Request, status: int = 200, errors=None, values=None):
    return render(
        request,
        "admin_users.html",
        status,
        title="Users",
        users=user_store.list_users(web(request).engine),
        roles=list(Role),
        errors=errors or {},
        values=values or {"role": "viewer"},
        saved=request.query_params.get("saved"),
    )


@router.get("/admin/users")
def users_page(request: Request, user: User = Depends(require(Role.admin))):
    return _page(request)


@router.post("/admin/users")
def add_user(
    request: Request,
    username: str = Form(""),
    display_name: str = Form(""),
    role: str = Form(""),
    password: str = Form(""),
    user: User = Depends(require(Role.admin)),
):
    engine = web(request).engine
    values = {"username": username, "display_name": display_name, "role": role}
    errors = {}
    if not username.strip():
        errors["username"] = "Enter a username"
    if role not in Role.__members__:
        errors["role"] = "Select a role"
    problem = user_store.validate_new_password(password)
    if problem:
        errors["password"] = problem
    if not errors:
        try:
            new = user_store.create_user(engine, username, password, Role[role], display_name)
        except IntegrityError:
            errors["username"] = "That username is already taken"
        else:
            user_store.record_audit(
                engine,
                user.username,
                "user_created",
                "user",
                new.id,
                {"username": new.username, "role": role},
                ip=client_ip(request),
            )
            return RedirectResponse("/admin/users?saved=1", status_code=303)
    return _page(request, 400, errors, values)


@router.post("/admin/users/{user_id}")
def change_user(
    request: Request,
    user_id: int,
    role: str = Form(""),
    active: str = Form(""),
    user: User = Depends(require(Role.admin)),
):
    engine = web(request).engine
    target = user_store.get_user(engine, user_id)
    if target is None:
        raise HTTPException(status_code=404, detail="No such user.")
    if role not in Role.__members__:
        raise HTTPException(status_code=400, detail="Select a role.")
    if target.id == user.id and (Role[role] < Role.admin or active != "yes"):
        raise HTTPException(status_code=400, detail="You cannot remove your own admin access.")
    user_store.set_role(engine, user_id, Role[role], active == "yes")
    user_store.record_audit(
        engine,
        user.username,
        "user_changed",
        "user",
        user_id,
        {"role": role, "active": active == "yes"},
        ip=client_ip(request),
    )
    return RedirectResponse("/admin/users?saved=1", status_code=303)
