"""One pure ASGI middleware for the signed-cookie session and the security headers.

The cookie holds the server-side session's token (see ``users.open_session``) and the CSRF token,
signed, and is re-issued only when it changes. Pure
ASGI (not ``BaseHTTPMiddleware``) because it runs on every request and the page budget is small.
"""

from __future__ import annotations

import secrets
from http.cookies import CookieError, SimpleCookie

from sqlalchemy import Engine
from starlette.datastructures import MutableHeaders
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from maternity_equity.web import users
from maternity_equity.web.security import (
    SESSION_COOKIE,
    SessionCodec,
    new_csrf_token,
    security_headers,
)


class SessionAndHeadersMiddleware:
    def __init__(self, app: ASGIApp, *, codec: SessionCodec, secure: bool) -> None:
        self.app = app
        self.codec = codec
        self.secure = secure

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        static = scope["path"].startswith("/static/")
        state = scope.setdefault("state", {})
        nonce = secrets.token_urlsafe(16)
        state["csp_nonce"] = nonce
        session: dict = {}
        if not static:
            cookie_header = Request(scope).headers.get("cookie", "")
            jar = SimpleCookie()
            try:
                jar.load(cookie_header)
            except CookieError:  # a malformed cookie header is treated as no cookie
                jar = SimpleCookie()
            morsel = jar.get(SESSION_COOKIE)
            session = self.codec.loads(morsel.value if morsel else None)
        changed = False
        if not static and not session.get("csrf"):
            session["csrf"] = new_csrf_token()
            changed = True
        state["session"] = session
        state["session_changed"] = changed

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for key, value in security_headers(nonce, secure=self.secure, static=static):
                    headers[key.decode()] = value.decode()
                if not static and state.get("session_changed"):
                    headers.append("set-cookie", self._cookie(state["session"]))
            await send(message)

        await self.app(scope, receive, send_with_headers)

    def _cookie(self, session: dict) -> str:
        parts = [
            f"{SESSION_COOKIE}={self.codec.dumps(session)}",
            "Path=/",
            f"Max-Age={self.codec.max_age}",
            "HttpOnly",
            "SameSite=lax",
        ]
        if self.secure:
            parts.append("Secure")
        return "; ".join(parts)


def start_session(request: Request, engine: Engine, user_id: int, lifetime_seconds: int) -> None:
    """New session on sign-in (fresh CSRF token, so a pre-sign-in token cannot be reused)."""
    token = users.open_session(engine, user_id, lifetime_seconds)
    request.state.session = {"sid": token, "csrf": new_csrf_token()}
    request.state.session_changed = True


def end_session(request: Request, engine: Engine) -> None:
    """End the session on the server too, so an old copy of the cookie signs nobody in."""
    token = request.state.session.get("sid")
    if isinstance(token, str):
        users.close_session(engine, token)
    request.state.session = {"csrf": new_csrf_token()}
    request.state.session_changed = True
