"""``create_app(settings) -> FastAPI``: the dashboard, the plan tracker and the read-only API."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import jinja2
import nhsuk_frontend_jinja
from fastapi import Depends, FastAPI, Request
from fastapi.exception_handlers import request_validation_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.exceptions import HTTPException as StarletteHTTPException

from maternity_equity.web import users as user_store
from maternity_equity.web.data import DashboardData
from maternity_equity.web.deps import AppState, SignInRequired, render, sign_in_url
from maternity_equity.web.security import (
    LoginThrottle,
    SessionCodec,
    csrf_protect,
)
from maternity_equity.web.sessions import SessionAndHeadersMiddleware
from maternity_equity.web.settings import WebSettings

HERE = Path(__file__).resolve().parent
SERVICE_NAME = "Maternity equity"
ERROR_TITLES = {
    400: "Bad request",
    401: "Sign in required",
    403: "Not allowed",
    404: "Page not found",
    405: "Not allowed",
    429: "Too many attempts",
}


class HeadAsGet:
    """Answer ``HEAD`` on every ``GET`` page (FastAPI routes only take the methods they name):
    run the request as ``GET`` and send the headers without the body."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        async def headers_only(message) -> None:
            if message["type"] == "http.response.body":
                if message.get("more_body"):
                    return
                message = {"type": "http.response.body", "body": b"", "more_body": False}
            await send(message)

        await self.app({**scope, "method": "GET"}, receive, headers_only)


def _is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/") or not hasattr(request.state, "session")


def _form_problems(exc: RequestValidationError) -> list[str]:
    """Plain words for each field FastAPI could not read (a missing or malformed value)."""
    problems = []
    for error in exc.errors():
        loc = [str(part) for part in error.get("loc", ()) if part not in ("body", "query")]
        field = (loc[-1] if loc else "the form").replace("_", " ")
        if field == "version":
            problems.append(
                "The form was missing its version number, so it could not be saved safely. "
                "Open the page again and make your change."
            )
        elif error.get("type") == "missing":
            problems.append(f"Enter {field}")
        elif "int" in str(error.get("type", "")):
            problems.append(f"{field.capitalize()} must be a whole number")
        else:
            problems.append(f"{field.capitalize()} is not valid")
    return problems


def _back_link(request: Request) -> str:
    """The page the form was on (same-origin referrer), else the overview."""
    referrer = urlsplit(request.headers.get("referer", ""))
    if referrer.netloc and referrer.netloc != request.url.netloc:
        return "/"
    path = referrer.path or "/"
    return path + (f"?{referrer.query}" if referrer.query else "")


def _templates() -> Jinja2Templates:
    nhsuk_root = Path(nhsuk_frontend_jinja.__file__).resolve().parent / "templates"
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader(
            [jinja2.FileSystemLoader(HERE / "templates"), jinja2.FileSystemLoader(nhsuk_root)]
        ),
        autoescape=True,
        undefined=jinja2.ChainableUndefined,  # the NHS.UK macros probe optional params
        trim_blocks=True,
        lstrip_blocks=True,
    )
    from maternity_equity.web import filters, fragments

    filters.install(env)
    fragments.install(env)
    return Jinja2Templates(env=env)


def _plan_engine(url: str, migrate: bool):
    """The plan database engine, migrated to the latest schema when asked (idempotent)."""
    from maternity_equity.plan import db

    return db.upgrade(url) if migrate else db.connect(url)


def create_app(settings: WebSettings, *, reference_dir: Path | None = None) -> FastAPI:
    """Build the app on a plan database at the latest migration (migrated here by default)."""
    engine = _plan_engine(settings.plan_db_url, settings.migrate_plan)
    missing = user_store.missing_tables(engine)
    if missing:
        raise RuntimeError(
            f"the plan database lacks {', '.join(missing)}: upgrade it with "
            "`maternity-equity plan init --db URL` (or start the app with migration on)"
        )
    if reference_dir is None:
        guess = Path(settings.warehouse_path).parent / "synthetic" / "reference"
        reference_dir = guess if guess.is_dir() else None

    app = FastAPI(
        title=f"{SERVICE_NAME} API",
        description="Read-only JSON for results and the action plan. Figures are "
        "disclosure-controlled for viewers and editors. Authenticate with the session cookie "
        "or HTTP Basic.",
        version="1",
        docs_url=None,  # Swagger UI loads from a CDN; routes.api serves /api/docs instead
        redoc_url=None,
        openapi_url=None,  # routes.api serves it to signed-in users only
        dependencies=[Depends(csrf_protect)],
    )
    codec = SessionCodec(settings.secret_key, int(settings.session_hours * 3600))
    app.state.web = AppState(
        settings=settings,
        engine=engine,
        data=DashboardData(Path(settings.warehouse_path), reference_dir),
        templates=_templates(),
        throttle=LoginThrottle(settings.login_max_failures, settings.login_window_seconds),
        codec=codec,
    )
    app.add_middleware(SessionAndHeadersMiddleware, codec=codec, secure=settings.secure_cookies)
    app.add_middleware(HeadAsGet)  # outermost, so every layer below sees a GET
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")

    from maternity_equity.web.routes import (
        admin,
        api,
        assets,
        auth,
        dashboard,
        downloads,
        interventions,
        plan,
    )

    for module in (auth, dashboard, plan, interventions, assets, downloads, admin, api):
        app.include_router(module.router)

    @app.exception_handler(SignInRequired)
    async def _to_sign_in(request: Request, exc: SignInRequired):
        return RedirectResponse(sign_in_url(exc.next_url), status_code=303)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException):
        if _is_api(request):
            return JSONResponse(
                {"detail": exc.detail}, status_code=exc.status_code, headers=exc.headers
            )
        return render(
            request,
            "error.html",
            status_code=exc.status_code,
            title=ERROR_TITLES.get(exc.status_code, "Sorry, there is a problem"),
            message=exc.detail,
        )

    @app.exception_handler(RequestValidationError)
    async def _invalid_request(request: Request, exc: RequestValidationError):
        """A form or address FastAPI could not read: the NHS.UK error page with an error
        summary for pages (the JSON API keeps FastAPI's JSON answer)."""
        if _is_api(request):
            return await request_validation_exception_handler(request, exc)
        if any(error.get("loc", ("",))[0] == "path" for error in exc.errors()):
            return render(
                request,
                "error.html",
                status_code=404,
                title=ERROR_TITLES[404],
                message="Check the web address is correct.",
            )
        return render(
            request,
            "error.html",
            status_code=400,
            title="Sorry, there is a problem with the form",
            problems=_form_problems(exc),
            back=_back_link(request),
        )

    return app
