"""Sessions, CSRF tokens, sign-in throttling and the security headers every response carries."""

from __future__ import annotations

import hmac
import secrets
import threading
import time
from collections import defaultdict, deque

from fastapi import HTTPException, Request
from itsdangerous import BadSignature, URLSafeTimedSerializer

SESSION_COOKIE = "me_session"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class SessionCodec:
    """Signs the session (user id + CSRF token) into a cookie; nothing else is kept client-side."""

    def __init__(self, secret_key: str, max_age_seconds: int) -> None:
        self._serializer = URLSafeTimedSerializer(secret_key, salt="maternity-equity-session")
        self.max_age = max_age_seconds

    def dumps(self, data: dict) -> str:
        return self._serializer.dumps(data)

    def loads(self, token: str | None) -> dict:
        if not token:
            return {}
        try:
            data = self._serializer.loads(token, max_age=self.max_age)
        except BadSignature:
            return {}
        return data if isinstance(data, dict) else {}


def new_csrf_token() -> str:
    return secrets.token_urlsafe(32)


async def csrf_protect(request: Request) -> None:
    """App-wide dependency: an unsafe request must carry the session's CSRF token (403 if not).

    The token comes from the ``csrf_token`` form field or the ``X-CSRF-Token`` header (htmx).
    """
    if request.method not in UNSAFE_METHODS:
        return
    expected = request.state.session.get("csrf")
    supplied = request.headers.get(CSRF_HEADER)
    if not supplied:
        content_type = request.headers.get("content-type", "")
        if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
            form = await request.form()
            value = form.get(CSRF_FIELD)
            supplied = value if isinstance(value, str) else None
    if not expected or not supplied or not hmac.compare_digest(expected, supplied):
        raise HTTPException(status_code=403, detail="The form has expired. Go back and try again.")


class LoginThrottle:
    """At most ``max_failures`` failed sign-ins per (account, IP) in a sliding window."""

    def __init__(self, max_failures: int, window_seconds: int) -> None:
        self.max_failures = max_failures
        self.window = window_seconds
        self._failures: dict[tuple[str, str], deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    def _prune(self, key: tuple[str, str], now: float) -> deque[float]:
        stamps = self._failures[key]
        while stamps and now - stamps[0] > self.window:
            stamps.popleft()
        return stamps

    def blocked(self, username: str, ip: str, now: float | None = None) -> bool:
        now = time.monotonic() if now is None else now
        with self._lock:
            return len(self._prune((username.lower(), ip), now)) >= self.max_failures

    def record_failure(self, username: str, ip: str, now: float | None = None) -> None:
        now = time.monotonic() if now is None else now
        with self._lock:
            self._prune((username.lower(), ip), now).append(now)

    def reset(self, username: str, ip: str) -> None:
        with self._lock:
            self._failures.pop((username.lower(), ip), None)


def content_security_policy(nonce: str) -> str:
    return "; ".join(
        (
            "default-src 'self'",
            f"script-src 'self' 'nonce-{nonce}'",
            "style-src 'self'",
            "img-src 'self' data:",
            "font-src 'self'",
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        )
    )


def security_headers(nonce: str, *, secure: bool, static: bool) -> list[tuple[bytes, bytes]]:
    """Strict headers for every response; pages are never cached by shared caches."""
    headers = {
        "content-security-policy": content_security_policy(nonce),
        "x-content-type-options": "nosniff",
        "x-frame-options": "DENY",
        "referrer-policy": "same-origin",
        "permissions-policy": "camera=(), microphone=(), geolocation=(), interest-cohort=()",
        "cross-origin-opener-policy": "same-origin",
    }
    if not static:
        headers["cache-control"] = "no-store"
    if secure:
        headers["strict-transport-security"] = "max-age=31536000; includeSubDomains"
    return [(k.encode(), v.encode()) for k, v in headers.items()]
