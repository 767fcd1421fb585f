"""Results seen, thresholds frozen, re-open refused: the same rule through every door.

Each test performs an attack from the adversarial review and passes only with the rule in the
service layer: the read-then-reopen race (concurrent, many times, SQLite and PostgreSQL), the
threshold differencing attack from the CLI, the web and the API, and thresholds below 3.
"""

from __future__ import annotations

import subprocess
import sys
import threading
from collections.abc import Callable
from functools import partial
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa

from bifocals.errors import AccessError, BifocalsError, Conflict
from bifocals.services.campaigns import (
    THRESHOLDS_FROZEN,
    ResultsRead,
    campaign_id_by_name,
    change_status,
)
from bifocals.services.results import load_results
from bifocals.services.security import User
from bifocals.store.app_tables import audit_log
from bifocals.store.tables import campaigns
from support.closed_campaign import campaign_csv, seeded_site
from support.web import Auth, add_user, serve, store_at

ADMIN = User(1, "admin@example.org", "admin", None)
ROUNDS = 30


def _cli(db: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bifocals.cli", *args, "--db", db],
        capture_output=True,
        text=True,
        check=False,
    )


def _closed_campaign(url: str, tmp: Path, name: str) -> int:
    path = tmp / f"{name}.csv"
    path.write_text(campaign_csv(), encoding="utf-8")
    with store_at(url) as store:
        store.import_campaign_csv(path, name)
        return campaign_id_by_name(store, name)


def _status(url: str, cid: int) -> str:
    with store_at(url) as store, store.engine.connect() as conn:
        return str(
            conn.execute(sa.select(campaigns.c.status).where(campaigns.c.id == cid)).scalar()
        )


def _actions(url: str, cid: int) -> list[str]:
    with store_at(url) as store, store.engine.connect() as conn:
        rows = conn.execute(
            sa.select(audit_log.c.action)
            .where(audit_log.c.campaign_id == cid)
            .order_by(audit_log.c.id)
        )
        return [str(r.action) for r in rows]


def _race(first: Callable[[], object], second: Callable[[], object]) -> tuple[object, object]:
    """Run two calls at the same moment in two threads; their results (or the exception)."""
    start = threading.Barrier(2)
    out: list[object] = [None, None]

    def run(i: int, call: Callable[[], object]) -> None:
        start.wait()
        try:
            out[i] = call()
        except (BifocalsError, AccessError) as exc:
            out[i] = exc

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate((first, second))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return out[0], out[1]


def test_read_and_reopen_never_both_win(db_url: str, tmp_path: Path) -> None:
    """A results read and a re-open race, ROUNDS times: never a read AND an open campaign."""
    add_user(db_url, ADMIN.email, "admin")
    with store_at(db_url) as store:
        for i in range(ROUNDS):
            cid = _closed_campaign(db_url, tmp_path, f"race {i}")
            read = ResultsRead(ADMIN, "report.export", "race", "json")
            got = _race(
                partial(load_results, store, cid, read),
                partial(change_status, store, ADMIN, cid, "reopen"),
            )
            read_won, reopen_won = (not isinstance(g, Exception) for g in got)
            assert read_won != reopen_won, (i, got)
            assert isinstance(got[0] if reopen_won else got[1], Conflict), (i, got)
            status = _status(db_url, cid)
            assert (status == "open") == reopen_won, (i, got, status)
            actions = _actions(db_url, cid)
            if read_won:
                assert "report.export" in actions and "campaign.reopen" not in actions


def test_read_and_reopen_race_over_http(db_url: str, tmp_path: Path, auth: Auth) -> None:
    """The same race as two simultaneous HTTP requests of a signed-in admin."""
    seeded_site(db_url, tmp_path)
    c = auth("admin@example.org", db_url)
    token = c.token
    cookies = dict(c.cookies)
    with serve(db_url) as base, httpx.Client(base_url=base, cookies=cookies) as h:
        for i in range(ROUNDS // 3):
            cid = _closed_campaign(db_url, tmp_path, f"http race {i}")
            read, reopen = _race(
                partial(h.get, f"/campaigns/{cid}/export/scores.json"),
                partial(h.post, f"/campaigns/{cid}/reopen", data={"csrf_token": token}),
            )
            assert isinstance(read, httpx.Response) and isinstance(reopen, httpx.Response)
            status = _status(db_url, cid)
            assert not (read.status_code == 200 and status == "open"), (i, read, status)
            assert read.status_code in (200, 409), read.text


def test_cli_reads_mark_results_seen_and_freeze_thresholds(sqlite_url: str, tmp_path: Path) -> None:
    """The probe's attack: score the campaign, then lower a threshold. Refused and audited."""
    db = sqlite_url.removeprefix("sqlite:///")
    cid = _closed_campaign(sqlite_url, tmp_path, "cli attack")
    out = _cli(db, "score", "cli attack", "--json")
    assert out.returncode == 0, out.stderr
    out = _cli(db, "campaign", "thresholds", "cli attack", "--peer", "1", "--reason", "probe")
    assert out.returncode == 1
    assert " ".join(THRESHOLDS_FROZEN.split()[:8]) in " ".join(out.stderr.split())
    assert "Traceback" not in out.stderr
    actions = _actions(sqlite_url, cid)
    assert actions[-2:] == ["report.export", "campaign.change.refused"]
    with store_at(sqlite_url) as store:
        assert store.set_thresholds("cli attack").peer == 3
    # And the CLI read stopped a re-open from the web's service too.
    add_user(sqlite_url, ADMIN.email, "admin")
    with store_at(sqlite_url) as store, pytest.raises(Conflict, match="cannot re-open"):
        change_status(store, ADMIN, cid, "reopen")


def test_cli_report_marks_results_seen(sqlite_url: str, tmp_path: Path) -> None:
    db = sqlite_url.removeprefix("sqlite:///")
    cid = _closed_campaign(sqlite_url, tmp_path, "cli report")
    out = _cli(db, "report", "cli report", "--out", str(tmp_path / "reports"))
    assert out.returncode == 0, out.stderr
    assert _actions(sqlite_url, cid)[-1] == "report.export"


def test_web_refuses_threshold_change_after_a_read(db_url: str, tmp_path: Path, auth: Auth) -> None:
    site = seeded_site(db_url, tmp_path)
    cid = site.campaign_id
    c = auth("admin@example.org", db_url)
    token = c.token
    assert c.get(f"/campaigns/{cid}/cohort").status_code == 200
    form = {"csrf_token": token, "threshold_peer": "1", "reason": "probe"}
    r = c.post(f"/campaigns/{cid}/settings", data=form)
    page = c.get(r.headers["location"]).text
    assert " ".join(THRESHOLDS_FROZEN.split()[:8]) in " ".join(page.split())
    assert _actions(db_url, cid)[-1] == "campaign.change.refused"


def test_api_refuses_threshold_change_after_a_read(db_url: str, tmp_path: Path, auth: Auth) -> None:
    site = seeded_site(db_url, tmp_path)
    cid = site.campaign_id
    c = auth("admin@example.org", db_url)
    token = c.token
    assert c.get(f"/api/v1/campaigns/{cid}/scores").status_code == 200
    r = c.put(
        f"/api/v1/campaigns/{cid}/thresholds",
        json={"peer": 1, "reason": "probe"},
        headers={"X-CSRF-Token": token},
    )
    assert r.status_code == 409
    assert r.json()["detail"] == {"field": "thresholds", "message": THRESHOLDS_FROZEN}
    assert _actions(db_url, cid)[-1] == "campaign.change.refused"


def test_api_changes_thresholds_before_any_read(
    sqlite_url: str, tmp_path: Path, auth: Auth
) -> None:
    site = seeded_site(sqlite_url, tmp_path)
    c = auth("fac@example.org")
    token = c.token
    r = c.put(
        f"/api/v1/campaigns/{site.campaign_id}/thresholds",
        json={"peer": 4},
        headers={"X-CSRF-Token": token},
    )
    assert r.status_code == 200, r.text
    assert r.json()["thresholds"]["peer"] == 4
    # Below 3: a facilitator is refused, whatever the reason.
    r = c.put(
        f"/api/v1/campaigns/{site.campaign_id}/thresholds",
        json={"peer": 2, "reason": "small team"},
        headers={"X-CSRF-Token": token},
    )
    assert r.status_code == 409 and "only an admin" in r.json()["detail"]["message"]


def test_threshold_below_three_needs_an_admin_and_a_reason(
    sqlite_url: str, tmp_path: Path, auth: Auth
) -> None:
    site = seeded_site(sqlite_url, tmp_path)
    cid = site.campaign_id
    form = {"threshold_peer": "2"}
    c = auth("fac@example.org")
    token = c.token
    r = c.post(f"/campaigns/{cid}/settings", data=form)
    assert "only an admin" in c.get(r.headers["location"]).text
    c = auth("admin@example.org")
    token = c.token
    r = c.post(f"/campaigns/{cid}/settings", data=form)
    assert "give the reason" in c.get(r.headers["location"]).text
    reason = "two-person pilot team, agreed with works council"
    data = {"csrf_token": token, **form, "reason": reason}
    r = c.post(f"/campaigns/{cid}/settings", data=data)
    assert "saved" in c.get(r.headers["location"]).text
    report = c.get(f"/campaigns/{cid}/participants/{site.pids['P1']}/report").text
    cohort = c.get(f"/campaigns/{cid}/cohort").text
    assert "Not anonymous" in report and "peers from 2 raters" in report
    assert "Not anonymous" in cohort
    with store_at(sqlite_url) as store, store.engine.connect() as conn:
        detail = conn.execute(
            sa.select(audit_log.c.detail)
            .where(audit_log.c.action == "campaign.change")
            .order_by(audit_log.c.id.desc())
        ).scalar()
    assert detail is not None and reason in detail and "threshold_peer=2" in detail


def test_cli_threshold_below_three_needs_a_reason(sqlite_url: str, tmp_path: Path) -> None:
    db = sqlite_url.removeprefix("sqlite:///")
    _closed_campaign(sqlite_url, tmp_path, "small")
    out = _cli(db, "campaign", "thresholds", "small", "--peer", "2")
    assert out.returncode == 1 and "give the reason" in out.stderr
    out = _cli(db, "campaign", "thresholds", "small", "--peer", "2", "--reason", "pilot")
    assert out.returncode == 0, out.stderr


def test_threshold_bounds_live_in_thresholds() -> None:
    from bifocals.errors import Invalid
    from bifocals.scoring.model import Thresholds

    with pytest.raises(Invalid, match="from 1 to 50"):
        Thresholds(peer=0)
    with pytest.raises(Invalid, match="from 1 to 50"):
        Thresholds(pooled=51)


def test_export_piped_into_head_stops_quietly(sqlite_url: str, tmp_path: Path) -> None:
    """`bifocals campaign export NAME | head -1`: no "Broken pipe" error, no traceback."""
    db = sqlite_url.removeprefix("sqlite:///")
    _closed_campaign(sqlite_url, tmp_path, "piped")
    out = subprocess.run(
        f"{sys.executable} -m bifocals.cli campaign export piped --db {db} | head -1",
        shell=True,
        capture_output=True,
        text=True,
        check=False,
    )
    assert out.stdout.startswith("participant,")
    assert out.stderr == "", out.stderr
