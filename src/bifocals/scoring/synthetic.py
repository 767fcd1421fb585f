"""Synthetic 360 campaigns of any size, for benchmarks and load tests (seeded, pure numpy).

Each participant gets self, one manager, peers, direct reports and others in fixed numbers; each
rater's answers follow the participant's leadership and management levels plus rater leniency
and item noise, with a share of "not observed" answers.
"""

from __future__ import annotations

import numpy as np

from bifocals.instruments.model import Instrument
from bifocals.scoring.model import GROUPS, CampaignData, Thresholds

# Twelve raters: self, manager, 4 peers, 4 direct reports, 2 others (the others stay below
# their threshold and cannot pool alone, so every participant also exercises suppression).
DEFAULT_MIX: dict[str, int] = {"self": 1, "manager": 1, "peer": 4, "direct_report": 4, "other": 2}


def synthetic_campaign(
    instrument: Instrument,
    n_participants: int,
    mix: dict[str, int] | None = None,
    missing: float = 0.05,
    seed: int = 7,
    thresholds: Thresholds | None = None,
    noise_seed: int | None = None,
) -> CampaignData:
    """A campaign of n_participants, each rated by `mix` raters per group, no comments.

    The participants' true levels come from `seed`; with `noise_seed` the raters (leniency,
    item noise, missing answers) are drawn afresh from it, so two calls with one seed and two
    noise seeds are two waves of the same people with nothing changed."""
    rng = np.random.default_rng(seed)
    mix = DEFAULT_MIX if mix is None else mix
    groups = np.repeat(np.array([GROUPS.index(g) for g in mix], dtype=np.int64), list(mix.values()))
    per = len(groups)
    n_raters = n_participants * per
    rater_participant = np.repeat(np.arange(n_participants, dtype=np.int64), per)
    rater_group = np.tile(groups, n_participants)
    lo, hi = instrument.scale.min, instrument.scale.max
    mid, spread = (lo + hi) / 2, (hi - lo) / 4
    lead = rng.normal(mid, spread, n_participants)
    manage = rng.normal(mid, spread, n_participants)
    if noise_seed is not None:
        rng = np.random.default_rng([seed, noise_seed])
    is_lead = np.array([i.side == "leadership" for i in instrument.items])
    reverse = np.array([i.reverse for i in instrument.items])
    level = np.where(is_lead[None, :], lead[:, None], manage[:, None])[rater_participant]
    leniency = rng.normal(0.0, 0.35, n_raters)[:, None]
    true = level + leniency + rng.normal(0.0, 0.6, (n_raters, len(instrument.items)))
    true = np.where(reverse[None, :], lo + hi - true, true)
    ratings = np.clip(np.rint(true), lo, hi)
    ratings[rng.random(ratings.shape) < missing] = np.nan
    return CampaignData(
        campaign=f"synthetic {n_participants}x{per}",
        participants=tuple(f"S{k:05d}" for k in range(n_participants)),
        rater_participant=rater_participant,
        rater_group=rater_group,
        ratings=ratings,
        thresholds=thresholds or Thresholds(),
        comment_salt=f"seed-{seed}",
    )
