"""The roster, corrections and the links sheet through the web and the API: the same rules as
the CLI, and every door closed to someone who does not manage the campaign."""

from __future__ import annotations

import io

import sqlalchemy as sa
from openpyxl import load_workbook

from bifocals.services.token_links import LinkKind, LinkStatus, lookup
from bifocals.store.tables import raters
from support.campaign_pages import make_campaign
from support.programme import HEADER, ROSTER_LINES, answer
from support.web import Auth, add_user, bearer, login, store_at, web_client


def _csv(lines: list[str]) -> bytes:
    return (HEADER + "\n" + "\n".join(lines) + "\n").encode()


def _upload(client, cid, token, data, name="roster.csv", **form):  # type: ignore[no-untyped-def]
    return client.post(
        f"/campaigns/{cid}/roster",
        data={"csrf_token": token, **form},
        files={"file": (name, data, "text/csv")},
    )


def _rater_id(url: str, name: str) -> int:
    with store_at(url) as store, store.engine.connect() as conn:
        return int(conn.execute(sa.select(raters.c.id).where(raters.c.name == name)).scalar_one())


def test_hr_runs_the_roster_on_the_web(db_url: str, auth: Auth) -> None:
    add_user(db_url, "hr@example.org", "facilitator")
    hr = auth("hr@example.org", db_url)
    t = hr.token
    cid = make_campaign(hr, t, "Cohort")
    assert "Upload the roster" in hr.get(f"/campaigns/{cid}/roster").text
    preview = _upload(hr, cid, t, _csv(ROSTER_LINES), action="preview")
    assert preview.status_code == 200 and "Preview only: nothing has changed yet" in preview.text
    assert "add rater Bo Chen &lt;bo@ex.org&gt; (manager) for P1" in preview.text
    done = _upload(hr, cid, t, _csv(ROSTER_LINES), action="import")
    assert "2 participants added; 8 raters added" in done.text
    assert "Nothing to change" in _upload(hr, cid, t, _csv(ROSTER_LINES)).text
    # Every problem listed, nothing changed.
    bad = _upload(hr, cid, t, _csv(["P1,Ana,ana@ex.org,Zed,not-an-address,boss"]), "bad.csv")
    assert bad.status_code == 400 and "Nothing was changed from bad.csv" in bad.text
    assert "not-an-address" in bad.text and "boss" in bad.text

    # The roster as downloaded imports back unchanged (CSV and Excel).
    again = hr.get(f"/campaigns/{cid}/roster.csv")
    assert again.headers["content-disposition"].endswith('-roster.csv"')
    assert "Nothing to change" in _upload(hr, cid, t, again.content).text
    xlsx = hr.get(f"/campaigns/{cid}/roster.xlsx").content
    assert "Nothing to change" in _upload(hr, cid, t, xlsx, "roster.xlsx").text

    # The links sheet, campaign-wide; a second download has nothing new.
    hr.post(f"/campaigns/{cid}/open")
    sheet = hr.post(f"/campaigns/{cid}/links-sheet", data={"fmt": "xlsx"})
    assert sheet.status_code == 200 and sheet.headers["cache-control"] == "no-store"
    ws = load_workbook(io.BytesIO(sheet.content)).worksheets[0]
    rows = [[c.value for c in r] for r in ws.iter_rows()][1:]
    assert len(rows) == 10
    empty = hr.post(f"/campaigns/{cid}/links-sheet", data={"fmt": "csv"})
    assert empty.status_code == 303
    assert "No new links: 0 new links; 10 raters have a live link" in hr.get("/campaigns").text

    # Someone answers; a sync that leaves them out asks first, naming them.
    di = next(r[5] for r in rows if r[2] == "Di Evans")
    assert answer(hr, di) == 200
    left_out = [x for x in ROSTER_LINES if "Di Evans" not in x]
    ask = _upload(hr, cid, t, _csv(left_out), sync="1")
    assert ask.status_code == 409 and "Di Evans (peer) for P1" in ask.text
    assert _rater_id(db_url, "Di Evans")
    gone = _upload(hr, cid, t, _csv(left_out), sync="1", remove_answered="1")
    assert "1 rater removed (with the answers of 1 rater)" in gone.text

    # Corrections on the participant's page: a new e-mail ends the old link.
    cy = _rater_id(db_url, "Cy Diaz")
    cy_url = next(r[5] for r in rows if r[2] == "Cy Diaz")
    r = hr.post(
        f"/campaigns/{cid}/raters/{cy}/edit",
        data={"name": "Cy Díaz", "email": "cy.diaz@ex.org", "group": "peer"},
    )
    page = hr.get(r.headers["location"]).text
    assert "Saved: email, name." in page and "no longer works" in page
    with store_at(db_url) as store, store.engine.connect() as conn:
        token = cy_url.rsplit("/", 1)[1]
        assert lookup(conn, LinkKind.INVITATION, token).status is LinkStatus.REPLACED
    bo = _rater_id(db_url, "Ed Fox")
    r = hr.post(f"/campaigns/{cid}/raters/{bo}/remove")
    assert "Removed Ed Fox (peer) for P1." in hr.get(r.headers["location"]).text


def test_other_doors_are_closed_to_outsiders(db_url: str, auth: Auth) -> None:
    add_user(db_url, "hr@example.org", "facilitator")
    add_user(db_url, "other@example.org", "facilitator")
    hr = auth("hr@example.org", db_url)
    t = hr.token
    with web_client(db_url) as other:
        cid = make_campaign(hr, t, "Cohort")
        _upload(hr, cid, t, _csv(ROSTER_LINES))
        with store_at(db_url) as store, store.engine.connect() as conn:
            rid = int(
                conn.execute(
                    sa.select(raters.c.id).where(raters.c.email == "cy@ex.org")
                ).scalar_one()
            )
            pid = int(
                conn.execute(sa.select(raters.c.participant_id).where(raters.c.id == rid)).scalar()
            )
        to = login(other, "other@example.org")
        attempts = [
            other.get(f"/campaigns/{cid}/roster"),
            other.get(f"/campaigns/{cid}/roster.csv"),
            other.get(f"/campaigns/{cid}/roster.xlsx"),
            _upload(other, cid, to, _csv(["P9,,,X,x@ex.org,peer"])),
            other.post(f"/campaigns/{cid}/links-sheet", data={"csrf_token": to}),
            other.post(
                f"/campaigns/{cid}/raters/{rid}/edit",
                data={"csrf_token": to, "name": "X", "email": "x@ex.org", "group": "peer"},
            ),
            other.post(f"/campaigns/{cid}/raters/{rid}/remove", data={"csrf_token": to}),
            other.post(
                f"/campaigns/{cid}/participants/{pid}/edit",
                data={"csrf_token": to, "name": "X", "email": "x@ex.org"},
            ),
            other.post(f"/campaigns/{cid}/participants/{pid}/remove", data={"csrf_token": to}),
        ]
        assert [r.status_code for r in attempts] == [404] * len(attempts)
        # A rater of this campaign through another campaign's path: not found either.
        own = make_campaign(other, to, "Theirs")
        r = other.post(f"/campaigns/{own}/raters/{rid}/remove", data={"csrf_token": to})
        assert r.status_code == 404
    head = bearer(db_url, "other@example.org")
    with web_client(db_url) as api:
        api_attempts = [
            api.put(
                f"/api/v1/campaigns/{cid}/roster",
                json={"rows": [{"participant": "P9"}]},
                headers=head,
            ),
            api.patch(
                f"/api/v1/campaigns/{cid}/raters/{rid}",
                json={"name": "X", "group": "peer"},
                headers=head,
            ),
            api.delete(f"/api/v1/campaigns/{cid}/raters/{rid}", headers=head),
            api.post(f"/api/v1/campaigns/{cid}/links", json={}, headers=head),
            api.get(f"/api/v1/campaigns/{cid}/at-risk", headers=head),
            api.delete(f"/api/v1/campaigns/{own}/raters/{rid}", headers=head),
        ]
        assert [r.status_code for r in api_attempts] == [404] * len(api_attempts)
    with store_at(db_url) as store, store.engine.connect() as conn:
        assert (
            conn.execute(sa.select(raters.c.name).where(raters.c.id == rid)).scalar() == "Cy Diaz"
        )


def test_the_api_runs_a_programme(db_url: str) -> None:
    add_user(db_url, "hr@example.org", "facilitator")
    with web_client(db_url) as hr:
        cid = make_campaign(hr, login(hr, "hr@example.org"), "Cohort")
    head = bearer(db_url, "hr@example.org")
    rows = [dict(zip(HEADER.split(","), line.split(","), strict=True)) for line in ROSTER_LINES]
    base = f"/api/v1/campaigns/{cid}"
    with web_client(db_url) as api:
        r = api.put(f"{base}/roster", json={"rows": rows, "dry_run": True}, headers=head)
        assert r.status_code == 200 and r.json()["raters_added"] == 8 and r.json()["dry_run"]
        r = api.put(f"{base}/roster", json={"rows": rows}, headers=head)
        assert r.json()["participants_added"] == 2
        bad = [*rows, {**rows[0], "participant_name": "Someone else"}]
        r = api.put(f"{base}/roster", json={"rows": bad}, headers=head)
        assert (
            r.status_code == 400
            and "body.rows:8: field 'participant_name'" in r.json()["detail"]["message"]
        )
        assert api.post(f"{base}/open", headers=head).json()["status"] == "open"
        links = api.post(f"{base}/links", json={}, headers=head).json()
        assert len(links["rows"]) == 10 and links["kept"] == 0
        assert api.post(f"{base}/links", json={}, headers=head).json()["kept"] == 10
        with store_at(db_url) as store, store.engine.connect() as conn:
            rid = int(
                conn.execute(
                    sa.select(raters.c.id).where(raters.c.email == "ed@ex.org")
                ).scalar_one()
            )
        r = api.patch(
            f"{base}/raters/{rid}",
            json={"name": "Ed Fox", "email": "ed@ex.org", "group": "other"},
            headers=head,
        )
        assert r.json() == {"changed": ["group"]}
        ed = next(x["url"] for x in links["rows"] if x["rater_name"] == "Ed Fox")
        assert answer(api, ed) == 200
        r = api.delete(f"{base}/raters/{rid}", headers=head)
        assert r.status_code == 409 and r.json()["detail"]["field"] == "confirm"
        assert api.delete(f"{base}/raters/{rid}?confirm=true", headers=head).status_code == 200
        r = api.put(
            f"{base}/schedule", json={"reminder_days": [2, 7], "close_mode": "manual"}, headers=head
        )
        assert r.json() == {"reminder_days": [7, 2], "close_mode": "manual"}
        risks = api.get(f"{base}/at-risk", headers=head).json()
        assert {(x["group"], x["more_needed"]) for x in risks} == {("manager", 1), ("peer", 3)}


def test_the_schedule_form_keeps_what_was_typed_and_lists_every_problem(
    db_url: str, auth: Auth
) -> None:
    add_user(db_url, "hr@example.org", "facilitator")
    hr = auth("hr@example.org", db_url)
    t = hr.token
    cid = make_campaign(hr, t, "Cohort")
    body = "Dear colleague, {Participant} asks for your view."
    r = hr.post(
        f"/campaigns/{cid}/schedule",
        data={
            "reminder_days": "7, 2, 0",
            "close_mode": "auto",
            "invite_subject": "Feedback for {participant}",
            "invite_body": body,
        },
    )
    assert r.status_code == 400
    page = r.text
    assert "Nothing was saved: 2 fields need a look." in page
    assert "&#39;0&#39; is not a number of days" in page
    assert "{Participant} is not a placeholder" in page
    assert 'value="7, 2, 0"' in page and body in page  # as typed
    assert 'value="Feedback for {participant}"' in page


def test_api_dates_and_partial_corrections(db_url: str) -> None:
    add_user(db_url, "hr@example.org", "facilitator")
    head = bearer(db_url, "hr@example.org")
    rows = [dict(zip(HEADER.split(","), line.split(","), strict=True)) for line in ROSTER_LINES]
    with web_client(db_url) as api:
        made = api.post(
            "/api/v1/campaigns", json={"name": "C", "deadline": "2027-03-31"}, headers=head
        )
        assert made.status_code == 201 and made.json()["deadline"].startswith("2027-03-31T23:59:59")
        cid = made.json()["id"]
        api.put(f"/api/v1/campaigns/{cid}/roster", json={"rows": rows}, headers=head)
        with store_at(db_url) as store, store.engine.connect() as conn:
            rid = int(
                conn.execute(
                    sa.select(raters.c.id).where(raters.c.email == "ed@ex.org")
                ).scalar_one()
            )
        r = api.patch(
            f"/api/v1/campaigns/{cid}/raters/{rid}", json={"email": "ed.fox@ex.org"}, headers=head
        )
        assert r.json() == {"changed": ["email"]}
        with store_at(db_url) as store, store.engine.connect() as conn:
            row = conn.execute(sa.select(raters).where(raters.c.id == rid)).one()
        assert (row.name, row.email, row.group) == ("Ed Fox", "ed.fox@ex.org", "peer")
        r = api.put(
            f"/api/v1/campaigns/{cid}/roster",
            json={"rows": [{**rows[0], "rater_email": "bo@acme,example"}]},
            headers=head,
        )
        assert r.status_code == 400 and "rater_email" in r.json()["detail"]["message"]
