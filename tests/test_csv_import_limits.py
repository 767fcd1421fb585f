"""Broken quotes and oversized cells in imported CSV: a clear problem with its line, no traceback,
nothing stored, through both doors (`bifocals campaign import`, the web participant upload)."""

from __future__ import annotations

import csv
import re
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from bifocals.cli import app
from bifocals.instruments import get_instrument
from bifocals.store.csvformat import MAX_CELL
from bifocals.store.tables import campaigns, participants, responses
from support.web import Auth, add_user, store_at

INST = get_instrument(None)
HEADER = "participant,rater,group,item,value"


def _rows(participants_: int = 6) -> list[str]:
    """Valid answer rows: self, manager and three peers per participant, every item, a comment."""
    lines = []
    for p in range(participants_):
        for group, rater in (("self", "S"), ("manager", "M"), ("peer", "A"), ("peer", "B")):
            lines += [f"P{p},{rater},{group},{item},3" for item in INST.item_ids[:14]]
            lines.append(f"P{p},{rater},{group},Q1,Fine work")
    return lines


def _write(path: Path, rows: list[str]) -> Path:
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    return path


def _import(db: str, path: Path) -> tuple[int, str]:
    res = CliRunner().invoke(app, ["campaign", "import", str(path), "--name", "x", "--db", db])
    return res.exit_code, res.stderr


def _stored(db: str) -> tuple[int, int]:
    with store_at(db) as store, store.engine.connect() as conn:
        n_campaigns = conn.execute(sa.select(sa.func.count()).select_from(campaigns)).scalar_one()
        n_answers = conn.execute(sa.select(sa.func.count()).select_from(responses)).scalar_one()
    return int(n_campaigns), int(n_answers)


def test_unclosed_quote_is_refused_with_its_line(db_url: str, tmp_path: Path) -> None:
    rows = _rows()
    assert len(rows) > 300
    rows[0] = 'P0,S,self,Q2,"The quote of this comment never closes'
    path = _write(tmp_path / "open.csv", rows)
    code, err = _import(db_url, path)
    assert code == 1 and "Traceback" not in err
    assert f"{path}:2: quote=" in err and "never closed" in err
    assert _stored(db_url) == (0, 0)


def test_unclosed_quote_after_a_multi_line_comment_names_its_own_line(
    db_url: str, tmp_path: Path
) -> None:
    rows = _rows()
    rows[3] = 'P0,S,self,Q2,"First line of a comment'  # a legitimate two-line value: lines 5-6
    rows.insert(4, 'and its second line"')
    rows[40] = 'P1,S,self,Q2,"opens here'  # file line 42
    path = _write(tmp_path / "later.csv", rows)
    code, err = _import(db_url, path)
    assert code == 1 and f"{path}:42: quote=" in err and "never closed" in err
    assert _stored(db_url) == (0, 0)


def test_a_stray_quote_that_closes_later_cannot_swallow_rows(db_url: str, tmp_path: Path) -> None:
    rows = _rows()
    rows[0] = 'P0,S,self,Q2,"opened on line two'
    rows[9] = rows[9] + '"'  # another stray quote closes it on line 11
    path = _write(tmp_path / "stray.csv", rows)
    code, err = _import(db_url, path)
    assert code == 1 and "Traceback" not in err
    assert f"{path}:2: value=" in err and "closing quote is probably missing on line 2" in err
    assert _stored(db_url) == (0, 0)


def test_text_after_a_closing_quote_is_refused(db_url: str, tmp_path: Path) -> None:
    rows = _rows()
    rows[5] = 'P0,S,self,Q2,"quoted" and then more'
    path = _write(tmp_path / "after.csv", rows)
    code, err = _import(db_url, path)
    assert code == 1 and f"{path}:7: quote=" in err and "closing quote" in err
    assert _stored(db_url) == (0, 0)


def test_an_oversized_cell_is_a_clear_error(db_url: str, tmp_path: Path) -> None:
    rows = _rows()
    rows[2] = f'P0,S,self,Q2,"{"x" * (MAX_CELL + 1)}"'
    path = _write(tmp_path / "big.csv", rows)
    code, err = _import(db_url, path)
    assert code == 1 and "Traceback" not in err and "_csv.Error" not in err
    assert f"{path}:4: value=" in err and "131,072" in err and "shorten it" in err
    assert _stored(db_url) == (0, 0)


def test_an_oversized_cell_is_refused_whatever_the_process_wide_limit(tmp_path: Path) -> None:
    """The text analyzer raises csv's process-wide limit; the import limit must not move."""
    from bifocals.errors import ValidationError
    from bifocals.store.csvformat import parse_campaign_csv

    rows = _rows(1)
    rows[0] = f"P0,S,self,Q2,{'y' * (MAX_CELL + 1)}"
    path = _write(tmp_path / "big.csv", rows)
    before = csv.field_size_limit()
    try:
        for limit in (131_072, 1 << 30):
            csv.field_size_limit(limit)
            try:
                parse_campaign_csv(path, INST)
            except ValidationError as exc:
                assert [(p.line, p.field) for p in exc.problems] == [(2, "value")]
            else:
                raise AssertionError("an oversized cell was imported")
    finally:
        csv.field_size_limit(before)


def test_a_long_multi_line_comment_under_the_limit_still_imports(
    sqlite_url: str, tmp_path: Path
) -> None:
    rows = _rows()
    long_text = "\n".join(f"Paragraph {n}, with a comma." for n in range(400))
    rows[2] = f'P0,S,self,Q2,"{long_text}"'
    code, err = _import(sqlite_url, _write(tmp_path / "ok.csv", rows))
    assert code == 0, err
    with store_at(sqlite_url) as store, store.engine.connect() as conn:
        texts = conn.execute(sa.select(responses.c.text).where(responses.c.item_id == "Q2"))
        assert texts.scalars().all() == [long_text]


def _upload(client: TestClient, token: str, cid: int, body: bytes) -> Any:
    return client.post(
        f"/campaigns/{cid}/participants/csv",
        data={"csrf_token": token},
        files={"file": ("team.csv", body, "text/csv")},
    )


def _problem_rows(html: str) -> list[tuple[str, str]]:
    """(line, column) of each row of the upload's problem table."""
    return re.findall(r'<tr><td class="num">([^<]*)</td><td>([^<]*)</td>', html)


def test_web_upload_refuses_broken_quotes_and_big_cells(db_url: str, auth: Auth) -> None:
    add_user(db_url, "fa@example.org", "facilitator")
    team = ["name,email,code"] + [f"Person {n},p{n}@example.org,C{n}" for n in range(200)]
    client = auth("fa@example.org", db_url)
    token = client.token
    made = client.post(
        "/campaigns/new",
        data={
            "name": "Team",
            "instrument": "bifocals_open_360",
            "deadline": "2030-05-01",
        },
    )
    assert made.status_code == 303, made.text
    cid = int(made.headers["location"].rsplit("/", 1)[1])

    unclosed = list(team)
    unclosed[1] = '"Person 0,p0@example.org,C0'
    r = _upload(client, token, cid, ("\n".join(unclosed) + "\n").encode())
    assert r.status_code == 400
    assert _problem_rows(r.text) == [("2", "quote")]
    assert "never closed" in r.text

    stray = list(team)
    stray[1] = '"Person 0,p0@example.org,C0'
    stray[3] = 'Person 2",p2@example.org,C2'
    r = _upload(client, token, cid, ("\n".join(stray) + "\n").encode())
    assert r.status_code == 400
    assert ("2", "name") in _problem_rows(r.text)
    assert "line break" in r.text

    big = list(team)
    big[5] = f'"{"z" * (MAX_CELL + 1)}",big@example.org,BIG'
    r = _upload(client, token, cid, ("\n".join(big) + "\n").encode())
    assert r.status_code == 400
    assert _problem_rows(r.text) == [("6", "name")]
    assert "131,072" in r.text

    r = _upload(client, token, cid, ("\n".join(team) + "\n").encode())
    assert r.status_code == 303
    with store_at(db_url) as store, store.engine.connect() as conn:
        count = conn.execute(
            sa.select(sa.func.count())
            .select_from(participants)
            .where(participants.c.campaign_id == cid)
        ).scalar_one()
    assert count == 200  # the failed uploads added nobody
