"""Sign in (throttled, audited) and sign out."""

from __future__ import annotations

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse

from maternity_equity.web import users as user_store
from maternity_equity.web.deps import client_ip, current_user, render, web
from maternity_equity.web.sessions import end_session, start_session

router = APIRouter(include_in_schema=False)


def _safe_next(next_url: str) -> str:
    """Only same-site paths, so the sign-in page cannot be used as an open redirect."""
    if next_url.startswith("/") and not next_url.startswith("//") and "\\" not in next_url:
        return next_url
    return "/"


@router.get("/sign-in")
def sign_in_page(request: Request, next: str = "/"):
    return render(
        request, "sign_in.html", title="Sign in", next=_safe_next(next), errors={}, username=""
    )


@router.post("/sign-in")
def sign_in(
    request: Request,
    username: str = Form(""),
    password: str = Form(""),
    next: str = Form("/"),
):
    state = web(request)
    ip = client_ip(request)
    username = username.strip()
    errors: dict[str, str] = {}
    if state.throttle.blocked(username, ip):
        user_store.record_audit(state.engine, username or "-", "sign_in_blocked", ip=ip)
        errors["username"] = "Too many failed attempts. Wait 15 minutes, then try again"
        return render(
            request,
            "sign_in.html",
            429,
            title="Sign in",
            errors=errors,
            next=_safe_next(next),
            username=username,
        )
    user = user_store.authenticate(state.engine, username, password) if username else None
    if user is None:
        state.throttle.record_failure(username, ip)
        user_store.record_audit(state.engine, username or "-", "sign_in_failed", ip=ip)
        errors["username"] = "Enter a correct username and password"
        return render(
            request,
            "sign_in.html",
            400,
            title="Sign in",
            errors=errors,
            next=_safe_next(next),
            username=username,
        )
    state.throttle.reset(username, ip)
    start_session(request, state.engine, user.id, state.codec.max_age)
    user_store.record_audit(state.engine, user.username, "sign_in", "user", user.id, ip=ip)
    return RedirectResponse(_safe_next(next), status_code=303)


@router.get("/sign-out")
def sign_out_page(request: Request):
    if current_user(request) is None:
        return RedirectResponse("/sign-in", status_code=303)
    return render(request, "sign_out.html", title="Sign out")


@router.post("/sign-out")
def sign_out(request: Request):
    user = current_user(request)
    if user is not None:
        user_store.record_audit(
            web(request).engine, user.username, "sign_out", "user", user.id, ip=client_ip(request)
        )
    end_session(request, web(request).engine)
    return RedirectResponse("/sign-in", status_code=303)


@router.get("/accessibility")
def accessibility(request: Request):
    return render(request, "accessibility.html", title="Accessibility statement")
