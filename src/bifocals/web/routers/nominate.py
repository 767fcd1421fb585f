"""A participant's private nomination page: suggest raters, no login (the link is the key)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from fastapi import Request
from fastapi.responses import Response

from bifocals.errors import BifocalsError
from bifocals.services.people import GROUP_LABELS, RATER_GROUPS, nominate
from bifocals.services.token_links import LinkKind, lookup
from bifocals.store.app_tables import nominations
from bifocals.web.deps import get_store, render
from bifocals.web.link_pages import problem_page
from bifocals.web.routers import RaterForm, page_router

router = page_router()


def _page(
    request: Request,
    token: str,
    row: Any,
    error: str | None = None,
    done: str | None = None,
    status: int = 200,
) -> Response:
    with get_store(request).engine.connect() as conn:
        mine = conn.execute(
            sa.select(nominations.c.name, nominations.c.group, nominations.c.status)
            .where(nominations.c.participant_id == row.participant_id)
            .order_by(nominations.c.created_at)
        ).all()
    ctx = {
        "token": token,
        "p": row,
        "mine": mine,
        "groups": [(g, GROUP_LABELS[g]) for g in RATER_GROUPS],
        "labels": GROUP_LABELS,
        "error": error,
        "done": done,
    }
    return render(request, "campaigns/nominate.html", ctx, status_code=status)


@router.get("/nominate/{token}", include_in_schema=False)
def nomination_page(request: Request, token: str) -> Response:
    """The participant's suggestions so far and a form for one more."""
    with get_store(request).engine.connect() as conn:
        look = lookup(conn, LinkKind.NOMINATION, token)
    if not look.valid:
        return problem_page(request, LinkKind.NOMINATION, look.status)
    return _page(request, token, look.row)


@router.post("/nominate/{token}", include_in_schema=False)
def suggest(request: Request, token: str, rater: RaterForm) -> Response:
    """Add one suggested rater, to be approved by the facilitator."""
    store = get_store(request)
    with store.engine.connect() as conn:
        look = lookup(conn, LinkKind.NOMINATION, token)
    if not look.valid:
        return problem_page(request, LinkKind.NOMINATION, look.status)
    row = look.row
    try:
        with store.engine.begin() as conn:
            nominate(
                conn, row.participant_id, row.campaign_id, rater.name, rater.email, rater.group
            )
    except BifocalsError as exc:
        return _page(request, token, row, error=str(exc), status=400)
    return _page(request, token, row, done=f"{rater.name.strip()} is suggested.")
