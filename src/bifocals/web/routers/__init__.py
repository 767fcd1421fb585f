"""One router per feature; app.create_app includes them (optional ones when present).

This package module holds what the routers share when they read a request and answer it (no
router imports another): the parameter types of their forms and paths (a rater's fields as one
form), the routers of the pages (CSRF-checked) and of the JSON API, the Post/Redirect/Get answer
with its flash message (and the outcome of a form's service call as one), the name an upload is
shown by, and file downloads."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, Path, Request, UploadFile
from fastapi.responses import RedirectResponse, Response

from bifocals.errors import BifocalsError
from bifocals.web.api_models import API_ERRORS
from bifocals.web.deps import csrf_protect, flash, no_cross_site_read

Text = Annotated[str, Form(max_length=320)]
Check = Annotated[bool, Form()]
Upload = Annotated[UploadFile, File()]
# A row id in a path: a positive 32-bit integer (a larger one is a 422, not a database error).
Id = Annotated[int, Path(ge=1, le=2_147_483_647)]


@dataclass(frozen=True)
class RaterFields:
    """A rater as a form names them (added, suggested or corrected; the services check it)."""

    name: str
    group: str
    email: str


def _rater_form(
    name: Text, group: Annotated[str, Form(max_length=20)], email: Text = ""
) -> RaterFields:
    return RaterFields(name, group, email)


# The name, group and e-mail fields of every form about one rater.
RaterForm = Annotated[RaterFields, Depends(_rater_form)]


def page_router(prefix: str = "", *, shows_results: bool = False) -> APIRouter:
    """A router of HTML pages and forms under `prefix`: every unsafe request is CSRF-checked;
    `shows_results`: its pages show (and audit) results, so they are never read across sites."""
    checks = [Depends(csrf_protect)]
    if shows_results:
        checks.append(Depends(no_cross_site_read))
    return APIRouter(prefix=prefix, dependencies=checks)


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


def flash_outcome(request: Request, path: str, action: Callable[[], str]) -> Response:
    """Post/Redirect/Get for a form that asks a service to act: run `action` and flash the
    message it returns, or the refusal it raises (a BifocalsError, as an error); then go to
    `path` (303). An AccessError is not caught: it reaches the app's handler (404/403)."""
    try:
        message = action()
    except BifocalsError as exc:
        return flash_to(request, path, str(exc), "error")
    return flash_to(request, path, message)


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
