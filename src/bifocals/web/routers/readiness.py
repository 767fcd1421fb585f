"""The ADKAR readiness survey behind a private link (/readiness/{token}); no login.

Five statements, one per ADKAR element, on a 1-5 agreement scale with "Not sure", and an
optional comment. A link takes one answer: POST submits exactly once, with an idempotency key
per page load, so a double click or a retry never stores two answers. The form carries the
visitor's CSRF token (double-submit cookie) like every other form of the site; the router is
included by routers/change.py, whose CSRF dependency applies.

A stakeholder has no stored language: the form and its thank-you page are in the browser's
(Accept-Language). The initiative's and the group's names are shown as the initiative's file
writes them.
"""

from __future__ import annotations

import secrets

from fastapi import Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response

from bifocals.locale import N_, gettext_for, negotiate, translated_text
from bifocals.services.readiness_links import (
    FIELD_PREFIX,
    MAX_COMMENT,
    NOT_SURE,
    QUESTIONS,
    SCALE,
    Checked,
    check_answers,
    group_names,
    submit_answers,
)
from bifocals.services.surveys import SubmitRefused
from bifocals.services.token_links import LinkKind, LinkStatus, Lookup, lookup
from bifocals.web import link_pages
from bifocals.web.deps import get_store, render
from bifocals.web.routers import page_router

router = page_router()

MAX_KEY = 200

# What check_answers refuses on a form sent from this page, as it words it (str.format fields).
REFUSALS = (
    N_(
        "Answer at least one of the five statements (choose 'Not sure' only where you really "
        "cannot say)."
    ),
    N_("comment: {length} characters is too long; keep it to {limit}."),
)


def _language(request: Request) -> str:
    return negotiate(request.headers.get("accept-language"))


def problem_page(request: Request, status: LinkStatus) -> Response:
    """The shared page for a readiness link that cannot be used, in the browser's language."""
    return link_pages.problem_page(request, LinkKind.READINESS, status, _language(request))


def _lookup(request: Request, token: str) -> Lookup:
    with get_store(request).engine.connect() as conn:
        return lookup(conn, LinkKind.READINESS, token)


def _form(
    request: Request,
    token: str,
    look: Lookup,
    checked: Checked | None = None,
    status_code: int = 200,
) -> Response:
    link = look.row
    assert link is not None, "only a known link has a form"
    with get_store(request).engine.connect() as conn:
        names = group_names(conn, link.initiative_id)
    lang = _language(request)
    _ = gettext_for(lang)
    errors = checked.errors if checked else {}
    ctx = {
        "lang": lang,
        "token": token,
        "initiative": link.initiative,
        "group": names.get(link.group_key, link.group_key),
        "questions": [(e, _(topic), _(statement)) for e, topic, statement in QUESTIONS],
        "scale": [(value, _(label)) for value, label in SCALE],
        "not_sure": NOT_SURE,
        "prefix": FIELD_PREFIX,
        "answers": checked.raw if checked else {},
        "errors": {k: translated_text(m, REFUSALS, lang) for k, m in errors.items()},
        "max_comment": MAX_COMMENT,
        "key": secrets.token_urlsafe(24),
    }
    return render(request, "readiness/form.html", ctx, status_code=status_code)


@router.get("/readiness/{token}", include_in_schema=False)
def readiness_page(request: Request, token: str) -> Response:
    """The five readiness statements for the link's stakeholder group."""
    look = _lookup(request, token)
    if not look.valid:
        return problem_page(request, look.status)
    return _form(request, token, look)


@router.post("/readiness/{token}", include_in_schema=False)
async def readiness_post(request: Request, token: str) -> Response:
    """Check every answer on the server, then store them once (idempotency_key per page)."""
    form = await request.form(max_fields=50)
    data = {k: v for k, v in form.items() if isinstance(v, str)}
    # The database work blocks (on SQLite it may wait for the write lock): run it off the loop.
    return await run_in_threadpool(_readiness_post, request, token, data)


def _readiness_post(request: Request, token: str, data: dict[str, str]) -> Response:
    key = data.get("idempotency_key", "")
    if not key or len(key) > MAX_KEY:
        return problem_page(request, LinkStatus.UNKNOWN)
    look = _lookup(request, token)
    checked = check_answers(data)
    if look.valid and not checked.ok:
        return _form(request, token, look, checked, status_code=422)
    if look.status not in (LinkStatus.VALID, LinkStatus.USED):
        return problem_page(request, look.status)
    try:
        sent = submit_answers(get_store(request).engine, token, checked, key)
    except SubmitRefused as refused:
        return problem_page(request, refused.status)
    ctx = {"repeat": sent.repeat, "lang": _language(request)}
    return render(request, "link_done.html", ctx)
