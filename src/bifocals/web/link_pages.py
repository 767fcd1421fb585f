"""The web's pages for private links (survey, nomination, readiness): the links just issued,
kept for one read and shown once, and the one page for a link that cannot be used. (The links
themselves are services/token_links.py.)

Issued links are shown once, on a GET page after a redirect (Post/Redirect/Get), so that
reloading or going back never issues new links. Between the POST and that GET they wait in the
session's flash column, encrypted (AES-GCM, from the `cryptography` package) with a key derived
from the raw session cookie. The database holds only the cookie's hash, so what it stores cannot
be read back into working links, and another session of the same account cannot read them.

A link that cannot be used gets an HTTP status from its status alone (unknown 404; replaced,
expired, closed 410; used 409); only the wording names who to ask and what is closed. An unknown
link reveals nothing: its page names no person, campaign or initiative.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import sqlalchemy as sa
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from fastapi import Request
from fastapi.responses import RedirectResponse, Response

from bifocals.locale import N_, gettext_for
from bifocals.services.delivery import Delivery
from bifocals.services.token_links import LinkKind, LinkStatus
from bifocals.store.app_tables import sessions
from bifocals.store.tables import campaigns
from bifocals.web.deps import (
    ISSUED_LINKS,
    SESSION_COOKIE,
    campaign_view,
    current_session,
    flash,
    flash_for_update,
    get_store,
    render,
)

# The key derivation's label, as first written: a new one would make links kept across an
# upgrade unreadable.
_CONTEXT = b"bifocals one-time links\0"
_NONCE = 12


def _key(request: Request) -> bytes | None:
    raw = request.cookies.get(SESSION_COOKIE)
    if not raw or current_session(request) is None:
        return None
    return hashlib.sha256(_CONTEXT + raw.encode()).digest()


def seal(key: bytes, data: bytes) -> str:
    """Encrypt and authenticate `data` under a 32-byte key; URL-safe text."""
    nonce = secrets.token_bytes(_NONCE)
    return base64.urlsafe_b64encode(nonce + AESGCM(key).encrypt(nonce, data, _CONTEXT)).decode()


def unseal(key: bytes, text: str) -> bytes | None:
    """The data sealed under `key`, or None when the text was altered or sealed by another key."""
    try:
        blob = base64.urlsafe_b64decode(text.encode())
        return AESGCM(key).decrypt(blob[:_NONCE], blob[_NONCE:], _CONTEXT)
    except (ValueError, InvalidTag):
        return None


def stash_issued(request: Request, scope: str, payload: dict[str, Any]) -> bool:
    """Keep issued links for one later read by this session; False without a session."""
    key = _key(request)
    session = current_session(request)
    if key is None or session is None:
        return False
    item = {
        "kind": ISSUED_LINKS,
        "scope": scope,
        "message": "",
        "sealed": seal(key, json.dumps(payload).encode()),
    }
    with get_store(request).engine.begin() as conn:
        old = conn.execute(flash_for_update(session.id_hash)).scalar()
        items = json.loads(old) if old else []
        items.append(item)
        conn.execute(
            sa.update(sessions)
            .where(sessions.c.id_hash == session.id_hash)
            .values(flash=json.dumps(items))
        )
    return True


def take_issued(request: Request, scope: str) -> list[dict[str, Any]]:
    """The links stashed for `scope`, removed as they are read (a second read gets none)."""
    key = _key(request)
    session = current_session(request)
    if key is None or session is None:
        return []
    with get_store(request).engine.begin() as conn:
        old = conn.execute(flash_for_update(session.id_hash)).scalar()
        items = json.loads(old) if old else []
        mine = [i for i in items if i.get("kind") == ISSUED_LINKS and i.get("scope") == scope]
        if not mine:
            return []
        rest = [i for i in items if i not in mine]
        conn.execute(
            sa.update(sessions)
            .where(sessions.c.id_hash == session.id_hash)
            .values(flash=json.dumps(rest) if rest else None)
        )
    found = []
    for item in mine:
        data = unseal(key, str(item.get("sealed", "")))
        if data is not None:
            found.append(json.loads(data))
    return found


CODES: dict[LinkStatus, int] = {
    LinkStatus.REPLACED: 410,
    LinkStatus.EXPIRED: 410,
    LinkStatus.CLOSED: 410,
    LinkStatus.USED: 409,
}


@dataclass(frozen=True)
class _Words:
    sender: str  # whom to ask for a new link
    closed_title: str
    closed: str  # what is not taking answers, as a sentence
    kept: str = ""  # what stays when a link cannot be used, as a sentence
    used: tuple[str, str] = (
        N_("Already answered"),
        N_(
            "The answers this link takes have already been sent, and each link takes one set. "
            "Thank you; there is nothing more to do."
        ),
    )


_WORDS: dict[LinkKind, _Words] = {
    LinkKind.INVITATION: _Words(
        N_("the person who invited you"),
        N_("Questionnaire closed"),
        N_("This questionnaire is not taking answers at the moment."),
        N_("Anything you saved is still there."),
    ),
    LinkKind.NOMINATION: _Words(
        N_("your facilitator"),
        N_("Suggestions closed"),
        N_("Suggestions are closed: the campaign is no longer taking raters."),
    ),
    LinkKind.READINESS: _Words(
        N_("the person who sent it"),
        N_("Survey closed"),
        N_("This readiness survey is not taking answers at the moment."),
    ),
    LinkKind.ACCOUNT: _Words(
        N_("the person who invited you"),
        N_("Account disabled"),
        N_("This account has been disabled."),
        used=(
            N_("Password already set"),
            N_(
                "This link has already been used to set a password; each link works once. "
                "Sign in with your e-mail address and password, or use a newer link."
            ),
        ),
    ),
    LinkKind.PLAN: _Words(
        N_("the person who shared it"),
        N_("Plan no longer shared"),
        N_("The person who wrote this development plan no longer shares it through this link."),
    ),
}


def code(status: LinkStatus) -> int:
    """The HTTP status of a link that cannot be used (anything unexpected reads as unknown)."""
    return CODES.get(status, 404)


def wording(kind: LinkKind, status: LinkStatus, lang: str | None = None) -> tuple[str, str]:
    """(title, message) of the page for a link of `kind` with `status`, in `lang`."""
    _ = gettext_for(lang)
    w = _WORDS[kind]
    kept = " " + _(w.kept) if w.kept else ""
    sender = _(w.sender)
    if status is LinkStatus.REPLACED:
        return (
            _("Link replaced"),
            _("This link has been replaced by a newer one. Use the most recent link you received.")
            + kept,
        )
    if status is LinkStatus.EXPIRED:
        return _("Link expired"), _("This link has expired. Ask %(sender)s for a new one.") % {
            "sender": sender
        } + kept
    if status is LinkStatus.CLOSED:
        return _(w.closed_title), _(w.closed) + " " + _("Thank you for your time.")
    if status is LinkStatus.USED:
        return _(w.used[0]), _(w.used[1])
    return (
        _("Link not recognised"),
        _(
            "This link is not known. Check that it was copied completely, or ask "
            "%(sender)s for a new one."
        )
        % {"sender": sender},
    )


def problem_page(
    request: Request, kind: LinkKind, status: LinkStatus, lang: str | None = None
) -> Response:
    """The page for a link of `kind` that cannot be used, with its HTTP status, in `lang`."""
    title, message = wording(kind, status, lang)
    ctx = {"title": title, "message": message, "lang": lang or "en"}
    return render(request, "link_problem.html", ctx, status_code=code(status))


def show_delivery(request: Request, campaign_id: int, back: str, out: Delivery) -> Response:
    """After issuing: a flash and the way back when all went by e-mail, else the links page."""
    kept = (
        f" {out.kept} rater{' has' if out.kept == 1 else 's have'} a live link already, "
        "left as it is (use Replace links to issue new ones)."
        if out.kept
        else ""
    )
    if not out.shown:
        if out.sent:
            n = len(out.sent)
            flash(request, f"Sent {n} e-mail{'' if n == 1 else 's'}.{kept}", "success")
        elif kept:
            flash(request, "No new link needed." + kept, "info")
        else:
            flash(request, "Nothing to send: everyone chosen has already answered.", "info")
        return RedirectResponse(back, status_code=303)
    if kept:
        flash(request, kept.strip(), "info")
    payload = {"back": back, "sent": out.sent, "failed": out.failed, "shown": out.shown}
    if not stash_issued(request, f"campaign:{campaign_id}", payload):
        with get_store(request).engine.connect() as conn:
            row = conn.execute(sa.select(campaigns).where(campaigns.c.id == campaign_id)).one()
        ctx = {"c": campaign_view(row), "batches": [payload], "back": back}
        return render(request, "campaigns/links.html", ctx)
    return RedirectResponse(
        f"/campaigns/{campaign_id}/links?{urlencode({'back': back})}", status_code=303
    )
