"""A campaign's roster on the web: upload a spreadsheet, download it, correct or remove people,
and download the survey links as a mail-merge sheet. The rules are the services' (roster,
corrections, link_sheet); this module reads forms and picks pages."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Annotated

from fastapi import Form, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response

from bifocals.errors import BifocalsError, ValidationError
from bifocals.services.access import managed_campaign, managed_rater_participant
from bifocals.services.corrections import (
    audited,
    edit_participant,
    edit_rater,
    remove_participant,
    remove_rater,
)
from bifocals.services.link_sheet import issue_link_sheet
from bifocals.services.roster import (
    ROSTER_COLUMNS,
    RosterNeedsConfirmation,
    import_roster,
    roster_rows,
)
from bifocals.services.security import User
from bifocals.store.sheets import MAX_TABLE_BYTES, XLSX_TYPE, csv_bytes, xlsx_bytes
from bifocals.web.deps import (
    Manager,
    campaign_view,
    get_settings,
    get_store,
    managed,
    public_base,
    render,
)
from bifocals.web.routers import (
    Check,
    RaterForm,
    Text,
    Upload,
    attachment,
    flash_outcome,
    flash_to,
    page_router,
    see_other,
    upload_name,
)

router = page_router("/campaigns/{campaign_id}")


def _file_name(campaign: str, what: str, ext: str) -> str:
    stem = re.sub(r"[^A-Za-z0-9._-]+", "-", campaign).strip("-") or "campaign"
    return f"{stem}-{what}.{ext}"


def _download(data: bytes, name: str, xlsx: bool) -> Response:
    kind = XLSX_TYPE if xlsx else "text/csv; charset=utf-8"
    return attachment(data, name, kind, no_store=True)


@router.get("/roster", include_in_schema=False)
def roster_page(request: Request, campaign_id: int, user: Manager) -> Response:
    """Upload or download the roster; download the links sheet."""
    with get_store(request).engine.connect() as conn:
        camp = managed_campaign(conn, user, campaign_id)
        count = len(roster_rows(conn, campaign_id))
    ctx = {"c": campaign_view(camp), "columns": ROSTER_COLUMNS, "lines": count}
    return render(request, "campaigns/roster.html", ctx)


@router.get("/roster.{ext}", include_in_schema=False)
def roster_download(request: Request, campaign_id: int, ext: str, user: Manager) -> Response:
    """The current roster as CSV or .xlsx, in the columns the upload takes."""
    if ext not in ("csv", "xlsx"):
        return see_other(f"/campaigns/{campaign_id}/roster")
    with get_store(request).engine.connect() as conn:
        camp = managed_campaign(conn, user, campaign_id)
        rows = roster_rows(conn, campaign_id)
    xlsx = ext == "xlsx"
    data = xlsx_bytes(ROSTER_COLUMNS, rows, "roster") if xlsx else csv_bytes(ROSTER_COLUMNS, rows)
    return _download(data, _file_name(camp.name, "roster", ext), xlsx)


@router.post("/roster", include_in_schema=False)
async def roster_upload(
    request: Request,
    campaign_id: int,
    user: Manager,
    file: Upload,
    sync: Check = False,
    remove_answered: Check = False,
    action: Annotated[str, Form(pattern="^(preview|import)$")] = "import",
) -> Response:
    """Import (or preview) a roster upload: all lines or none."""
    data = await file.read(MAX_TABLE_BYTES + 1)
    source = upload_name(file.filename, "roster.csv")
    return await run_in_threadpool(
        _roster_upload, request, campaign_id, user, data, source, sync, remove_answered, action
    )


def _roster_upload(
    request: Request,
    campaign_id: int,
    user: User,
    data: bytes,
    source: str,
    sync: bool,
    remove_answered: bool,
    action: str,
) -> Response:
    store = get_store(request)
    with store.engine.connect() as conn:
        camp = campaign_view(managed_campaign(conn, user, campaign_id))
    ctx = {"c": camp, "source": source, "sync": sync, "columns": ROSTER_COLUMNS}
    preview = action == "preview"
    try:
        res = import_roster(
            store,
            user,
            campaign_id,
            data,
            source,
            sync=sync,
            remove_answered=remove_answered,
            dry_run=preview,
        )
    except ValidationError as exc:
        ctx["problems"] = exc.problems
        return render(request, "campaigns/csv_errors.html", ctx, status_code=400)
    except RosterNeedsConfirmation as exc:
        ctx["answered"] = exc.answered
        return render(request, "campaigns/roster_confirm.html", ctx, status_code=409)
    except BifocalsError as exc:
        return flash_to(request, f"/campaigns/{campaign_id}/roster", str(exc), "error")
    ctx.update(result=res, preview=preview, remove_answered=remove_answered)
    return render(request, "campaigns/roster_result.html", ctx)


@router.post("/links-sheet", include_in_schema=False)
def links_sheet(
    request: Request,
    campaign_id: int,
    user: Manager,
    fmt: Annotated[str, Form(pattern="^(csv|xlsx)$")] = "csv",
    reissue: Check = False,
) -> Response:
    """Issue links for every rater without an answer and without a live link, as a file."""
    store = get_store(request)
    camp = managed(request, user, campaign_id)
    days = get_settings(request).invitation_days
    back = f"/campaigns/{campaign_id}/roster"
    try:
        sheet = issue_link_sheet(
            store, user, campaign_id, public_base(request), days=days, reissue=reissue
        )
    except BifocalsError as exc:
        return flash_to(request, back, str(exc), "error")
    if not sheet.rows:
        return flash_to(request, back, f"No new links: {sheet.summary()}.", "info")
    xlsx = fmt == "xlsx"
    data = sheet.xlsx() if xlsx else sheet.csv()
    return _download(data, _file_name(camp.name, "links", fmt), xlsx)


@router.post("/participants/{pid}/edit", include_in_schema=False)
def participant_edit(
    request: Request, campaign_id: int, pid: int, user: Manager, name: Text = "", email: Text = ""
) -> Response:
    """Correct a participant's name or e-mail."""
    store = get_store(request)
    managed(request, user, campaign_id)
    back = f"/campaigns/{campaign_id}/participants/{pid}"

    def save() -> str:
        with store.engine.begin() as conn:
            changed = edit_participant(conn, user, campaign_id, pid, name=name, email=email)
        return f"Saved: {', '.join(changed)}." if changed else "Nothing changed."

    return flash_outcome(request, back, save)


@router.post("/participants/{pid}/remove", include_in_schema=False)
def participant_remove(
    request: Request, campaign_id: int, pid: int, user: Manager, confirm: Check = False
) -> Response:
    """Remove a participant and their raters (answers only when confirmed)."""
    managed(request, user, campaign_id)
    back = f"/campaigns/{campaign_id}/participants/{pid}"
    return _remove(
        request,
        user,
        campaign_id,
        back,
        f"/campaigns/{campaign_id}",
        remove_participant,
        pid,
        confirm,
    )


def _remove(
    request: Request,
    user: User,
    campaign_id: int,
    back: str,
    done: str,
    remove: Callable[..., str],
    what_id: int,
    confirm: bool,
) -> Response:
    """Run a removal service in one audited transaction; flash what happened."""

    try:
        who = audited(
            get_store(request),
            user,
            campaign_id,
            lambda conn: remove(conn, user, campaign_id, what_id, confirmed=confirm),
        )
    except BifocalsError as exc:
        return flash_to(request, back, str(exc), "error")
    return flash_to(request, done, f"Removed {who}.")


def _rater_participant(request: Request, campaign_id: int, rid: int, user: User) -> str:
    """The page to go back to: the rater's participant (404 for a rater of elsewhere)."""
    with get_store(request).engine.connect() as conn:
        pid = managed_rater_participant(conn, user, campaign_id, rid)
    return f"/campaigns/{campaign_id}/participants/{pid}"


@router.post("/raters/{rid}/edit", include_in_schema=False)
def rater_edit(
    request: Request,
    campaign_id: int,
    rid: int,
    user: Manager,
    rater: RaterForm,
) -> Response:
    """Correct a rater's name, e-mail or group."""
    back = _rater_participant(request, campaign_id, rid, user)

    def save() -> str:
        with get_store(request).engine.begin() as conn:
            changed = edit_rater(
                conn,
                user,
                campaign_id,
                rid,
                name=rater.name,
                email=rater.email,
                group=rater.group,
            )
        note = f"Saved: {', '.join(changed)}." if changed else "Nothing changed."
        if "email" in changed:
            note += " Any link sent to the old address no longer works; send a new one."
        return note

    return flash_outcome(request, back, save)


@router.post("/raters/{rid}/remove", include_in_schema=False)
def rater_remove(
    request: Request, campaign_id: int, rid: int, user: Manager, confirm: Check = False
) -> Response:
    """Remove a rater (their answers only when confirmed)."""
    back = _rater_participant(request, campaign_id, rid, user)
    return _remove(request, user, campaign_id, back, back, remove_rater, rid, confirm)
