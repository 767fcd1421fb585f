"""Formula injection: no CSV the product writes holds a cell a spreadsheet would run.

Participant codes, names and rater comments that start with = + - @ (tab, CR) go out with an
apostrophe in front (scores.csv, progress.csv, `bifocals campaign export`, `bifocals analyze
--csv`), numbers stay numbers, and the importers read the escaped cells back unchanged, so
export -> import -> export is byte-identical.
"""

from __future__ import annotations

import csv
import io
import itertools
from pathlib import Path

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from bifocals.cli import app
from bifocals.instruments import get_instrument
from bifocals.store.app_tables import campaign_facilitators
from bifocals.store.cells import FORMULA_START, guard, safe_row, unguard
from bifocals.store.csvformat import EXPORT_COLUMNS
from bifocals.store.tables import campaigns, participants, raters, responses
from support.web import Auth, add_user, store_at

INST = get_instrument(None)
# What an attacker (or an unlucky facilitator) types as participant codes and comments.
CODES = ['=HYPERLINK("http://x","y")', "+cmd|' /C calc'!A0", "@SUM(A1)", "-2+3"]
COMMENTS = [
    '=HYPERLINK("http://evil.example","click")',
    "+1, agree with the others",
    "-2+3 is what I would say",
    "@here please read this",
    "'quoted remark', kept as it is",
    "'=1+1 with an apostrophe of its own",
    "''=2 with two",
    "A plain remark",
]
GROUPS = [("self", "S"), ("manager", "M"), ("peer", "A"), ("peer", "B"), ("peer", "C")]


def _formula_cells(text: str) -> list[str]:
    """Every cell of a CSV text that a spreadsheet would run as a formula."""
    cells = (c for row in csv.reader(io.StringIO(text)) for c in row)
    return [c for c in cells if len(c) > 1 and c[0] in FORMULA_START]


def _answers_csv() -> str:
    """An import file in the product's own (escaped) format: attack codes, names, e-mails and
    comments, with the export's columns (codes, names and e-mails, group, item, value)."""
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(EXPORT_COLUMNS)
    for n, code in enumerate(CODES):
        person = [code, f"={n}+{n}", f"-p{n}@example.org"]
        for k, (group, rater) in enumerate(GROUPS):
            who = [*person, rater, f"@rater {rater}{n}", f"+r{k}.{n}@example.org"]
            for i, item in enumerate(INST.item_ids):
                w.writerow(safe_row([*who, group, item, 1 + (n + k + i) % 5]))
            w.writerow(safe_row([*who, group, "Q1", COMMENTS[(n + k) % len(COMMENTS)]]))
    return out.getvalue()


def test_guard_and_unguard_are_inverses() -> None:
    alphabet = ["=", "+", "-", "@", "\t", "\r", "'", "a", " "]
    for n in range(5):
        for chars in itertools.product(alphabet, repeat=n):
            value = "".join(chars)
            written = guard(value)
            assert unguard(written) == value
            rest = written.lstrip("'")
            assert len(rest) < 2 or rest[0] not in FORMULA_START or written.startswith("'")
    assert guard("=1+1") == "'=1+1" and guard("'=1") == "''=1"
    assert guard("'plain'") == "'plain'" and unguard("'plain'") == "'plain'"
    assert guard("\tx") == "'\tx" and guard("\rx") == "'\rx"


def test_numbers_stay_numbers_and_text_is_guarded() -> None:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerow(safe_row([-0.5, -2, 0.25, "-0.5", "=A1"]))
    assert out.getvalue() == "-0.5,-2,0.25,'-0.5,'=A1\n"


def test_cli_export_is_inert_and_round_trips(db_url: str, tmp_path: Path) -> None:
    source = tmp_path / "in.csv"
    source.write_text(_answers_csv(), encoding="utf-8")
    runner = CliRunner()

    def campaign(*args: str) -> str:
        res = runner.invoke(app, ["campaign", *args, "--db", db_url])
        assert res.exit_code == 0, res.stderr
        return res.stdout

    campaign("import", str(source), "--name", "first")
    with store_at(db_url) as store, store.engine.connect() as conn:
        codes = set(conn.execute(sa.select(participants.c.code)).scalars())
        texts = set(
            conn.execute(sa.select(responses.c.text).where(responses.c.text.is_not(None)))
            .scalars()
            .all()
        )
        names = set(conn.execute(sa.select(participants.c.name, participants.c.email)).all())
        rater_who = set(conn.execute(sa.select(raters.c.name, raters.c.email)).all())
    assert codes == set(CODES)  # stored as typed, without the export's apostrophes
    assert texts == set(COMMENTS)
    assert names == {(f"={n}+{n}", f"-p{n}@example.org") for n in range(len(CODES))}
    assert ("@rater S0", "+r0.0@example.org") in rater_who and len(rater_who) == 20
    first = tmp_path / "first.csv"
    campaign("export", "first", "--out", str(first))
    exported = first.read_text(encoding="utf-8")
    assert _formula_cells(exported) == []
    assert exported == source.read_text(encoding="utf-8")
    rows = list(csv.reader(io.StringIO(exported)))
    assert rows[0] == list(EXPORT_COLUMNS)
    assert {r[0] for r in rows[1:]} == {guard(c) for c in CODES}
    assert {r[1] for r in rows[1:]} == {f"'={n}+{n}" for n in range(len(CODES))}
    assert all(r[8].isdigit() for r in rows[1:] if r[7] != "Q1")  # ratings stay plain numbers
    campaign("import", str(first), "--name", "second")
    second = tmp_path / "second.csv"
    campaign("export", "second", "--out", str(second))
    assert second.read_bytes() == first.read_bytes()


def _closed_campaign(url: str, tmp: Path) -> int:
    """A closed campaign imported from the attack file; names that look like formulas too."""
    path = tmp / "answers.csv"
    path.write_text(_answers_csv(), encoding="utf-8")
    with store_at(url) as store:
        store.import_campaign_csv(path, "Formulas")
        store.set_participant_names("Formulas", {c: f"@{c} name" for c in CODES})
        fac = add_user(url, "fac@example.org", "facilitator")
        with store.engine.begin() as conn:
            cid = int(
                conn.execute(
                    sa.select(campaigns.c.id).where(campaigns.c.name == "Formulas")
                ).scalar_one()
            )
            conn.execute(sa.insert(campaign_facilitators).values(campaign_id=cid, user_id=fac))
            assert conn.execute(sa.select(sa.func.count()).select_from(raters)).scalar_one()
    return cid


def test_web_exports_are_inert(db_url: str, tmp_path: Path, auth: Auth) -> None:
    cid = _closed_campaign(db_url, tmp_path)
    client = auth("fac@example.org", db_url)
    scores = client.get(f"/campaigns/{cid}/export/scores.csv")
    progress = client.get(f"/campaigns/{cid}/export/progress.csv")
    assert scores.status_code == 200 and progress.status_code == 200
    for body in (scores.text, progress.text):
        assert _formula_cells(body) == []
    rows = list(csv.DictReader(io.StringIO(scores.text)))
    assert {r["participant"] for r in rows} == {guard(c) for c in CODES}
    assert {unguard(r["participant"]) for r in rows} == set(CODES)
    for r in rows:  # numeric columns are numbers, never an apostrophe in front
        for col in ("n", "mean", "sd", "rwg"):
            if r[col]:
                float(r[col])
    labels = {r["participant"] for r in csv.DictReader(io.StringIO(progress.text))}
    assert labels == {guard(f"{c} @{c} name") for c in CODES}
    assert all(r["answered"].isdigit() for r in csv.DictReader(io.StringIO(progress.text)))


def test_participant_upload_reads_escaped_cells_back(db_url: str, auth: Auth) -> None:
    add_user(db_url, "fa@example.org", "facilitator")
    upload = io.StringIO()
    w = csv.writer(upload, lineterminator="\n")
    w.writerow(["name", "email", "code"])
    people = [("=Name(1)", "a@example.org", "=CODE()"), ("'Quoted", "", "''=x"), ("Ok", "", "-1")]
    for row in people:
        w.writerow(safe_row(row))
    client = auth("fa@example.org", db_url)
    r = client.post(
        "/campaigns/new",
        data={
            "name": "Upload",
            "instrument": "bifocals_open_360",
            "deadline": "2030-05-01",
        },
    )
    assert r.status_code == 303, r.text
    cid = int(r.headers["location"].rsplit("/", 1)[1])
    r = client.post(
        f"/campaigns/{cid}/participants/csv",
        files={"file": ("team.csv", upload.getvalue().encode(), "text/csv")},
    )
    assert r.status_code == 303, r.text
    progress = client.get(f"/campaigns/{cid}/export/progress.csv").text
    with store_at(db_url) as store, store.engine.connect() as conn:
        stored = set(
            conn.execute(
                sa.select(participants.c.code, participants.c.name).where(
                    participants.c.campaign_id == cid
                )
            ).all()
        )
    assert stored == {(code, name) for name, _, code in people}
    assert _formula_cells(progress) == []
    labels = {r["participant"] for r in csv.DictReader(io.StringIO(progress))}
    assert {unguard(x) for x in labels} == {f"{code} {name}" for name, _, code in people}


def test_analyze_csv_output_is_inert(tmp_path: Path) -> None:
    doc = tmp_path / "doc.txt"
    doc.write_text('=HYPERLINK("http://x","y") is how they answer.\n- Keeps us informed.\n')
    res = CliRunner().invoke(app, ["analyze", str(doc), "--lines", "--fast", "--csv"])
    assert res.exit_code == 0, res.stderr
    assert _formula_cells(res.stdout) == []
    rows = list(csv.DictReader(io.StringIO(res.stdout)))
    assert [unguard(r["text"]) for r in rows] == [
        '=HYPERLINK("http://x","y") is how they answer.',
        "- Keeps us informed.",
    ]
    assert all(float(r["confidence"]) >= 0 for r in rows)


@pytest.mark.parametrize("value", ["\tTabbed", "\rReturn", "-1", "+A1", "@A1", "=1", "''=1"])
def test_every_formula_start_is_guarded(value: str) -> None:
    assert guard(value) == "'" + value and unguard(guard(value)) == value


@pytest.mark.parametrize("value", ["-", "+", "=", "@", "'-", "", "'", "a-b", " =1"])
def test_text_no_spreadsheet_can_run_is_left_alone(value: str) -> None:
    assert guard(value) == value and unguard(value) == value
