"""Norm groups and campaign baselines on the web: an admin imports a norm table and chooses a
campaign's comparisons; every report of the campaign (page, PDF text, cohort) then carries
"Since last time" and the percentiles. A facilitator may not choose them; a bad table saves
nothing and says which line is wrong."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from support.waves import NEW, OLD, two_waves
from support.web import Auth, add_user

TABLE = "scale,mean,sd,n,source\n" + "".join(
    f"{d}.{s},3.2,0.6,400,Sector study 2025\n"
    for d in (
        "focus_goals",
        "roles_responsibilities",
        "decision_making",
        "relationship_people",
        "risk_taking",
        "time_horizon",
        "source_of_influence",
    )
    for s in ("leadership", "management")
)


@pytest.fixture
def site_url(tmp_path: Path) -> str:
    """Both waves of the demo cohort, released; an admin, P02 of the second wave and a
    facilitator of neither."""
    db = str(tmp_path / "norms-web.db")
    two_waves(db, tmp_path, released=True)
    url = f"sqlite:///{db}"
    add_user(url, "boss@example.org", "admin")
    add_user(url, "p02@example.org", "participant", campaign=NEW, participant="P02")
    add_user(url, "fac@example.org", "facilitator")
    return url


def test_admin_sets_comparisons_and_reports_carry_them(auth: Auth, tmp_path: Path) -> None:
    boss = auth("boss@example.org")
    assert "Norm groups" in boss.get("/admin/norms").text
    bad = boss.post(
        "/admin/norms/import",
        data={"name": "Sector", "instrument": "bifocals_open_360"},
        files={
            "file": ("sector.csv", b"scale,mean,sd,n,source\nfocus_goals.leadership,7,0.5,400,x\n")
        },
    )
    assert bad.status_code == 400 and "sector.csv:2" in bad.text and "Nothing was saved" in bad.text
    ok = boss.post(
        "/admin/norms/import",
        data={"name": "Sector", "instrument": "bifocals_open_360"},
        files={"file": ("sector.csv", TABLE.encode())},
    )
    assert ok.status_code == 303
    assert "external table of 14 scales" in boss.get("/admin/norms").text
    new_id = 2
    page = boss.get(f"/campaigns/{new_id}")
    assert "Comparisons in reports" in page.text and OLD in page.text
    saved = boss.post(f"/campaigns/{new_id}/baseline", data={"previous": OLD, "norms": "Sector"})
    assert saved.status_code == 303
    page = boss.get(f"/campaigns/{new_id}").text
    assert "Comparisons saved" in page and "Norm group: <strong>Sector</strong>" in page
    # the participant's own report: since last time, and percentiles against the table
    p02 = auth("p02@example.org")
    me = p02.get("/me").text
    found = re.search(r'href="(/campaigns/\d+/participants/\d+/report)"', me)
    assert found is not None
    report_path = found.group(1)
    report = p02.get(report_path)
    assert report.status_code == 200
    assert "Since last time" in report.text and "Reliably higher than last time" in report.text
    assert "Against the norm" in report.text and "Sector" in report.text
    # the API's report and scores carry the same comparisons
    api = p02.get("/api/v1" + report_path).json()["data"]
    assert api["compared_with"] == OLD and api["norms"] == "Sector"
    assert api["percentiles"] and all(1 <= p["percentile"] <= 99 for p in api["percentiles"])
    assert any(c["reliable"] for c in api["change"])
    scores = boss.get(f"/api/v1/campaigns/{new_id}/scores").json()["data"]
    assert scores["compared_with"] == OLD and scores["norms"]["name"] == "Sector"
    # the cohort report shows the cohort's change
    cohort = boss.get(f"/campaigns/{new_id}/cohort").text
    assert f"The cohort's change since {OLD}" in cohort
    # a facilitator may not choose comparisons
    fac = auth("fac@example.org")
    assert fac.post(f"/campaigns/{new_id}/baseline", data={"previous": ""}).status_code == 403


def test_define_from_history_on_the_web(auth: Auth, client: TestClient) -> None:
    boss = auth("boss@example.org")
    r = boss.post(
        "/admin/norms/define",
        data={"name": "Both waves", "instrument": "bifocals_open_360", "campaign": [OLD, NEW]},
    )
    assert r.status_code == 303
    assert "2 campaign(s)" in boss.get("/admin/norms").text
    again = boss.post(
        "/admin/norms/define", data={"name": "Both waves", "instrument": "bifocals_open_360"}
    )
    assert again.status_code == 409 and "exists" in again.text
    assert boss.post("/admin/norms/delete", data={"name": "Both waves"}).status_code == 303
    assert client.get("/admin/norms").status_code in (303, 401, 403)
