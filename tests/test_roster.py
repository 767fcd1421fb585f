"""A programme from the command line: create -> roster -> open -> links, corrections, --sync,
--reissue, and the roster's all-or-nothing validation (SQLite and PostgreSQL)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from openpyxl import Workbook, load_workbook

from bifocals.services.token_links import LinkKind, LinkStatus, lookup
from bifocals.store.app_tables import audit_log
from bifocals.store.tables import raters
from support.programme import HEADER, ROSTER_LINES, answer, cli, people, roster_file
from support.web import store_at

NAME = "Cohort 2027"
BASE = "http://testserver"


@pytest.fixture
def site_url(db_url: str) -> str:
    """The `client` fixture serves the test's database on both engines."""
    return db_url


def _sheet(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))


def _start(db_url: str, tmp_path: Path) -> Path:
    assert cli(db_url, "create", NAME, "--deadline", "2027-03-31")[0] == 0
    path = roster_file(tmp_path / "roster.csv")
    code, out, err = cli(db_url, "roster", NAME, str(path))
    assert code == 0, err
    assert "2 participants added; 8 raters added" in out
    return path


def test_whole_programme_through_the_cli(db_url: str, tmp_path: Path, client: TestClient) -> None:
    path = _start(db_url, tmp_path)
    code, out, _ = cli(db_url, "roster", NAME, str(path))
    assert code == 0 and "nothing to change" in out
    assert cli(db_url, "open", NAME)[0] == 0

    sheet_path = tmp_path / "links.csv"
    code, out, err = cli(db_url, "links", NAME, "--base-url", BASE, "--csv", str(sheet_path))
    assert code == 0, err
    rows = _sheet(sheet_path.read_text(encoding="utf-8-sig"))
    assert [*rows[0]] == [
        "participant",
        "participant_name",
        "rater_name",
        "rater_email",
        "group",
        "url",
    ]
    assert len(rows) == 10  # 2 participants x (self + 4 raters)
    assert {r["group"] for r in rows} == {"self", "manager", "peer"}
    assert {(r["participant"], r["rater_name"]) for r in rows if r["group"] == "self"} == {
        ("P1", "Ana Lima"),
        ("P2", "Gil Hart"),
    }
    # Every exported URL opens the survey.
    for r in rows:
        assert client.get(r["url"].removeprefix(BASE)).status_code == 200
    assert answer(client, rows[0]["url"]) == 200

    # A second export issues nothing; the first links still work.
    code, out, err = cli(db_url, "links", NAME, "--base-url", BASE)
    assert code == 0
    assert _sheet(out) == []
    assert "0 new links; 9 raters have a live link already" in err and "1 answered" in err

    # A corrected roster: one e-mail changed, one rater left out, --sync.
    lines = [x.replace("cy@ex.org", "cy.diaz@ex.org") for x in ROSTER_LINES if "Ed Fox" not in x]
    roster_file(path, lines)
    code, out, err = cli(db_url, "roster", NAME, str(path), "--sync", "--json")
    assert code == 0, err
    res = json.loads(out)
    assert res["raters_updated"] == 1 and res["raters_removed"] == 1 and res["raters_added"] == 0
    p1 = people(db_url, NAME)["P1"]
    assert ("Cy Diaz", "cy.diaz@ex.org", "Ana Lima", "peer") in p1
    assert all(r[0] != "Ed Fox" for r in p1)
    # The changed address gets a new link (its old one went to the old address).
    code, out, _ = cli(db_url, "links", NAME, "--base-url", BASE)
    new = _sheet(out)
    assert [(r["rater_name"], r["rater_email"]) for r in new] == [("Cy Diaz", "cy.diaz@ex.org")]
    old_cy = next(r["url"] for r in rows if r["rater_name"] == "Cy Diaz")
    with store_at(db_url) as store, store.engine.connect() as conn:
        token = old_cy.rsplit("/", 1)[1]
        assert lookup(conn, LinkKind.INVITATION, token).status is LinkStatus.REPLACED

    # --reissue replaces every live link of those who have not answered.
    code, out, err = cli(db_url, "links", NAME, "--base-url", BASE, "--reissue")
    again = _sheet(out)
    assert code == 0 and len(again) == 8  # 9 raters left, one has answered
    with store_at(db_url) as store, store.engine.connect() as conn:
        for r in rows[1:]:
            if r["rater_name"] == "Ed Fox":
                continue  # removed with his rater row
            token = r["url"].rsplit("/", 1)[1]
            assert lookup(conn, LinkKind.INVITATION, token).status is LinkStatus.REPLACED
        actions = set(conn.execute(sa.select(audit_log.c.action)).scalars())
    assert {"roster.import", "links.issue", "links.reissue", "campaign.open"} <= actions


def test_sync_never_removes_someone_who_answered_silently(
    db_url: str, tmp_path: Path, client: TestClient
) -> None:
    path = _start(db_url, tmp_path)
    cli(db_url, "open", NAME)
    code, out, _ = cli(db_url, "links", NAME, "--base-url", BASE)
    rows = _sheet(out)
    di = next(r["url"] for r in rows if r["rater_name"] == "Di Evans")
    assert answer(client, di) == 200
    roster_file(path, [x for x in ROSTER_LINES if "Di Evans" not in x and "Ed Fox" not in x])
    code, out, err = cli(db_url, "roster", NAME, str(path), "--sync")
    assert code == 1
    assert "Di Evans (peer) for P1" in err and "nothing was changed" in err
    assert "Ed Fox" not in err  # only people who answered are named
    assert any(r[0] == "Ed Fox" for r in people(db_url, NAME)["P1"])  # all or nothing

    code, out, err = cli(db_url, "roster", NAME, str(path), "--sync", "--remove-answered")
    assert code == 0, err
    names = {r[0] for r in people(db_url, NAME)["P1"]}
    assert "Di Evans" not in names and "Ed Fox" not in names
    with store_at(db_url) as store, store.engine.connect() as conn:
        detail = conn.execute(
            sa.select(audit_log.c.detail).where(audit_log.c.action == "roster.remove_answered")
        ).scalar_one()
    assert "Di Evans" in detail


def test_answers_cannot_be_removed_once_results_were_seen(
    db_url: str, tmp_path: Path, client: TestClient
) -> None:
    path = _start(db_url, tmp_path)
    cli(db_url, "open", NAME)
    _, out, _ = cli(db_url, "links", NAME, "--base-url", BASE)
    rows = _sheet(out)
    for r in rows:
        assert answer(client, r["url"]) == 200
    # Results read (a score), then the campaign is re-opened... which is refused: so the
    # read happens on a campaign that stays open only in this direct update, as an attack.
    from bifocals.services.campaigns import mark_answers_exported

    with store_at(db_url) as store:
        cid = store.get_campaign(NAME).id
        mark_answers_exported(store, None, cid, "test export")
    roster_file(path, [x for x in ROSTER_LINES if "Bo Chen" not in x])
    code, _, err = cli(db_url, "roster", NAME, str(path), "--sync", "--remove-answered")
    assert code == 1 and "results of this campaign were seen" in err
    with store_at(db_url) as store, store.engine.connect() as conn:
        assert (
            conn.execute(
                sa.select(sa.func.count()).select_from(raters).where(raters.c.name == "Bo Chen")
            ).scalar_one()
            == 2
        )
        refused = conn.execute(
            sa.select(sa.func.count())
            .select_from(audit_log)
            .where(audit_log.c.action == "people.remove.refused")
        ).scalar_one()
    assert refused == 1
    # Moving an answered rater to another group is refused too.
    roster_file(
        path, [x.replace("Cy Diaz,cy@ex.org,peer", "Cy Diaz,cy@ex.org,other") for x in ROSTER_LINES]
    )
    code, _, err = cli(db_url, "roster", NAME, str(path))
    assert code == 1 and "group=other" in err and "results were seen" in err


def test_every_problem_is_listed_and_nothing_changes(db_url: str, tmp_path: Path) -> None:
    _start(db_url, tmp_path)
    bad = roster_file(
        tmp_path / "bad.csv",
        [
            "P1,Ana Lima,ana@ex.org,Bo Chen,bo@ex.org,boss",
            "P1,Ana Lim,ana@ex.org,Zed,zed-at-ex.org,peer",
            "P3,New Person,new@ex.org,New Person,new@ex.org,peer",
            "P3,,,Pat,pat@ex.org,peer",
            "P3,,,Pat Again,pat@ex.org,other",
            ",,,Orphan,orphan@ex.org,peer",
            "P4,,,Self,,self",
        ],
    )
    code, _, err = cli(db_url, "roster", NAME, str(bad))
    assert code == 1
    lines = err.splitlines()
    assert any(x.startswith("bad.csv:2: group=boss:") for x in lines)
    assert any(
        x.startswith("bad.csv:3: participant_name=Ana Lim:") and "line 2" in x for x in lines
    )
    assert any(x.startswith("bad.csv:3: rater_email=zed-at-ex.org:") for x in lines)
    assert any(
        x.startswith("bad.csv:4: rater_email=new@ex.org:") and "own address" in x for x in lines
    )
    assert any(x.startswith("bad.csv:6: rater_email=pat@ex.org:") and "line 5" in x for x in lines)
    assert any(x.startswith("bad.csv:7: participant=:") for x in lines)
    assert any(x.startswith("bad.csv:8: group=self:") for x in lines)
    assert "P3" not in people(db_url, NAME)

    unknown = tmp_path / "typo.csv"
    unknown.write_text(HEADER.replace("rater_email", "rater_mail") + "\nP1,,,A,a@ex.org,peer\n")
    code, _, err = cli(db_url, "roster", NAME, str(unknown))
    assert code == 1 and "rater_mail" in err and "missing rater_email" in err


def test_xlsx_roster_and_dry_run(db_url: str, tmp_path: Path) -> None:
    assert cli(db_url, "create", NAME)[0] == 0
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(HEADER.split(","))
    for line in ROSTER_LINES:
        sheet.append(line.split(","))
    sheet.append(["P3", '=HYPERLINK("http://x","y")', None, None, None, None])
    sheet.append([7, "Seven", None, None, None, None])  # a number as a code
    sheet.cell(row=sheet.max_row - 1, column=2).data_type = "s"  # text that looks like a formula
    path = tmp_path / "roster.xlsx"
    book.save(path)
    code, out, err = cli(db_url, "roster", NAME, str(path), "--dry-run", "--json")
    assert code == 0, err
    assert json.loads(out)["participants_added"] == 4
    assert people(db_url, NAME) == {}
    code, out, err = cli(db_url, "roster", NAME, str(path))
    assert code == 0, err
    found = people(db_url, NAME)
    assert found["7"] == [("Seven", None, "Seven", "self")]
    # The links sheet as .xlsx: formula-like text stays inert text.
    cli(db_url, "open", NAME)
    out_path = tmp_path / "links.xlsx"
    code, _, err = cli(db_url, "links", NAME, "--base-url", BASE, "--csv", str(out_path))
    assert code == 0, err
    ws = load_workbook(out_path).worksheets[0]
    values = [[c.value for c in row] for row in ws.iter_rows()]
    assert values[0] == [
        "participant",
        "participant_name",
        "rater_name",
        "rater_email",
        "group",
        "url",
    ]
    p3 = [v for v in values if v[0] == "P3"]
    assert p3 and str(p3[0][1]).startswith("'=HYPERLINK")
    assert all(ws.cell(row=n, column=2).data_type == "s" for n in range(1, ws.max_row + 1))


def test_roster_of_a_closed_campaign_is_refused(db_url: str, tmp_path: Path) -> None:
    path = _start(db_url, tmp_path)
    cli(db_url, "open", NAME)
    cli(db_url, "close", NAME)
    code, _, err = cli(db_url, "roster", NAME, str(path))
    assert code == 1 and "closed" in err
    code, _, err = cli(db_url, "links", NAME, "--base-url", BASE)
    assert code == 1 and "closed" in err


def test_exported_urls_open_the_survey_on_bifocals_serve(sqlite_url: str, tmp_path: Path) -> None:
    import os
    import subprocess
    import sys
    import time

    import httpx

    from support.web import free_port

    _start(sqlite_url, tmp_path)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    cli(sqlite_url, "open", NAME)
    code, out, _ = cli(sqlite_url, "links", NAME, "--base-url", base)
    rows = _sheet(out)
    assert code == 0 and len(rows) == 10
    env = {**os.environ, "BIFOCALS_SCHEDULER": "0"}
    exe = str(Path(sys.executable).parent / "bifocals")
    server = subprocess.Popen(
        [exe, "serve", "--db", sqlite_url, "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                httpx.get(base + "/login", timeout=2)
                break
            except httpx.TransportError:
                assert server.poll() is None, server.stderr.read() if server.stderr else ""
                assert time.monotonic() < deadline, "bifocals serve did not start"
                time.sleep(0.2)
        for r in rows:
            page = httpx.get(r["url"], timeout=10)
            assert page.status_code == 200 and "Send my answers" in page.text, r["url"]
        code, out, err = cli(sqlite_url, "release", NAME)
        assert code == 1 and "must be closed" in err
    finally:
        server.terminate()
        server.wait(timeout=30)
        if server.stderr:
            server.stderr.close()


def test_a_european_spreadsheet_csv_is_read_and_a_non_utf8_one_is_named(
    sqlite_url: str, tmp_path: Path
) -> None:
    assert cli(sqlite_url, "create", NAME)[0] == 0
    # What a spreadsheet set to a European locale writes as "CSV": semicolons, a BOM.
    lines = [HEADER, "P1;José Núñez;jose@ex.org;Zoë Faure;zoe@ex.org;peer"]
    semi = tmp_path / "roster-fr.csv"
    semi.write_bytes(("\ufeff" + "\r\n".join(x.replace(",", ";") for x in lines)).encode())
    code, _, err = cli(sqlite_url, "roster", NAME, str(semi))
    assert code == 0, err
    assert people(sqlite_url, NAME)["P1"][0][0] == "Zoë Faure"
    # Excel on Windows saves "CSV" as Windows-1252; an extra column is left out, and said so.
    legacy = tmp_path / "roster-1252.csv"
    text = "\n".join(x.replace(",", ";") for x in lines).replace("Zoë", "Zoé")
    text = text.replace("group", "group;department").replace("peer", "peer;Sales")
    legacy.write_bytes(text.encode("cp1252"))
    code, out, err = cli(sqlite_url, "roster", NAME, str(legacy))
    assert code == 0, err
    assert "1 rater updated" in out and "columns left out: department" in out
    assert people(sqlite_url, NAME)["P1"][0][0] == "Zoé Faure"
    # Columns titled as people title them in a spreadsheet mean the same columns.
    titled = tmp_path / "roster-titled.csv"
    header = "Participant,Participant Name,Participant E-mail,Rater Name,Rater E-Mail,Group"
    titled.write_text(f"{header}\nP1,José Núñez,jose@ex.org,Zoé Faure,zoe@ex.org,Peers\n")
    code, out, err = cli(sqlite_url, "roster", NAME, str(titled))
    assert code == 0, err
    assert "columns left out" not in out and people(sqlite_url, NAME)["P1"][0][0] == "Zoé Faure"
    broken = tmp_path / "broken.csv"
    broken.write_bytes(HEADER.encode() + b"\nP1,\x81\x8d,,,,\n")
    code, _, err = cli(sqlite_url, "roster", NAME, str(broken))
    assert code == 1 and "broken.csv: file=byte" in err and "CSV UTF-8" in err


def test_addresses_groups_and_the_links_file_as_people_write_them(
    sqlite_url: str, tmp_path: Path
) -> None:
    assert cli(sqlite_url, "create", NAME)[0] == 0
    bad = roster_file(
        tmp_path / "typos.csv",
        [
            "P1,Ana Lima,ana@ex.org,Jo Berg,jo.berg@acme,example,peer",
            "P1,Ana Lima,ana@ex.org,Yu Tan,yu@acme,peer",
            "P1,Ana Lima,ana@ex.org,Li Chen,li@acme.example.,peer",
        ],
    )
    code, _, err = cli(sqlite_url, "roster", NAME, str(bad))
    assert code == 1
    assert "typos.csv:3: rater_email=yu@acme:" in err and "typos.csv:4: rater_email=" in err
    assert "typos.csv:2: line=" in err  # the comma made a seventh cell
    good = roster_file(
        tmp_path / "groups.csv",
        [
            "P1,Ana Lima,ana@ex.org,Jo Berg,jo@ex.org,Peers",
            "P1,Ana Lima,ana@ex.org,Yu Tan,yu@ex.org,Direct Reports",
            "P1,Ana Lima,ana@ex.org,Mo Ali,mo@ex.org,Line manager",
        ],
    )
    code, _, err = cli(sqlite_url, "roster", NAME, str(good))
    assert code == 0, err
    assert {r[3] for r in people(sqlite_url, NAME)["P1"]} == {
        "peer",
        "direct_report",
        "manager",
        "self",
    }
    # The links file: never written over an existing one, nothing written when nothing is new.
    cli(sqlite_url, "open", NAME)
    sheet = tmp_path / "links.csv"
    assert cli(sqlite_url, "links", NAME, "--base-url", BASE, "--csv", str(sheet))[0] == 0
    first = sheet.read_bytes()
    code, _, err = cli(sqlite_url, "links", NAME, "--base-url", BASE, "--csv", str(sheet))
    assert code == 1 and "exists" in err and sheet.read_bytes() == first
    again = tmp_path / "links2.csv"
    code, out, _ = cli(sqlite_url, "links", NAME, "--base-url", BASE, "--csv", str(again))
    assert code == 0 and "No file written" in out and not again.exists()


def test_an_answer_that_lands_during_a_removal_is_never_deleted(
    db_url: str, tmp_path: Path
) -> None:
    """The race a campaign lock does not cover: a removal reads a rater as unanswered, the
    rater's submit commits (a submit does not touch the campaign row), then the removal
    deletes. The delete only takes raters still without answers, so the change rolls back."""
    import pytest

    from bifocals.errors import Conflict
    from bifocals.services.corrections import delete_raters

    _start(db_url, tmp_path)
    with store_at(db_url) as store:
        with store.engine.connect() as conn:
            rid = int(
                conn.execute(
                    sa.select(raters.c.id).where(raters.c.email == "di@ex.org")
                ).scalar_one()
            )
        with pytest.raises(Conflict, match="someone answered while"), store.engine.begin() as conn:
            seen = conn.execute(sa.select(raters.c.submitted_at).where(raters.c.id == rid)).scalar()
            assert seen is None  # read as unanswered ...
            with store.engine.begin() as other:  # ... then the submit commits
                other.execute(
                    sa.update(raters).where(raters.c.id == rid).values(submitted_at=sa.func.now())
                )
            delete_raters(conn, [rid], set())
        with store.engine.connect() as conn:
            assert conn.execute(sa.select(raters.c.id).where(raters.c.id == rid)).scalar() == rid
