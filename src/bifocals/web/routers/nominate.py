"""A participant's private nomination page: suggest raters, no login (the link is the key).

The page is in the participant's stored language, else the browser's (Accept-Language), like
the rest of what a participant sees; the refusals of services.people.nominate are written there
in English and shown here in that language.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from fastapi import Request
from fastapi.responses import Response

from bifocals.errors import BifocalsError
from bifocals.locale import N_, gettext_for, language_or_default, negotiate, translated_text
from bifocals.services.people import GROUP_LABELS, RATER_GROUPS, nominate
from bifocals.services.token_links import LinkKind, Lookup, lookup
from bifocals.store.app_tables import nominations
from bifocals.web.deps import get_store, participant_language, render
from bifocals.web.link_pages import problem_page
from bifocals.web.routers import RaterForm, page_router

router = page_router()

# What services.people.nominate refuses a participant, as it words it (str.format fields for
# the values; an address in `{address}` the way the service quotes it).
REFUSALS = (
    N_("give the rater's name (1 to 200 characters)"),
    N_("an e-mail address is needed"),
    N_("{address} is not an e-mail address; write name@example.org"),
    N_("{address} already rates this participant"),
    N_("{address} is already suggested and waiting for review"),
    N_("you have made {limit} suggestions; that is the limit"),
)


def _language(request: Request, conn: sa.Connection, row: Any) -> str:
    """The participant's stored language, else the browser's, else English."""
    stored = participant_language(conn, row.participant_id)
    return language_or_default(stored, negotiate(request.headers.get("accept-language")))


def _problem(request: Request, look: Lookup) -> Response:
    """The page of a nomination link that cannot be used: in the participant's language when
    the link is known (replaced, expired, closed), else the browser's."""
    if look.row is None:
        lang = negotiate(request.headers.get("accept-language"))
    else:
        with get_store(request).engine.connect() as conn:
            lang = _language(request, conn, look.row)
    return problem_page(request, LinkKind.NOMINATION, look.status, lang)


def _page(
    request: Request,
    token: str,
    row: Any,
    error: str | None = None,
    name: str | None = None,
    status: int = 200,
) -> Response:
    """The page; `error` is a refusal of the service (in English), `name` the rater just
    suggested."""
    with get_store(request).engine.connect() as conn:
        lang = _language(request, conn, row)
        mine = conn.execute(
            sa.select(nominations.c.name, nominations.c.group, nominations.c.status)
            .where(nominations.c.participant_id == row.participant_id)
            .order_by(nominations.c.created_at)
        ).all()
    _ = gettext_for(lang)
    labels = {g: _(label) for g, label in GROUP_LABELS.items()}
    ctx = {
        "lang": lang,
        "token": token,
        "p": row,
        "mine": mine,
        "groups": [(g, labels[g]) for g in RATER_GROUPS],
        "labels": labels,
        "error": translated_text(error, REFUSALS, lang) if error else None,
        "done": _("%(name)s is suggested.") % {"name": name} if name else None,
    }
    return render(request, "campaigns/nominate.html", ctx, status_code=status)


@router.get("/nominate/{token}", include_in_schema=False)
def nomination_page(request: Request, token: str) -> Response:
    """The participant's suggestions so far and a form for one more."""
    with get_store(request).engine.connect() as conn:
        look = lookup(conn, LinkKind.NOMINATION, token)
    if not look.valid:
        return _problem(request, look)
    return _page(request, token, look.row)


@router.post("/nominate/{token}", include_in_schema=False)
def suggest(request: Request, token: str, rater: RaterForm) -> Response:
    """Add one suggested rater, to be approved by the facilitator."""
    store = get_store(request)
    with store.engine.connect() as conn:
        look = lookup(conn, LinkKind.NOMINATION, token)
    if not look.valid:
        return _problem(request, look)
    row = look.row
    try:
        with store.engine.begin() as conn:
            nominate(
                conn, row.participant_id, row.campaign_id, rater.name, rater.email, rater.group
            )
    except BifocalsError as exc:
        return _page(request, token, row, error=str(exc), status=400)
    return _page(request, token, row, name=rater.name.strip())
