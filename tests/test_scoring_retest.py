"""Change since the last campaign: differences, Welch intervals, the reliable change index."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from bifocals.errors import Invalid
from bifocals.framework import default_framework
from bifocals.instruments.catalogue import get_instrument
from bifocals.profile import Stat
from bifocals.scoring import CampaignData, score_campaign
from bifocals.scoring.retest import (
    OTHERS,
    ScaleError,
    compare_campaigns,
    difference_interval,
    rater_sd,
    scale_change,
)
from bifocals.scoring.synthetic import synthetic_campaign

N = 60


def waves(shift: float) -> tuple[CampaignData, CampaignData, list[int]]:
    """Two waves of the same 60 people; in the second, participant 0's raters (all but self)
    rate one leadership scale `shift` higher."""
    inst = get_instrument()
    old = synthetic_campaign(inst, N, seed=11, noise_seed=1)
    new = synthetic_campaign(inst, N, seed=11, noise_seed=2)
    dim = inst.items[0].dimension
    cols = [k for k, i in enumerate(inst.items) if i.dimension == dim and i.side == "leadership"]
    rows = np.flatnonzero((new.rater_participant == 0) & (new.rater_group != 0))
    ratings = new.ratings.copy()
    block = ratings[np.ix_(rows, cols)]
    sign = np.where(np.array([inst.items[c].reverse for c in cols]), -1.0, 1.0)
    ratings[np.ix_(rows, cols)] = np.clip(block + shift * sign, inst.scale.min, inst.scale.max)
    return old, CampaignData(**{**new.__dict__, "ratings": ratings}), cols


def test_a_planted_rise_is_reliable_and_unchanged_scales_mostly_are_not() -> None:
    inst, fw = get_instrument(), default_framework()
    old, new, cols = waves(1.0)
    # the planted participant must have room to rise by 1.0 on that scale
    rows = (new.rater_participant == 0) & (new.rater_group != 0)
    assert np.nanmean(old.ratings[np.ix_(rows, cols)]) < 3.8
    changes = compare_campaigns(score_campaign(new, inst, fw), score_campaign(old, inst, fw))
    dim = inst.items[cols[0]].dimension
    planted = [
        c
        for c in changes["S00000"]
        if (c.group, c.dimension, c.side) == (OTHERS, dim, "leadership")
    ]
    assert len(planted) == 1 and planted[0].reliable, planted
    assert abs(planted[0].difference - 1.0) <= 0.4
    rest = [
        c
        for code, cs in changes.items()
        for c in cs
        if c.group == OTHERS
        and not (code == "S00000" and c.dimension == dim and c.side == "leadership")
    ]
    assert len(rest) > 500
    assert sum(c.reliable for c in rest) / len(rest) <= 0.10


def test_welch_interval_matches_scipy() -> None:
    before, after = Stat(3.1, 6, 0.7), Stat(3.9, 5, 0.4)
    lo, hi = difference_interval(before, after)
    vb, va = 0.7**2 / 6, 0.4**2 / 5
    df = (vb + va) ** 2 / (vb**2 / 5 + va**2 / 4)
    half = stats.t.ppf(0.975, df) * math.sqrt(vb + va)
    assert lo == pytest.approx(0.8 - half) and hi == pytest.approx(0.8 + half)
    assert difference_interval(Stat(3.0, 1), after) == (None, None)


def test_reliable_change_index_by_hand() -> None:
    # SD 0.8, alpha 0.84: S_E = 0.8 * sqrt(0.16) = 0.32; n 6 and 5: S_diff = 0.32 * sqrt(1/6 +
    # 1/5) = 0.19378; d = 0.8: RCI = 4.128.
    err = ScaleError(0.8, 0.84)
    assert err.standard_error == pytest.approx(0.32)
    c = scale_change(
        ("all_others", "focus_goals", "leadership"), Stat(3.1, 6, 0.7), Stat(3.9, 5, 0.4), err
    )
    assert c.group == OTHERS and c.rci == pytest.approx(0.8 / (0.32 * math.sqrt(1 / 6 + 1 / 5)))
    assert c.rci == pytest.approx(4.128, abs=1e-3) and c.reliable
    # the same difference within a wide interval: not reliable, whatever the index says
    wide = scale_change(
        ("peer", "focus_goals", "leadership"), Stat(3.1, 3, 1.5), Stat(3.9, 3, 1.5), err
    )
    assert wide.ci_low is not None and wide.ci_low < 0 and not wide.reliable
    # one rater: no interval, never reliable
    one = scale_change(("manager", "focus_goals", "leadership"), Stat(2.0, 1), Stat(4.5, 1), err)
    assert one.ci_low is None and not one.reliable and one.difference == pytest.approx(2.5)


def test_rater_sd_pools_cells() -> None:
    values = [np.array([2.0, 3.0, 4.0]), np.array([4.0, 5.0, 4.5, 5.0])]
    cells = [Stat(float(v.mean()), len(v), float(v.std(ddof=1))) for v in values]
    assert rater_sd(cells) == pytest.approx(float(np.concatenate(values).std(ddof=1)))


def test_cells_not_shown_in_both_waves_give_no_difference() -> None:
    inst, fw = get_instrument(), default_framework()
    old, new, _ = waves(0.0)
    # the new wave keeps 2 of each participant's 4 direct reports: too few to be shown alone
    keep = ~((new.rater_group == 3) & (np.arange(len(new.rater_group)) % 12 >= 8))
    small = CampaignData(
        **{
            **new.__dict__,
            "rater_participant": new.rater_participant[keep],
            "rater_group": new.rater_group[keep],
            "ratings": new.ratings[keep],
        }
    )
    after = score_campaign(small, inst, fw)
    shown = {g.key for g in after.participants[0].groups}
    assert "direct_report" not in shown
    before = score_campaign(old, inst, fw)
    assert "direct_report" in {g.key for g in before.participants[0].groups}
    changes = compare_campaigns(after, before)
    assert all(c.group != "direct_report" for cs in changes.values() for c in cs)
    assert {c.group for c in changes["S00000"]} >= {OTHERS, "self", "manager", "peer"}


def test_another_instrument_is_refused() -> None:
    inst, fw = get_instrument(), default_framework()
    old, new, _ = waves(0.0)
    a = score_campaign(new, inst, fw)
    b = score_campaign(old, inst, fw)
    b = type(b)(b.campaign, "other-instrument", b.thresholds, b.participants, b.reliability)
    with pytest.raises(Invalid, match="same instrument"):
        compare_campaigns(a, b)
