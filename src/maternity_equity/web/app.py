"""``create_app(settings) -> FastAPI``: the dashboard, the plan tracker and the read-only API."""

from __future__ import annotations

from pathlib import Path

import jinja2
import nhsuk_frontend_jinja
from fastapi import Depends, FastAPI, Request
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
    from maternity_equity.web import filters

    filters.install(env)
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
        docs_url=None,  # Swagger UI loads from a CDN; the OpenAPI JSON is served instead
        redoc_url=None,
        openapi_url="/api/openapi.json",
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
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")

    from maternity_equity.web.routes import (
        admin,
        api,
        assets,
        auth,
        dashboard,
        downloads,
        plan,
    )

    for module in (auth, dashboard, plan, assets, downloads, admin, api):
        app.include_router(module.router)

    @app.exception_handler(SignInRequired)
    async def _to_sign_in(request: Request, exc: SignInRequired):
        return RedirectResponse(sign_in_url(exc.next_url), status_code=303)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException):
        if request.url.path.startswith("/api/") or not hasattr(request.state, "session"):
            return JSONResponse(
                {"detail": exc.detail}, status_code=exc.status_code, headers=exc.headers
            )
        titles = {
            400: "Bad request",
            401: "Sign in required",
            403: "Not allowed",
            404: "Page not found",
            429: "Too many attempts",
        }
        return render(
            request,
            "error.html",
            status_code=exc.status_code,
            title=titles.get(exc.status_code, "Sorry, there is a problem"),
            message=exc.detail,
        )

    return app
