"""The JSON API of a running programme (/api/v1): roster, corrections, mail-merge links,
schedule, groups at risk, opening. Managers only (admins, and facilitators of the campaign);
the same services, rules and audit log as the web pages and the CLI."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import Query, Request

from bifocals.errors import Forbidden
from bifocals.services.at_risk import groups_at_risk
from bifocals.services.campaigns import change_status
from bifocals.services.corrections import (
    audited,
    edit_participant,
    edit_rater,
    remove_participant,
    remove_rater,
)
from bifocals.services.link_sheet import issue_link_sheet
from bifocals.services.roster import import_roster, roster_from_rows
from bifocals.services.schedule import update_schedule
from bifocals.services.security import User
from bifocals.web.api_models import (
    AtRiskOut,
    ChangedOut,
    LinkRow,
    LinksIn,
    LinksOut,
    PersonPatch,
    RaterPatch,
    RosterIn,
    RosterOut,
    ScheduleIn,
    ScheduleOut,
    StatusOut,
)
from bifocals.web.deps import Anyone, get_store, managed, public_base
from bifocals.web.routers import Id, api_router

router = api_router("/api/v1/campaigns/{campaign_id}")
Confirm = Annotated[bool, Query(description="confirm removing answers given (audited)")]


def _managed(request: Request, user: User, campaign_id: int) -> None:
    if user.role not in ("admin", "facilitator"):
        raise Forbidden("only admins and facilitators may use this endpoint")
    managed(request, user, campaign_id)


@router.put("/roster", response_model=RosterOut)
def put_roster(request: Request, campaign_id: Id, body: RosterIn, user: Anyone) -> RosterOut:
    """Add and correct participants and raters from a whole roster (all rows or none)."""
    _managed(request, user, campaign_id)
    roster = roster_from_rows([r.model_dump() for r in body.rows], "body.rows")
    res = import_roster(
        get_store(request),
        user,
        campaign_id,
        roster,
        "api",
        sync=body.sync,
        remove_answered=body.remove_answered,
        dry_run=body.dry_run,
    )
    return RosterOut(**res.to_dict(), dry_run=body.dry_run)


@router.patch("/participants/{pid}", response_model=ChangedOut)
def patch_participant(
    request: Request, campaign_id: Id, pid: Id, body: PersonPatch, user: Anyone
) -> ChangedOut:
    """Correct a participant's name or e-mail (their self rating follows)."""
    _managed(request, user, campaign_id)
    with get_store(request).engine.begin() as conn:
        changed = edit_participant(conn, user, campaign_id, pid, name=body.name, email=body.email)
    return ChangedOut(changed=changed)


@router.delete("/participants/{pid}", response_model=ChangedOut)
def delete_participant(
    request: Request, campaign_id: Id, pid: Id, user: Anyone, confirm: Confirm = False
) -> ChangedOut:
    """Remove a participant and their raters (answers only with confirm=true)."""
    return _removed(request, user, campaign_id, remove_participant, pid, confirm)


def _removed(
    request: Request,
    user: User,
    campaign_id: int,
    remove: Callable[..., str],
    what_id: int,
    confirm: bool,
) -> ChangedOut:
    _managed(request, user, campaign_id)
    audited(
        get_store(request),
        user,
        campaign_id,
        lambda conn: remove(conn, user, campaign_id, what_id, confirmed=confirm),
    )
    return ChangedOut(changed=["removed"])


@router.patch("/raters/{rid}", response_model=ChangedOut)
def patch_rater(
    request: Request, campaign_id: Id, rid: Id, body: RaterPatch, user: Anyone
) -> ChangedOut:
    """Correct a rater's name, e-mail or group."""
    _managed(request, user, campaign_id)
    with get_store(request).engine.begin() as conn:
        changed = edit_rater(
            conn, user, campaign_id, rid, name=body.name, email=body.email, group=body.group
        )
    return ChangedOut(changed=changed)


@router.delete("/raters/{rid}", response_model=ChangedOut)
def delete_rater(
    request: Request, campaign_id: Id, rid: Id, user: Anyone, confirm: Confirm = False
) -> ChangedOut:
    """Remove a rater (their answers only with confirm=true)."""
    return _removed(request, user, campaign_id, remove_rater, rid, confirm)


@router.post("/links", response_model=LinksOut)
def post_links(request: Request, campaign_id: Id, body: LinksIn, user: Anyone) -> LinksOut:
    """Issue survey links for a mail merge; each link is returned only here."""
    _managed(request, user, campaign_id)
    sheet = issue_link_sheet(
        get_store(request),
        user,
        campaign_id,
        public_base(request),
        days=body.days,
        reissue=body.reissue,
    )
    rows = [
        LinkRow(
            participant=r[0],
            participant_name=r[1],
            rater_name=r[2],
            rater_email=r[3],
            group=r[4],
            url=r[5],
        )
        for r in sheet.rows
    ]
    return LinksOut(rows=rows, kept=sheet.kept, answered=sheet.answered)


@router.put("/schedule", response_model=ScheduleOut)
def put_schedule(request: Request, campaign_id: Id, body: ScheduleIn, user: Anyone) -> ScheduleOut:
    """Set the reminder rounds and whether the deadline closes the campaign."""
    _managed(request, user, campaign_id)
    days, mode = update_schedule(
        get_store(request),
        user,
        campaign_id,
        reminder_days=",".join(str(d) for d in body.reminder_days),
        close_mode=body.close_mode,
    )
    return ScheduleOut(reminder_days=list(days), close_mode=mode)


@router.get("/at-risk", response_model=list[AtRiskOut])
def at_risk(request: Request, campaign_id: Id, user: Anyone) -> list[AtRiskOut]:
    """Groups that would not be shown on their own if the campaign closed now."""
    _managed(request, user, campaign_id)
    with get_store(request).engine.connect() as conn:
        risks = groups_at_risk(conn, campaign_id)
    return [AtRiskOut.model_validate(r, from_attributes=True) for r in risks]


@router.post("/open", response_model=StatusOut)
def open_campaign(request: Request, campaign_id: Id, user: Anyone) -> StatusOut:
    """Open a draft campaign: its survey links start to work."""
    _managed(request, user, campaign_id)
    status = change_status(get_store(request), user, campaign_id, "open")
    return StatusOut(id=campaign_id, status=status)
