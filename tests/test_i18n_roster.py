"""Roster import with the optional language columns: stored for raters and participants; a bad
value is an error naming the file, line, column and value, and nothing is imported."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from bifocals.errors import ValidationError
from bifocals.services.roster import import_roster
from bifocals.store.tables import participants, raters
from support.web import add_user, store_at

HEAD = "participant,participant_name,participant_email,rater_name,rater_email,group"
ROSTER = f"""{HEAD},language,participant_language
P1,Amélie Roux,amelie@example.org,Jonas Weber,jonas@example.org,peer,de,fr
P1,Amélie Roux,amelie@example.org,Lucía Pérez,lucia@example.org,peer,ES,
P1,Amélie Roux,amelie@example.org,Sam Hill,sam@example.org,manager,,
"""


def test_languages_are_stored_and_changed_by_a_later_import(db_url: str) -> None:
    with store_at(db_url) as store:
        cid = store.create_campaign("Languages", "bifocals_open_360")
        import_roster(store, None, cid, ROSTER.encode(), "team.csv")
        with store.engine.connect() as conn:
            got = {r.email: r.language for r in conn.execute(sa.select(raters))}
            plang = conn.execute(sa.select(participants.c.language)).scalar_one()
        assert got == {
            "amelie@example.org": "fr",  # the self rater reads in the participant's language
            "jonas@example.org": "de",
            "lucia@example.org": "es",
            "sam@example.org": None,
        }
        assert plang == "fr"
        again = ROSTER.replace("peer,de,fr", "peer,fr,es")
        result = import_roster(store, None, cid, again.encode(), "team.csv", dry_run=True)
        assert any("language de -> fr" in c for c in result.changes)
        assert any("language fr -> es" in c for c in result.changes)
        import_roster(store, None, cid, again.encode(), "team.csv")
        with store.engine.connect() as conn:
            q = sa.select(raters.c.language).where(raters.c.email == "jonas@example.org")
            assert conn.execute(q).scalar_one() == "fr"
            assert conn.execute(sa.select(participants.c.language)).scalar_one() == "es"


def test_a_bad_language_names_file_line_field_and_value(sqlite_url: str) -> None:
    bad = ROSTER.replace("peer,ES,", "peer,Spanish,").replace("peer,de,fr", "peer,de,klingon")
    with store_at(sqlite_url) as store:
        cid = store.create_campaign("Languages", "bifocals_open_360")
        with pytest.raises(ValidationError) as err:
            import_roster(store, None, cid, bad.encode(), "team.csv")
        with store.engine.connect() as conn:
            assert conn.execute(sa.select(sa.func.count()).select_from(raters)).scalar() == 0
    found = {(p.source, p.line, p.field, p.value) for p in err.value.problems}
    assert ("team.csv", 2, "participant_language", "klingon") in found
    assert ("team.csv", 3, "language", "Spanish") in found
    assert "en, de, fr, es" in str(err.value)


def test_people_added_one_by_one_take_a_language(sqlite_url: str) -> None:
    from bifocals.errors import Invalid
    from bifocals.services.people import add_participant, add_rater
    from bifocals.services.security import User

    user = User(
        add_user(sqlite_url, "fa@example.org", "facilitator"), "fa@example.org", "facilitator", None
    )
    with store_at(sqlite_url) as store:
        cid = store.create_campaign("One by one", "bifocals_open_360")
        with store.engine.begin() as conn:
            pid = add_participant(conn, user, cid, "P9", "Ines", "ines@example.org", "ES")
            rid = add_rater(conn, user, cid, pid, "Kai", "kai@example.org", "peer", "de")
            add_rater(conn, user, cid, pid, "Lee", "lee@example.org", "peer")
            with pytest.raises(Invalid) as err:
                add_rater(conn, user, cid, pid, "Mo", "mo@example.org", "peer", "Deutsch")
            assert err.value.field == "language" and "'Deutsch'" in err.value.message
        with store.engine.connect() as conn:
            langs = {r.name: r.language for r in conn.execute(sa.select(raters))}
            plang = conn.execute(
                sa.select(participants.c.language).where(participants.c.id == pid)
            ).scalar_one()
    assert plang == "es" and langs == {"Ines": "es", "Kai": "de", "Lee": None}
    assert rid
