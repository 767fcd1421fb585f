"""Anonymity properties: nothing below threshold is shown, and nothing shown can be combined
(subtracted, n * mean arithmetic) to recover a hidden group or a single rater."""

from __future__ import annotations

import math
import random
from typing import Any

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bifocals.scoring import (
    ALL_OTHERS,
    POOLED,
    CampaignData,
    Comment,
    Thresholds,
    score_campaign,
)
from bifocals.scoring.engine import compute_arrays
from support.scoring import (
    FRAMEWORK,
    ITEMS,
    SCALES,
    Builder,
    campaigns,
    mean_sd,
    oracle,
    oracle_units,
    small_instrument,
)

INSTRUMENT = small_instrument()
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SCALE_KEY = {(d, s): k for k, (d, s) in enumerate(SCALES)}


def _thr(t: Thresholds, key: str) -> int:
    return 1 if key in ("self", ALL_OTHERS) else t.for_group(key)


@SETTINGS
@given(campaigns())
def test_no_group_below_threshold_appears(data: CampaignData) -> None:
    out = score_campaign(data, INSTRUMENT, FRAMEWORK).to_dict()
    t = data.thresholds
    for p in out["participants"]:
        shown_keys = {g["key"] for g in p["groups"]}
        for g in p["groups"]:
            if g["key"] == POOLED:
                assert g["n_raters"] >= t.pooled and len(g["pooled_from"]) >= 2
                assert not set(g["pooled_from"]) & shown_keys
            elif g["key"] != "self":
                assert g["n_raters"] >= _thr(t, g["key"])
        assert not set(p["suppressed_groups"]) & shown_keys
        assert set(p["scores"]) <= shown_keys | {ALL_OTHERS}
        for key, dims in p["scores"].items():
            for sides in dims.values():
                for cell in sides.values():
                    assert cell["n"] >= _thr(t, key)
        for c in p["comments"]:
            assert c["group"] in shown_keys


@SETTINGS
@given(campaigns())
def test_shown_cells_equal_the_reference_rules(data: CampaignData) -> None:
    scores = score_campaign(data, INSTRUMENT, FRAMEWORK)
    expected = oracle(data)
    got: dict[tuple[int, str, int], Any] = {}
    for p, ps in enumerate(scores.participants):
        for (g, d, s), stat in ps.cells.items():
            got[(p, g, SCALE_KEY[(d, s)])] = stat
    assert set(got) == set(expected)
    for key, stat in got.items():
        mean, sd = mean_sd([v for _, v in expected[key]])
        assert stat.n == len(expected[key])
        assert math.isclose(stat.mean, mean, abs_tol=1e-9)
        assert (stat.sd is None) == (sd is None)
        if sd is not None and stat.sd is not None:
            assert math.isclose(stat.sd, sd, abs_tol=1e-9)


@SETTINGS
@given(campaigns())
def test_all_others_adds_nothing_beyond_the_shown_groups(data: CampaignData) -> None:
    """ALL_OTHERS n and n * mean are exactly the sums over the shown group cells, so
    subtracting shown numbers can only give back shown numbers, never a hidden rater."""
    scores = score_campaign(data, INSTRUMENT, FRAMEWORK)
    for ps in scores.participants:
        for (g, d, s), allc in ps.cells.items():
            if g != ALL_OTHERS:
                continue
            parts = [
                c
                for (g2, d2, s2), c in ps.cells.items()
                if (d2, s2) == (d, s) and g2 not in ("self", ALL_OTHERS)
            ]
            assert allc.n == sum(p.n for p in parts)
            assert math.isclose(allc.n * allc.mean, sum(p.n * p.mean for p in parts), abs_tol=1e-9)
        for (g, _, _), cell in ps.cells.items():
            if cell.n == 1 and g not in ("self", ALL_OTHERS):
                assert data.thresholds.for_group(g) == 1  # only where a threshold of 1 allows


def _perturb_hidden(data: CampaignData, rng: random.Random) -> CampaignData:
    """Change every answer and comment the rules say may not be shown."""
    shown = {(r, s) for key, members in oracle(data).items() for r, _ in members for s in [key[2]]}
    units = oracle_units(data)
    ratings = data.ratings.copy()
    for r in range(ratings.shape[0]):
        for j, (_, s, _) in enumerate(ITEMS):
            if (r, s) not in shown and not math.isnan(ratings[r, j]):
                ratings[r, j] = float(rng.choice([v for v in range(1, 6) if v != ratings[r, j]]))
    comments = tuple(
        c if c.rater in units else Comment(c.participant, c.rater, c.question, "CHANGED " + c.text)
        for c in data.comments
    )
    return CampaignData(
        campaign=data.campaign,
        participants=data.participants,
        rater_participant=data.rater_participant,
        rater_group=data.rater_group,
        ratings=ratings,
        comments=comments,
        thresholds=data.thresholds,
        comment_salt=data.comment_salt,
    )


@SETTINGS
@given(campaigns(), st.integers(0, 1000))
def test_output_does_not_depend_on_hidden_answers(data: CampaignData, seed: int) -> None:
    """The strongest form of 'no arithmetic recovers a hidden rater': change every hidden
    answer and comment, and the whole output, reliability included, stays the same."""
    before = score_campaign(data, INSTRUMENT, FRAMEWORK).to_dict()
    after = score_campaign(_perturb_hidden(data, random.Random(seed)), INSTRUMENT, FRAMEWORK)
    assert after.to_dict() == before


def test_a_pool_of_one_group_is_suppressed_not_renamed() -> None:
    """Four peers under a peer threshold of 5 reach the pool threshold of 3 alone; showing them
    as a 'pool' would show the peer group below its threshold under another name."""
    b = Builder()
    p = b.participant("A")
    b.rater(p, "manager", [3] * 6)
    for v in (4, 2, 5, 3):
        b.rater(p, "peer", [v] * 6)
    t = Thresholds(peer=5, pooled=3)
    ps = score_campaign(b.data(t), INSTRUMENT, FRAMEWORK).participants[0]
    assert ps.suppressed == ("peer",)
    assert [g.key for g in ps.groups] == ["manager"]
    assert {g for g, _, _ in ps.cells} == {"manager", ALL_OTHERS}
    b.rater(p, "other", [1] * 6)  # a second group makes a real pool of 5
    ps = score_campaign(b.data(t), INSTRUMENT, FRAMEWORK).participants[0]
    pool = [g for g in ps.groups if g.key == POOLED]
    assert pool and pool[0].n_raters == 5 and pool[0].pooled_from == ("peer", "other")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(campaigns(), st.integers(0, 1000))
def test_score_arrays_hold_nothing_hidden(data: CampaignData, seed: int) -> None:
    """The array form (for cohort views) obeys the same rules as the JSON form."""
    a, rel = compute_arrays(data, INSTRUMENT, FRAMEWORK)
    b, rel2 = compute_arrays(_perturb_hidden(data, random.Random(seed)), INSTRUMENT, FRAMEWORK)
    assert rel == rel2
    for name in (
        "n",
        "mean",
        "sd",
        "ci_low",
        "ci_high",
        "rwg",
        "gap",
        "gap_low",
        "gap_high",
        "leadership_index",
        "management_index",
        "strengths",
        "development",
    ):
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name), err_msg=name)
    assert np.all(a.n[~a.visible] == 0) and np.all(np.isnan(a.mean[~a.visible]))
    assert np.all(a.units.counts[~a.units.alone] == 0)
