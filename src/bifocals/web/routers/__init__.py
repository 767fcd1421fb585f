"""One router per feature; app.create_app includes them (optional ones when present).

This package module holds what the routers share when they read a request and answer it (no
router imports another): the parameter types of their forms and paths, the JSON API's router
settings, the Post/Redirect/Get answer with its flash message, the name an upload is shown
by, and file downloads."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Path, Request
from fastapi.responses import RedirectResponse, Response

from bifocals.web.api_models import API_ERRORS
from bifocals.web.deps import csrf_protect, flash, no_cross_site_read

Text = Annotated[str, Form(max_length=320)]
Check = Annotated[bool, Form()]
# A row id in a path: a positive 32-bit integer (a larger one is a 422, not a database error).
Id = Annotated[int, Path(ge=1, le=2_147_483_647)]


def api_router(prefix: str) -> APIRouter:
    """A router of the JSON API under `prefix`: CSRF-checked for sessions, never read across
    sites, with the API's problem bodies in its OpenAPI."""
    return APIRouter(
        prefix=prefix,
        tags=["api"],
        dependencies=[Depends(csrf_protect), Depends(no_cross_site_read)],
        responses=API_ERRORS,
    )


def see_other(path: str) -> Response:
    """Post/Redirect/Get: go to `path` with a GET (303)."""
    return RedirectResponse(path, status_code=303)


def flash_to(request: Request, path: str, message: str, kind: str = "success") -> Response:
    """Flash `message` (success, info or error) and go to `path` (303)."""
    flash(request, message, kind)
    return see_other(path)


def upload_name(filename: str | None, default: str) -> str:
    """An uploaded file's name as shown in problems and kept with the import."""
    return (filename or default).replace("/", "_").replace("\\", "_")[:100] or default


def attachment(
    data: bytes | str, name: str, media_type: str, *, no_store: bool = False
) -> Response:
    """`data` as a download called `name` (no_store: and kept in no cache)."""
    headers = {"Content-Disposition": f'attachment; filename="{name}"'}
    if no_store:
        headers["Cache-Control"] = "no-store"
    return Response(data, media_type=media_type, headers=headers)
