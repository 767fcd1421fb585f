"""Builders, random campaigns (a Hypothesis strategy) and an independent reference
implementation for the scoring tests.

The reference (`oracle`) applies the anonymity rules with plain Python loops, written from the
rules in docs/scoring.md rather than from the vectorized code, so the two check each other.
"""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass, field

import numpy as np
from hypothesis import strategies as st

from bifocals.framework import Framework, default_framework
from bifocals.framework.model import Side
from bifocals.instruments.model import Instrument, Item, OpenQuestion, RatingScale
from bifocals.scoring import GROUPS, CampaignData, Comment, Thresholds

FRAMEWORK: Framework = default_framework()
D1, D2 = FRAMEWORK.dimension_ids[:2]
SCALES: tuple[tuple[str, Side], ...] = (
    (D1, "leadership"),
    (D1, "management"),
    (D2, "leadership"),
    (D2, "management"),
)
# item id -> (scale index, reverse)
ITEMS: tuple[tuple[str, int, bool], ...] = (
    ("i1", 0, False),
    ("i2", 0, True),
    ("i3", 1, False),
    ("i4", 1, False),
    ("i5", 2, False),
    ("i6", 3, False),
)


def small_instrument() -> Instrument:
    """Six items on four scales of the default framework, one reverse-keyed, scale 1-5."""
    return Instrument(
        id="test_small",
        version="1",
        name="Small test instrument",
        license="CC-BY-4.0",
        framework_id=FRAMEWORK.id,
        scale=RatingScale(1, 5, ("1", "2", "3", "4", "5"), "Not observed"),
        items=tuple(
            Item(iid, SCALES[s][0], SCALES[s][1], f"Test item {iid}.", rev) for iid, s, rev in ITEMS
        ),
        open_questions=(OpenQuestion("Q1", "Keep doing?"), OpenQuestion("Q2", "Change?")),
    )


@dataclass
class Builder:
    """Collects raters row by row and produces CampaignData."""

    participants: list[str] = field(default_factory=list)
    rp: list[int] = field(default_factory=list)
    rg: list[int] = field(default_factory=list)
    rows: list[list[float]] = field(default_factory=list)
    comments: list[Comment] = field(default_factory=list)

    def participant(self, name: str) -> int:
        self.participants.append(name)
        return len(self.participants) - 1

    def rater(self, p: int, group: str, values: list[float]) -> int:
        self.rp.append(p)
        self.rg.append(GROUPS.index(group))
        self.rows.append(list(values))
        return len(self.rows) - 1

    def comment(self, rater: int, question: str, text: str) -> None:
        self.comments.append(Comment(self.rp[rater], rater, question, text))

    def data(self, thresholds: Thresholds | None = None, salt: str = "salt") -> CampaignData:
        n_items = len(ITEMS)
        ratings = np.array(self.rows, dtype=np.float64).reshape(len(self.rows), n_items)
        return CampaignData(
            campaign="test",
            participants=tuple(self.participants),
            rater_participant=np.array(self.rp, dtype=np.int64),
            rater_group=np.array(self.rg, dtype=np.int64),
            ratings=ratings,
            comments=tuple(self.comments),
            thresholds=thresholds or Thresholds(),
            comment_salt=salt,
        )


def rater_scores(row: np.ndarray, lo: int = 1, hi: int = 5) -> list[float | None]:
    """Scale scores of one raw rating row, by the rules (reverse, mean of answered items)."""
    out: list[float | None] = []
    for s in range(len(SCALES)):
        vals = [
            (lo + hi - row[j]) if rev else row[j]
            for j, (_, sc, rev) in enumerate(ITEMS)
            if sc == s and not np.isnan(row[j])
        ]
        out.append(sum(vals) / len(vals) if vals else None)
    return out


def oracle_units(data: CampaignData) -> dict[int, str]:
    """Rater row -> the unit key their answers may appear under (absent: suppressed)."""
    t = data.thresholds
    unit: dict[int, str] = {}
    for p in range(len(data.participants)):
        raters = [r for r in range(len(data.rater_participant)) if data.rater_participant[r] == p]
        counted = {r for r in raters if not np.isnan(data.ratings[r]).all()}
        below: list[int] = []
        for g, key in enumerate(GROUPS):
            members = [r for r in raters if data.rater_group[r] == g]
            c = sum(1 for r in members if r in counted)
            if key == "self":
                unit.update({r: "self" for r in members})
            elif c > 0 and c >= t.for_group(key):
                unit.update({r: key for r in members})
            elif c > 0:
                below.append(g)
        pool = [r for r in raters if data.rater_group[r] in below and r in counted]
        if len(pool) >= t.pooled and len(below) >= 2:
            unit.update({r: "others_pooled" for r in raters if data.rater_group[r] in below})
    return unit


def oracle(data: CampaignData) -> dict[tuple[int, str, int], list[tuple[int, float]]]:
    """Shown cells by the documented rules: (participant, unit, scale) -> [(rater, score)]."""
    t = data.thresholds
    unit = oracle_units(data)
    cells: dict[tuple[int, str, int], list[tuple[int, float]]] = {}
    for r, u in unit.items():
        p = int(data.rater_participant[r])
        for s, v in enumerate(rater_scores(data.ratings[r])):
            if v is not None:
                cells.setdefault((p, u, s), []).append((r, v))
    shown: dict[tuple[int, str, int], list[tuple[int, float]]] = {}
    for (p, u, s), members in cells.items():
        need = 1 if u == "self" else t.for_group(u)
        groups = {int(data.rater_group[r]) for r, _ in members}
        if len(members) >= need and (u != "others_pooled" or len(groups) >= 2):
            shown[(p, u, s)] = members
    for (p, u, s), members in list(shown.items()):
        if u != "self":
            shown.setdefault((p, "all_others", s), []).extend(members)
    return shown


def mean_sd(values: list[float]) -> tuple[float, float | None]:
    """Mean and sample SD (None for one value), with the statistics module."""
    return statistics.fmean(values), (statistics.stdev(values) if len(values) > 1 else None)


@st.composite
def campaigns(draw: st.DrawFn) -> CampaignData:
    """Random campaigns: group sizes around the thresholds, missing answers, comments."""
    thresholds = Thresholds(
        manager=draw(st.integers(1, 2)),
        peer=draw(st.integers(1, 5)),
        direct_report=draw(st.integers(1, 5)),
        other=draw(st.integers(1, 5)),
        pooled=draw(st.integers(1, 5)),
    )
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    missing = draw(st.sampled_from([0.0, 0.2, 0.5, 0.9]))
    b = Builder()
    for p in range(draw(st.integers(1, 3))):
        pi = b.participant(f"P{p}")
        sizes = {
            "self": draw(st.integers(0, 1)),
            "manager": draw(st.integers(0, 2)),
            "peer": draw(st.integers(0, 5)),
            "direct_report": draw(st.integers(0, 5)),
            "other": draw(st.integers(0, 4)),
        }
        for group, size in sizes.items():
            for _ in range(size):
                row = rng.integers(1, 6, len(ITEMS)).astype(float)
                row[rng.random(len(ITEMS)) < missing] = math.nan
                r = b.rater(pi, group, list(row))
                if rng.random() < 0.6:
                    b.comment(r, "Q1" if rng.random() < 0.5 else "Q2", f"comment {r} {group}")
    return b.data(thresholds)
