"""Running a programme on the web: the schedule and e-mail texts, invitations sent in the
background, the failed-mail list, participant accounts by invitation, and the page on which
an invited participant sets their password. The rules are in services (schedule, outbox,
participant_accounts); this module reads forms and picks pages."""

from __future__ import annotations

import json
from typing import Annotated, Any

import sqlalchemy as sa
from fastapi import Form, Request
from fastapi.responses import RedirectResponse, Response

from bifocals.errors import BifocalsError, ValidationError
from bifocals.locale import gettext_for, language_or_default
from bifocals.services.accounts import password_message
from bifocals.services.mail_texts import (
    INVITE_BODY,
    INVITE_SUBJECT,
    PLACEHOLDERS,
    REMIND_BODY,
    REMIND_SUBJECT,
    Texts,
)
from bifocals.services.outbox import queue_invitations, requeue_failed
from bifocals.services.participant_accounts import invite_participants, set_password_by_link
from bifocals.services.schedule import TEXT_FIELDS, update_schedule
from bifocals.services.security import start_session
from bifocals.services.token_links import LinkKind, Lookup, lookup
from bifocals.store.app_tables import sessions, users
from bifocals.web import link_pages
from bifocals.web.deps import (
    Manager,
    campaign_view,
    flash,
    get_settings,
    get_store,
    managed,
    page_language,
    participant_language,
    public_base,
    render,
    send_soon,
    set_session_cookie,
)
from bifocals.web.routers import flash_to, page_router, see_other

router = page_router()
Short = Annotated[str, Form(max_length=300)]
Long = Annotated[str, Form(max_length=10_000)]


def _schedule_page(
    request: Request,
    camp: Any,
    form: dict[str, str],
    problems: dict[str, str],
    status_code: int = 200,
) -> Response:
    ctx = {
        "c": campaign_view(camp),
        "form": form,
        "problems": problems,
        "placeholders": PLACEHOLDERS,
        "defaults": {
            "invite_subject": INVITE_SUBJECT,
            "invite_body": INVITE_BODY,
            "remind_subject": REMIND_SUBJECT,
            "remind_body": REMIND_BODY,
        },
        "mail": get_settings(request).smtp.enabled,
    }
    return render(request, "campaigns/schedule.html", ctx, status_code=status_code)


@router.get("/campaigns/{campaign_id}/schedule", include_in_schema=False)
def schedule_page(request: Request, campaign_id: int, user: Manager) -> Response:
    """The reminder schedule, close mode and e-mail texts of a campaign."""
    camp = managed(request, user, campaign_id)
    form = {
        "reminder_days": ", ".join((camp.reminder_days or "").split(",")),
        "close_mode": camp.close_mode,
        **{k: getattr(camp, k) or "" for k, _ in TEXT_FIELDS},
    }
    return _schedule_page(request, camp, form, {})


@router.post("/campaigns/{campaign_id}/schedule", include_in_schema=False)
def schedule_save(
    request: Request,
    campaign_id: int,
    user: Manager,
    reminder_days: Annotated[str, Form(max_length=100)] = "",
    close_mode: Annotated[str, Form(max_length=10)] = "auto",
    invite_subject: Short = "",
    invite_body: Long = "",
    remind_subject: Short = "",
    remind_body: Long = "",
) -> Response:
    """Save the schedule and texts (blank texts: the built-in ones); a refusal shows the form
    again as typed, with every problem next to its field."""
    store = get_store(request)
    camp = managed(request, user, campaign_id)
    texts = Texts(invite_subject, invite_body, remind_subject, remind_body)
    form = {
        "reminder_days": reminder_days,
        "close_mode": close_mode,
        "invite_subject": invite_subject,
        "invite_body": invite_body,
        "remind_subject": remind_subject,
        "remind_body": remind_body,
    }
    try:
        days, mode = update_schedule(
            store,
            user,
            campaign_id,
            reminder_days=reminder_days,
            close_mode=close_mode,
            texts=texts,
        )
    except ValidationError as exc:
        found = {p.field: p.message for p in exc.problems}
        return _schedule_page(request, camp, form, found, status_code=400)
    except BifocalsError as exc:
        return flash_to(request, f"/campaigns/{campaign_id}/schedule", str(exc), "error")
    when = ", ".join(str(d) for d in days) or "no"
    closing = "at the deadline" if mode == "auto" else "when you close it"
    note = f"Saved: reminders {when} days before the deadline; closes {closing}."
    return flash_to(request, f"/campaigns/{campaign_id}", note)


@router.post("/campaigns/{campaign_id}/invitations/email", include_in_schema=False)
def email_invitations(request: Request, campaign_id: int, user: Manager) -> Response:
    """Queue an invitation for every rater with an address, no answer and no live link; the
    messages go out in the background."""
    managed(request, user, campaign_id)
    back = f"/campaigns/{campaign_id}/progress"
    try:
        queued, kept = queue_invitations(
            get_store(request), get_settings(request), user, campaign_id
        )
    except BifocalsError as exc:
        return flash_to(request, back, str(exc), "error")
    parts = [f"{queued.queued} invitation{'s' if queued.queued != 1 else ''} queued"]
    if kept:
        parts.append(f"{kept} rater{'s' if kept != 1 else ''} with a live link left out")
    if queued.no_address:
        parts.append(
            f"no e-mail address for {len(queued.no_address)}: "
            + ", ".join(queued.no_address[:10])
            + " (use the links sheet for them)"
        )
    flash(request, "; ".join(parts) + ". They are sent in the background.", "success")
    if queued.queued:
        send_soon(request)
    return see_other(back)


@router.post("/campaigns/{campaign_id}/mail/retry", include_in_schema=False)
def retry_mail(request: Request, campaign_id: int, user: Manager) -> Response:
    """Queue the failed messages again (after fixing the mail settings)."""
    store = get_store(request)
    managed(request, user, campaign_id)
    n = requeue_failed(store, user, campaign_id)
    flash(request, f"{n} message{'s' if n != 1 else ''} queued again.", "success")
    if n:
        send_soon(request)
    return see_other(f"/campaigns/{campaign_id}/progress")


@router.post("/campaigns/{campaign_id}/accounts/invite", include_in_schema=False)
def invite_accounts(request: Request, campaign_id: int, user: Manager) -> Response:
    """Make participant accounts from the roster's e-mails and send each a set-password link
    (shown once for copying when no mail server is configured)."""
    store = get_store(request)
    camp = managed(request, user, campaign_id)
    settings = get_settings(request)
    out = invite_participants(store, settings, user, campaign_id, public_base(request))
    done = len(out.created) + len(out.again)
    note = f"{done} participant{'s' if done != 1 else ''} invited to set a password"
    if out.skipped:
        note += "; left out: " + "; ".join(out.skipped[:10])
    flash(request, note + ".", "success" if done else "info")
    if out.queued:
        send_soon(request)
    if out.shown:
        ctx = {
            "c": campaign_view(camp),
            "batches": [{"sent": [], "failed": [], "shown": out.shown, "back": ""}],
            "back": f"/campaigns/{campaign_id}",
        }
        return render(request, "campaigns/links.html", ctx)
    return see_other(f"/campaigns/{campaign_id}")


def _account_language(request: Request, look: Lookup) -> str:
    """The language of a set-password link's pages: its participant's stored language (English
    when none is set); for an unknown link, the browser's."""
    if look.row is None:
        return page_language(request)
    with get_store(request).engine.connect() as conn:
        pid = conn.execute(
            sa.select(users.c.participant_id).where(users.c.id == look.row.user_id)
        ).scalar()
        return language_or_default(participant_language(conn, pid))


@router.get("/account/setup/{token}", include_in_schema=False)
def setup_page(request: Request, token: str) -> Response:
    """The page where an invited participant chooses their password."""
    with get_store(request).engine.connect() as conn:
        look = lookup(conn, LinkKind.ACCOUNT, token)
    lang = _account_language(request, look)
    if not look.valid:
        return link_pages.problem_page(request, LinkKind.ACCOUNT, look.status, lang)
    ctx = {"token": token, "email": look.row.email, "error": "", "lang": lang}
    return render(request, "auth/setup.html", ctx)


@router.post("/account/setup/{token}", include_in_schema=False)
def setup_save(
    request: Request,
    token: str,
    password: Annotated[str, Form(max_length=200)],
    again: Annotated[str, Form(max_length=200)],
) -> Response:
    """Set the password; then the participant signs in with it."""
    store = get_store(request)
    with store.engine.connect() as conn:
        look = lookup(conn, LinkKind.ACCOUNT, token)
    lang = _account_language(request, look)
    _ = gettext_for(lang)
    if not look.valid:
        return link_pages.problem_page(request, LinkKind.ACCOUNT, look.status, lang)
    error = _("The two passwords differ; type the same one twice.") if password != again else ""
    if not error:
        try:
            uid, email = set_password_by_link(store, token, password)
        except BifocalsError as exc:
            error = password_message(str(exc), lang)
        else:
            # The link proved the address: sign the person in, as a sign-in would.
            done = _("Password set: you are signed in as %(email)s.") % {"email": email}
            note = [{"kind": "success", "message": done}]
            with store.engine.begin() as conn:
                raw, session = start_session(conn, uid, get_settings(request).session_hours)
                conn.execute(
                    sa.update(sessions)
                    .where(sessions.c.id_hash == session.id_hash)
                    .values(flash=json.dumps(note))
                )
            response = RedirectResponse("/me", status_code=303)
            set_session_cookie(request, response, raw)
            return response
    ctx = {"token": token, "email": look.row.email, "error": error, "lang": lang}
    return render(request, "auth/setup.html", ctx, status_code=400)
