"""Campaign workflow over HTTP on real databases: scope by role, participants, CSV, raters,
nominations, status changes, the re-open rule, release, audit rows."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from bifocals.services.accounts import audit
from bifocals.store.app_tables import audit_log, campaign_facilitators, nominations
from bifocals.store.tables import campaigns, participants, raters
from support.campaign_pages import add_person, count, make_campaign
from support.web import Auth, add_user, store_at, web_client

LINK = re.compile(r'value="(http://testserver/(?:survey|nominate)/[^"]+)"')


@pytest.fixture
def people(db_url: str) -> str:
    add_user(db_url, "admin@example.org", "admin")
    add_user(db_url, "fa@example.org", "facilitator")
    add_user(db_url, "fb@example.org", "facilitator")
    return db_url


def test_facilitators_see_only_their_campaigns(people: str, auth: Auth) -> None:
    url = people
    a = auth("fa@example.org", url)
    b = auth("fb@example.org", url)
    admin = auth("admin@example.org", url)
    ta = a.token
    tb = b.token
    ca = make_campaign(a, ta, "Campaign of A")
    make_campaign(b, tb, "Campaign of B")
    assert "Campaign of A" in a.get("/campaigns").text
    assert "Campaign of B" not in a.get("/campaigns").text
    listing = admin.get("/campaigns").text
    assert "Campaign of A" in listing and "Campaign of B" in listing
    # B cannot open, change or read anything of A's campaign: 404, not 403.
    pid = add_person(a, ta, ca, "P1", name="Pat", email="pat@example.org")
    for path in (
        f"/campaigns/{ca}",
        f"/campaigns/{ca}/progress",
        f"/campaigns/{ca}/participants/{pid}",
    ):
        assert b.get(path).status_code == 404, path
    for path, data in (
        (f"/campaigns/{ca}/open", {}),
        (f"/campaigns/{ca}/participants", {"code": "X"}),
        (f"/campaigns/{ca}/participants/{pid}/raters", {"name": "Eve", "group": "peer"}),
        (f"/campaigns/{ca}/participants/{pid}/invite", {"mode": "show"}),
        (f"/campaigns/{ca}/participants/{pid}/nomination-link", {"mode": "show"}),
        (f"/campaigns/{ca}/remind", {"everyone": "1"}),
        (f"/campaigns/{ca}/facilitators", {"email": "fb@example.org"}),
    ):
        r = b.post(path, data=data)
        assert r.status_code in (403, 404), path
    assert count(a, raters, raters.c.participant_id == pid) == 1  # only the self rater
    # Only admins assign facilitators; then B sees the campaign.
    r = a.post(f"/campaigns/{ca}/facilitators", data={"email": "fb@example.org"})
    assert r.status_code == 403
    r = admin.post(f"/campaigns/{ca}/facilitators", data={"email": "fb@example.org"})
    assert r.status_code == 303
    assert b.get(f"/campaigns/{ca}").status_code == 200
    bid = add_user(url, "other@example.org", "admin")
    r = admin.post(f"/campaigns/{ca}/facilitators", data={"email": "other@example.org"})
    assert "is not a facilitator account" in admin.get(f"/campaigns/{ca}").text
    assert count(admin, campaign_facilitators, campaign_facilitators.c.user_id == bid) == 0


def test_participant_user_sees_only_own_released_report_link(people: str, auth: Auth) -> None:
    url = people
    a = auth("fa@example.org", url)
    ta = a.token
    cid = make_campaign(a, ta)
    pid = add_person(a, ta, cid, "P1", name="Pat")
    add_person(a, ta, cid, "P2", name="Quinn")
    add_user(url, "pat@example.org", "participant", campaign="Spring", participant="P1")
    a = auth("fa@example.org", url)
    p = auth("pat@example.org", url)
    ta = a.token
    for path in (
        "/campaigns",
        f"/campaigns/{cid}",
        f"/campaigns/{cid}/progress",
        f"/campaigns/{cid}/participants/{pid}",
        "/campaigns/new",
    ):
        assert p.get(path).status_code == 403, path
    page = p.get("/me").text
    assert "not released yet" in page
    assert f"/participants/{pid}/report" not in page
    for action in ("open", "close", "release"):
        a.post(f"/campaigns/{cid}/{action}")
    page = p.get("/me").text
    assert f"/campaigns/{cid}/participants/{pid}/report" in page


def test_create_campaign_validates(people: str, auth: Auth) -> None:
    a = auth("fa@example.org", people)
    ta = a.token
    assert "Questionnaire" in a.get("/campaigns/new").text
    make_campaign(a, ta, "Same")
    r = a.post(
        "/campaigns/new",
        data={"name": "Same", "instrument": "bifocals_open_360"},
    )
    assert r.status_code == 400 and "already exists" in r.text
    r = a.post(
        "/campaigns/new",
        data={"name": "Other", "instrument": "no_such_instrument"},
    )
    assert r.status_code == 400
    r = a.post(
        "/campaigns/new",
        data={
            "name": "Other",
            "instrument": "bifocals_open_360",
            "deadline": "next friday",
        },
    )
    assert r.status_code == 400 and "YYYY-MM-DD" in r.text
    r = a.post(
        "/campaigns/new",
        data={
            "name": "Other",
            "instrument": "bifocals_open_360",
            "threshold_peer": "0",
        },
    )
    assert r.status_code == 422
    with store_at(people) as store, store.engine.connect() as conn:
        row = conn.execute(sa.select(campaigns).where(campaigns.c.name == "Same")).one()
        assert row.status == "draft" and row.threshold_peer == 3
        assert row.deadline.replace(tzinfo=UTC) > datetime(2030, 5, 1, tzinfo=UTC)
        acts = conn.execute(sa.select(audit_log.c.action, audit_log.c.actor)).all()
        assert ("campaign.create", "fa@example.org") in acts


CSV_OK = "name,email,code\nAna Ruiz,ana@example.org,A1\nBo Lind,,B2\n"
CSV_BAD = (
    "name,email,code\n"
    "Ana Ruiz,ana@example.org,A1\n"
    "No Code,nc@example.org,\n"
    "Bad Mail,not-an-address,C3\n"
    "Again,again@example.org,A1\n"
    "Short,line\n"
    "Taken,t@example.org,P0\n"
)


def test_csv_upload_is_all_or_nothing_with_every_error_listed(people: str, auth: Auth) -> None:
    a = auth("fa@example.org", people)
    ta = a.token
    cid = make_campaign(a, ta)
    add_person(a, ta, cid, "P0")
    r = a.post(
        f"/campaigns/{cid}/participants/csv",
        files={"file": ("team.csv", CSV_BAD.encode(), "text/csv")},
    )
    assert r.status_code == 400
    text = r.text
    assert "Nothing was changed from team.csv" in text
    for line, phrase in (
        (3, "is empty"),
        (4, "is not an e-mail address"),
        (5, "repeats line 2"),
        (6, "has 2 cells"),
        (7, "already used in this campaign"),
    ):
        assert re.search(rf'<td class="num">{line}</td>.*?{re.escape(phrase)}', text, re.S), line
    assert count(a, participants, participants.c.campaign_id == cid) == 1
    r = a.post(
        f"/campaigns/{cid}/participants/csv",
        files={"file": ("h.csv", b"code;name\nA;B\n", "text/csv")},
    )
    assert r.status_code == 400 and "must name the columns" in r.text
    r = a.post(
        f"/campaigns/{cid}/participants/csv",
        files={"file": ("b.csv", b"\xff\xfe\x00bad", "text/csv")},
    )
    assert r.status_code == 400 and "UTF-8" in r.text
    r = a.post(
        f"/campaigns/{cid}/participants/csv",
        files={"file": ("team.csv", CSV_OK.encode(), "text/csv")},
    )
    assert r.status_code == 303
    assert "2 participants added" in a.get(f"/campaigns/{cid}").text
    assert count(a, participants, participants.c.campaign_id == cid) == 3
    # Every participant has a self rater.
    assert count(a, raters, raters.c.campaign_id == cid, raters.c.group == "self") == 3


def test_raters_and_nominations(people: str, auth: Auth) -> None:
    a = auth("fa@example.org", people)
    ta = a.token
    with web_client(people) as visitor:
        cid = make_campaign(a, ta)
        pid = add_person(a, ta, cid, "P1", name="Pat", email="pat@example.org")
        r = a.post(
            f"/campaigns/{cid}/participants/{pid}/raters",
            data={"name": "Mo", "email": "mo@example.org", "group": "manager"},
        )
        assert r.status_code == 303
        r = a.post(
            f"/campaigns/{cid}/participants/{pid}/raters",
            data={"name": "Mo 2", "email": "MO@example.org", "group": "peer"},
        )
        assert "already rates this participant" in a.get(r.headers["location"]).text
        r = a.post(
            f"/campaigns/{cid}/participants/{pid}/raters",
            data={"name": "X", "group": "self"},
        )
        assert "is not one of" in a.get(r.headers["location"]).text
        # The nomination link is shown once and only its hash is stored.
        r = a.post(
            f"/campaigns/{cid}/participants/{pid}/nomination-link",
            data={"mode": "show"},
            follow_redirects=True,
        )
        assert r.status_code == 200 and "shown only this once" in r.text
        link = LINK.search(r.text)
        assert link
        path = link.group(1).removeprefix("http://testserver")
        page = visitor.get(path)
        assert page.status_code == 200 and "Suggest who gives you feedback" in page.text
        vt = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
        r = visitor.post(path, data={"name": "Lee", "email": "lee@example.org", "group": "peer"})
        assert r.status_code == 403  # no CSRF token
        for who, mail in (("Lee", "lee@example.org"), ("Kim", "kim@example.org")):
            r = visitor.post(
                path, data={"csrf_token": vt, "name": who, "email": mail, "group": "peer"}
            )
            assert r.status_code == 200 and f"{who} is suggested" in r.text
        r = visitor.post(
            path,
            data={"csrf_token": vt, "name": "Lee", "email": "lee@example.org", "group": "peer"},
        )
        assert r.status_code == 400 and "already suggested" in r.text
        r = visitor.post(path, data={"csrf_token": vt, "name": "Nob", "email": "", "group": "peer"})
        assert r.status_code == 400 and "an e-mail address is needed" in r.text
        detail = a.get(f"/campaigns/{cid}").text
        assert "2 to review" in detail
        with a.app.state.store.engine.connect() as conn:  # type: ignore[attr-defined]
            ids = dict(conn.execute(sa.select(nominations.c.name, nominations.c.id)).all())
        assert a.post(f"/campaigns/{cid}/nominations/{ids['Lee']}/approve").status_code == 303
        assert a.post(f"/campaigns/{cid}/nominations/{ids['Kim']}/reject").status_code == 303
        r = a.post(f"/campaigns/{cid}/nominations/{ids['Kim']}/approve")
        assert "already rejected" in a.get(r.headers["location"]).text
        assert (
            count(a, raters, raters.c.participant_id == pid, raters.c.email == "lee@example.org")
            == 1
        )
        assert (
            count(a, raters, raters.c.participant_id == pid, raters.c.email == "kim@example.org")
            == 0
        )
        # A new nomination link revokes the old one.
        a.post(
            f"/campaigns/{cid}/participants/{pid}/nomination-link",
            data={"mode": "show"},
        )
        r = visitor.get(path)
        assert r.status_code == 410 and "replaced by a newer one" in r.text
        assert visitor.get("/nominate/not-a-real-token").status_code == 404


def test_status_flow_and_reopen_rule(people: str, auth: Auth) -> None:
    a = auth("fa@example.org", people)
    ta = a.token
    cid = make_campaign(a, ta)
    add_person(a, ta, cid, "P1")

    def act(action: str) -> str:
        r = a.post(f"/campaigns/{cid}/{action}")
        assert r.status_code == 303
        with a.app.state.store.engine.connect() as conn:  # type: ignore[attr-defined]
            return str(
                conn.execute(
                    sa.select(campaigns.c.status).where(campaigns.c.id == cid)
                ).scalar_one()
            )

    assert act("close") == "draft"  # a draft cannot be closed
    assert "cannot close a campaign that is draft" in a.get(f"/campaigns/{cid}").text
    assert act("open") == "open"
    assert act("close") == "closed"
    # Nobody has seen a report: re-opening is allowed (late raters may still answer).
    assert act("reopen") == "open"
    assert act("close") == "closed"
    # Once a report has been viewed, re-opening is refused.
    with store_at(people) as store:
        audit(store, None, "report.view", "participant:P1", "", campaign_id=cid)
    assert act("reopen") == "closed"
    page = a.get(f"/campaigns/{cid}").text
    assert "cannot re-open" in page and "no longer be re-opened" in page
    assert act("release") == "released"
    assert act("reopen") == "released"
    # Nobody is added to a closed or released campaign.
    r = a.post(f"/campaigns/{cid}/participants", data={"code": "P9"})
    assert "can be added only while" in a.get(r.headers["location"]).text
    with store_at(people) as store, store.engine.connect() as conn:
        acts = [
            a
            for (a,) in conn.execute(
                sa.select(audit_log.c.action)
                .where(audit_log.c.campaign_id == cid)
                .order_by(audit_log.c.id)
            )
        ]
    assert acts.count("campaign.open") == 1 and acts.count("campaign.reopen") == 1
    assert acts.count("campaign.close") == 2 and "campaign.release" in acts
    assert "participant.add" in acts


def test_release_alone_blocks_reopen(sqlite_url: str) -> None:
    from bifocals.errors import BifocalsError
    from bifocals.services.campaigns import change_status
    from bifocals.services.security import User

    add_user(sqlite_url, "admin@example.org", "admin")
    with store_at(sqlite_url) as store:
        cid = store.create_campaign("R", status="closed")
        admin = User(1, "admin@example.org", "admin", None)
        change_status(store, admin, cid, "release")
        with pytest.raises(BifocalsError, match="must be closed"):
            change_status(store, admin, cid, "reopen")


def test_admin_links_a_participant_account(people: str, auth: Auth) -> None:
    admin = auth("admin@example.org", people)
    t = admin.token
    cid = make_campaign(admin, t, "Linked")
    pid = add_person(admin, t, cid, "P7", name="Sam")
    page = admin.get("/admin/users").text
    assert "Linked · P7 Sam" in page
    r = admin.post(
        "/admin/users",
        data={
            "email": "sam@example.org",
            "role": "participant",
            "password": "a long secret",
            "participant": "Linked\tP7",
        },
    )
    assert r.status_code == 303
    r = admin.post(
        "/admin/users",
        data={
            "email": "x@example.org",
            "role": "participant",
            "password": "a long secret",
        },
    )
    assert r.status_code == 400 and "needs a campaign" in r.text
    sam = auth("sam@example.org", people, password="a long secret")
    assert "Linked" in sam.get("/me").text
    assert sam.get(f"/campaigns/{cid}/participants/{pid}").status_code == 403


def test_settings_change_until_closed(people: str, auth: Auth) -> None:
    a = auth("fa@example.org", people)
    ta = a.token
    cid = make_campaign(a, ta)
    form = {"csrf_token": ta, "threshold_peer": "5", "deadline": "2031-01-31"}
    r = a.post(f"/campaigns/{cid}/settings", data=form)
    assert "Deadline and thresholds saved." in a.get(r.headers["location"]).text
    a.post(f"/campaigns/{cid}/open")
    a.post(f"/campaigns/{cid}/close", data={"accept_losses": "1"})
    # Closed: the deadline no longer applies (thresholds freeze once results are seen:
    # tests/test_results_seen.py).
    r = a.post(f"/campaigns/{cid}/settings", data={**form, "deadline": "2032-01-31"})
    assert "deadline can no longer change" in a.get(r.headers["location"]).text
    with store_at(people) as store, store.engine.connect() as conn:
        row = conn.execute(sa.select(campaigns).where(campaigns.c.id == cid)).one()
        assert row.threshold_peer == 5 and row.deadline.year == 2031
        detail = conn.execute(
            sa.select(audit_log.c.detail).where(audit_log.c.action == "campaign.change")
        ).scalar_one()
        assert "threshold_peer=5" in detail and "deadline=2031-01-31" in detail
