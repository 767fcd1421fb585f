"""Sealing of just-issued links kept in the session: AES-GCM, key derived from the cookie."""

from __future__ import annotations

import base64
import secrets

from bifocals.web.link_pages import seal, unseal


def test_sealed_links_open_only_with_their_key_and_unaltered() -> None:
    key, other = secrets.token_bytes(32), secrets.token_bytes(32)
    data = b'{"shown": ["https://example.org/survey/abc"]}'
    sealed = seal(key, data)
    assert b"survey" not in base64.urlsafe_b64decode(sealed)  # not readable as stored
    assert seal(key, data) != sealed  # a fresh nonce every time
    assert unseal(key, sealed) == data
    assert unseal(other, sealed) is None
    raw = bytearray(base64.urlsafe_b64decode(sealed))
    raw[-1] ^= 1
    assert unseal(key, base64.urlsafe_b64encode(bytes(raw)).decode()) is None
    assert unseal(key, "not base64 at all!") is None
    assert unseal(key, "") is None
