"""The progress dashboard: response rates per participant and group, non-responders, reminders."""

from __future__ import annotations

from typing import Annotated

from fastapi import Form, Request
from fastapi.responses import Response

from bifocals.services.access import managed_campaign
from bifocals.services.at_risk import groups_at_risk
from bifocals.services.delivery import deliver_invitations
from bifocals.services.outbox import mail_status
from bifocals.services.people import GROUP_LABELS
from bifocals.services.progress import campaign_progress
from bifocals.web.deps import (
    Manager,
    campaign_view,
    get_settings,
    get_store,
    public_base,
    render,
)
from bifocals.web.link_pages import show_delivery
from bifocals.web.routers import flash_to, page_router

router = page_router("/campaigns/{campaign_id}")


@router.get("/progress", include_in_schema=False)
def progress_page(request: Request, campaign_id: int, user: Manager) -> Response:
    """Who has answered, by participant and group, and who has not."""
    with get_store(request).engine.connect() as conn:
        camp = managed_campaign(conn, user, campaign_id)
        prog = campaign_progress(conn, campaign_id)
        risks = groups_at_risk(conn, campaign_id) if camp.status in ("draft", "open") else []
        mail = mail_status(conn, campaign_id)
    ctx = {
        "c": campaign_view(camp),
        "prog": prog,
        "risks": risks,
        "risky": {(r.participant_id, r.group) for r in risks},
        "mail_status": mail,
        "labels": GROUP_LABELS,
        "mail": get_settings(request).smtp.enabled,
    }
    return render(request, "campaigns/progress.html", ctx)


@router.post("/remind", include_in_schema=False)
def remind(
    request: Request,
    campaign_id: int,
    user: Manager,
    rater_id: Annotated[list[int] | None, Form()] = None,
    everyone: Annotated[str, Form(max_length=1)] = "",
) -> Response:
    """Send reminders (a fresh link each) to the chosen non-responders, or to all of them."""
    store = get_store(request)
    with store.engine.connect() as conn:
        camp = managed_campaign(conn, user, campaign_id)
        pending = [p.rater_id for p in campaign_progress(conn, campaign_id).pending]
    back = f"/campaigns/{campaign_id}/progress"
    if camp.status != "open":
        return flash_to(request, back, "Reminders go out only while the campaign is open.", "error")
    if everyone != "1" and not rater_id:
        return flash_to(request, back, "Choose at least one person to remind.", "error")
    wanted = set(rater_id or [])
    chosen = [r for r in pending if everyone == "1" or r in wanted]
    out = deliver_invitations(
        store,
        get_settings(request),
        user,
        campaign_id,
        chosen,
        public_base(request),
        by_email=True,
        reminder=True,
    )
    if out.shown:
        return show_delivery(request, campaign_id, back, out)
    n = len(out.sent)
    return flash_to(request, back, f"Sent {n} reminder{'s' if n != 1 else ''}.")
