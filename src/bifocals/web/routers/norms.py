"""Norm groups and campaign baselines on the web, for admins: /admin/norms (define one from
the organisation's history, import an external table, delete) and the campaign page's
"Comparisons in reports" form (/campaigns/{id}/baseline). Every rule is in services.norms and
services.baselines; the CLI's `bifocals norms` and `campaign baseline` do the same."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

import sqlalchemy as sa
from fastapi import Form, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from bifocals.errors import AccessError, BifocalsError, ValidationError
from bifocals.instruments import catalogue
from bifocals.scoring.norms import NORM_MINIMUM
from bifocals.services.baselines import get_baseline, set_baseline
from bifocals.services.norms import (
    NORM_COLUMNS,
    define_history_norm,
    delete_norm_group,
    import_external_norm,
    list_norm_groups,
)
from bifocals.services.security import User
from bifocals.store.sheets import MAX_TABLE_BYTES
from bifocals.store.tables import campaigns
from bifocals.web.deps import Admin, flash, get_store, render
from bifocals.web.routers import Id, Upload, flash_to, page_router, see_other, upload_name

router = page_router()
Name = Annotated[str, Form(max_length=300)]
Instrument = Annotated[str, Form(max_length=200)]


def _page(request: Request, problems: list[str] | None = None, status_code: int = 200) -> Response:
    store = get_store(request)
    with store.engine.connect() as conn:
        rows = conn.execute(
            sa.select(campaigns.c.name, campaigns.c.instrument_id, campaigns.c.status).order_by(
                campaigns.c.name
            )
        ).all()
    ctx = {
        "groups": list_norm_groups(store),
        "campaigns": [r for r in rows if r.status in ("closed", "released")],
        "instruments": [e.instrument for e in catalogue()],
        "columns": ",".join(NORM_COLUMNS),
        "minimum": NORM_MINIMUM,
        "problems": problems or [],
    }
    return render(request, "admin/norms.html", ctx, status_code=status_code)


def _saved(request: Request, save: Callable[[], object], note: str) -> Response:
    """Run `save` (a new norm group); on success flash `note` and go back to the list, on a
    refusal show the page again with its problems (400 for the table's, 409 otherwise)."""
    try:
        save()
    except ValidationError as exc:
        return _page(request, [str(p) for p in exc.problems], 400)
    except (BifocalsError, AccessError) as exc:
        return _page(request, [str(exc)], 409)
    return flash_to(request, "/admin/norms", note)


@router.get("/admin/norms", include_in_schema=False)
def norms_page(request: Request, user: Admin) -> Response:
    """The norm groups, and forms to add one."""
    return _page(request)


@router.post("/admin/norms/define", include_in_schema=False)
def norms_define(
    request: Request,
    user: Admin,
    name: Name,
    instrument: Instrument,
    campaign: Annotated[list[str] | None, Form()] = None,
) -> Response:
    """A norm group from the organisation's history (no campaign ticked: all of them)."""
    return _saved(
        request,
        lambda: define_history_norm(get_store(request), name, instrument, campaign or [], user),
        f"Norm group {name.strip()!r} defined.",
    )


@router.post("/admin/norms/import", include_in_schema=False)
async def norms_import(
    request: Request,
    user: Admin,
    name: Name,
    instrument: Instrument,
    file: Upload,
) -> Response:
    """An external norm table (validated whole; a file with problems saves nothing)."""
    data = await file.read(MAX_TABLE_BYTES + 1)
    source = upload_name(file.filename, "norms.csv")
    return await run_in_threadpool(_import, request, user, name, instrument, data, source)


def _import(
    request: Request, user: User, name: str, instrument: str, data: bytes, source: str
) -> Response:
    return _saved(
        request,
        lambda: import_external_norm(get_store(request), name, instrument, data, source, user),
        f"Norm group {name.strip()!r} imported from {source}.",
    )


@router.post("/admin/norms/delete", include_in_schema=False)
def norms_delete(request: Request, user: Admin, name: Name) -> Response:
    """Delete a norm group (campaigns keep their answers; baselines lose the group)."""
    try:
        delete_norm_group(get_store(request), name, user)
    except (BifocalsError, AccessError) as exc:
        return _page(request, [str(exc)], 404)
    return flash_to(request, "/admin/norms", f"Norm group {name!r} deleted.")


@router.post("/campaigns/{campaign_id}/baseline", include_in_schema=False)
def campaign_baseline(
    request: Request,
    campaign_id: Id,
    user: Admin,
    previous: Annotated[str, Form(max_length=300)] = "",
    norms: Annotated[str, Form(max_length=300)] = "",
) -> Response:
    """What this campaign's reports compare with: an earlier campaign and a norm group
    (empty: none). The code mapping of changed participant codes is kept as it was."""
    store = get_store(request)
    with store.engine.connect() as conn:
        name = conn.execute(
            sa.select(campaigns.c.name).where(campaigns.c.id == campaign_id)
        ).scalar()
    if name is None:
        return see_other("/campaigns")
    current = get_baseline(store, campaign_id)
    keep_map = current.code_map if previous and previous == current.previous else None
    try:
        set_baseline(
            store,
            name,
            user,
            previous=previous or None,
            code_map=keep_map,
            norms=norms or None,
        )
        flash(request, "Comparisons saved: every report of this campaign uses them.", "success")
    except (BifocalsError, AccessError) as exc:
        flash(request, str(exc), "error")
    return see_other(f"/campaigns/{campaign_id}")
