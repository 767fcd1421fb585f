"""The ADKAR readiness survey behind a private link (/readiness/{token}); no login.

Five statements, one per ADKAR element, on a 1-5 agreement scale with "Not sure", and an
optional comment. A link takes one answer: POST submits exactly once, with an idempotency key
per page load, so a double click or a retry never stores two answers. The form carries the
visitor's CSRF token (double-submit cookie) like every other form of the site; the router is
included by routers/change.py, whose CSRF dependency applies.
"""

from __future__ import annotations

import secrets

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response

from bifocals.services.readiness_links import (
    FIELD_PREFIX,
    MAX_COMMENT,
    NOT_SURE,
    QUESTIONS,
    SCALE,
    Checked,
    LinkLookup,
    check_answers,
    group_names,
    resolve_link,
    submit_answers,
)
from bifocals.services.surveys import SubmitRefused
from bifocals.web.deps import csrf_protect, get_store, render

router = APIRouter(dependencies=[Depends(csrf_protect)])

PROBLEMS: dict[str, tuple[int, str, str]] = {
    "unknown": (
        404,
        "Link not recognised",
        "This link is not known. Check that it was copied completely, or ask the person who "
        "sent it for a new one.",
    ),
    "used": (
        409,
        "Already answered",
        "This link has already been used to send answers, and each link takes one set. "
        "Thank you; there is nothing more to do.",
    ),
    "closed": (
        410,
        "Survey closed",
        "This readiness survey is not taking answers at the moment. Thank you for your time.",
    ),
}
MAX_KEY = 200


def problem_page(request: Request, status: str) -> Response:
    """A plain page for a link that cannot be used; an unknown link reveals nothing."""
    code, title, message = PROBLEMS.get(status, PROBLEMS["unknown"])
    return render(
        request, "survey/problem.html", {"title": title, "message": message}, status_code=code
    )


def _lookup(request: Request, token: str) -> LinkLookup:
    with get_store(request).engine.connect() as conn:
        return resolve_link(conn, token)


def _form(
    request: Request,
    token: str,
    look: LinkLookup,
    checked: Checked | None = None,
    status_code: int = 200,
) -> Response:
    assert look.initiative_id is not None
    with get_store(request).engine.connect() as conn:
        names = group_names(conn, look.initiative_id)
    ctx = {
        "token": token,
        "initiative": look.initiative,
        "group": names.get(look.group_key, look.group_key),
        "questions": QUESTIONS,
        "scale": SCALE,
        "not_sure": NOT_SURE,
        "prefix": FIELD_PREFIX,
        "answers": checked.raw if checked else {},
        "errors": checked.errors if checked else {},
        "max_comment": MAX_COMMENT,
        "key": secrets.token_urlsafe(24),
    }
    return render(request, "readiness/form.html", ctx, status_code=status_code)


@router.get("/readiness/{token}", include_in_schema=False)
def readiness_page(request: Request, token: str) -> Response:
    """The five readiness statements for the link's stakeholder group."""
    look = _lookup(request, token)
    if look.status != "ok":
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
        return problem_page(request, "unknown")
    look = _lookup(request, token)
    checked = check_answers(data)
    if look.status == "ok" and not checked.ok:
        return _form(request, token, look, checked, status_code=422)
    if look.status not in ("ok", "used"):
        return problem_page(request, look.status)
    try:
        sent = submit_answers(get_store(request).engine, token, checked, key)
    except SubmitRefused as refused:
        return problem_page(request, refused.status)
    return render(request, "readiness/done.html", {"repeat": sent.repeat})
