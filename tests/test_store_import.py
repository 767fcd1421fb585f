"""CSV import: every kind of problem listed with its line, nothing written; round-trip export."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from bifocals.errors import BifocalsError, Problem, ValidationError
from bifocals.scoring.model import Thresholds
from bifocals.store import Store, open_store
from bifocals.store.csvformat import EXPORT_COLUMNS
from support.store import GOOD_ROWS, HEADER, small_instrument, write_csv

INST = small_instrument()


@pytest.fixture
def store(db_url: str) -> Iterator[Store]:
    s = open_store(db_url)
    yield s
    s.close()


def counts(store: Store) -> dict[str, int]:
    with store.engine.connect() as conn:
        return {
            t: int(conn.execute(sa.text(f"select count(*) from {t}")).scalar_one())
            for t in ("campaigns", "participants", "raters", "responses")
        }


def problems_of(store: Store, path: Path, name: str = "c") -> list[Problem]:
    with pytest.raises(ValidationError) as info:
        store.import_campaign_csv(path, name, instrument=INST)
    assert counts(store) == {"campaigns": 0, "participants": 0, "raters": 0, "responses": 0}
    return info.value.problems


def test_import_stores_everything(store: Store, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "ok.csv", GOOD_ROWS)
    res = store.import_campaign_csv(path, "spring", instrument=INST)
    assert (res.participants, res.raters, res.rows, res.replaced) == (2, 5, 12, False)
    assert counts(store) == {"campaigns": 1, "participants": 2, "raters": 5, "responses": 12}
    (info,) = store.list_campaigns()
    assert (info.name, info.instrument_id, info.status) == ("spring", "store_test", "closed")
    assert (info.participants, info.raters) == (2, 5)
    assert info.created_at.tzinfo is not None


def test_every_problem_is_listed_with_its_line(store: Store, tmp_path: Path) -> None:
    rows = [
        "P1,S,self,a1,4",  # line 2: fine
        "P1,S,self,zz,4",  # 3: unknown item
        "P1,S,self,a2,6",  # 4: out of range
        "P1,S,self,b1,lots",  # 5: not a number
        "P1,S,self,b2,2.5",  # 6: not a whole number
        "P1,K,boss,a1,3",  # 7: unknown group
        "P1,S,peer,a2,3",  # 8: rater in two groups
        "P1,S,self,a1,5",  # 9: duplicate of line 2
        "P1,S,self",  # 10: too few columns
        ",R,peer,a1,3",  # 11: empty participant
        "P1,,peer,a1,3",  # 12: empty rater
        "P1,S2,self,a1,3",  # 13: a second self rater
        "P2,R,peer,a1,inf",  # 14: not finite
    ]
    probs = problems_of(store, write_csv(tmp_path / "bad.csv", rows))
    got = [(p.line, p.field) for p in probs]
    assert got == [
        (3, "item"),
        (4, "value"),
        (5, "value"),
        (6, "value"),
        (7, "group"),
        (8, "group"),
        (9, "item"),
        (10, "row"),
        (11, "participant"),
        (12, "rater"),
        (13, "rater"),
        (14, "value"),
    ]
    by_line = {p.line: p for p in probs}
    assert all(p.source == str(tmp_path / "bad.csv") for p in probs)
    assert by_line[3].value == "zz" and "bifocals instrument show store_test" in by_line[3].message
    assert by_line[4].value == "6" and "1 to 5" in by_line[4].message
    assert "NA" in by_line[5].message
    assert "self" in by_line[7].message and "direct_report" in by_line[7].message
    assert "line 2" in by_line[8].message and "'self'" in by_line[8].message
    assert "line 2" in by_line[9].message
    assert "5" in by_line[10].message


@pytest.mark.parametrize(
    ("header", "expect"),
    [
        ("participant,rater,group,item", "missing column(s) value"),
        ("participant,rater,group,item,value,note", "unknown column(s) 'note'"),
        ("participant,rater,group,value,item", "wrong order"),
        ("who,rater,group,item,value", "missing column(s) participant"),
    ],
)
def test_bad_header(store: Store, tmp_path: Path, header: str, expect: str) -> None:
    (p,) = problems_of(store, write_csv(tmp_path / "h.csv", GOOD_ROWS, header=header))
    assert (p.line, p.field) == (1, "header")
    assert expect in p.message and HEADER in p.message


def test_header_is_forgiving_about_case_spaces_and_bom(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "bom.csv"
    path.write_bytes(
        ("\ufeffParticipant, Rater ,GROUP,item,value\r\n" + "\r\n".join(GOOD_ROWS)).encode()
    )
    assert store.import_campaign_csv(path, "c", instrument=INST).rows == len(GOOD_ROWS)


@pytest.mark.parametrize("content", ["", "\n\n  \n"])
def test_empty_file(store: Store, tmp_path: Path, content: str) -> None:
    path = tmp_path / "empty.csv"
    path.write_text(content, encoding="utf-8")
    (p,) = problems_of(store, path)
    assert p.field == "header" and "empty" in p.message


def test_header_only(store: Store, tmp_path: Path) -> None:
    (p,) = problems_of(store, write_csv(tmp_path / "h.csv", []))
    assert p.line == 2 and "no answer rows" in p.message


def test_non_utf8_lists_every_bad_line(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "latin1.csv"
    text = "\n".join([HEADER, "P1,S,self,q1,Très clair", "P1,S,self,a1,4", "P1,S,self,q2,Käse"])
    path.write_bytes(text.encode("latin-1"))
    probs = problems_of(store, path)
    assert [(p.line, p.field) for p in probs] == [(2, "encoding"), (4, "encoding")]
    assert "UTF-8" in probs[0].message


def test_missing_file(store: Store, tmp_path: Path) -> None:
    (p,) = problems_of(store, tmp_path / "nope.csv")
    assert p.field == "file" and "check the path" in p.message


def test_existing_name_needs_replace(store: Store, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "ok.csv", GOOD_ROWS)
    store.import_campaign_csv(path, "c", instrument=INST)
    with pytest.raises(BifocalsError, match="--replace"):
        store.import_campaign_csv(path, "c", instrument=INST)
    smaller = write_csv(tmp_path / "small.csv", GOOD_ROWS[:3])
    res = store.import_campaign_csv(smaller, "c", instrument=INST, replace=True)
    assert res.replaced and res.rows == 3
    assert counts(store) == {"campaigns": 1, "participants": 1, "raters": 1, "responses": 3}


def test_failed_replace_keeps_the_old_campaign(store: Store, tmp_path: Path) -> None:
    store.import_campaign_csv(write_csv(tmp_path / "ok.csv", GOOD_ROWS), "c", instrument=INST)
    bad = write_csv(tmp_path / "bad.csv", ["P1,S,self,a1,9"])
    with pytest.raises(ValidationError):
        store.import_campaign_csv(bad, "c", instrument=INST, replace=True)
    assert counts(store)["responses"] == len(GOOD_ROWS)


def test_round_trip_is_byte_identical(store: Store, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "ok.csv", GOOD_ROWS)
    store.import_campaign_csv(path, "c", instrument=INST)
    buf = io.StringIO()
    assert store.export_campaign_csv("c", buf, instrument=INST) == len(GOOD_ROWS)
    exported = buf.getvalue()
    # A not-observed rating is written as NA, and the name and e-mail columns (blank here) go
    # next to the codes; everything else comes back exactly as it went in.
    lines = path.read_text(encoding="utf-8").replace("b2,\n", "b2,NA\n").splitlines()
    wide = [",".join(EXPORT_COLUMNS)]
    wide += ["{},,,{},,,{}".format(*line.split(",", 2)) for line in lines[1:]]
    assert exported == "\n".join(wide) + "\n"
    out = tmp_path / "back.csv"
    store.export_campaign_csv("c", out, instrument=INST)
    store.import_campaign_csv(out, "again", instrument=INST)
    again = io.StringIO()
    store.export_campaign_csv("again", again, instrument=INST)
    assert again.getvalue() == exported


def test_thresholds_on_import(store: Store, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "ok.csv", GOOD_ROWS)
    t = Thresholds(manager=2, peer=4, direct_report=5, other=3, pooled=4)
    store.import_campaign_csv(path, "c", instrument=INST, thresholds=t)
    assert store.get_campaign("c").thresholds == t
