"""The web ADKAR readiness survey: links issued on the dashboard, /readiness/{token} answered
once, the answers in every output under the anonymity rule but only once the survey is closed
(the difference attack), re-opening only while nobody has seen the results; initiative
ownership; YAML upload.

Real SQLite and PostgreSQL (the `db_url` fixture runs both), real HTTP through the app.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re
import shutil
import subprocess
import threading
from pathlib import Path

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from bifocals.change.loader import load_initiative_text
from bifocals.change.report import build_report
from bifocals.services.change_records import get_initiative, save_initiative
from bifocals.services.readiness_links import READINESS_SEEN_ACTIONS, Checked, submit_answers
from bifocals.services.surveys import SubmitRefused
from bifocals.services.token_links import LinkKind, LinkStatus, Lookup
from bifocals.store.app_tables import audit_log
from bifocals.store.change_tables import change_facilitators, readiness_links, readiness_responses
from bifocals.web.routers.change import initiative_path
from support.readiness import (
    ALL4,
    CSRF,
    NAME,
    TEXT,
    answer,
    close,
    count_responses,
    issue,
    seed,
)
from support.web import Auth, add_user, store_at

LEGAL_COMMENT = "Only the two of us in legal know this contract clause"


@pytest.fixture
def seeded(db_url: str) -> str:
    seed(db_url)
    return db_url


@pytest.fixture
def site_url(seeded: str) -> str:
    """The `client` and `auth` fixtures serve the seeded database."""
    return seeded


def test_link_flow(seeded: str, auth: Auth, client: TestClient) -> None:
    coach = auth("coach@example.org")
    token = coach.token
    visitor = client
    links = issue(coach, token, "ops", 3, label="Night shift")
    assert len(links) == 3 and len(set(links)) == 3
    # The respondent's page: five labelled questions, a comment, no sign-in needed.
    page = visitor.get(links[0])
    assert page.status_code == 200
    assert page.text.count('<fieldset class="readiness-item') == 5
    assert "Payroll team" in page.text and NAME in page.text
    assert 'for="comment"' in page.text and "Not sure" in page.text
    assert "Night shift" not in page.text  # the facilitator's note stays with them
    # Every answer is checked on the server; problems name the field and the value.
    bad = {**ALL4, "desire": "7"}
    code, text, _ = answer(visitor, links[0], bad)
    assert code == 422 and "desire" in text and "&#39;7&#39;" in text
    code, text, _ = answer(visitor, links[0], {e: "not_sure" for e in ALL4})
    assert code == 422 and "at least one" in text
    code, text, _ = answer(visitor, links[0], ALL4, comment="x" * 2001)
    assert code == 422 and "comment" in text and "2001" in text
    assert count_responses(seeded) == 0
    # Sent once; the same key again is answered as the first time, never stored twice.
    code, text, key = answer(visitor, links[0], {**ALL4, "ability": ""}, comment="Fine.")
    assert code == 200 and "your answers are in" in text
    csrf = CSRF.search(visitor.get(links[1]).text).group(1)  # type: ignore[union-attr]
    again = visitor.post(
        links[0],
        data={
            **{f"adkar_{k}": v for k, v in ALL4.items()},
            "idempotency_key": key,
            "csrf_token": csrf,
        },
    )
    assert again.status_code == 200 and "nothing was stored twice" in again.text
    assert count_responses(seeded) == 1
    # A used link, a new key on it, an unknown link: plain messages, nothing stored.
    used = visitor.get(links[0])
    assert used.status_code == 409 and "Already answered" in used.text
    other_key = visitor.post(
        links[0],
        data={
            **{f"adkar_{k}": v for k, v in ALL4.items()},
            "idempotency_key": "another-key",
            "csrf_token": csrf,
        },
    )
    assert other_key.status_code == 409
    unknown = visitor.get("/readiness/not-a-real-token")
    assert unknown.status_code == 404 and "Link not recognised" in unknown.text
    assert count_responses(seeded) == 1
    # Without the visitor's CSRF token the form is refused.
    assert visitor.post(links[1], data={**ALL4, "idempotency_key": "k"}).status_code == 403
    # Counts only on the dashboard; closing stops every link, opening again restarts.
    dash = coach.get(initiative_path(NAME))
    row = re.search(
        r"<td>Payroll team</td><td class=\"num\">(\d+)</td><td class=\"num\">(\d+)</td>",
        dash.text,
    )
    assert row is not None and row.groups() == ("3", "1")
    assert "Fine." not in dash.text  # one answer: below the threshold, no comment shown
    r = coach.post(initiative_path(NAME) + "/readiness/close")
    assert r.status_code == 303
    closed = visitor.get(links[1])
    assert closed.status_code == 410 and "Survey closed" in closed.text
    code, text, _ = answer_closed(visitor, links[1])
    assert code == 410
    coach.post(initiative_path(NAME) + "/readiness/open")
    assert visitor.get(links[1]).status_code == 200
    with store_at(seeded) as store, store.engine.connect() as conn:
        actions = [r.action for r in conn.execute(sa.select(audit_log.c.action))]
        stored = conn.execute(
            sa.select(readiness_links.c.label, readiness_links.c.token_hash)
        ).all()
        cols = set(readiness_responses.c.keys())
    assert {"readiness_link.issue", "readiness.close", "readiness.open"} <= set(actions)
    assert all(len(h) == 64 for _, h in stored)
    assert not any(link.rsplit("/", 1)[1] in h for link in links for _, h in stored)
    assert not {"link_id", "token_hash", "label"} & cols  # an answer does not point to its link


def answer_closed(client: TestClient, path: str) -> tuple[int, str, str]:
    """Post to a closed link (its page cannot be opened, so the CSRF token comes from /login)."""
    csrf = CSRF.search(client.get("/login").text).group(1)  # type: ignore[union-attr]
    data = {f"adkar_{k}": v for k, v in ALL4.items()}
    r = client.post(path, data={**data, "idempotency_key": "k1", "csrf_token": csrf})
    return r.status_code, r.text, "k1"


def test_link_for_unknown_group_or_bad_count_is_refused(seeded: str, auth: Auth) -> None:
    coach = auth("coach@example.org")
    for group, count, field in (
        ("nobody", "2", "group"),
        ("ops", "0", "count"),
        ("ops", "201", "count"),
        ("ops", "two", "count"),
    ):
        r = coach.post(
            initiative_path(NAME) + "/readiness/links",
            data={"group": group, "count": count},
        )
        assert r.status_code == 303
        page = coach.get(r.headers["location"])
        assert f"{field}: " in page.text, (group, count)
    with store_at(seeded) as store, store.engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(readiness_links)).scalar() == 0


def test_same_key_at_the_same_time_stores_one_answer(seeded: str, auth: Auth) -> None:
    coach = auth("coach@example.org")
    token = coach.token
    (path,) = issue(coach, token, "ops", 1)
    raw = path.rsplit("/", 1)[1]
    checked = Checked(scores={e: 3 for e in ALL4}, comment="")
    results: list[bool] = []
    errors: list[BaseException] = []
    with store_at(seeded) as store:

        def send() -> None:
            try:
                results.append(submit_answers(store.engine, raw, checked, "same-key").repeat)
            except BaseException as exc:
                errors.append(exc)

        threads = [threading.Thread(target=send) for _ in range(6)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert errors == []
    assert sorted(results) == [False, True, True, True, True, True]
    assert count_responses(seeded) == 1


def outputs(client: TestClient) -> tuple[str, dict[str, object], str]:
    """(dashboard HTML, report JSON, PDF text) as the facilitator sees them."""
    html = client.get(initiative_path(NAME)).text
    data = json.loads(client.get(initiative_path(NAME) + ".json").text)
    r = client.get(initiative_path(NAME) + ".pdf")
    assert r.status_code == 200 and shutil.which("pdftotext"), "PDF probe needs Pango and pdftotext"
    pdf = subprocess.run(
        ["pdftotext", "-", "-"], input=r.content, capture_output=True, check=True
    ).stdout.decode()
    return html, data, pdf


def test_an_answer_checked_before_closing_is_refused_after(
    seeded: str, monkeypatch: pytest.MonkeyPatch, auth: Auth
) -> None:
    """An answer whose link was looked up while the survey was open, but stored after it was
    closed, is refused: it would change results that someone may already have seen."""
    import bifocals.services.readiness_links as rl

    coach = auth("coach@example.org")
    token = coach.token
    (path,) = issue(coach, token, "ops", 1)
    close(coach, token)
    real = rl.lookup

    def seen_open(conn: sa.Connection, kind: LinkKind, raw: str) -> Lookup:
        look = real(conn, kind, raw)
        closed = look.status is LinkStatus.CLOSED
        return dataclasses.replace(look, status=LinkStatus.VALID) if closed else look

    monkeypatch.setattr(rl, "lookup", seen_open)
    checked = Checked(scores={e: 3 for e in ALL4}, comment="")
    with store_at(seeded) as store, pytest.raises(SubmitRefused) as refused:
        submit_answers(store.engine, path.rsplit("/", 1)[1], checked, "late-key")
    assert refused.value.status is LinkStatus.CLOSED
    assert count_responses(seeded) == 0


def reopen(client: TestClient, token: str) -> str:
    """Ask to take answers again; the flash message shown after the redirect."""
    r = client.post(initiative_path(NAME) + "/readiness/open", data={"csrf_token": token})
    assert r.status_code == 303
    return client.get(r.headers["location"]).text


def add_hidden_answer(url: str, group: str, score: int, comment: str) -> None:
    """An answer written straight into the database (the survey is closed for the web)."""
    with store_at(url) as store, store.engine.begin() as conn:
        iid = conn.execute(sa.text("select id from change_initiatives")).scalar_one()
        conn.execute(
            sa.insert(readiness_responses).values(
                initiative_id=iid,
                group_key=group,
                comment=comment,
                submitted_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
                **{e: score for e in ALL4},
            )
        )


REPORT = re.compile(r'<section class="change-report".*?</section>\s*<div class="grid">', re.S)


def report_section(html: str) -> str:
    """The report part of the dashboard (without the survey's counts and the flash messages)."""
    found = REPORT.search(html)
    assert found is not None
    return found.group(0)


@pytest.mark.pdf
def test_small_group_never_shows_its_own_means(
    seeded: str, pdf_engine: None, auth: Auth, client: TestClient
) -> None:
    """Anonymity probe: three answers from the payroll team are shown (with their comments)
    once the survey is closed; the legal office's answers (below the minimum of 3) leave no
    trace in HTML, JSON or PDF, and the figures do not change when a second legal answer is
    there."""
    coach = auth("coach@example.org")
    token = coach.token
    visitor = client
    ops = issue(coach, token, "ops", 3)
    legal = issue(coach, token, "legal", 2)
    for k, path in enumerate(ops):
        scores = {**ALL4, "desire": str(2 + k)}
        assert answer(visitor, path, scores, comment=f"Ops view {'CBA'[k]}")[0] == 200
    legal_scores = {e: "1" for e in ALL4}
    assert answer(visitor, legal[0], legal_scores, comment=LEGAL_COMMENT)[0] == 200
    close(coach, token)
    data1 = json.loads(coach.get(initiative_path(NAME) + ".json").text)
    html1, _, pdf1 = outputs(coach)
    add_hidden_answer(seeded, "legal", 5, LEGAL_COMMENT)
    html2, data2, pdf2 = outputs(coach)
    for html, data, pdf in ((html1, data1, pdf1), (html2, data2, pdf2)):
        rd = data["readiness"]  # type: ignore[index]
        assert rd["web_survey"] == "shown"
        assert [r["key"] for r in rd["rows"]] == ["ops", "overall"]
        assert rd["suppressed_groups"] == ["Legal office"]
        ops_row = rd["rows"][0]
        assert ops_row["n"] == 3 and ops_row["means"]["desire"] == 3.0
        assert rd["rows"][1]["n"] == 3  # the legal answers are not in the overall row either
        # Comments: shown for the payroll team, alphabetically, never for the small group.
        assert ops_row["comments"] == ["Ops view A", "Ops view B", "Ops view C"]
        for text in (html, json.dumps(data), pdf):
            assert LEGAL_COMMENT not in text
        assert "Ops view A" in html and "Ops view A" in pdf and "Legal office" in pdf
    # Output does not depend on the hidden answers: 1 -> 5 on every element changed nothing.
    assert data1["readiness"] == data2["readiness"]  # type: ignore[index]
    assert pdf1 == pdf2
    assert report_section(html1) == report_section(html2)


def cli_outputs(url: str, tmp: Path) -> tuple[str, str]:
    """(JSON, HTML) of `bifocals change report` on the initiative."""
    from typer.testing import CliRunner

    from bifocals.cli import app

    res = CliRunner().invoke(app, ["change", "report", NAME, "--json", "--db", url])
    assert res.exit_code == 0, res.output
    target = tmp / "report.html"
    done = CliRunner().invoke(app, ["change", "report", NAME, "--html", str(target), "--db", url])
    assert done.exit_code == 0, done.output
    return res.stdout, target.read_text(encoding="utf-8")


def all_outputs(client: TestClient, url: str, tmp: Path) -> tuple[str, ...]:
    """Every output of the initiative, as text: dashboard report, JSON, PDF text, CLI JSON and
    CLI HTML."""
    html = report_section(client.get(initiative_path(NAME)).text)
    web_json = client.get(initiative_path(NAME) + ".json").text
    r = client.get(initiative_path(NAME) + ".pdf")
    assert r.status_code == 200 and shutil.which("pdftotext"), "PDF probe needs Pango and pdftotext"
    pdf = subprocess.run(
        ["pdftotext", "-", "-"], input=r.content, capture_output=True, check=True
    ).stdout.decode()
    return (html, web_json, pdf, *cli_outputs(url, tmp))


def seen_rows(url: str) -> list[tuple[str, str]]:
    with store_at(url) as store, store.engine.connect() as conn:
        rows = conn.execute(
            sa.select(audit_log.c.action, audit_log.c.actor)
            .where(audit_log.c.action.in_(READINESS_SEEN_ACTIONS))
            .order_by(audit_log.c.id)
        ).all()
    return [(r.action, r.actor) for r in rows]


@pytest.mark.pdf
def test_difference_attack_is_blocked(
    seeded: str, pdf_engine: None, tmp_path: Path, auth: Auth, client: TestClient
) -> None:
    """While the survey takes answers, every output is the same before and after one more
    answer (counts only on the dashboard); the answers appear once it is closed, and after
    anyone has seen them the survey cannot be opened again."""
    coach = auth("coach@example.org")
    token = coach.token
    visitor = client
    links = issue(coach, token, "ops", 4)
    for k, path in enumerate(links[:3]):
        assert (
            answer(visitor, path, {**ALL4, "desire": str(k + 2)}, comment=f"Ops remark number {k}")[
                0
            ]
            == 200
        )
    before = all_outputs(coach, seeded, tmp_path)
    dash = coach.get(initiative_path(NAME)).text
    assert "Results appear when collection is closed" in dash
    assert re.search(r"<td>Payroll team</td><td class=\"num\">4</td><td class=\"num\">3</td>", dash)
    # The one person the attacker knows answers now: all 1s, with a comment.
    known = {e: "1" for e in ALL4}
    assert answer(visitor, links[3], known, comment="The known one")[0] == 200
    after = all_outputs(coach, seeded, tmp_path)
    names = ("dashboard", "JSON", "PDF", "CLI JSON", "CLI HTML")
    for name, one, two in zip(names, before, after, strict=True):
        assert one == two, f"{name} changed after one more answer"
    for text in after:
        assert "The known one" not in text and "Ops remark number 0" not in text
    data = json.loads(after[1])
    assert data["readiness"]["web_survey"] == "collecting"
    assert data["readiness"]["rows"] == []
    assert "left out until it is closed" in after[0]
    assert seen_rows(seeded) == []  # nothing was seen: the survey may close and open again
    # Closed: the dashboard holds the answers back until someone chooses to see them.
    close(coach, token)
    held = coach.get(initiative_path(NAME)).text
    assert "Show the results</button>" in held and "Take answers again</button>" in held
    assert report_section(held) != before[0] and "Ops remark number 0" not in held
    assert seen_rows(seeded) == []
    # A download shows them: four answers, the comments of a group shown alone.
    data = json.loads(coach.get(initiative_path(NAME) + ".json").text)
    rows = data["readiness"]["rows"]
    assert data["readiness"]["web_survey"] == "shown"
    assert rows[0]["key"] == "ops" and rows[0]["n"] == 4
    assert "The known one" in rows[0]["comments"]
    assert seen_rows(seeded) == [("readiness.results.json", "coach@example.org")]
    # Re-opening is now refused, with the reason and what to do instead.
    page = reopen(coach, token)
    assert "cannot take answers again" in page and "under a new name" in page
    assert "Take answers again</button>" not in page and "Payroll team (n=4)" in page
    assert visitor.get(links[0]).status_code == 409  # used
    for path in links:
        assert visitor.get(path).status_code in (409, 410)
    with store_at(seeded) as store, store.engine.connect() as conn:
        closed = conn.execute(sa.text("select readiness_closed_at from change_initiatives"))
        assert closed.scalar_one() is not None
        actions = [r.action for r in conn.execute(sa.select(audit_log.c.action))]
    assert "readiness.open" not in actions


def test_reopen_allowed_until_someone_looks(seeded: str, auth: Auth, client: TestClient) -> None:
    """Closing and opening again is fine while nobody has seen the results (opening the
    dashboard of a closed survey shows none); "Show the results" counts as seeing them."""
    coach = auth("coach@example.org")
    token = coach.token
    visitor = client
    links = issue(coach, token, "ops", 4)
    for path in links[:3]:
        assert answer(visitor, path, ALL4)[0] == 200
    close(coach, token)
    held = coach.get(initiative_path(NAME)).text
    assert "Payroll team (n=3)" not in held and "not shown yet" in held
    page = reopen(coach, token)
    assert "takes answers again" in page and "Results appear when collection" in page
    assert answer(visitor, links[3], ALL4)[0] == 200
    close(coach, token)
    r = coach.post(initiative_path(NAME) + "/readiness/results")
    assert r.status_code == 303 and r.headers["location"].endswith("#readiness")
    shown = coach.get(r.headers["location"]).text
    assert "Payroll team (n=4)" in shown and "Show the results</button>" not in shown
    assert "cannot take answers again" in reopen(coach, token)
    assert [a for a, _ in seen_rows(seeded)] == [
        "readiness.results.show",
        "readiness.results.view",
        "readiness.results.view",
    ]
    with store_at(seeded) as store, store.engine.connect() as conn:
        actions = [r.action for r in conn.execute(sa.select(audit_log.c.action))]
    assert actions.count("readiness.close") == 2 and actions.count("readiness.open") == 1
    assert "initiative.view" in actions  # the dashboard while taking answers or held


def test_results_of_an_open_survey_cannot_be_shown(seeded: str, auth: Auth) -> None:
    coach = auth("coach@example.org")
    token = coach.token
    issue(coach, token, "ops", 1)
    r = coach.post(initiative_path(NAME) + "/readiness/results")
    assert r.status_code == 303
    assert "close it first" in coach.get(r.headers["location"]).text
    assert seen_rows(seeded) == []


def test_cli_report_uses_web_and_file_answers(seeded: str, auth: Auth, client: TestClient) -> None:
    """The command line shows the web answers only once the survey is closed, and such a read
    blocks re-opening like a view on the web (audit actor "cli")."""
    from typer.testing import CliRunner

    from bifocals.cli import app

    with store_at(seeded) as store:
        text = TEXT.replace(
            "  min_respondents: 3\n",
            "  min_respondents: 3\n  responses:\n    - {group: ops, scores: [2, 2, 2, 2, 2]}\n",
        )
        ini, data = load_initiative_text(text, "payroll.yaml")
        save_initiative(store, ini, data, "payroll.yaml", replace_existing=True)
    coach = auth("coach@example.org")
    token = coach.token
    visitor = client
    for path in issue(coach, token, "ops", 2):
        assert answer(visitor, path, {e: "5" for e in ALL4})[0] == 200
    with store_at(seeded) as store:
        ini = get_initiative(store, NAME)
        assert ini.web_survey == "collecting" and len(ini.readiness) == 1  # the file's one
    res = CliRunner().invoke(app, ["change", "report", NAME, "--json", "--db", seeded])
    assert res.exit_code == 0, res.output
    rd = json.loads(res.stdout)["readiness"]
    assert rd["rows"] == [] and rd["suppressed_groups"] == ["Payroll team"]
    assert seen_rows(seeded) == []
    close(coach, token)
    res = CliRunner().invoke(app, ["change", "report", NAME, "--json", "--db", seeded])
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["readiness"]["rows"][0]["n"] == 3
    assert seen_rows(seeded) == [("readiness.results.read", "cli")]
    with store_at(seeded) as store:
        rows = build_report(get_initiative(store, NAME)).readiness.rows
        assert rows[0].key == "ops" and rows[0].n == 3
        assert rows[0].means[0] == pytest.approx(4.0)
    assert "cannot take answers again" in reopen(coach, token)


def test_replacing_keeps_facilitators_and_answers(
    seeded: str, auth: Auth, client: TestClient
) -> None:
    coach = auth("coach@example.org")
    token = coach.token
    visitor = client
    (path,) = issue(coach, token, "ops", 1)
    assert answer(visitor, path, ALL4)[0] == 200
    r = coach.post(
        "/initiatives/import",
        data={"replace": "yes"},
        files={"file": ("payroll.yaml", TEXT.replace("Everyone paid", "All paid"), "text/yaml")},
    )
    assert r.status_code == 303, r.text
    assert r.headers["location"] == initiative_path(NAME)
    assert count_responses(seeded) == 1
    with store_at(seeded) as store:
        assert get_initiative(store, NAME).vision.startswith("All paid")
        with store.engine.connect() as conn:
            assert (
                conn.execute(sa.select(sa.func.count()).select_from(change_facilitators)).scalar()
                == 1
            )


def test_replacing_cannot_lower_the_threshold_or_add_answers_once_the_web_has_answers(
    seeded: str,
    auth: Auth,
    client: TestClient,
) -> None:
    lower = TEXT.replace("min_respondents: 3", "min_respondents: 1")
    padded = TEXT.replace(
        "  min_respondents: 3\n",
        "  min_respondents: 3\n  responses:\n"
        + "    - {group: legal, scores: {awareness: 5, desire: 5}}\n" * 2,
    )
    assert lower != TEXT and padded != TEXT
    coach = auth("coach@example.org")
    token = coach.token
    visitor = client
    (path,) = issue(coach, token, "legal", 1)
    assert answer(visitor, path, ALL4)[0] == 200
    for text, field in ((lower, "readiness.min_respondents"), (padded, "readiness.responses")):
        r = coach.post(
            "/initiatives/import",
            data={"replace": "yes"},
            files={"file": ("payroll.yaml", text, "text/yaml")},
        )
        assert r.status_code == 400 and field in r.text and "nothing changed" in r.text
    with store_at(seeded) as store:
        ini = get_initiative(store, NAME)
        assert ini.min_respondents == 3 and not [a for a in ini.readiness if a.group == "legal"][1:]


# Every initiative route, with the method and what an assigned facilitator may send.
ROUTES: tuple[tuple[str, str, dict[str, str]], ...] = (
    ("GET", "", {}),
    ("GET", ".pdf", {}),
    ("GET", ".json", {}),
    ("POST", "/readiness/links", {"group": "ops", "count": "1"}),
    ("POST", "/readiness/close", {}),
    ("POST", "/readiness/open", {}),
    ("POST", "/readiness/results", {}),
    ("POST", "/facilitators", {"email": "other@example.org"}),
    ("POST", "/facilitators/2/remove", {}),
)


def test_facilitators_see_only_their_initiatives(seeded: str, auth: Auth) -> None:
    with store_at(seeded) as store:
        cid = store.create_campaign("Theirs", status="open")
        with store.engine.begin() as conn:
            conn.execute(
                sa.text("insert into participants (campaign_id, code) values (:c, 'P1')"),
                {"c": cid},
            )
    add_user(seeded, "p@example.org", "participant", campaign="Theirs", participant="P1")
    href = initiative_path(NAME)
    client = auth("other@example.org")
    token = client.token
    page = client.get("/initiatives")
    assert page.status_code == 200 and NAME not in page.text
    for method, suffix, data in ROUTES:
        r = client.request(method, href + suffix, data={"csrf_token": token, **data})
        admin_only = suffix.startswith("/facilitators")
        assert r.status_code == (403 if admin_only else 404), (method, suffix, r.status_code)
        assert NAME not in r.text
    client = auth("p@example.org")
    token = client.token
    for method, suffix, data in (*ROUTES, ("GET", "s", {})):
        path = "/initiatives" if suffix == "s" else href + suffix
        r = client.request(method, path, data={"csrf_token": token, **data})
        assert r.status_code == 403, (method, suffix)
    r = client.post(
        "/initiatives/import",
        files={"file": ("x.yaml", TEXT, "text/yaml")},
    )
    assert r.status_code == 403
    with store_at(seeded) as store, store.engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(readiness_links)).scalar() == 0
    # The assigned facilitator may do everything except assigning; the admin assigns.
    client = auth("coach@example.org")
    token = client.token
    for method, suffix, data in ROUTES[:7]:
        if suffix == ".pdf":
            continue  # needs Pango; covered in test_web_change.py
        r = client.request(method, href + suffix, data={"csrf_token": token, **data})
        assert r.status_code in (200, 303), (method, suffix, r.status_code)
    client = auth("admin@example.org")
    token = client.token
    assert NAME in client.get("/initiatives").text
    r = client.post(href + "/facilitators", data={"email": "other@example.org"})
    assert r.status_code == 303
    r = client.post(href + "/facilitators", data={"email": "p@example.org"})
    assert "is not a facilitator account" in client.get(r.headers["location"]).text
    client = auth("other@example.org")
    assert client.get(href).status_code == 200
    assert NAME in client.get("/initiatives").text


def test_upload_is_all_or_nothing_with_lines_and_fields(seeded: str, auth: Auth) -> None:
    bad = TEXT.replace("weight: 2}", "weight: -2}").replace("size: 12", "size: many")
    bad = bad.replace(f"name: {NAME}", "name: Another move")
    client = auth("other@example.org")
    r = client.post(
        "/initiatives/import",
        files={"file": ("bad.yaml", bad, "text/yaml")},
    )
    assert r.status_code == 400
    assert "Nothing was imported from upload:bad.yaml" in r.text
    assert "themes.0.weight" in r.text and "stakeholder_groups.0.size" in r.text
    assert re.search(r'<td class="num">\d+</td><td>themes\.0\.weight</td>', r.text)
    r = client.post(
        "/initiatives/import",
        files={"file": ("latin.yaml", "name: caf\xe9".encode("latin-1"), "text/yaml")},
    )
    assert r.status_code == 400 and "not UTF-8" in r.text
    # Someone else's initiative cannot be replaced, and its name is not a way in.
    r = client.post(
        "/initiatives/import",
        data={"replace": "yes"},
        files={"file": ("p.yaml", TEXT, "text/yaml")},
    )
    assert r.status_code == 400 and "managed by someone else" in r.text
    assert "Another move" not in client.get("/initiatives").text
    # A clean file is stored and assigned to the facilitator who uploaded it.
    good = TEXT.replace(f"name: {NAME}", "name: Another move")
    r = client.post(
        "/initiatives/import",
        files={"file": ("good.yaml", good, "text/yaml")},
    )
    assert r.status_code == 303 and r.headers["location"] == initiative_path("Another move")
    assert client.get(r.headers["location"]).status_code == 200
    r = client.post(
        "/initiatives/import",
        files={"file": ("good.yaml", good, "text/yaml")},
    )
    assert r.status_code == 400 and "already exists; tick" in r.text
    client = auth("coach@example.org")
    assert client.get(initiative_path("Another move")).status_code == 404


def test_a_link_on_another_site_cannot_mark_results_as_seen(
    seeded: str, auth: Auth, client: TestClient
) -> None:
    elsewhere = {"sec-fetch-site": "cross-site", "sec-fetch-mode": "navigate"}
    coach = auth("coach@example.org")
    token = coach.token
    visitor = client
    (path,) = issue(coach, token, "ops", 1)
    assert answer(visitor, path, ALL4)[0] == 200
    r = coach.post(initiative_path(NAME) + "/readiness/close")
    assert r.status_code in (200, 303)
    for suffix in ("", ".json", ".pdf"):
        page = coach.get(initiative_path(NAME) + suffix, headers=elsewhere)
        assert page.status_code == 200 and "Open this page?" in page.text
    with store_at(seeded) as store, store.engine.connect() as conn:
        actions = set(conn.execute(sa.select(audit_log.c.action)).scalars())
    assert not actions & set(READINESS_SEEN_ACTIONS)
    # Opened from the site itself, the download counts as seeing the results.
    assert coach.get(initiative_path(NAME) + ".json").status_code == 200
    with store_at(seeded) as store, store.engine.connect() as conn:
        actions = set(conn.execute(sa.select(audit_log.c.action)).scalars())
    assert "readiness.results.json" in actions
