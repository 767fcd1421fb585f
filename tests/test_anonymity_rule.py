"""The one anonymity rule (bifocals.anonymity) and its two callers, the 360's scoring and the
change workbench's readiness survey: who counts (one answer that enters the numbers at least),
which groups are shown alone, pooled or suppressed, and that both callers decide alike."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bifocals.anonymity import count_by_key, counted, decide_groups
from bifocals.change.model import ADKAR, AdkarResponse, StakeholderGroup
from bifocals.change.readiness import OVERALL, pooling, readiness
from bifocals.scoring import POOLED, Thresholds, score_campaign
from support.scoring import FRAMEWORK, ITEMS, Builder, small_instrument

INSTRUMENT = small_instrument()
NAN = float("nan")


def _resp(group: str, scores: list[int | None]) -> AdkarResponse:
    return AdkarResponse(group, dict(zip(ADKAR, scores, strict=True)))


EMPTY: list[int | None] = [None] * len(ADKAR)  # five "Not sure"


# --- the primitive ---------------------------------------------------------------------------


def test_a_respondent_counts_with_one_answer_that_enters_the_numbers() -> None:
    answered = np.array([[False, False, False], [False, True, False], [True, True, True]])
    assert counted(answered).tolist() == [False, True, True]
    assert counted(np.array([True, False])).tolist() == [True, False]
    assert counted(np.zeros((0, 5), dtype=bool)).shape == (0,)
    key = np.array([0, 0, 1, 1, 1], dtype=np.int64)
    assert count_by_key(key, np.array([True, False, True, True, False]), 3).tolist() == [1, 2, 0]


def test_groups_alone_pooled_and_suppressed() -> None:
    # Per owner: counts of groups 0..3, every group present; thresholds 3, pool 3.
    counts = np.array([[3, 2, 1, 0], [3, 2, 0, 0], [1, 4, 0, 0]], dtype=np.int64)
    present = np.array([[1, 1, 1, 1], [1, 1, 0, 0], [1, 1, 0, 0]], dtype=bool)
    d = decide_groups(counts, present, np.array([3, 3, 3, 3]), 3)
    assert d.alone.tolist() == [[1, 0, 0, 0], [1, 0, 0, 0], [0, 1, 0, 0]]
    # Owner 0: groups 1 and 2 pool (3 from two groups); group 3 has people but none counts.
    assert d.pooled[0].tolist() == [0, 1, 1, 0] and d.suppressed[0].tolist() == [0, 0, 0, 1]
    assert d.pool_count.tolist() == [3, 0, 0]
    # Owner 1: a "pool" of one group (2 < 3 anyway) is no pool; owner 2: 1 < 3 alone.
    assert d.suppressed[1].tolist() == [0, 1, 0, 0] and d.suppressed[2].tolist() == [1, 0, 0, 0]
    # A pool of one group is refused even when it reaches the pool threshold (peer 5, pool 3).
    one = decide_groups(np.array([[4, 0]]), np.array([[True, False]]), np.array([5, 5]), 3)
    assert not one.pooled.any() and one.suppressed.tolist() == [[True, False]]
    # never_pooled (the 360's self): shown whenever present, even with nothing counted.
    fixed = decide_groups(
        np.array([[0, 1]]), np.array([[True, True]]), np.array([1, 3]), 3, np.array([True, False])
    )
    assert fixed.alone.tolist() == [[True, False]] and fixed.suppressed.tolist() == [[False, True]]


# --- readiness: the unified counting ---------------------------------------------------------

GROUPS = (
    StakeholderGroup("ops", "Operations", 4),
    StakeholderGroup("legal", "Legal", 2),
    StakeholderGroup("sales", "Sales", 1),
)


def test_a_readiness_answer_of_only_not_sure_is_no_respondent() -> None:
    """Four answers from Operations, one of them five "Not sure": the group counts 3 (it was
    counted 4 before the rule was unified), and the empty answer is in no figure: not in n, not
    in the barrier distribution (which it used to put on "none")."""
    rs = [
        _resp("ops", [4, 2, 4, 4, 4]),
        _resp("ops", [4, 4, 4, 4, 4]),
        _resp("ops", [2, 4, 4, 4, 4]),
    ]
    rd = readiness([*rs, _resp("ops", EMPTY)], GROUPS, min_respondents=3)
    ops, overall = rd.rows
    assert ops.key == "ops" and ops.n == 3 and overall.key == OVERALL and overall.n == 3
    assert ops.distribution == pytest.approx((1 / 3, 1 / 3, 0, 0, 0, 1 / 3))
    assert rd.rows == readiness(rs, GROUPS, min_respondents=3).rows


def test_a_readiness_group_below_threshold_once_empty_answers_are_left_out() -> None:
    """Three answers, one empty: two respondents count, fewer than 3, so the group is not shown
    (under the old rule it was, with every element withheld and n = 3)."""
    rs = [_resp("ops", [5, 5, 5, 5, 5]), _resp("ops", [1, 1, 1, 1, 1]), _resp("ops", EMPTY)]
    rd = readiness(rs, GROUPS, min_respondents=3)
    assert rd.rows == () and rd.suppressed_groups == ("Operations",)
    assert rd.no_answers == ("Legal", "Sales")


def test_an_empty_answer_does_not_make_a_pool_or_a_second_group() -> None:
    # Legal: two real answers; Sales: one empty answer. Without Sales' answer counted, the pool
    # would hold one group only: no pool, both suppressed (Sales named, since it answered).
    rs = [_resp("ops", [4, 4, 4, 4, 4])] * 3 + [
        _resp("legal", [1, 1, 1, 1, 1]),
        _resp("legal", [2, 2, 2, 2, 2]),
        _resp("sales", EMPTY),
    ]
    rd = readiness(rs, GROUPS, min_respondents=3)
    assert [r.key for r in rd.rows] == ["ops", "overall"]
    assert rd.suppressed_groups == ("Legal", "Sales") and rd.no_answers == ()
    assert rd.rows[-1].n == 3
    assert pooling(rs, GROUPS, 3) == {"ops": "alone", "legal": "suppressed", "sales": "suppressed"}


def test_pooling_follows_the_threshold_not_the_group_names() -> None:
    rs = [_resp("ops", [4, 4, 4, 4, 4])] * 3 + [_resp("legal", [1, 1, 1, 1, 1])]
    assert pooling(rs, GROUPS, 3) == {"ops": "alone", "legal": "suppressed"}
    assert pooling(rs, GROUPS, 4) == {"ops": "pooled", "legal": "pooled"}
    renamed = tuple(StakeholderGroup(g.id, g.name.upper(), 1) for g in GROUPS)
    assert pooling(rs, renamed, 3) == pooling(rs, GROUPS, 3)


# --- the 360: the same counting --------------------------------------------------------------


def _campaign(peers: list[list[float]], thresholds: Thresholds | None = None) -> dict[str, object]:
    b = Builder()
    p = b.participant("P1")
    b.rater(p, "self", [4.0] * len(ITEMS))
    for row in peers:
        b.rater(p, "peer", row)
    out = score_campaign(b.data(thresholds), INSTRUMENT, FRAMEWORK).to_dict()
    return out["participants"][0]  # type: ignore[no-any-return]


def test_a_360_rater_with_only_not_observed_is_no_respondent() -> None:
    full = [3.0] * len(ITEMS)
    empty = [NAN] * len(ITEMS)
    four = _campaign([full, full, full, empty])
    assert [(g["key"], g["n_raters"]) for g in four["groups"]] == [("self", 1), ("peer", 3)]
    three = _campaign([full, full, empty])
    assert [g["key"] for g in three["groups"]] == ["self"]
    assert three["suppressed_groups"] == ["peer"]
    # One item answered is enough to count.
    one_item = [3.0] + [NAN] * (len(ITEMS) - 1)
    assert [g["n_raters"] for g in _campaign([full, full, one_item])["groups"]] == [1, 3]


# --- both callers decide alike ---------------------------------------------------------------

CALLER_GROUPS = ("peer", "direct_report", "other")


@settings(max_examples=120, deadline=None)
@given(
    sizes=st.lists(
        st.tuples(st.integers(0, 5), st.integers(0, 2)), min_size=3, max_size=3
    ),  # per group: (respondents with answers, respondents with none)
    threshold=st.integers(1, 4),
)
def test_the_360_and_readiness_show_pool_and_suppress_the_same_groups(
    sizes: list[tuple[int, int]], threshold: int
) -> None:
    """The same people, in groups of the same names, under the same thresholds: the two
    callers show the same groups alone with the same counts, pool the same groups with the
    same count, and suppress the same groups."""
    b = Builder()
    p = b.participant("P1")
    b.rater(p, "self", [4.0] * len(ITEMS))
    responses: list[AdkarResponse] = []
    for group, (full, empty) in zip(CALLER_GROUPS, sizes, strict=True):
        for _ in range(full):
            b.rater(p, group, [3.0] * len(ITEMS))
            responses.append(_resp(group, [3, 3, 3, 3, 3]))
        for _ in range(empty):
            b.rater(p, group, [NAN] * len(ITEMS))
            responses.append(_resp(group, EMPTY))
    t = Thresholds(
        manager=threshold, peer=threshold, direct_report=threshold, other=threshold,
        pooled=threshold,
    )  # fmt: skip
    scored = score_campaign(b.data(t), INSTRUMENT, FRAMEWORK).to_dict()["participants"][0]
    groups = tuple(StakeholderGroup(g, g, 1) for g in CALLER_GROUPS)
    rd = readiness(responses, groups, min_respondents=threshold)

    def shown_360() -> dict[str, tuple[int, tuple[str, ...]]]:
        return {
            ("pooled" if g["key"] == POOLED else g["key"]): (g["n_raters"], tuple(g["pooled_from"]))
            for g in scored["groups"]
            if g["key"] != "self"
        }

    shown_readiness = {r.key: (r.n, r.pooled_from) for r in rd.rows if r.key != OVERALL}
    assert shown_readiness == shown_360()
    assert sorted(rd.suppressed_groups) == sorted(scored["suppressed_groups"])
