"""The JSON API under /api/v1 (OpenAPI at /openapi.json): bearer token or session.

Scope is the web's: admins see every campaign, facilitators their own, participants only their
own report after release. Nothing here returns an answer, a rater's name or a rater's e-mail,
except the mail-merge links of routers/api_programme.py, which a manager issues to send them.
Errors are {"detail": {"field": ..., "message": ...}}; a 422 adds "problems" (one per field).
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from fastapi import HTTPException, Request

from bifocals.errors import NotFound, OperationError
from bifocals.scoring.model import Thresholds
from bifocals.services.access import can_view_report, managed_campaign, visible_campaigns_query
from bifocals.services.baselines import participant_extras, report_extras, with_extras
from bifocals.services.campaigns import (
    ResultsRead,
    change_status,
    change_thresholds,
    create_campaign,
)
from bifocals.services.participant_accounts import release as release_reports
from bifocals.services.people import add_participant, add_rater
from bifocals.services.progress import campaign_progress
from bifocals.services.results import campaign_row, load_results, participant_code
from bifocals.services.security import User, utc
from bifocals.store.tables import participants
from bifocals.web.api_models import (
    CampaignIn,
    CampaignOut,
    CreatedIds,
    ParticipantIn,
    ParticipantOut,
    ProgressGroup,
    ProgressOut,
    RaterIn,
    ReportOut,
    ScoresOut,
    StatusOut,
    ThresholdsChangeIn,
    ThresholdsModel,
)
from bifocals.web.deps import Anyone, get_settings, get_store, send_soon
from bifocals.web.routers import Id, api_router

router = api_router("/api/v1")


def problem(status: int, message: str, field: str | None = None) -> HTTPException:
    """An HTTPException whose detail is a {field, message} problem."""
    return HTTPException(status, {"field": field, "message": message})


def _manager(user: User) -> User:
    if user.role not in ("admin", "facilitator"):
        raise problem(403, "only admins and facilitators may use this endpoint")
    return user


def _managed(request: Request, user: User, campaign_id: int) -> Any:
    _manager(user)
    with get_store(request).engine.connect() as conn:
        try:
            return managed_campaign(conn, user, campaign_id)
        except NotFound as exc:
            raise problem(404, "no such campaign", "campaign_id") from exc


def _campaign_out(row: Any) -> CampaignOut:
    return CampaignOut(
        id=row.id,
        name=row.name,
        status=row.status,
        instrument_id=row.instrument_id,
        deadline=utc(row.deadline),
        thresholds=ThresholdsModel(
            manager=row.threshold_manager,
            peer=row.threshold_peer,
            direct_report=row.threshold_direct_report,
            other=row.threshold_other,
            pooled=row.threshold_pooled,
        ),
    )


@router.get("/campaigns", response_model=list[CampaignOut])
def list_campaigns(request: Request, user: Anyone) -> list[CampaignOut]:
    """Campaigns you manage (none for a participant account)."""
    with get_store(request).engine.connect() as conn:
        return [_campaign_out(r) for r in conn.execute(visible_campaigns_query(user))]


@router.post("/campaigns", response_model=CampaignOut, status_code=201)
def new_campaign(request: Request, body: CampaignIn, user: Anyone) -> CampaignOut:
    """Create a draft campaign (a facilitator is assigned to what they create)."""
    _manager(user)
    store = get_store(request)
    thresholds = Thresholds(**body.thresholds.model_dump())
    cid = create_campaign(
        store, user, body.name, body.instrument_id, thresholds, body.deadline, body.reason
    )
    with store.engine.connect() as conn:
        return _campaign_out(campaign_row(conn, cid))


@router.put("/campaigns/{campaign_id}/thresholds", response_model=CampaignOut)
def set_thresholds(
    request: Request, campaign_id: Id, body: ThresholdsChangeIn, user: Anyone
) -> CampaignOut:
    """Change some anonymity thresholds (refused once any result was seen; audited)."""
    _managed(request, user, campaign_id)
    changes = body.model_dump(exclude={"reason"}, exclude_none=True)
    store = get_store(request)
    change_thresholds(store, user, campaign_id, changes, reason=body.reason)
    with store.engine.connect() as conn:
        return _campaign_out(campaign_row(conn, campaign_id))


@router.get("/campaigns/{campaign_id}", response_model=CampaignOut)
def campaign_detail(request: Request, campaign_id: Id, user: Anyone) -> CampaignOut:
    """One campaign."""
    return _campaign_out(_managed(request, user, campaign_id))


def _progress(request: Request, campaign_id: int) -> ProgressOut:
    with get_store(request).engine.connect() as conn:
        prog = campaign_progress(conn, campaign_id)
        people = conn.execute(
            sa.select(participants.c.id, participants.c.code, participants.c.name)
            .where(participants.c.campaign_id == campaign_id)
            .order_by(participants.c.code)
        ).all()
    counts = {pid: total for pid, total, _ in prog.by_participant}
    return ProgressOut(
        answered=prog.overall.done,
        invited=prog.overall.total,
        by_group=[
            ProgressGroup(group=g.label, answered=g.done, invited=g.total) for g in prog.by_group
        ],
        participants=[
            ParticipantOut(
                id=p.id,
                code=p.code,
                name=p.name,
                answered=counts[p.id].done if p.id in counts else 0,
                invited=counts[p.id].total if p.id in counts else 0,
            )
            for p in people
        ],
    )


@router.get("/campaigns/{campaign_id}/progress", response_model=ProgressOut)
def progress(request: Request, campaign_id: Id, user: Anyone) -> ProgressOut:
    """Answered and invited raters, overall, by group and by participant."""
    _managed(request, user, campaign_id)
    return _progress(request, campaign_id)


@router.get("/campaigns/{campaign_id}/participants", response_model=list[ParticipantOut])
def list_participants(request: Request, campaign_id: Id, user: Anyone) -> list[ParticipantOut]:
    """The campaign's participants with their response counts."""
    _managed(request, user, campaign_id)
    return _progress(request, campaign_id).participants


@router.post("/campaigns/{campaign_id}/participants", response_model=CreatedIds, status_code=201)
def new_participants(
    request: Request, campaign_id: Id, body: list[ParticipantIn], user: Anyone
) -> CreatedIds:
    """Add participants (all or nothing) to a draft or open campaign."""
    _managed(request, user, campaign_id)
    with get_store(request).engine.begin() as conn:
        ids = [add_participant(conn, user, campaign_id, p.code, p.name, p.email) for p in body]
    return CreatedIds(ids=ids)


@router.post(
    "/campaigns/{campaign_id}/participants/{pid}/raters",
    response_model=CreatedIds,
    status_code=201,
)
def new_raters(
    request: Request, campaign_id: Id, pid: Id, body: list[RaterIn], user: Anyone
) -> CreatedIds:
    """Add raters of a participant (all or nothing)."""
    _managed(request, user, campaign_id)
    try:
        with get_store(request).engine.begin() as conn:
            participant_code(conn, campaign_id, pid)
            ids = [add_rater(conn, user, campaign_id, pid, r.name, r.email, r.group) for r in body]
    except NotFound as exc:
        raise problem(404, "no such participant in this campaign", "pid") from exc
    return CreatedIds(ids=ids)


def _status(request: Request, campaign_id: Id, user: User, action: str) -> StatusOut:
    _managed(request, user, campaign_id)
    status = change_status(get_store(request), user, campaign_id, action)
    return StatusOut(id=campaign_id, status=status)


@router.post("/campaigns/{campaign_id}/close", response_model=StatusOut)
def close(request: Request, campaign_id: Id, user: Anyone) -> StatusOut:
    """Close an open campaign (no more answers)."""
    return _status(request, campaign_id, user, "close")


@router.post("/campaigns/{campaign_id}/release", response_model=StatusOut)
def release(request: Request, campaign_id: Id, user: Anyone) -> StatusOut:
    """Release a closed campaign's reports to its participants (final); with a mail server,
    each participant account is told by e-mail."""
    _managed(request, user, campaign_id)
    if release_reports(get_store(request), get_settings(request), user, campaign_id):
        send_soon(request)
    return StatusOut(id=campaign_id, status="released")


def _results(request: Request, campaign_id: int, read: ResultsRead) -> Any:
    try:
        return load_results(get_store(request), campaign_id, read)
    except (OperationError, NotFound) as exc:
        raise problem(exc.status, exc.message, "status") from exc


@router.get("/campaigns/{campaign_id}/scores", response_model=ScoresOut)
def scores(request: Request, campaign_id: Id, user: Anyone) -> ScoresOut:
    """Thresholded scores of every participant (closed or released campaigns)."""
    row = _managed(request, user, campaign_id)
    read = ResultsRead(user, "report.export", f"campaign:{row.name}", "api")
    results = _results(request, campaign_id, read)
    extras = report_extras(get_store(request), results, read)
    return ScoresOut(campaign=row.name, data=with_extras(results.scores.to_dict(), extras))


@router.get("/campaigns/{campaign_id}/participants/{pid}/report", response_model=ReportOut)
def report(request: Request, campaign_id: Id, pid: Id, user: Anyone) -> ReportOut:
    """One participant's scores: facilitators after close, the participant after release."""
    store = get_store(request)
    with store.engine.connect() as conn:
        if not can_view_report(conn, user, campaign_id, pid):
            raise problem(404, "no report to show here", "pid")
        row = campaign_row(conn, campaign_id)
        code = participant_code(conn, campaign_id, pid)
    read = ResultsRead(user, "report.view", f"participant:{code}", "api")
    results = _results(request, campaign_id, read)
    try:
        data = results.participant(code).to_dict()
    except NotFound as exc:
        raise problem(404, exc.message, "pid") from exc
    data.update(participant_extras(code, report_extras(store, results, read)))
    return ReportOut(campaign=row.name, participant=code, data=data)
