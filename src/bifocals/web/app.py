"""The bifocals web app: `create_app(db_url)` builds a FastAPI app over one Store.

How a feature router plugs in (one module per feature under bifocals/web/routers/):

- put `router = APIRouter(dependencies=[Depends(csrf_protect)])` in
  bifocals/web/routers/<name>.py and add it to ROUTERS below;
- operations and their rules live in bifocals.services; a router translates the request, calls
  the service and lets its typed errors (bifocals.errors: NotFound 404, Forbidden 403,
  Conflict 409, Invalid 400) reach the one handler here, which answers the API's problem shape
  under /api/ and the error page elsewhere;
- `get_store(request) -> Store`, `get_settings(request) -> WebSettings` (bifocals.web.deps);
- `current_user(request) -> User | None` (session cookie or `Authorization: Bearer` API token),
  `require_user` (redirects to /login; 401 under /api/), `require_role("admin", "facilitator")`;
- `csrf_protect` checks every unsafe request: form field `csrf_token` (templates write
  `{{ csrf_field(request) }}`) or header `X-CSRF-Token` (fetch; read it from
  `<meta name="csrf-token">` in base.html); bearer-token API calls without cookies are exempt;
- `render(request, "folder/page.html", {...})` renders a template extending base.html;
  `flash(request, message, kind)` shows a message on the next page;
- `audit(store, user, action, target, detail, campaign_id=...)` (bifocals.services.accounts) writes
  the audit log; viewing or exporting a report must be audited with an action in
  `REPORT_SEEN_ACTIONS` (bifocals.services.campaigns) so re-opening is refused afterwards;
- `bifocals.services.access`: `managed_campaign`, `can_manage`, `can_view_report`;
- `bifocals.services.token_links`: `lookup(conn, kind, token)` for any private link (survey,
  nomination, readiness); `web/link_pages.py` renders the page of one that cannot be used.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from http import HTTPStatus
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from bifocals import __version__
from bifocals.errors import AccessError, BifocalsError, error_field, http_status
from bifocals.locale import N_, gettext_for
from bifocals.services.settings import WebSettings
from bifocals.services.ticker import Ticker
from bifocals.store import open_store
from bifocals.web.api_models import ValidationProblemBody, as_text, problems, summary
from bifocals.web.deps import (
    STATIC_DIR,
    CrossSiteRead,
    LoginRequired,
    current_user,
    page_language,
    render,
)
from bifocals.web.routers import (
    admin,
    api,
    api_programme,
    auth,
    campaigns,
    change,
    nominate,
    norms,
    participants,
    plans,
    programme,
    progress,
    readiness,
    reports,
    roster,
    survey,
    tokens,
)

# Matched in this order: the rater's survey, the busiest pages by far, comes first so that its
# requests are not tried against every other route before theirs.
ROUTERS = (
    survey,
    auth,
    admin,
    campaigns,
    participants,
    plans,
    norms,
    roster,
    programme,
    nominate,
    progress,
    tokens,
    reports,
    api,
    api_programme,
    change,
    readiness,
)

SECURITY_HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    # Survey and nomination links carry their token in the path: never send it onwards.
    (b"referrer-policy", b"no-referrer"),
    (
        b"content-security-policy",
        b"default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
        b"script-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
    ),
)


class SecurityHeaders:
    """Adds security headers to every response, and `no-store` to every non-static one."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        static = str(scope.get("path", "")).startswith("/static/")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                names = {k.lower() for k, _ in headers}
                headers += [(k, v) for k, v in SECURITY_HEADERS if k not in names]
                if not static and b"cache-control" not in names:
                    headers.append((b"cache-control", b"no-store"))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/") or "application/json" in request.headers.get(
        "accept", ""
    )


# FastAPI's words for a body it could not decode (e.g. not UTF-8).
_BODY_UNREADABLE = "There was an error parsing the body"


def api_problem(status: int, detail: Any) -> Any:
    """An API error's detail in the API's shape {"field", "message"} (already so: unchanged)."""
    if isinstance(detail, dict) and "message" in detail:
        return detail
    if status == 400 and detail == _BODY_UNREADABLE:
        return {
            "field": "body",
            "message": "the body could not be read; send JSON encoded as UTF-8 with "
            "Content-Type: application/json",
        }
    return {"field": None, "message": str(detail)}


# What an unknown path or a wrong method says on its page, for a person, instead of the bare
# status phrase ("Not Found") that Starlette gives as its detail.
_PHRASES = {
    404: N_("There is no page at this address. Check that it was copied completely."),
    405: N_("This page cannot be used that way."),
}


def _error_page(request: Request, status: int, detail: object) -> Response:
    """error.html in the reader's language (deps.page_language); a detail is a service's
    message and stays as written, except the status phrases above."""
    lang = page_language(request, current_user(request))
    if status in _PHRASES and detail == HTTPStatus(status).phrase:
        detail = gettext_for(lang)(_PHRASES[status])
    ctx = {"status": status, "detail": detail, "lang": lang}
    return render(request, "error.html", ctx, status_code=status)


def _install_error_pages(app: FastAPI) -> None:
    @app.exception_handler(CrossSiteRead)
    async def from_elsewhere(request: Request, _exc: CrossSiteRead) -> Response:
        here = "/" + request.url.path.lstrip("/")
        target = here + (f"?{request.url.query}" if request.url.query else "")
        # A participant's report is the usual page here: in their language, like the report.
        lang = page_language(request, current_user(request))
        return render(request, "cross_site.html", {"target": target, "lang": lang})

    @app.exception_handler(LoginRequired)
    async def to_login(request: Request, _exc: LoginRequired) -> Response:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/login?next={quote(target, safe='')}", status_code=303)

    # Starlette's HTTPException too: unknown paths (404), wrong methods (405) and bodies
    # FastAPI could not decode (400) get the same pages and API shape as our own errors.
    @app.exception_handler(StarletteHTTPException)
    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if request.url.path.startswith("/api/"):
            return JSONResponse(
                {"detail": api_problem(exc.status_code, exc.detail)},
                status_code=exc.status_code,
                headers=exc.headers,
            )
        if _wants_json(request):
            return JSONResponse(
                {"detail": exc.detail}, status_code=exc.status_code, headers=exc.headers
            )
        return _error_page(request, exc.status_code, exc.detail)

    # Every refusal a service raises (a typed error from bifocals.errors) ends here, so a
    # router needs no `except` block of its own for it.
    @app.exception_handler(AccessError)
    @app.exception_handler(BifocalsError)
    async def refused(request: Request, exc: Exception) -> Response:
        status = http_status(exc)
        if request.url.path.startswith("/api/"):
            body = {"field": error_field(exc), "message": getattr(exc, "message", str(exc))}
            return JSONResponse({"detail": body}, status_code=status)
        if _wants_json(request):
            return JSONResponse({"detail": str(exc)}, status_code=status)
        return _error_page(request, status, str(exc))

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Response:
        found = problems(exc)
        if _wants_json(request):
            body = ValidationProblemBody(detail=summary(found))
            return JSONResponse(body.model_dump(mode="json"), status_code=422)
        return _error_page(request, 422, as_text(found))


def create_app(db_url: str, *, settings: WebSettings | None = None) -> FastAPI:
    """The web app over the database at db_url (migrated to the newest schema on start)."""
    store = open_store(db_url)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        ticker = None
        if app.state.settings.scheduler:
            ticker = Ticker(store, app.state.settings, app.state.settings.mail_base())
            ticker.start()
        yield
        if ticker is not None:
            ticker.stop()
        store.close()

    app = FastAPI(
        title="bifocals",
        version=__version__,
        description="360 campaigns: leadership and management measured side by side.",
        lifespan=lifespan,
    )
    app.state.store = store
    app.state.settings = settings or WebSettings()
    app.add_middleware(SecurityHeaders)
    app.mount("/static", StaticFiles(directory=str(STATIC_DIR)), name="static")
    _install_error_pages(app)
    for module in ROUTERS:
        app.include_router(module.router)
    return app


# `bifocals serve --workers N` hands each uvicorn worker process this variable and the factory.
SERVE_DB_ENV = "BIFOCALS_SERVE_DB"


def app_from_env() -> FastAPI:
    """The app for one worker process of `bifocals serve --workers N` (uvicorn factory).

    The database URL comes from BIFOCALS_SERVE_DB and the settings from the BIFOCALS_*
    variables (WebSettings.from_env). Nothing a request relies on is kept only in a process's
    memory: sessions, CSRF tokens, flash messages, login failures (the rate limit), drafts and
    submissions all live in the database, so any worker may answer any request.
    """
    url = os.environ.get(SERVE_DB_ENV)
    if not url:
        raise RuntimeError(f"{SERVE_DB_ENV} is not set; start workers with `bifocals serve`")
    return create_app(url, settings=WebSettings.from_env())
