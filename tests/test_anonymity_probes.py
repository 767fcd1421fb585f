"""Anonymity probes: every data route, as every role, before and after release.

Routes are enumerated from the app, so a new GET route without a probe rule fails here.
"""

from __future__ import annotations

import json
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI

from bifocals.errors import BifocalsError
from bifocals.services.campaigns import change_status
from bifocals.services.security import User
from support.closed_campaign import LONE_COMMENT, Site, release, seeded_site
from support.web import Auth, login, store_at, web_client

ROLES = (
    None,
    "admin@example.org",
    "fac@example.org",
    "outsider@example.org",
    "p1@example.org",
    "p2@example.org",
)
MANAGERS = ("admin@example.org", "fac@example.org")
# Routes that hold no campaign data: the site's own pages and the API description.
NO_DATA = {"/", "/login", "/docs", "/docs/oauth2-redirect", "/redoc", "/openapi.json"}
# Routes opened by a secret link token: probed with a guessed token (must reveal nothing).
TOKEN_ROUTES = {
    "/survey/{token}",
    "/nominate/{token}",
    "/readiness/{token}",
    "/account/setup/{token}",
    "/plan/{token}",
}
# Everything else is fetched with the seeded ids; {name:path} routes get an unknown name.
PARAM = re.compile(r"\{([^}:]+)(:[^}]*)?\}")


def get_paths(app: FastAPI) -> list[str]:
    """Every GET path the app serves (included routers walked)."""
    found: list[str] = []

    def walk(routes: Iterator[object] | list[object]) -> None:
        for r in routes:
            if hasattr(r, "effective_route_contexts"):
                for ctx in r.effective_route_contexts():
                    methods = getattr(ctx.original_route, "methods", None) or set()
                    if "GET" in methods:
                        found.append(str(ctx.path))
            elif "GET" in (getattr(r, "methods", None) or set()):
                found.append(str(r.path))  # type: ignore[attr-defined]

    walk(list(app.routes))
    return sorted(set(found))


def fill(path: str, site: Site) -> list[str]:
    """Concrete URLs for a route pattern (both participants where a pid is taken)."""
    if path in TOKEN_ROUTES:
        return [PARAM.sub("guessed-token-abc", path)]
    names = {m.group(1) for m in PARAM.finditer(path)}
    if "ext" in names:  # a download in several formats: every one of them
        return [u for ext in ("csv", "xlsx") for u in fill(path.replace("{ext}", ext), site)]
    unknown = names - {"campaign_id", "pid", "name", "preview_id"}
    assert not unknown, f"add a probe rule for {path} (parameters {unknown})"
    pids = list(site.pids.values()) if "pid" in names else [0]
    out = []
    for pid in pids:
        url = path.replace("{campaign_id}", str(site.campaign_id)).replace("{pid}", str(pid))
        url = url.replace("{preview_id:int}", "1")  # an effort import's preview, by number
        out.append(PARAM.sub("no-such-thing", url))
    return out


def text_of(body: bytes, ctype: str) -> str:
    if ctype.startswith("application/pdf"):
        done = subprocess.run(
            ["pdftotext", "-", "-"], input=body, capture_output=True, check=True, timeout=60
        )
        return done.stdout.decode()
    return body.decode("utf-8", "replace")


def check_body(site: Site, who: str | None, url: str, body: str) -> None:
    assert LONE_COMMENT not in body, (who, url)
    results = any(k in url for k in ("/report", "/cohort", "/export/", "/api/"))
    if who not in MANAGERS or results:
        for secret in site.rater_names + site.rater_emails:
            assert secret not in body, (who, url, secret)
    if url.endswith("scores.json") or url.endswith("/scores"):
        data = json.loads(body)
        data = data.get("data", data)
        people = {p["participant"]: p for p in data["participants"]}
        p1 = people["P1"]
        assert [g["key"] for g in p1["groups"]] == ["self", "manager", "peer"]
        assert p1["suppressed_groups"] == ["direct_report"]  # named, never counted or scored
        assert "direct_report" not in json.dumps(p1["scores"]), "suppressed group leaked"


@pytest.fixture
def site(sqlite_url: str, tmp_path: Path) -> Site:
    return seeded_site(sqlite_url, tmp_path)


@pytest.fixture
def site_url(site: Site) -> str:
    """The `client` and `auth` fixtures serve the seeded site."""
    return site.url


@pytest.mark.parametrize("released", [False, True])
def test_every_route_as_every_role(site: Site, released: bool, pdf_engine: None) -> None:
    if released:
        release(site.url, site.campaign_id)
    with web_client(site.url) as client:
        paths = get_paths(client.app)  # type: ignore[arg-type]
        assert any(p.startswith("/api/v1/") for p in paths)
        for who in ROLES:
            client.cookies.clear()
            if who:
                login(client, who)
            for path in paths:
                if path in NO_DATA:
                    continue
                for url in fill(path, site):
                    if url.endswith(".pdf") and who not in (*MANAGERS, "p1@example.org"):
                        continue
                    r = client.get(url)
                    assert r.status_code < 500, (who, url, r.status_code)
                    if r.status_code == 200:
                        ctype = r.headers.get("content-type", "")
                        check_body(site, who, url, text_of(r.content, ctype))


def test_reopening_attack_is_blocked(site: Site, auth: Auth) -> None:
    url = f"/api/v1/campaigns/{site.campaign_id}/participants/{site.pids['P1']}/report"
    client = auth("fac@example.org")
    assert client.get(url).status_code == 200
    with store_at(site.url) as store, pytest.raises(BifocalsError, match="cannot re-open"):
        change_status(
            store, User(1, "admin@example.org", "admin", None), site.campaign_id, "reopen"
        )
