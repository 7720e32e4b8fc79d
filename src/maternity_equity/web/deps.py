"""Request-scoped helpers every route uses: who is signed in, role checks, rendering."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from urllib.parse import quote

from fastapi import HTTPException, Request
from fastapi.responses import HTMLResponse

from maternity_equity.web import users as user_store
from maternity_equity.web.roles import Role
from maternity_equity.web.users import User


class SignInRequired(Exception):
    """Raised by a page dependency; the app turns it into a redirect to the sign-in page."""

    def __init__(self, next_url: str) -> None:
        self.next_url = next_url


@dataclass
class AppState:
    """What routes reach through ``request.app.state.web``."""

    settings: object
    engine: object
    data: object
    templates: object
    throttle: object
    codec: object


def web(request: Request) -> AppState:
    return request.app.state.web


def client_ip(request: Request) -> str:
    return request.client.host if request.client else ""


def _basic_auth_user(request: Request) -> User | None:
    """HTTP Basic credentials, accepted on ``/api/`` only (for Power BI and scripts)."""
    header = request.headers.get("authorization", "")
    if not header.lower().startswith("basic "):
        return None
    try:
        username, _, password = base64.b64decode(header[6:]).decode("utf-8").partition(":")
    except (ValueError, UnicodeDecodeError):
        return None
    state = web(request)
    ip = client_ip(request)
    if state.throttle.blocked(username, ip):
        raise HTTPException(status_code=429, detail="Too many failed sign-ins; try again later.")
    user = user_store.authenticate(state.engine, username, password)
    if user is None:
        state.throttle.record_failure(username, ip)
        raise HTTPException(
            status_code=401,
            detail="Wrong username or password",
            headers={"WWW-Authenticate": "Basic"},
        )
    return user


def current_user(request: Request) -> User | None:
    if hasattr(request.state, "user"):
        return request.state.user
    user = None
    token = request.state.session.get("sid")
    if isinstance(token, str):
        user = user_store.session_user(web(request).engine, token)
    if user is None and request.url.path.startswith("/api/"):
        user = _basic_auth_user(request)
    request.state.user = user
    return user


def require(role: Role):
    """Dependency factory: signed in with at least ``role`` (403 otherwise)."""

    def dependency(request: Request) -> User:
        user = current_user(request)
        if user is None:
            if request.url.path.startswith("/api/"):
                raise HTTPException(
                    status_code=401, detail="Sign in first", headers={"WWW-Authenticate": "Basic"}
                )
            target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            raise SignInRequired(target)
        if user.role < role:
            raise HTTPException(status_code=403, detail="Your role does not allow this page.")
        return user

    return dependency


def sign_in_url(next_url: str) -> str:
    return "/sign-in?next=" + quote(next_url, safe="/")


NAVIGATION = (
    ("/", "Overview", Role.viewer),
    ("/explorer", "Indicators", Role.viewer),
    ("/map", "Map", Role.viewer),
    ("/population", "Population", Role.viewer),
    ("/quality", "Data quality", Role.viewer),
    ("/plan", "Action plan", Role.viewer),
    ("/assets", "Community assets", Role.viewer),
    ("/downloads", "Downloads", Role.viewer),
    ("/admin/users", "Users", Role.admin),
)


def render(request: Request, template: str, status_code: int = 200, **context) -> HTMLResponse:
    """Render a page with the layout's context (user, navigation, CSRF token, CSP nonce)."""
    user = current_user(request)
    path = request.url.path
    nav = []
    if user is not None:
        for href, text, role in NAVIGATION:
            if user.role >= role:
                current = path == href if href == "/" else path.startswith(href)
                nav.append({"href": href, "text": text, "current": current})
    return web(request).templates.TemplateResponse(
        request,
        template,
        {
            "user": user,
            "nav_items": nav,
            "csrf_token": request.state.session.get("csrf", ""),
            "cspNonce": request.state.csp_nonce,
            "assetPath": "/static/nhsuk/assets",
            **context,
        },
        status_code=status_code,
    )
