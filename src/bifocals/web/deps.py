"""Request helpers every router uses: the Store, the signed-in user, roles, CSRF, flash, render,
and a campaign row as template data.

Routers of other features plug in with these (see the top of app.py and docs/web.md).
"""

from __future__ import annotations

import json
import logging
import os
import secrets
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, cast

import sqlalchemy as sa
from fastapi import Depends, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, Response
from fastapi.templating import Jinja2Templates
from markupsafe import Markup, escape

from bifocals import __version__
from bifocals.locale import DEFAULT_LANGUAGE, language_or_default, negotiate
from bifocals.locale.jinja import install_i18n
from bifocals.services.security import Session, User, load_session, same, user_for_api_token, utc
from bifocals.services.settings import WebSettings
from bifocals.store import Store
from bifocals.store.app_tables import sessions
from bifocals.store.tables import participants

log = logging.getLogger("bifocals.web")

TEMPLATES_DIR = Path(__file__).parent / "templates"
STATIC_DIR = Path(__file__).parent / "static"
SESSION_COOKIE = "bifocals_session"
# Double-submit cookie guarding the forms of visitors without a session (login, nomination).
ANON_CSRF_COOKIE = "bifocals_csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})

templates = Jinja2Templates(directory=str(TEMPLATES_DIR))
# Templates are package files: read once per process (no stat of every template on every page).
# BIFOCALS_RELOAD_TEMPLATES=1 rereads changed templates, for someone editing them.
templates.env.auto_reload = os.environ.get("BIFOCALS_RELOAD_TEMPLATES") == "1"


def static_url(request: Request, path: str) -> str:
    """The address of a file in web/static, with the version so that an upgrade's CSS and
    scripts are fetched anew (templates: `{{ static_url(request, 'app.css') }}`); it skips the
    walk over every route that `url_for('static', ...)` makes on each call."""
    return f"{request.scope.get('root_path', '')}/static/{path}?v={__version__}"


_UNSET = object()


class LoginRequired(Exception):
    """Raised by require_user for a visitor without a session; answered by a redirect to /login."""


class CrossSiteRead(Exception):
    """Raised by `no_cross_site_read` for a page opened by a link on another site; answered by a
    page that asks the person to open it from here (see app.py)."""


def no_cross_site_read(request: Request) -> None:
    """Refuse to show (and audit) results when another site's link opened the page.

    Viewing a report or a readiness result is recorded, and once recorded the campaign or survey
    can no longer be re-opened. A session cookie is SameSite=Lax, so a link on another site
    would be enough to record a view in someone's name; browsers say where a navigation came
    from in Sec-Fetch-Site, and a cross-site one gets a page with a link to continue instead.
    Clients that send no such header (curl, API scripts) are not affected.
    """
    if (
        request.method == "GET"
        and request.headers.get("sec-fetch-site") == "cross-site"
        and request.headers.get("sec-fetch-mode") == "navigate"
    ):
        raise CrossSiteRead()


def get_store(request: Request) -> Store:
    """The app's Store (dependency)."""
    store: Store = request.app.state.store
    return store


def get_settings(request: Request) -> WebSettings:
    """The app's WebSettings (dependency)."""
    settings: WebSettings = request.app.state.settings
    return settings


def current_session(request: Request) -> Session | None:
    """The live session of the request's cookie, looked up once per request."""
    cached = getattr(request.state, "bf_session", _UNSET)
    if cached is not _UNSET:
        return cast("Session | None", cached)
    raw = request.cookies.get(SESSION_COOKIE)
    found = None
    if raw:
        with get_store(request).engine.begin() as conn:
            found = load_session(conn, raw)
    request.state.bf_session = found
    return found


def current_user(request: Request) -> User | None:
    """The signed-in user (session cookie, or `Authorization: Bearer <api token>`), or None."""
    session = current_session(request)
    if session is not None:
        return session.user
    auth = request.headers.get("authorization", "")
    if auth.lower().startswith("bearer "):
        with get_store(request).engine.connect() as conn:
            return user_for_api_token(conn, auth[7:].strip())
    return None


def require_user(request: Request) -> User:
    """The signed-in user; a visitor is sent to the login page (HTML) or gets 401 (/api/)."""
    user = current_user(request)
    if user is None:
        if request.url.path.startswith("/api/"):
            raise HTTPException(401, "sign in or send Authorization: Bearer <token>")
        raise LoginRequired()
    return user


def require_role(*roles: str) -> Callable[[Request], User]:
    """A dependency that lets through only users holding one of `roles` (403 otherwise)."""

    def dependency(request: Request) -> User:
        user = require_user(request)
        if user.role not in roles:
            raise HTTPException(403, "your account's role may not open this page")
        return user

    return dependency


def csrf_token(request: Request) -> str:
    """The CSRF token for the request's forms: the session's, or the visitor's cookie token."""
    session = current_session(request)
    if session is not None:
        return session.csrf_token
    token = request.cookies.get(ANON_CSRF_COOKIE) or getattr(request.state, "csrf_new", None)
    if not token:
        token = secrets.token_urlsafe(32)
        request.state.csrf_new = token
    return str(token)


def csrf_field(request: Request) -> Markup:
    """The hidden input every POST form carries (templates: `{{ csrf_field(request) }}`)."""
    return Markup(
        f'<input type="hidden" name="{CSRF_FIELD}" value="{escape(csrf_token(request))}">'
    )


async def csrf_protect(request: Request) -> None:
    """Refuse an unsafe request whose CSRF token (form field or X-CSRF-Token header) is wrong.

    API clients that authenticate with a bearer token and send no cookie are exempt: a browser
    never adds that header by itself.
    """
    if request.method not in UNSAFE:
        return
    has_cookie = SESSION_COOKIE in request.cookies
    if not has_cookie and request.headers.get("authorization", "").lower().startswith("bearer "):
        return
    # The session lookup reads (and may clean up) the database: off the event loop.
    session = await run_in_threadpool(current_session, request)
    expected = session.csrf_token if session else request.cookies.get(ANON_CSRF_COOKIE)
    sent = request.headers.get(CSRF_HEADER)
    if sent is None:
        ctype = request.headers.get("content-type", "")
        if ctype.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
            value = (await request.form()).get(CSRF_FIELD)
            sent = value if isinstance(value, str) else None
    if not expected or not sent or not same(expected, sent):
        raise HTTPException(
            403, "this form has expired or did not come from this site; reload the page and retry"
        )


# The kind of the session's flash items that hold issued links (see web/link_pages.py).
ISSUED_LINKS = "links"


def flash_for_update(id_hash: str) -> sa.Select[str | None]:
    """A read of the session's flash column (messages and stashed links) that row-locks it
    until the transaction ends on PostgreSQL, so two instances answering two tabs of one
    session at once cannot drop each other's message. SQLite has no row locks: there it is a
    plain read, and one machine's workers keep the small window they always had."""
    return sa.select(sessions.c.flash).where(sessions.c.id_hash == id_hash).with_for_update()


def flash(request: Request, message: str, kind: str = "info") -> None:
    """Show a message on the next page this session renders (after a redirect)."""
    session = current_session(request)
    if session is None:
        return
    with get_store(request).engine.begin() as conn:
        old = conn.execute(flash_for_update(session.id_hash)).scalar()
        items = json.loads(old) if old else []
        items.append({"kind": kind, "message": message})
        conn.execute(
            sa.update(sessions)
            .where(sessions.c.id_hash == session.id_hash)
            .values(flash=json.dumps(items))
        )


def _take_flashes(request: Request) -> list[dict[str, str]]:
    session = current_session(request)
    if session is None:
        return []
    with get_store(request).engine.begin() as conn:
        old = conn.execute(flash_for_update(session.id_hash)).scalar()
        if not old:
            return []
        items: list[dict[str, str]] = json.loads(old)
        # Issued links waiting for their one read (web/link_pages.py) stay where they are:
        # a page opened in another tab must not use them up.
        kept = [i for i in items if i.get("kind") == ISSUED_LINKS]
        if len(kept) == len(items):
            return []
        conn.execute(
            sa.update(sessions)
            .where(sessions.c.id_hash == session.id_hash)
            .values(flash=json.dumps(kept) if kept else None)
        )
    return [i for i in items if i.get("kind") != ISSUED_LINKS]


def participant_language(conn: sa.Connection, participant_id: int | None) -> str | None:
    """A participant's stored language (None when none is set or there is no participant)."""
    if participant_id is None:
        return None
    q = sa.select(participants.c.language).where(participants.c.id == participant_id)
    return cast("str | None", conn.execute(q).scalar())


def page_language(request: Request, user: User | None = None) -> str:
    """The language of a page for its reader: a participant's stored language (English when
    none is set, as for their report); a visitor who is not signed in, their browser's
    (Accept-Language); admins and facilitators, whose pages are English, English."""
    if user is None:
        return negotiate(request.headers.get("accept-language"))
    if user.role != "participant":
        return DEFAULT_LANGUAGE
    with get_store(request).engine.connect() as conn:
        return language_or_default(participant_language(conn, user.participant_id))


def set_anon_csrf_cookie(request: Request, response: Response) -> None:
    """Send the visitor's new double-submit CSRF cookie if this request created one."""
    token = getattr(request.state, "csrf_new", None)
    if token:
        response.set_cookie(
            ANON_CSRF_COOKIE,
            token,
            httponly=True,
            samesite="strict",
            secure=cookie_secure(request),
            path="/",
        )


def public_base(request: Request) -> str:
    """The site's address for links in e-mails: the setting, or the request's own."""
    return get_settings(request).base_url or str(request.base_url)


def managed(request: Request, user: User, campaign_id: int) -> Any:
    """The campaign's row when `user` may manage it (NotFound otherwise: the campaign's
    existence is not revealed), in a short read of its own."""
    from bifocals.services.access import managed_campaign

    with get_store(request).engine.connect() as conn:
        return managed_campaign(conn, user, campaign_id)


def send_soon(request: Request) -> None:
    """Send the queued mail now, in a thread, without making the request wait (the ticker of
    `serve` would send it within tick_seconds anyway; each message goes out once either way)."""
    from bifocals.services.outbox import send_due

    store, settings, base = get_store(request), get_settings(request), public_base(request)

    def run() -> None:
        try:
            send_due(store, settings, base)
        except Exception:  # the outbox keeps the message; the next tick tries again
            log.exception("sending queued mail failed; it stays queued")

    threading.Thread(target=run, name="bifocals-send", daemon=True).start()


def cookie_secure(request: Request) -> bool:
    """Cookies get the Secure flag under https or when the settings ask for it."""
    return get_settings(request).secure_cookies or request.url.scheme == "https"


def set_session_cookie(request: Request, response: Response, raw: str) -> None:
    """Send the session cookie: HttpOnly, SameSite=Lax, Secure under https, with expiry."""
    response.set_cookie(
        SESSION_COOKIE,
        raw,
        max_age=int(get_settings(request).session_hours * 3600),
        httponly=True,
        samesite="lax",
        secure=cookie_secure(request),
        path="/",
    )


def render(
    request: Request,
    name: str,
    context: dict[str, Any] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    """Render a template that extends base.html, with the user, flashes and CSRF helper."""
    ctx: dict[str, Any] = {
        "user": current_user(request),
        "flashes": _take_flashes(request),
        "settings": get_settings(request),
    }
    ctx.update(context or {})
    response = templates.TemplateResponse(request, name, ctx, status_code=status_code)
    set_anon_csrf_cookie(request, response)
    return response


templates.env.globals["csrf_field"] = csrf_field
templates.env.globals["static_url"] = static_url
templates.env.globals["csrf_token"] = csrf_token
install_i18n(templates.env)  # `_()` and `{% trans %}` in the page's `lang` (bifocals.locale)


# The role dependencies, declared once for every router.


def campaign_view(row: Any) -> dict[str, Any]:
    """A campaigns row as template data."""
    return {
        "id": row.id,
        "name": row.name,
        "instrument": f"{row.instrument_id} {row.instrument_version}",
        "status": row.status,
        "deadline": utc(row.deadline),
        "close_mode": getattr(row, "close_mode", "auto"),
        "created_at": utc(row.created_at),
        "thresholds": {
            "manager": row.threshold_manager,
            "peer": row.threshold_peer,
            "direct_report": row.threshold_direct_report,
            "other": row.threshold_other,
            "pooled": row.threshold_pooled,
        },
    }


Anyone = Annotated[User, Depends(require_user)]
Manager = Annotated[User, Depends(require_role("admin", "facilitator"))]
Admin = Annotated[User, Depends(require_role("admin"))]
