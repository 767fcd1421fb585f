"""Campaign pages: list (scoped by role), create, overview, facilitators, status changes."""

from __future__ import annotations

from typing import Annotated, Any

import sqlalchemy as sa
from fastapi import Depends, Form, Request
from fastapi.responses import Response

from bifocals.errors import BifocalsError
from bifocals.instruments import list_instruments
from bifocals.scoring.model import THRESHOLD_MAX, THRESHOLD_MIN, Thresholds
from bifocals.services.access import managed_campaign, visible_campaigns_query
from bifocals.services.at_risk import groups_at_risk, reports_without_others
from bifocals.services.baselines import get_baseline
from bifocals.services.campaigns import (
    assign_facilitator,
    change_status,
    create_campaign,
    facilitators_of,
    parse_deadline,
    remove_facilitator,
    results_seen,
    update_settings,
)
from bifocals.services.norms import list_norm_groups
from bifocals.services.outbox import mail_status
from bifocals.services.participant_accounts import release
from bifocals.services.schedule import planned_events
from bifocals.services.security import User
from bifocals.store.app_tables import nominations
from bifocals.store.tables import campaigns, participants, raters
from bifocals.web.deps import (
    Admin,
    Manager,
    campaign_view,
    get_settings,
    get_store,
    managed,
    render,
    send_soon,
)
from bifocals.web.routers import Text, flash_outcome, flash_to, page_router

router = page_router("/campaigns")
Threshold = Annotated[int, Form(ge=THRESHOLD_MIN, le=THRESHOLD_MAX)]


def _thresholds_form(
    threshold_manager: Threshold = 1,
    threshold_peer: Threshold = 3,
    threshold_direct_report: Threshold = 3,
    threshold_other: Threshold = 3,
    threshold_pooled: Threshold = 3,
) -> Thresholds:
    """The five threshold fields of the new-campaign and settings forms."""
    return Thresholds(
        manager=threshold_manager,
        peer=threshold_peer,
        direct_report=threshold_direct_report,
        other=threshold_other,
        pooled=threshold_pooled,
    )


ThresholdsForm = Annotated[Thresholds, Depends(_thresholds_form)]


@router.get("", include_in_schema=False)
def list_page(request: Request, user: Manager) -> Response:
    """The campaigns this user may manage, with participant and response counts."""
    with get_store(request).engine.connect() as conn:
        rows = conn.execute(visible_campaigns_query(user)).all()
        ids = [r.id for r in rows]
        counts = {
            r.campaign_id: (r.n, r.done)
            for r in conn.execute(
                sa.select(
                    raters.c.campaign_id,
                    sa.func.count().label("n"),
                    sa.func.count(raters.c.submitted_at).label("done"),
                )
                .where(raters.c.campaign_id.in_(ids))
                .group_by(raters.c.campaign_id)
            )
        }
    items = []
    for r in rows:
        n, done = counts.get(r.id, (0, 0))
        items.append({**campaign_view(r), "raters": n, "done": done})
    return render(request, "campaigns/list.html", {"campaigns": items})


def _new_page(
    request: Request,
    error: str | None = None,
    form: dict[str, Any] | None = None,
    status: int = 200,
) -> Response:
    ctx = {
        "instruments": list_instruments(),
        "defaults": Thresholds().to_dict(),
        "error": error,
        "form": form or {},
    }
    return render(request, "campaigns/new.html", ctx, status_code=status)


@router.get("/new", include_in_schema=False)
def new_page(request: Request, _user: Manager) -> Response:
    """The form for a new campaign."""
    return _new_page(request)


@router.post("/new", include_in_schema=False)
def create(
    request: Request,
    user: Manager,
    name: Annotated[str, Form(min_length=1, max_length=200)],
    instrument: Annotated[str, Form(max_length=100)],
    thresholds: ThresholdsForm,
    deadline: Annotated[str, Form(max_length=20)] = "",
    reason: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    """Create a draft campaign and go to its page."""
    try:
        cid = create_campaign(
            get_store(request), user, name, instrument, thresholds, parse_deadline(deadline), reason
        )
    except BifocalsError as exc:
        form = {
            "name": name,
            "instrument": instrument,
            "deadline": deadline,
            "reason": reason,
            **{f"threshold_{k}": v for k, v in thresholds.to_dict().items()},
        }
        return _new_page(request, str(exc), form, status=400)
    note = f"Campaign {name.strip()!r} created. Add participants next."
    return flash_to(request, f"/campaigns/{cid}", note)


@router.get("/{campaign_id}", include_in_schema=False)
def detail(request: Request, campaign_id: int, user: Manager) -> Response:
    """A campaign: status and actions, facilitators, participants and their raters."""
    with get_store(request).engine.connect() as conn:
        camp = managed_campaign(conn, user, campaign_id)
        people = conn.execute(
            sa.select(
                participants.c.id,
                participants.c.code,
                participants.c.name,
                participants.c.email,
                sa.func.count(raters.c.id).label("raters"),
                sa.func.count(raters.c.submitted_at).label("done"),
            )
            .outerjoin(raters, raters.c.participant_id == participants.c.id)
            .where(participants.c.campaign_id == campaign_id)
            .group_by(
                participants.c.id, participants.c.code, participants.c.name, participants.c.email
            )
            .order_by(participants.c.code)
        ).all()
        pending = conn.execute(
            sa.select(nominations.c.participant_id, sa.func.count().label("n"))
            .join(participants, participants.c.id == nominations.c.participant_id)
            .where(participants.c.campaign_id == campaign_id, nominations.c.status == "pending")
            .group_by(nominations.c.participant_id)
        ).all()
        facs = facilitators_of(conn, campaign_id)
        seen = results_seen(conn, campaign_id)
        risks = groups_at_risk(conn, campaign_id) if camp.status in ("draft", "open") else []
        planned = planned_events(conn, camp)
        mail = mail_status(conn, campaign_id)
        earlier = [
            str(n)
            for n in conn.execute(
                sa.select(campaigns.c.name)
                .where(
                    campaigns.c.instrument_id == camp.instrument_id,
                    campaigns.c.id != campaign_id,
                )
                .order_by(campaigns.c.created_at.desc())
            ).scalars()
        ]
    store = get_store(request)
    norm_groups = [g.name for g in list_norm_groups(store) if g.instrument_id == camp.instrument_id]
    ctx = {
        "unseen": reports_without_others(store, campaign_id),
        "baseline": get_baseline(store, campaign_id),
        "earlier": earlier,
        "norm_groups": norm_groups,
        "risks": risks,
        "planned": planned,
        "mail_status": mail,
        "mail": get_settings(request).smtp.enabled,
        "c": campaign_view(camp),
        "people": people,
        "pending": {p.participant_id: p.n for p in pending},
        "facilitators": facs,
        "results_seen": seen,
    }
    return render(request, "campaigns/detail.html", ctx)


@router.post("/{campaign_id}/settings", include_in_schema=False)
def change_settings(
    request: Request,
    campaign_id: int,
    user: Manager,
    thresholds: ThresholdsForm,
    deadline: Annotated[str, Form(max_length=20)] = "",
    reason: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    """Change deadline and thresholds (services.campaigns.change_thresholds has the rules)."""
    store = get_store(request)
    managed(request, user, campaign_id)

    def save() -> str:
        update_settings(store, user, campaign_id, thresholds, parse_deadline(deadline), reason)
        return "Deadline and thresholds saved."

    return flash_outcome(request, f"/campaigns/{campaign_id}", save)


@router.post("/{campaign_id}/facilitators", include_in_schema=False)
def add_facilitator(
    request: Request,
    campaign_id: int,
    user: Admin,
    email: Text,
) -> Response:
    """Assign a facilitator account to the campaign (admins only)."""
    store = get_store(request)
    managed(request, user, campaign_id)

    def assign() -> str:
        assign_facilitator(store, user, campaign_id, email)
        return f"{email.strip().lower()} can now manage this campaign."

    return flash_outcome(request, f"/campaigns/{campaign_id}", assign)


@router.post("/{campaign_id}/facilitators/{user_id}/remove", include_in_schema=False)
def drop_facilitator(request: Request, campaign_id: int, user_id: int, user: Admin) -> Response:
    """Take a facilitator off the campaign (admins only)."""
    store = get_store(request)
    managed(request, user, campaign_id)
    remove_facilitator(store, user, campaign_id, user_id)
    return flash_to(request, f"/campaigns/{campaign_id}", "Facilitator removed from this campaign.")


MESSAGES = {
    "open": "The campaign is open: invitation links now lead to the questionnaire.",
    "close": "The campaign is closed: no more answers are accepted.",
    "reopen": "The campaign is open again.",
    "release": "Reports are released: participants can read their own report.",
}


def _status_action(request: Request, campaign_id: int, action: str, user: User) -> Response:
    store = get_store(request)
    managed(request, user, campaign_id)

    def act() -> str:
        message = MESSAGES[action]
        if action == "release":
            n = release(store, get_settings(request), user, campaign_id)
            if n:
                message += f" {n} participant{'s are' if n != 1 else ' is'} told by e-mail."
                send_soon(request)
        else:
            change_status(store, user, campaign_id, action)
        return message

    return flash_outcome(request, f"/campaigns/{campaign_id}", act)


@router.post("/{campaign_id}/open", include_in_schema=False)
def open_campaign(request: Request, campaign_id: int, user: Manager) -> Response:
    """Open the campaign: invitation links start to work."""
    return _status_action(request, campaign_id, "open", user)


@router.post("/{campaign_id}/close", include_in_schema=False)
def close_campaign(
    request: Request,
    campaign_id: int,
    user: Manager,
    accept_losses: Annotated[bool, Form()] = False,
) -> Response:
    """Close the campaign: no more answers. When groups are under their threshold, a page
    lists them first and asks again (they will be pooled or left out)."""
    if not accept_losses:
        with get_store(request).engine.connect() as conn:
            camp = managed_campaign(conn, user, campaign_id)
            risks = groups_at_risk(conn, campaign_id) if camp.status == "open" else []
        if risks:
            ctx = {"c": campaign_view(camp), "risks": risks}
            return render(request, "campaigns/close_confirm.html", ctx)
    return _status_action(request, campaign_id, "close", user)


@router.post("/{campaign_id}/reopen", include_in_schema=False)
def reopen_campaign(request: Request, campaign_id: int, user: Manager) -> Response:
    """Re-open a closed campaign, unless results have been seen (see campaign_ops)."""
    return _status_action(request, campaign_id, "reopen", user)


@router.post("/{campaign_id}/release", include_in_schema=False)
def release_campaign(request: Request, campaign_id: int, user: Manager) -> Response:
    """Release reports to participants."""
    return _status_action(request, campaign_id, "release", user)
