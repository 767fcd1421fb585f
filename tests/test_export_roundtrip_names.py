"""Export -> import keeps who the participants and raters are: names and e-mails round-trip.

The export writes participant_name, participant_email, rater_name and rater_email next to the
codes; the import reads them (in any subset, in their places), still reads the old 5-column
files, and reports a name or e-mail that changes between lines of one participant or rater
with both lines, like every other problem: all or nothing.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from bifocals.errors import Problem, ValidationError
from bifocals.store import Store, open_store
from bifocals.store.cells import FORMULA_START
from bifocals.store.csvformat import COLUMNS, EXPORT_COLUMNS
from bifocals.store.tables import campaigns, participants, raters
from support.store import GOOD_ROWS, HEADER, small_instrument, write_csv

INST = small_instrument()
WIDE = ",".join(EXPORT_COLUMNS)
# Who the people of GOOD_ROWS are; formula-like, apostrophe and non-ASCII names on purpose.
PEOPLE: dict[str, tuple[str, str | None]] = {
    "P1": ('=HYPERLINK("http://x","y")', "p1@example.org"),
    "P2": ("Zoë 'Z' Ng", None),
}
RATERS: dict[tuple[str, str], tuple[str | None, str | None]] = {
    ("P1", "S"): ('=HYPERLINK("http://x","y")', "p1@example.org"),
    ("P1", "M"): ("@Maria Manager", "maria@example.org"),
    ("P1", "X1"): ("'Quoted' Peer", "x1+tag@sub.example.org"),
    ("P2", "S"): (None, None),  # nobody known: stays NULL
    ("P2", "X1"): ("-Dash Report", "DR@Example.ORG"),
}


@pytest.fixture
def store(db_url: str) -> Iterator[Store]:
    s = open_store(db_url)
    yield s
    s.close()


def campaign_id(store: Store, name: str) -> int:
    with store.engine.connect() as conn:
        return int(
            conn.execute(sa.select(campaigns.c.id).where(campaigns.c.name == name)).scalar_one()
        )


def who(store: Store, name: str) -> tuple[dict[Any, Any], dict[Any, Any]]:
    """(participant code -> (name, email), (participant code, rater code) -> (name, email))."""
    cid = campaign_id(store, name)
    with store.engine.connect() as conn:
        people = {
            r.code: (r.name, r.email)
            for r in conn.execute(
                sa.select(participants.c.code, participants.c.name, participants.c.email).where(
                    participants.c.campaign_id == cid
                )
            )
        }
        rated = {
            (r.pcode, r.code): (r.name, r.email)
            for r in conn.execute(
                sa.select(
                    participants.c.code.label("pcode"), raters.c.code, raters.c.name, raters.c.email
                )
                .join(participants, participants.c.id == raters.c.participant_id)
                .where(raters.c.campaign_id == cid)
            )
        }
    return people, rated


def give_names(store: Store, name: str) -> None:
    """Store PEOPLE and RATERS on campaign `name` (as the web app would have)."""
    cid = campaign_id(store, name)
    with store.engine.begin() as conn:
        for code, (shown, email) in PEOPLE.items():
            conn.execute(
                sa.update(participants)
                .where(participants.c.campaign_id == cid, participants.c.code == code)
                .values(name=shown, email=email)
            )
        pid = dict(
            conn.execute(
                sa.select(participants.c.code, participants.c.id).where(
                    participants.c.campaign_id == cid
                )
            ).all()
        )
        for (pcode, rcode), (r_shown, r_email) in RATERS.items():
            conn.execute(
                sa.update(raters)
                .where(raters.c.participant_id == pid[pcode], raters.c.code == rcode)
                .values(name=r_shown, email=r_email)
            )


def problems_of(store: Store, path: Path) -> list[Problem]:
    with pytest.raises(ValidationError) as info:
        store.import_campaign_csv(path, "bad", instrument=INST)
    with store.engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(participants)).scalar() == 0
    problems: list[Problem] = info.value.problems
    return problems


def test_names_and_emails_survive_export_and_import(store: Store, tmp_path: Path) -> None:
    store.import_campaign_csv(write_csv(tmp_path / "in.csv", GOOD_ROWS), "first", instrument=INST)
    give_names(store, "first")
    first = tmp_path / "first.csv"
    assert store.export_campaign_csv("first", first, instrument=INST) == len(GOOD_ROWS)
    text = first.read_text(encoding="utf-8")
    assert text.splitlines()[0] == WIDE
    cells = [c for row in csv.reader(io.StringIO(text)) for c in row]
    assert not [c for c in cells if len(c) > 1 and c[0] in FORMULA_START]  # all guarded

    store.import_campaign_csv(first, "second", instrument=INST)
    assert who(store, "second") == who(store, "first")
    people, rated = who(store, "second")
    assert people == PEOPLE
    assert rated == RATERS
    again = io.StringIO()
    store.export_campaign_csv("second", again, instrument=INST)
    assert again.getvalue() == text  # byte-identical, names and guards included


def test_old_five_column_file_still_imports(store: Store, tmp_path: Path) -> None:
    assert ",".join(COLUMNS) == HEADER
    res = store.import_campaign_csv(
        write_csv(tmp_path / "old.csv", GOOD_ROWS), "old", instrument=INST
    )
    assert (res.participants, res.raters, res.rows) == (2, 5, len(GOOD_ROWS))
    people, rated = who(store, "old")
    assert set(people.values()) == {(None, None)} and set(rated.values()) == {(None, None)}
    buf = io.StringIO()
    store.export_campaign_csv("old", buf, instrument=INST)
    first, second = buf.getvalue().splitlines()[:2]
    assert first == WIDE and second == "P1,,,S,,,self,a1,4"


def test_any_subset_of_the_name_columns_in_their_places(store: Store, tmp_path: Path) -> None:
    header = "participant,participant_name,rater,rater_email,group,item,value"
    rows = [
        "P1,Ann Lee,S,ann@example.org,self,a1,4",
        "P1,,S,,self,a2,3",  # blank cells say nothing: no clash
        "P1,Ann Lee,M,boss@example.org,manager,a1,5",
        "P2,,X1,,peer,a1,2",
        "P2,Bo,X1,x1@example.org,peer,a2,2",  # the first value given may come later
    ]
    store.import_campaign_csv(write_csv(tmp_path / "some.csv", rows, header), "s", instrument=INST)
    people, rated = who(store, "s")
    assert people == {"P1": ("Ann Lee", None), "P2": ("Bo", None)}
    assert rated == {
        ("P1", "S"): (None, "ann@example.org"),
        ("P1", "M"): (None, "boss@example.org"),
        ("P2", "X1"): (None, "x1@example.org"),
    }


@pytest.mark.parametrize(
    "header",
    [
        "participant_name,participant,rater,group,item,value",  # name before its code
        "participant,rater,participant_name,group,item,value",  # name after the rater
        "participant,participant_name,participant_name,rater,group,item,value",
    ],
)
def test_name_columns_out_of_place_are_a_header_problem(
    store: Store, tmp_path: Path, header: str
) -> None:
    (p,) = problems_of(store, write_csv(tmp_path / "h.csv", [], header))
    assert (p.line, p.field) == (1, "header")
    assert HEADER in p.message and WIDE in p.message


def test_a_name_or_email_that_changes_names_both_lines(store: Store, tmp_path: Path) -> None:
    rows = [
        "P1,Ann Lee,ann@example.org,S,Ann Lee,ann@example.org,self,a1,4",  # line 2
        "P1,Ann Lee,ann@example.org,S,Ann Lee,ann@example.org,self,a2,4",
        "P1,Anne Lee,ann@example.org,M,Max,max@example.org,manager,a1,4",  # 4: name clash
        "P1,Ann Lee,ann@other.org,M,Max,max@example.org,manager,a2,4",  # 5: e-mail clash
        "P1,Ann Lee,ann@example.org,M,Maximilian,max@example.org,manager,b1,4",  # 6: rater
        "P2,Bo,bo@example.org,S,Bo,bo@example.org,self,a1,4",  # 7
        "P2,Bo,bo@example.org,S,Bo,bo@example.org,self,a2,4",
        "P2,Bo,bo@example.org,S,Bo,not-an-address,self,b1,4",  # 9: rater e-mail clash
    ]
    probs = problems_of(store, write_csv(tmp_path / "c.csv", rows, WIDE))
    assert [(p.line, p.field, p.value) for p in probs] == [
        (4, "participant_name", "Anne Lee"),
        (5, "participant_email", "ann@other.org"),
        (6, "rater_name", "Maximilian"),
        (9, "rater_email", "not-an-address"),
    ]
    assert str(probs[0]).startswith(f"{tmp_path / 'c.csv'}:4: field 'participant_name' = ")
    assert "'Ann Lee' on line 2" in probs[0].message
    assert "'ann@example.org' on line 2" in probs[1].message
    assert "rater 'M' of 'P1'" in probs[2].message and "'Max' on line 4" in probs[2].message
    assert "'bo@example.org' on line 7" in probs[3].message


def test_every_clashing_line_is_listed(store: Store, tmp_path: Path) -> None:
    rows = [
        "P1,Ann,,S,,,self,a1,4",
        "P1,Bea,,S,,,self,a2,4",
        "P1,Bea,,S,,,self,b1,4",
    ]
    probs = problems_of(store, write_csv(tmp_path / "c.csv", rows, WIDE))
    assert [(p.line, p.field) for p in probs] == [(3, "participant_name"), (4, "participant_name")]
    assert all("on line 2" in p.message for p in probs)


def test_bad_email_long_name_and_line_break_are_problems(store: Store, tmp_path: Path) -> None:
    long_name = "N" * 201
    rows = [
        "P1,Ann,ann at example.org,S,,,self,a1,4",  # 2: not an address
        f"P2,{long_name},,S,,a@b@c,self,a1,4",  # 3: name too long, rater e-mail not one
        'P3,"Two',
        'lines",,S,,,self,a1,4',  # 4-5: a name holding a line break
        "P4,,<x@example.org>,S,,,self,a1,4",  # 6
    ]
    probs = problems_of(store, write_csv(tmp_path / "b.csv", rows, WIDE))
    assert [(p.line, p.field) for p in probs] == [
        (2, "participant_email"),
        (3, "participant_name"),
        (3, "rater_email"),
        (4, "participant_name"),
        (6, "participant_email"),
    ]
    assert "name@example.org" in probs[0].message
    assert "at most 200" in probs[1].message
    assert "line 5" in probs[3].message and "one line" in probs[3].message


def test_a_bad_email_is_reported_once_per_person(store: Store, tmp_path: Path) -> None:
    rows = [f"P1,,nope,S,,,self,{item},4" for item in ("a1", "a2", "b1", "b2")]
    (p,) = problems_of(store, write_csv(tmp_path / "b.csv", rows, WIDE))
    assert (p.line, p.field, p.value) == (2, "participant_email", "nope")


def test_wide_rows_need_every_column(store: Store, tmp_path: Path) -> None:
    (p,) = problems_of(store, write_csv(tmp_path / "w.csv", ["P1,S,self,a1,4"], WIDE))
    assert (p.line, p.field) == (2, "row") and "needs 9" in p.message


def test_replace_keeps_old_names_only_where_the_file_has_none(store: Store, tmp_path: Path) -> None:
    store.import_campaign_csv(write_csv(tmp_path / "in.csv", GOOD_ROWS), "c", instrument=INST)
    store.set_participant_names("c", {"P1": "Old One", "P2": "Old Two"})
    rows = ["P1,New One,new@example.org,S,,,self,a1,4", "P2,,,S,,,self,a1,4"]
    store.import_campaign_csv(
        write_csv(tmp_path / "new.csv", rows, WIDE), "c", instrument=INST, replace=True
    )
    people, _ = who(store, "c")
    assert people == {"P1": ("New One", "new@example.org"), "P2": ("Old Two", None)}
