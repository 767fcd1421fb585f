"""Links just issued (survey, nomination, readiness), kept for one read by the session that
issued them. (Not to be confused with the links themselves: those are services/token_links.py.)

Links are shown once, on a GET page after a redirect (Post/Redirect/Get), so that reloading or
going back never issues new links. Between the POST and that GET they wait in the session's
flash column, encrypted (AES-GCM, from the `cryptography` package) with a key derived from the
raw session cookie. The database holds only the cookie's hash, so what it stores cannot be read
back into working links, and another session of the same account cannot read them either.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
from typing import Any

import sqlalchemy as sa
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from fastapi import Request

from bifocals.store.app_tables import sessions
from bifocals.web.deps import ISSUED_LINKS, SESSION_COOKIE, current_session, get_store

LINKS_KIND = ISSUED_LINKS
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
        "kind": LINKS_KIND,
        "scope": scope,
        "message": "",
        "sealed": seal(key, json.dumps(payload).encode()),
    }
    with get_store(request).engine.begin() as conn:
        old = conn.execute(
            sa.select(sessions.c.flash).where(sessions.c.id_hash == session.id_hash)
        ).scalar()
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
        old = conn.execute(
            sa.select(sessions.c.flash).where(sessions.c.id_hash == session.id_hash)
        ).scalar()
        items = json.loads(old) if old else []
        mine = [i for i in items if i.get("kind") == LINKS_KIND and i.get("scope") == scope]
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
