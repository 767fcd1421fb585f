"""load_campaign_data arrays, and list / delete / thresholds / create on both databases."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
import sqlalchemy as sa

from bifocals.errors import BifocalsError, ValidationError
from bifocals.framework import default_framework
from bifocals.scoring import score_campaign
from bifocals.scoring.model import GROUPS, Comment, Thresholds
from bifocals.store import Store, open_store
from bifocals.store.tables import campaigns, participants, raters, responses
from test_store_support import GOOD_ROWS, small_instrument, write_csv

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
