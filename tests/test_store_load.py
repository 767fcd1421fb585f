"""load_campaign_data arrays, and list / delete / thresholds / create on both databases."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
import sqlalchemy as sa

from bifocals.errors import BifocalsError, ValidationError
from bifocals.framework import default_framework
from bifocals.instruments.model import Instrument, RatingScale
from bifocals.scoring import score_campaign
from bifocals.scoring.model import GROUPS, Comment, Thresholds
from bifocals.store import Store, open_store
from bifocals.store.tables import campaigns, participants, raters, responses
from support.store import GOOD_ROWS, small_instrument, write_csv

INST = small_instrument()
NAN = np.nan


@pytest.fixture
def store(db_url: str, tmp_path: Path) -> Iterator[Store]:
    s = open_store(db_url)
    s.import_campaign_csv(write_csv(tmp_path / "ok.csv", GOOD_ROWS), "c", instrument=INST)
    yield s
    s.close()


def test_arrays_follow_raters_and_instrument_order(store: Store) -> None:
    data, inst = store.load_campaign_data("c", instrument=INST)
    assert inst is INST
    assert data.campaign == "c"
    assert data.participants == ("P1", "P2")
    g = {name: n for n, name in enumerate(GROUPS)}
    # Raters by participant, then in the order they first appear in the file.
    assert data.rater_participant.tolist() == [0, 0, 0, 1, 1]
    assert data.rater_group.tolist() == [
        g["self"],
        g["manager"],
        g["peer"],
        g["self"],
        g["direct_report"],
    ]
    expected = np.array(
        [
            [4, 3, NAN, NAN],  # P1 self (b1 NA)
            [5, NAN, NAN, NAN],  # P1 manager (b2 blank)
            [2, 1, NAN, NAN],  # P1 peer
            [1, NAN, NAN, NAN],  # P2 self
            [NAN, NAN, NAN, 5],  # P2 direct report
        ]
    )
    np.testing.assert_array_equal(data.ratings, expected)
    assert data.ratings.dtype == np.float64
    assert set(data.comments) == {
        Comment(participant=0, rater=0, question="q1", text="Clear priorities"),
        Comment(participant=0, rater=2, question="q2", text="Says no more often, kindly"),
    }
    assert data.thresholds == Thresholds()
    assert len(data.comment_salt) == 32


def test_salt_is_per_campaign_and_thresholds_come_along(store: Store, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "ok2.csv", GOOD_ROWS)
    store.import_campaign_csv(path, "d", instrument=INST, thresholds=Thresholds(peer=5))
    c, _ = store.load_campaign_data("c", instrument=INST)
    d, _ = store.load_campaign_data("d", instrument=INST)
    assert c.comment_salt != d.comment_salt
    assert d.thresholds.peer == 5


def test_unsubmitted_raters_are_left_out(store: Store) -> None:
    with store.engine.begin() as conn:
        conn.execute(sa.update(raters).where(raters.c.group == "peer").values(submitted_at=None))
    data, _ = store.load_campaign_data("c", instrument=INST)
    assert data.rater_group.tolist() == [0, 1, 0, 3]
    assert [c.rater for c in data.comments] == [0]


def test_answers_outside_the_instrument_are_an_error(store: Store) -> None:
    with store.engine.begin() as conn:
        rid = conn.execute(sa.select(sa.func.min(raters.c.id))).scalar_one()
        conn.execute(sa.insert(responses).values(rater_id=rid, item_id="gone", value=3.0))
    with pytest.raises(ValidationError, match="gone"):
        store.load_campaign_data("c", instrument=INST)


def test_loaded_data_scores(store: Store) -> None:
    data, inst = store.load_campaign_data("c", instrument=INST)
    scores = score_campaign(data, inst, default_framework())
    assert [p.participant for p in scores.participants] == ["P1", "P2"]


def test_unknown_campaign(store: Store) -> None:
    for call in (
        lambda: store.load_campaign_data("nope", instrument=INST),
        lambda: store.delete_campaign("nope"),
        lambda: store.set_thresholds("nope", peer=4),
        lambda: store.get_campaign("nope"),
    ):
        with pytest.raises(BifocalsError, match="campaign list"):
            call()


def test_set_thresholds(store: Store) -> None:
    assert store.set_thresholds("c") == Thresholds()
    t = store.set_thresholds("c", peer=4, pooled=5)
    assert t == Thresholds(peer=4, pooled=5)
    assert store.load_campaign_data("c", instrument=INST)[0].thresholds == t
    with pytest.raises(BifocalsError, match="unknown threshold"):
        store.set_thresholds("c", boss=2)
    with pytest.raises(BifocalsError, match="1 or more"):
        store.set_thresholds("c", peer=0)
    assert store.get_campaign("c").thresholds == t


def test_delete_removes_everything_of_one_campaign(store: Store, tmp_path: Path) -> None:
    store.import_campaign_csv(write_csv(tmp_path / "k.csv", GOOD_ROWS), "keep", instrument=INST)
    store.delete_campaign("c")
    assert [c.name for c in store.list_campaigns()] == ["keep"]
    with store.engine.connect() as conn:
        for table, n in ((participants, 2), (raters, 5), (responses, len(GOOD_ROWS))):
            assert conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one() == n


def test_create_campaign(store: Store) -> None:
    cid = store.create_campaign("web", instrument=INST, thresholds=Thresholds(peer=4))
    info = store.get_campaign("web")
    assert (info.id, info.status, info.participants, info.thresholds.peer) == (cid, "draft", 0, 4)
    with pytest.raises(BifocalsError, match="already exists"):
        store.create_campaign("web", instrument=INST)
    with pytest.raises(BifocalsError, match="needs a name"):
        store.create_campaign("  ", instrument=INST)
    with store.engine.connect() as conn:
        statuses = conn.execute(sa.select(campaigns.c.status)).scalars().all()
    assert sorted(statuses) == ["closed", "draft"]
    data, _ = store.load_campaign_data("web", instrument=INST)
    assert data.ratings.shape == (0, 4) and data.participants == ()


def test_the_database_keeps_ratings_whole(store: Store) -> None:
    with pytest.raises(sa.exc.IntegrityError), store.engine.begin() as conn:
        conn.execute(sa.update(responses).where(responses.c.item_id == "a1").values(value=3.5))
    assert store.load_campaign_data("c", instrument=INST)[0].ratings[0, 0] == 4.0


def _reference_ratings(store: Store, name: str, inst: Instrument) -> np.ndarray:
    """The ratings matrix built the slow, obvious way: one joined row per answer."""
    col = {k: n for n, k in enumerate(inst.item_ids)}
    with store.engine.connect() as conn:
        rows = conn.execute(
            sa.select(raters.c.id)
            .join(participants, participants.c.id == raters.c.participant_id)
            .join(campaigns, campaigns.c.id == raters.c.campaign_id)
            .where(campaigns.c.name == name, raters.c.submitted_at.is_not(None))
            .order_by(participants.c.id, raters.c.id)
        ).scalars()
        row_of = {rid: n for n, rid in enumerate(rows)}
        out = np.full((len(row_of), len(col)), np.nan)
        for rid, item, value in conn.execute(
            sa.select(responses.c.rater_id, responses.c.item_id, responses.c.value)
        ):
            if rid in row_of and item in col:
                out[row_of[rid], col[item]] = np.nan if value is None else value
    return out


def test_interleaved_campaigns_read_only_their_own_answers(store: Store, tmp_path: Path) -> None:
    """Raters of two campaigns with interleaved ids (web campaigns grow over time): each
    campaign's arrays hold its own submitted raters and nothing of the other's."""
    store.import_campaign_csv(write_csv(tmp_path / "d.csv", GOOD_ROWS), "d", instrument=INST)
    with store.engine.begin() as conn:
        cid, pid = conn.execute(
            sa.select(campaigns.c.id, participants.c.id)
            .join(participants, participants.c.campaign_id == campaigns.c.id)
            .where(campaigns.c.name == "c", participants.c.code == "P2")
        ).one()
        late = conn.execute(
            sa.insert(raters)
            .values(
                campaign_id=cid,
                participant_id=pid,
                code="LATE",
                group="peer",
                submitted_at=sa.func.current_timestamp(),
            )
            .returning(raters.c.id)
        ).scalar_one()
        pending = conn.execute(
            sa.insert(raters)
            .values(campaign_id=cid, participant_id=pid, code="PENDING", group="peer")
            .returning(raters.c.id)
        ).scalar_one()
        conn.execute(
            sa.insert(responses),
            [
                {"rater_id": late, "item_id": "b1", "value": 2.0, "text": None},
                {"rater_id": late, "item_id": "a2", "value": None, "text": None},
                {"rater_id": late, "item_id": "q1", "value": None, "text": "Late but kind"},
                {"rater_id": pending, "item_id": "a1", "value": 5.0, "text": None},
            ],
        )
    for name in ("c", "d"):
        data, _ = store.load_campaign_data(name, instrument=INST)
        np.testing.assert_array_equal(data.ratings, _reference_ratings(store, name, INST))
    c, _ = store.load_campaign_data("c", instrument=INST)
    assert c.ratings.shape == (6, 4)
    np.testing.assert_array_equal(c.ratings[-1], [NAN, NAN, 2, NAN])
    assert Comment(participant=1, rater=5, question="q1", text="Late but kind") in c.comments


def test_values_wider_than_one_digit_are_read_exactly(db_url: str, tmp_path: Path) -> None:
    """A 0-10 scale takes the general path of the reader; values, blanks and NA survive."""
    wide = dataclasses.replace(
        INST,
        id="wide",
        scale=RatingScale(
            min=0, max=10, labels=tuple(str(n) for n in range(11)), not_observed_label="n/a"
        ),
    )
    rows = [
        "P1,S,self,a1,10",
        "P1,S,self,a2,0",
        "P1,S,self,b1,NA",
        "P1,M,manager,a1,7",
        "P1,M,manager,b2,",
        "P1,M,manager,q1,Keeps going",
    ]
    s = open_store(db_url)
    try:
        s.import_campaign_csv(write_csv(tmp_path / "w.csv", rows), "w", instrument=wide)
        data, _ = s.load_campaign_data("w", instrument=wide)
        np.testing.assert_array_equal(data.ratings, [[10, 0, NAN, NAN], [7, NAN, NAN, NAN]])
        assert [c.text for c in data.comments] == ["Keeps going"]
    finally:
        s.close()
