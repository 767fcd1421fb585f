"""API tokens on the web (/account/tokens): create one (shown once), list, revoke.

Admins and facilitators signed in with a session (participants and API tokens get 403); a
token acts as its account on /api/v1.
An admin sees and may revoke every token; a facilitator only their own. Creating and revoking
are audited by bifocals.services.api_tokens.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Form, HTTPException, Request
from fastapi.responses import Response

from bifocals.errors import BifocalsError
from bifocals.services.api_tokens import TOKEN_ROLES, issue_token, list_tokens, revoke_token
from bifocals.services.security import User
from bifocals.web.deps import (
    current_session,
    get_store,
    public_base,
    render,
    require_role,
)
from bifocals.web.routers import Id, flash_to, page_router

router = page_router("/account/tokens")
_token_role = require_role(*TOKEN_ROLES)


def token_holder(request: Request) -> User:
    """An admin or facilitator signed in on the web (a session, not an API token).

    A leaked API token must not be able to mint more tokens that outlive its revocation.
    """
    user = _token_role(request)
    if current_session(request) is None:
        raise HTTPException(403, "sign in on the web to manage API tokens")
    return user


TokenHolder = Annotated[User, Depends(token_holder)]
# Longer than a token name may be, so that a long name reaches issue_token's own message.
NAME_FORM_MAX = 1000


def _page(
    request: Request,
    user: User,
    *,
    raw: str | None = None,
    created_name: str | None = None,
    error: str | None = None,
    name: str = "",
    status_code: int = 200,
) -> Response:
    with get_store(request).engine.connect() as conn:
        tokens = list_tokens(conn, user)
    ctx = {
        "tokens": tokens,
        "raw": raw,
        "created_name": created_name,
        "error": error,
        "name": name,
        "api_base": public_base(request).rstrip("/") + "/api/v1",
        "show_owner": user.role == "admin",
    }
    return render(request, "account/tokens.html", ctx, status_code=status_code)


@router.get("", include_in_schema=False)
def tokens_page(request: Request, user: TokenHolder) -> Response:
    """Your API tokens (an admin: everyone's) and a form to create one."""
    return _page(request, user)


@router.post("", include_in_schema=False)
def create_token(
    request: Request,
    user: TokenHolder,
    name: Annotated[str, Form(max_length=NAME_FORM_MAX)] = "",
) -> Response:
    """Create a token for your own account; the page that answers shows it, once."""
    try:
        raw = issue_token(get_store(request), user.email, name, actor=user)
    except BifocalsError as exc:
        return _page(request, user, error=str(exc), name=name[:200], status_code=400)
    return _page(request, user, raw=raw, created_name=name.strip(), status_code=201)


@router.post("/{token_id}/revoke", include_in_schema=False)
def revoke(request: Request, user: TokenHolder, token_id: Id) -> Response:
    """Revoke a token (yours; an admin's: anyone's). It stops working at once."""
    try:
        revoke_token(get_store(request), user, token_id)
    except BifocalsError as exc:
        return _page(request, user, error=str(exc), status_code=404)
    note = f"Token {token_id} revoked: it no longer opens the API."
    return flash_to(request, "/account/tokens", note)
