"""Signing in and out, the start page, a participant's own page, changing one's password.

The participant's pages are in their stored language, the sign-in page in the browser's
(deps.page_language); the pages of other roles stay English."""

from __future__ import annotations

from typing import Annotated

import sqlalchemy as sa
from fastapi import Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from bifocals.errors import BifocalsError
from bifocals.locale import gettext_for
from bifocals.services.accounts import password_message, set_password, write_audit
from bifocals.services.security import (
    User,
    authenticate,
    end_session,
    login_wait,
    record_attempt,
    start_session,
    verify_password,
)
from bifocals.store.app_tables import users
from bifocals.store.tables import campaigns, participants
from bifocals.web.deps import (
    SESSION_COOKIE,
    current_session,
    current_user,
    flash,
    get_settings,
    get_store,
    page_language,
    render,
    require_role,
    require_user,
    set_session_cookie,
)
from bifocals.web.routers import page_router

router = page_router()


def safe_next(target: str | None) -> str:
    """A local path to go to after signing in (never another site)."""
    if target and target.startswith("/") and not target.startswith(("//", "/\\")):
        return target
    return "/"


def home_for(user: User) -> str:
    """Where a role lands after signing in."""
    return "/me" if user.role == "participant" else "/campaigns"


@router.get("/", include_in_schema=False)
def home(request: Request) -> Response:
    """Send visitors to sign in and users to their start page."""
    user = current_user(request)
    return RedirectResponse("/login" if user is None else home_for(user), status_code=303)


def _too_many(wait: int, lang: str) -> str:
    _ = gettext_for(lang)
    minutes, seconds = divmod(wait, 60)
    when = f"{minutes} min {seconds} s" if minutes else f"{seconds} s"
    return _("Too many failed sign-ins for this account. Try again in %(when)s.") % {"when": when}


@router.get("/login", include_in_schema=False)
def login_page(request: Request, next: str = "/") -> Response:
    """The sign-in form."""
    user = current_user(request)
    if user is not None:
        return RedirectResponse(home_for(user), status_code=303)
    ctx = {"next": safe_next(next), "email": "", "lang": page_language(request)}
    return render(request, "auth/login.html", ctx)


@router.post("/login", include_in_schema=False)
def login(
    request: Request,
    email: Annotated[str, Form(max_length=320)],
    password: Annotated[str, Form(max_length=1000)],
    next: Annotated[str, Form(max_length=2000)] = "/",
) -> Response:
    """Check the password (throttled per account and per address) and start a session."""
    settings = get_settings(request)
    store = get_store(request)
    lang = page_language(request)
    _ = gettext_for(lang)
    addr = email.strip().lower()
    ip = request.client.host if request.client else "unknown"
    with store.engine.begin() as conn:
        wait = login_wait(conn, addr, ip, settings.login_limits())
        if wait:
            write_audit(conn, None, "login.blocked", f"user:{addr}", f"ip={ip} wait={wait}s")
            user = None
        else:
            user = authenticate(conn, addr, password)
            record_attempt(conn, addr, ip, success=user is not None)
    if wait:
        ctx = {"next": safe_next(next), "email": addr, "error": _too_many(wait, lang), "lang": lang}
        return render(request, "auth/login.html", ctx, status_code=429)
    if user is None:
        error = _("E-mail or password is wrong.")
        ctx = {"next": safe_next(next), "email": addr, "error": error, "lang": lang}
        return render(request, "auth/login.html", ctx, status_code=401)
    with store.engine.begin() as conn:
        old = current_session(request)
        if old is not None:
            end_session(conn, old.id_hash)
        raw, _session = start_session(conn, user.id, settings.session_hours)
        write_audit(conn, user, "login", f"user:{user.email}", f"ip={ip}")
    target = safe_next(next)
    response = RedirectResponse(home_for(user) if target == "/" else target, status_code=303)
    set_session_cookie(request, response, raw)
    return response


@router.post("/logout", include_in_schema=False)
def logout(request: Request) -> Response:
    """End the session."""
    session = current_session(request)
    if session is not None:
        with get_store(request).engine.begin() as conn:
            end_session(conn, session.id_hash)
            write_audit(conn, session.user, "logout", f"user:{session.user.email}")
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get("/me", include_in_schema=False)
def me(request: Request, user: Annotated[User, Depends(require_role("participant"))]) -> Response:
    """A participant's page: their campaign and, once released, the link to their report."""
    item = None
    if user.participant_id is not None:
        with get_store(request).engine.connect() as conn:
            row = conn.execute(
                sa.select(campaigns.c.id, campaigns.c.name, campaigns.c.status, participants.c.id)
                .join(participants, participants.c.campaign_id == campaigns.c.id)
                .where(participants.c.id == user.participant_id)
            ).first()
        if row is not None:
            item = {
                "campaign_id": row[0],
                "campaign": row[1],
                "status": row[2],
                "participant_id": row[3],
            }
    return render(request, "auth/me.html", {"item": item, "lang": page_language(request, user)})


@router.get("/account/password", include_in_schema=False)
def password_page(request: Request, user: Annotated[User, Depends(require_user)]) -> Response:
    """The change-password form."""
    return render(request, "auth/password.html", {"lang": page_language(request, user)})


@router.post("/account/password", include_in_schema=False)
def change_password(
    request: Request,
    user: Annotated[User, Depends(require_user)],
    current: Annotated[str, Form(max_length=1000)],
    new: Annotated[str, Form(max_length=1000)],
) -> Response:
    """Change the password after checking the current one; other sessions end."""
    store = get_store(request)
    lang = page_language(request, user)
    _ = gettext_for(lang)
    ip = request.client.host if request.client else "unknown"
    with store.engine.begin() as conn:
        # Wrong current passwords count against the same throttle as wrong sign-ins.
        wait = login_wait(conn, user.email, ip, get_settings(request).login_limits())
        if wait:
            write_audit(conn, user, "password.blocked", f"user:{user.email}", f"ip={ip}")
        else:
            stored = conn.execute(
                sa.select(users.c.password_hash).where(users.c.id == user.id)
            ).scalar()
            right = verify_password(stored, current)
            if not right:
                record_attempt(conn, user.email, ip, success=False)
    if wait:
        ctx = {"error": _too_many(wait, lang), "lang": lang}
        return render(request, "auth/password.html", ctx, status_code=429)
    if not right:
        ctx = {"error": _("The current password is wrong."), "lang": lang}
        return render(request, "auth/password.html", ctx, status_code=400)
    try:
        set_password(store, user, new)
    except BifocalsError as exc:
        ctx = {"error": password_message(str(exc), lang), "lang": lang}
        return render(request, "auth/password.html", ctx, status_code=400)
    settings = get_settings(request)
    with store.engine.begin() as conn:
        raw, _session = start_session(conn, user.id, settings.session_hours)
    request.state.bf_session = _session
    flash(request, _("Your password was changed."), "success")
    response = RedirectResponse(home_for(user), status_code=303)
    set_session_cookie(request, response, raw)
    return response
