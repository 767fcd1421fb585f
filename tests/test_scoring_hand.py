"""score_campaign against a small campaign computed by hand (see the comments for the numbers)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats as sps

from bifocals.profile import Stat
from bifocals.scoring import (
    ALL_OTHERS,
    LEADS_AND_MANAGES,
    POOLED,
    CampaignScores,
    ParticipantScores,
    score_campaign,
)
from bifocals.scoring.participants import quadrant
from support.scoring import D1, D2, FRAMEWORK, Builder, small_instrument

NA = math.nan
T2 = 4.302652729749464  # t(0.975, 2)
T3 = 3.182446305284263  # t(0.975, 3)


def hand_campaign() -> CampaignScores:
    """Participant A: self, manager, 3 peers, 2 direct reports, 1 other (DR + other pool).

    Raw items i1..i6; i2 is reverse-keyed (1 <-> 5). Scale scores (d1L, d1M, d2L, d2M):
      self 5, 4, 3, 2 | manager 3, 5, 4, 4 | peers (4, 3, 2, 5) (2, 3, 3, 4) (3, 4, -, 3)
      DR (5, 2, 4, 3) (3.5, 2, 5, 2) | other (1, -, -, -)
    Participant B: self, manager, 2 peers (suppressed). Participant C: nobody.
    """
    b = Builder()
    a = b.participant("A")
    s = b.rater(a, "self", [5, 1, 4, 4, 3, 2])
    b.rater(a, "manager", [3, 3, 5, 5, 4, 4])
    p1 = b.rater(a, "peer", [4, 2, 3, NA, 2, 5])
    b.rater(a, "peer", [2, 4, 3, 3, 3, 4])
    b.rater(a, "peer", [3, 3, 4, 4, NA, 3])
    d1 = b.rater(a, "direct_report", [5, 1, 2, 2, 4, 3])
    b.rater(a, "direct_report", [4, 3, 3, 1, 5, 2])
    o1 = b.rater(a, "other", [1, 5, NA, NA, NA, NA])
    b.comment(s, "Q1", "I set the direction.")
    b.comment(p1, "Q1", "Clear plans every week.")
    b.comment(d1, "Q2", "More room to decide, please.")
    b.comment(o1, "Q1", "Good at meetings.")
    bp = b.participant("B")
    b.rater(bp, "self", [3, 3, 3, 3, 3, 3])
    b.rater(bp, "manager", [4, 2, 4, 4, 4, 4])
    q = b.rater(bp, "peer", [1, 5, 1, 1, 1, 1])
    b.rater(bp, "peer", [2, 4, 2, 2, 2, 2])
    b.comment(q, "Q1", "A suppressed peer wrote this.")
    b.participant("C")
    return score_campaign(b.data(), small_instrument(), FRAMEWORK)


@pytest.fixture(scope="module")
def scores() -> CampaignScores:
    return hand_campaign()


@pytest.fixture(scope="module")
def a(scores: CampaignScores) -> ParticipantScores:
    return scores.participants[0]


def test_groups_and_pooling(a: ParticipantScores) -> None:
    got = [(g.key, g.n_raters, g.pooled_from) for g in a.groups]
    assert got == [
        ("self", 1, ()),
        ("manager", 1, ()),
        ("peer", 3, ()),
        (POOLED, 3, ("direct_report", "other")),
    ]
    assert a.suppressed == ()


def test_cell_mean_sd_ci(a: ParticipantScores) -> None:
    peer = a.cells[("peer", D1, "leadership")]  # 4, 2, 3
    assert peer.n == 3 and peer.mean == pytest.approx(3.0) and peer.sd == pytest.approx(1.0)
    half = T2 * 1.0 / math.sqrt(3)
    assert peer.ci_low == pytest.approx(3 - half) and peer.ci_high == pytest.approx(3 + half)
    assert a.cells[("self", D1, "leadership")] == Stat(5.0, 1)  # (5 + (6 - 1)) / 2
    assert a.cells[("manager", D2, "management")] == Stat(4.0, 1)
    pool = a.cells[(POOLED, D1, "leadership")]  # 5, 3.5, 1
    assert pool.n == 3 and pool.mean == pytest.approx(9.5 / 3)
    assert pool.sd == pytest.approx(math.sqrt((8.1666666666666667) / 2))


def test_cells_hidden_when_too_few_answered_the_scale(a: ParticipantScores) -> None:
    # Only 2 of 3 peers answered d2 leadership; the pool has 2 scored raters on 3 scales.
    assert ("peer", D2, "leadership") not in a.cells
    for d, s in ((D1, "management"), (D2, "leadership"), (D2, "management")):
        assert (POOLED, d, s) not in a.cells


def test_all_others_is_the_union_of_shown_cells(a: ParticipantScores) -> None:
    d1l = a.cells[(ALL_OTHERS, D1, "leadership")]  # manager, 3 peers, 3 pooled
    vals = [3, 4, 2, 3, 5, 3.5, 1]
    assert d1l.n == 7 and d1l.mean == pytest.approx(np.mean(vals))
    assert d1l.sd == pytest.approx(np.std(vals, ddof=1))
    half = sps.t.ppf(0.975, 6) * np.std(vals, ddof=1) / math.sqrt(7)
    assert d1l.ci_low == pytest.approx(np.mean(vals) - half)
    d1m = a.cells[(ALL_OTHERS, D1, "management")]  # manager 5, peers 3, 3, 4 (pool hidden)
    assert (d1m.n, d1m.mean) == (4, pytest.approx(3.75))
    assert d1m.sd == pytest.approx(math.sqrt(2.75 / 3))
    d2l = a.cells[(ALL_OTHERS, D2, "leadership")]  # manager only: peers and pool hidden
    assert d2l == Stat(4.0, 1)
    d2m = a.cells[(ALL_OTHERS, D2, "management")]  # manager 4, peers 5, 4, 3
    assert (d2m.n, d2m.mean) == (4, pytest.approx(4.0))


def test_rwg(a: ParticipantScores) -> None:
    # sigma_EU^2 = (5^2 - 1) / 12 = 2
    assert a.rwg[("peer", D1, "leadership")] == pytest.approx(1 - 1.0 / 2)
    assert a.rwg[(POOLED, D1, "leadership")] == 0.0  # variance 4.08 > 2: clipped
    assert a.rwg[(ALL_OTHERS, D1, "management")] == pytest.approx(1 - (2.75 / 3) / 2)
    assert a.rwg[("manager", D1, "leadership")] is None
    assert a.rwg[("self", D1, "leadership")] is None


def test_gaps_and_flags(a: ParticipantScores) -> None:
    gaps = {(g.dimension, g.side): g for g in a.gaps}
    vals = [3, 4, 2, 3, 5, 3.5, 1]
    g = gaps[(D1, "leadership")]
    half = sps.t.ppf(0.975, 6) * np.std(vals, ddof=1) / math.sqrt(7)
    assert g.gap == pytest.approx(5 - np.mean(vals))
    assert g.ci_low == pytest.approx(g.gap - half) and g.ci_high == pytest.approx(g.gap + half)
    assert g.ci_low > 0 and g.flag == "blind_spot"
    g = gaps[(D1, "management")]  # 4 - 3.75: CI spans 0 and too small
    assert g.gap == pytest.approx(0.25) and g.flag is None
    assert g.ci_low == pytest.approx(0.25 - T3 * math.sqrt(2.75 / 3) / 2)
    g = gaps[(D2, "leadership")]  # others n = 1: no CI, no flag
    assert g.gap == pytest.approx(-1.0) and g.ci_low is None and g.flag is None
    g = gaps[(D2, "management")]  # 2 - 4, sd 0.8165, n 4
    assert g.gap == pytest.approx(-2.0)
    assert g.ci_high == pytest.approx(-2 + T3 * math.sqrt(2 / 3) / 2)
    assert g.flag == "hidden_strength"


def test_indices_quadrant_highlights(a: ParticipantScores) -> None:
    lead = (np.mean([3, 4, 2, 3, 5, 3.5, 1]) + 4.0) / 2
    assert a.leadership_index == pytest.approx(100 * (lead - 1) / 4)
    assert a.management_index == pytest.approx(100 * ((3.75 + 4.0) / 2 - 1) / 4)
    assert a.quadrant == LEADS_AND_MANAGES
    # Four scales shown: two strengths, two development areas; ties keep framework order.
    assert [(h.dimension, h.side) for h in a.strengths] == [
        (D2, "leadership"),
        (D2, "management"),
    ]
    assert [(h.dimension, h.side) for h in a.development_areas] == [
        (D1, "leadership"),
        (D1, "management"),
    ]


def test_comments_attribution(scores: CampaignScores) -> None:
    a, b, _ = scores.participants
    assert sorted((c.group, c.text) for c in a.comments) == [
        (POOLED, "Good at meetings."),
        (POOLED, "More room to decide, please."),
        ("peer", "Clear plans every week."),
        ("self", "I set the direction."),
    ]
    assert [c.question for c in a.comments] == ["Q1", "Q1", "Q1", "Q2"]
    assert b.comments == ()
    assert b.suppressed == ("peer",)


def test_suppressed_group_leaves_no_trace(scores: CampaignScores) -> None:
    b = scores.participants[1]
    assert {g for g, _, _ in b.cells} == {"self", "manager", ALL_OTHERS}
    for (g, d, s), st in b.cells.items():
        if g == ALL_OTHERS:
            assert st == b.cells[("manager", d, s)]
    text = str(scores.to_dict()["participants"][1])
    assert "'peer'" not in text.replace("'suppressed_groups': ['peer']", "")


def test_participant_with_no_raters(scores: CampaignScores) -> None:
    c = scores.participants[2]
    assert c.groups == () and c.cells == {} and c.gaps == ()
    assert c.leadership_index is None and c.quadrant is None
    assert c.strengths == () and c.development_areas == ()


def test_quadrant_names() -> None:
    assert quadrant(50.0, 50.0) == LEADS_AND_MANAGES
    assert quadrant(70.0, 49.9) == "leads more than manages"
    assert quadrant(10.0, 90.0) == "manages more than leads"
    assert quadrant(10.0, 10.0) == "developing both"
    assert quadrant(None, 10.0) is None
