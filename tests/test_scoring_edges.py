"""Comment order, edge cases (all NA, no self, no raters), input validation, lazy sequence."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bifocals.errors import Invalid, ValidationError
from bifocals.scoring import (
    ALL_OTHERS,
    CampaignData,
    Comment,
    Thresholds,
    comment_key,
    score_campaign,
)
from support.scoring import FRAMEWORK, Builder, small_instrument

INSTRUMENT = small_instrument()
NA = math.nan


def _with_comments(order: list[int]) -> CampaignData:
    b = Builder()
    p = b.participant("A")
    raters = [b.rater(p, "self", [3] * 6), b.rater(p, "manager", [4] * 6)]
    raters += [b.rater(p, "peer", [2] * 6) for _ in range(3)]
    texts = [(raters[k % 5], "Q1" if k % 3 else "Q2", f"text number {k}") for k in range(12)]
    for k in order:
        r, q, t = texts[k]
        b.comment(r, q, t)
    return b.data(salt="campaign-secret")


@settings(max_examples=50, deadline=None)
@given(st.permutations(list(range(12))))
def test_comment_order_does_not_follow_input_order(order: list[int]) -> None:
    reference = score_campaign(_with_comments(list(range(12))), INSTRUMENT, FRAMEWORK)
    shuffled = score_campaign(_with_comments(order), INSTRUMENT, FRAMEWORK)
    assert shuffled.participants[0].comments == reference.participants[0].comments


def test_comment_order_is_the_keyed_hash_within_each_question() -> None:
    ps = score_campaign(_with_comments(list(range(12))), INSTRUMENT, FRAMEWORK).participants[0]
    for q in ("Q1", "Q2"):
        texts = [c.text for c in ps.comments if c.question == q]
        assert texts == sorted(texts, key=lambda t: comment_key("campaign-secret", "A", t))
    assert [c.question for c in ps.comments] == sorted(c.question for c in ps.comments)
    # A different salt gives a different order (the order is keyed, not a public hash).
    other = _with_comments(list(range(12)))
    other.comment_salt = "another-secret"
    again = score_campaign(other, INSTRUMENT, FRAMEWORK).participants[0]
    assert [c.text for c in again.comments] != [c.text for c in ps.comments]


def test_all_answers_not_observed() -> None:
    b = Builder()
    p = b.participant("A")
    b.rater(p, "self", [NA] * 6)
    b.rater(p, "manager", [NA] * 6)
    for _ in range(3):
        b.rater(p, "peer", [NA] * 6)
    scores = score_campaign(b.data(), INSTRUMENT, FRAMEWORK)
    ps = scores.participants[0]
    assert ps.cells == {} and ps.gaps == () and ps.leadership_index is None
    # Raters without a single rating do not count towards a group's threshold.
    assert [(g.key, g.n_raters) for g in ps.groups] == [("self", 0)]
    assert set(ps.suppressed) == {"manager", "peer"}
    assert all(r.n_cases == 0 and r.alpha is None for r in scores.reliability)


def test_no_self_gives_no_gaps_but_everything_else() -> None:
    b = Builder()
    p = b.participant("A")
    b.rater(p, "manager", [4, 2, 4, 4, 4, 4])
    for v in (3, 4, 5):
        b.rater(p, "direct_report", [v, 6 - v, v, v, v, v])
    ps = score_campaign(b.data(), INSTRUMENT, FRAMEWORK).participants[0]
    assert ps.gaps == ()
    assert ps.leadership_index is not None and ps.quadrant is not None
    assert all(g != "self" for g, _, _ in ps.cells)
    assert ps.cells[(ALL_OTHERS, FRAMEWORK.dimension_ids[0], "leadership")].n == 4


def test_gap_of_exactly_half_point_is_flagged() -> None:
    b = Builder()
    p = b.participant("A")
    b.rater(p, "self", [4, 2, 4, 4, 4, 4])
    for _ in range(4):
        b.rater(p, "peer", [3.5, 2.5, 3.5, 3.5, 3.5, 3.5])
    ps = score_campaign(b.data(), INSTRUMENT, FRAMEWORK).participants[0]
    # Others agree perfectly (sd 0), so the CI is the point 0.5 and excludes 0.
    assert {g.flag for g in ps.gaps} == {"blind_spot"}


def test_invalid_inputs_list_every_problem() -> None:
    b = Builder()
    p = b.participant("A")
    r = b.rater(p, "self", [0, 3, 3, 3, 9, 3])
    with pytest.raises(Invalid, match="threshold for peer is 0"):
        Thresholds(peer=0)
    data = b.data(Thresholds())
    data.comments = (Comment(p, r, "Q9", "hello"),)
    with pytest.raises(ValidationError) as err:
        score_campaign(data, INSTRUMENT, FRAMEWORK)
    text = str(err.value)
    assert "ratings[0, i1]" in text and "ratings[0, i5]" in text
    data.ratings = np.full((1, 6), 3.0)
    with pytest.raises(ValidationError) as err:
        score_campaign(data, INSTRUMENT, FRAMEWORK)
    text = str(err.value)
    assert "comments[0].question" in text
    data.ratings = np.full((1, 5), 3.0)
    with pytest.raises(ValidationError, match="one column per item"):
        score_campaign(data, INSTRUMENT, FRAMEWORK)


def test_participants_sequence_behaves_like_a_tuple() -> None:
    b = Builder()
    for name in ("A", "B", "C"):
        p = b.participant(name)
        b.rater(p, "manager", [3] * 6)
    scores = score_campaign(b.data(), INSTRUMENT, FRAMEWORK)
    seq = scores.participants
    assert len(seq) == 3 and [p.participant for p in seq] == ["A", "B", "C"]
    assert seq[-1].participant == "C" and [p.participant for p in seq[1:]] == ["B", "C"]
    assert seq[0] is seq[0]
    assert seq == tuple(seq)
    with pytest.raises(IndexError):
        seq[3]
    assert score_campaign(b.data(), INSTRUMENT, FRAMEWORK) == scores
    assert len(scores.to_dict()["participants"]) == 3


def test_bulk_building_restores_the_garbage_collector() -> None:
    import gc

    b = Builder()
    for name in ("A", "B"):
        b.rater(b.participant(name), "manager", [3] * 6)
    assert gc.isenabled()
    scores = score_campaign(b.data(), INSTRUMENT, FRAMEWORK)
    list(scores.participants)
    scores.to_dict()
    assert gc.isenabled()
    gc.disable()
    try:
        list(score_campaign(b.data(), INSTRUMENT, FRAMEWORK).participants)
        assert not gc.isenabled()
    finally:
        gc.enable()
