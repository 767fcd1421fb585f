"""Administration: accounts (list, create) and the audit log."""

from __future__ import annotations

from typing import Annotated

import sqlalchemy as sa
from fastapi import Form, Request
from fastapi.responses import Response

from bifocals.errors import BifocalsError
from bifocals.services.accounts import create_user, list_users
from bifocals.services.security import utc
from bifocals.store.app_tables import ROLES, audit_log
from bifocals.store.tables import campaigns, participants
from bifocals.web.deps import Admin, get_store, render
from bifocals.web.routers import Text, flash_to, page_router

router = page_router("/admin")
AUDIT_PAGE = 200


def _participant_choices(request: Request) -> list[dict[str, object]]:
    q = (
        sa.select(participants.c.id, participants.c.code, participants.c.name, campaigns.c.name)
        .join(campaigns, campaigns.c.id == participants.c.campaign_id)
        .order_by(campaigns.c.name, participants.c.code)
    )
    with get_store(request).engine.connect() as conn:
        rows = conn.execute(q).all()
    return [
        {"campaign": r[3], "code": r[1], "label": f"{r[3]} · {r[1]} {r[2] or ''}".strip()}
        for r in rows
    ]


# The role the "Add an account" form starts on: the one that may do least.
DEFAULT_ROLE = "participant"


def _users_page(
    request: Request,
    error: str | None = None,
    status: int = 200,
    form: dict[str, str] | None = None,
) -> Response:
    form = form or {}
    ctx = {
        "users": list_users(get_store(request)),
        "roles": ROLES,
        "chosen_role": form.get("role") if form.get("role") in ROLES else DEFAULT_ROLE,
        "form": form,
        "participants": _participant_choices(request),
        "error": error,
    }
    return render(request, "admin/users.html", ctx, status_code=status)


@router.get("/users", include_in_schema=False)
def users_page(request: Request, _user: Admin) -> Response:
    """Every account and a form to add one."""
    return _users_page(request)


@router.post("/users", include_in_schema=False)
def add_user(
    request: Request,
    user: Admin,
    email: Text,
    role: Annotated[str, Form(max_length=20)],
    password: Annotated[str, Form(max_length=1000)],
    participant: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    """Create an account; a participant account picks its participant ("campaign\\tcode")."""
    campaign = code = None
    if role == "participant":
        campaign, _, code = participant.partition("\t")
    try:
        create_user(
            get_store(request),
            email,
            role,
            password,
            campaign=campaign or None,
            participant=code or None,
            actor=user,
        )
    except BifocalsError as exc:
        form = {"email": email, "role": role, "participant": participant}
        return _users_page(request, str(exc), status=400, form=form)
    note = f"Account {email.strip().lower()} created ({role})."
    return flash_to(request, "/admin/users", note)


@router.get("/audit", include_in_schema=False)
def audit_page(request: Request, _user: Admin, before: int | None = None) -> Response:
    """The audit log, newest first, a page at a time."""
    q = sa.select(audit_log, campaigns.c.name.label("campaign")).outerjoin(
        campaigns, campaigns.c.id == audit_log.c.campaign_id
    )
    if before is not None:
        q = q.where(audit_log.c.id < before)
    q = q.order_by(audit_log.c.id.desc()).limit(AUDIT_PAGE)
    with get_store(request).engine.connect() as conn:
        rows = conn.execute(q).all()
    entries = [
        {
            "id": r.id,
            "at": utc(r.at),
            "actor": r.actor,
            "action": r.action,
            "target": r.target,
            "campaign": r.campaign,
            "detail": r.detail,
        }
        for r in rows
    ]
    older = entries[-1]["id"] if len(entries) == AUDIT_PAGE else None
    return render(request, "admin/audit.html", {"entries": entries, "older": older})
