"""Participants and raters: add by form or CSV, raters, invitations, nomination review."""

from __future__ import annotations

from typing import Annotated

import sqlalchemy as sa
from fastapi import Form, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response

from bifocals.errors import BifocalsError, ValidationError
from bifocals.services.access import (
    managed_campaign,
    managed_nomination_participant,
    managed_participant,
)
from bifocals.services.delivery import deliver_invitations, deliver_nomination_link
from bifocals.services.people import (
    GROUP_LABELS,
    MAX_CSV_BYTES,
    RATER_GROUPS,
    add_participant,
    add_rater,
    decide_nomination,
    import_participants,
)
from bifocals.services.security import User, utc
from bifocals.store.app_tables import invitations, nominations
from bifocals.store.tables import raters
from bifocals.web.deps import (
    Manager,
    campaign_view,
    get_settings,
    get_store,
    managed,
    public_base,
    render,
)
from bifocals.web.link_pages import show_delivery, take_issued
from bifocals.web.routers import (
    RaterForm,
    Text,
    Upload,
    flash_outcome,
    flash_to,
    page_router,
    upload_name,
)

router = page_router("/campaigns/{campaign_id}")


def _back(campaign_id: int, pid: int | None = None) -> str:
    return f"/campaigns/{campaign_id}" + (f"/participants/{pid}" if pid else "")


@router.post("/participants", include_in_schema=False)
def add_one(
    request: Request,
    campaign_id: int,
    user: Manager,
    code: Text,
    name: Text = "",
    email: Text = "",
) -> Response:
    """Add a participant by form."""

    def add() -> str:
        with get_store(request).engine.begin() as conn:
            managed_campaign(conn, user, campaign_id)
            add_participant(conn, user, campaign_id, code, name, email)
        return f"Participant {code.strip()} added."

    return flash_outcome(request, _back(campaign_id), add)


@router.post("/participants/csv", include_in_schema=False)
async def add_csv(request: Request, campaign_id: int, user: Manager, file: Upload) -> Response:
    """Add participants from a CSV upload (name,email,code): all lines or none."""
    data = await file.read(MAX_CSV_BYTES + 1)
    source = upload_name(file.filename, "upload.csv")
    # The import and its database work block: run them off the event loop.
    return await run_in_threadpool(_add_csv, request, campaign_id, user, data, source)


def _add_csv(request: Request, campaign_id: int, user: User, data: bytes, source: str) -> Response:
    store = get_store(request)
    try:
        with store.engine.begin() as conn:
            managed_campaign(conn, user, campaign_id)
            count = import_participants(conn, user, campaign_id, data, source)
    except ValidationError as exc:
        with store.engine.connect() as conn:
            camp = campaign_view(managed_campaign(conn, user, campaign_id))
        ctx = {"c": camp, "source": source, "problems": exc.problems}
        return render(request, "campaigns/csv_errors.html", ctx, status_code=400)
    except BifocalsError as exc:
        return flash_to(request, _back(campaign_id), str(exc), "error")
    return flash_to(request, _back(campaign_id), f"{count} participants added from {source}.")


@router.get("/participants/{pid}", include_in_schema=False)
def participant_page(request: Request, campaign_id: int, pid: int, user: Manager) -> Response:
    """One participant: raters with their link status, pending nominations, forms."""
    live = (
        sa.select(
            invitations.c.rater_id,
            sa.func.max(invitations.c.created_at).label("issued"),
            sa.func.max(invitations.c.sent_at).label("sent"),
            sa.func.max(invitations.c.opened_at).label("opened"),
        )
        .where(invitations.c.revoked_at.is_(None))
        .group_by(invitations.c.rater_id)
        .subquery()
    )
    with get_store(request).engine.connect() as conn:
        camp, person = managed_participant(conn, user, campaign_id, pid)
        people = conn.execute(
            sa.select(raters, live.c.issued, live.c.sent, live.c.opened)
            .outerjoin(live, live.c.rater_id == raters.c.id)
            .where(raters.c.participant_id == pid)
            .order_by(raters.c.group, raters.c.name, raters.c.id)
        ).all()
        noms = conn.execute(
            sa.select(nominations)
            .where(nominations.c.participant_id == pid)
            .order_by(nominations.c.status.desc(), nominations.c.created_at)
        ).all()
    rows = [
        {
            "id": r.id,
            "name": r.name,
            "email": r.email,
            "group": GROUP_LABELS.get(r.group, r.group),
            "group_key": r.group,
            "submitted": r.submitted_at is not None,
            "link": "opened"
            if r.opened
            else "e-mailed"
            if r.sent
            else "issued"
            if r.issued
            else "not issued",
            "issued": utc(r.issued),
        }
        for r in people
    ]
    ctx = {
        "c": campaign_view(camp),
        "p": person,
        "raters": rows,
        "nominations": noms,
        "groups": [(g, GROUP_LABELS[g]) for g in RATER_GROUPS],
        "labels": GROUP_LABELS,
        "mail": get_settings(request).smtp.enabled,
        "answered": sum(r.submitted_at is not None for r in people),
    }
    return render(request, "campaigns/participant.html", ctx)


@router.post("/participants/{pid}/raters", include_in_schema=False)
def add_rater_form(
    request: Request,
    campaign_id: int,
    pid: int,
    user: Manager,
    rater: RaterForm,
) -> Response:
    """Add a rater chosen by the facilitator."""

    def add() -> str:
        with get_store(request).engine.begin() as conn:
            managed_participant(conn, user, campaign_id, pid)
            add_rater(conn, user, campaign_id, pid, rater.name, rater.email, rater.group)
        return f"Rater {rater.name.strip()} added."

    return flash_outcome(request, _back(campaign_id, pid), add)


def _safe_back(campaign_id: int, back: str) -> str:
    """`back` if it is a page of this campaign, else the campaign page."""
    home = f"/campaigns/{campaign_id}"
    if back == home or (back.startswith(home + "/") and "//" not in back and "\\" not in back):
        return back
    return home


@router.get("/links", include_in_schema=False)
def issued_links(request: Request, campaign_id: int, user: Manager, back: str = "") -> Response:
    """The links issued just before, shown once; afterwards a note that they were shown."""
    row = managed(request, user, campaign_id)
    batches = take_issued(request, f"campaign:{campaign_id}")
    back = _safe_back(campaign_id, back or (batches[-1]["back"] if batches else ""))
    ctx = {"c": campaign_view(row), "batches": batches, "back": back}
    return render(request, "campaigns/links.html", ctx)


@router.post("/participants/{pid}/invite", include_in_schema=False)
def invite_participant_raters(
    request: Request,
    campaign_id: int,
    pid: int,
    user: Manager,
    mode: Annotated[str, Form(pattern="^(email|show)$")] = "show",
    rater_id: Annotated[int | None, Form()] = None,
    reissue: Annotated[bool, Form()] = False,
) -> Response:
    """Issue links for one rater (always a new link), or for every rater of a participant who
    has not answered and has no live link (with `reissue`: a new link for all of them)."""
    store = get_store(request)
    with store.engine.connect() as conn:
        managed_participant(conn, user, campaign_id, pid)
        q = sa.select(raters.c.id).where(raters.c.participant_id == pid)
        if rater_id is not None:
            q = q.where(raters.c.id == rater_id)
        ids = [int(i) for i in conn.execute(q).scalars()]
    settings, base, by_email = get_settings(request), public_base(request), mode == "email"
    keep = rater_id is None and not reissue
    out = deliver_invitations(
        store, settings, user, campaign_id, ids, base, by_email=by_email, keep_live=keep
    )
    return show_delivery(request, campaign_id, _back(campaign_id, pid), out)


@router.post("/participants/{pid}/nomination-link", include_in_schema=False)
def nomination_link(
    request: Request,
    campaign_id: int,
    pid: int,
    user: Manager,
    mode: Annotated[str, Form(pattern="^(email|show)$")] = "show",
) -> Response:
    """Give the participant a private page to suggest their raters (a new link revokes the old)."""
    store = get_store(request)
    with store.engine.connect() as conn:
        managed_participant(conn, user, campaign_id, pid)
    settings, base, by_email = get_settings(request), public_base(request), mode == "email"
    out = deliver_nomination_link(store, settings, user, campaign_id, pid, base, by_email=by_email)
    return show_delivery(request, campaign_id, _back(campaign_id, pid), out)


@router.post("/nominations/{nid}/{decision}", include_in_schema=False)
def decide(request: Request, campaign_id: int, nid: int, decision: str, user: Manager) -> Response:
    """Approve or reject a participant's suggested rater.

    A nomination of another campaign answers 404 like an unknown one, before anything else:
    its participant's page must not be the way back (that would tell its id)."""
    store = get_store(request)
    with store.engine.connect() as conn:
        pid = managed_nomination_participant(conn, user, campaign_id, nid)
    back = _back(campaign_id, pid)
    if decision not in ("approve", "reject"):
        return flash_to(request, back, "Choose approve or reject.", "error")

    def decide_it() -> str:
        with store.engine.begin() as conn:
            decide_nomination(conn, user, campaign_id, nid, decision == "approve")
        word = "approved: the rater is added" if decision == "approve" else "rejected"
        return f"Nomination {word}."

    return flash_outcome(request, back, decide_it)
