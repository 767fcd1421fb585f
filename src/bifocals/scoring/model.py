"""Inputs and outputs of scoring, as plain data. The outputs hold only what a report may show.

Inputs are numpy arrays (one row per rater, one column per rating item) so that scoring
stays vectorized. Outputs are built after the anonymity rules have been applied: a group
below its threshold never appears on its own, and no raw answer of any rater is kept.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from bifocals.errors import Invalid
from bifocals.framework.model import Side
from bifocals.profile import Profile, Stat

# Rater groups as collected. "self" never pools with others.
GROUPS: tuple[str, ...] = ("self", "manager", "peer", "direct_report", "other")
# Reported groups: the collected ones, the pool of small non-self groups, all non-self raters.
POOLED = "others_pooled"
ALL_OTHERS = "all_others"
GROUP_LABELS: dict[str, str] = {
    "self": "Self",
    "manager": "Manager",
    "peer": "Peers",
    "direct_report": "Direct reports",
    "other": "Others",
    POOLED: "Other raters (pooled)",
    ALL_OTHERS: "All raters except self",
}

GapFlag = Literal["blind_spot", "hidden_strength"]

# Where a participant sits on the leadership x management map (indices against the midpoint 50).
LEADS_AND_MANAGES = "leads and manages"
LEADS_MORE = "leads more than manages"
MANAGES_MORE = "manages more than leads"
DEVELOPING_BOTH = "developing both"
QUADRANTS: tuple[str, ...] = (LEADS_AND_MANAGES, LEADS_MORE, MANAGES_MORE, DEVELOPING_BOTH)


# Bounds of every anonymity threshold, and the smallest group size that is still anonymous.
THRESHOLD_MIN = 1
THRESHOLD_MAX = 50
ANONYMOUS_MIN = 3


@dataclass(frozen=True)
class Thresholds:
    """Minimum raters for a group to be reported on its own; the pool uses `pooled`.

    Each value is a whole number from THRESHOLD_MIN to THRESHOLD_MAX (checked here, so every door
    meets the same bounds). A group other than the manager's shown with fewer than
    ANONYMOUS_MIN raters is not anonymous: the services ask for an admin and a reason for it.
    """

    manager: int = 1
    peer: int = 3
    direct_report: int = 3
    other: int = 3
    pooled: int = 3

    def __post_init__(self) -> None:
        for group, value in self.to_dict().items():
            if isinstance(value, bool) or not isinstance(value, int):
                raise Invalid(
                    f"threshold for {group} is {value!r}; use a whole number "
                    f"from {THRESHOLD_MIN} to {THRESHOLD_MAX}",
                    f"threshold_{group}",
                )
            if not THRESHOLD_MIN <= value <= THRESHOLD_MAX:
                raise Invalid(
                    f"threshold for {group} is {value}; use a number from {THRESHOLD_MIN} to "
                    f"{THRESHOLD_MAX} (thresholds count raters)",
                    f"threshold_{group}",
                )

    def not_anonymous(self) -> dict[str, int]:
        """The groups (manager excepted: one manager is named by role anyway) whose threshold
        is below ANONYMOUS_MIN, with their threshold."""
        return {g: v for g, v in self.to_dict().items() if g != "manager" and v < ANONYMOUS_MIN}

    def for_group(self, group: str) -> int:
        """Threshold of a collected or pooled group (self is always 1)."""
        if group == "self":
            return 1
        if group in (POOLED, ALL_OTHERS):
            return self.pooled
        return int(getattr(self, group))

    def to_dict(self) -> dict[str, int]:
        """JSON-ready form: every group's threshold, in field order."""
        return asdict(self)


@dataclass(frozen=True)
class Comment:
    """One answer to an open question. rater is a row index into CampaignData (input only)."""

    participant: int
    rater: int
    question: str
    text: str


@dataclass
class CampaignData:
    """Everything scoring needs, as arrays. Row r of `ratings` belongs to rater r.

    ratings holds raw answers on the instrument's scale (reverse keying not yet applied),
    NaN for "not observed"; its columns follow instrument.items order.
    """

    campaign: str
    participants: tuple[str, ...]
    rater_participant: npt.NDArray[np.int64]
    rater_group: npt.NDArray[np.int64]
    ratings: npt.NDArray[np.float64]
    comments: tuple[Comment, ...] = ()
    thresholds: Thresholds = field(default_factory=Thresholds)
    # A per-campaign secret used to order comments so the order never follows submission order.
    comment_salt: str = ""


@dataclass(frozen=True)
class ReportedGroup:
    """A group as it appears in reports: which collected groups it holds and how many raters."""

    key: str
    label: str
    n_raters: int
    pooled_from: tuple[str, ...] = ()


@dataclass(frozen=True)
class Gap:
    """Self minus others on one scale, with a 95% CI from the others' spread and count."""

    dimension: str
    side: Side
    self_score: float
    others_mean: float
    gap: float
    ci_low: float | None
    ci_high: float | None
    flag: GapFlag | None


@dataclass(frozen=True)
class Highlight:
    """A strength or development area: one scale and the others' mean on it."""

    dimension: str
    side: Side
    mean: float


@dataclass(frozen=True)
class ReportedComment:
    """A comment as shown: attributed to a reported group only, never to a rater."""

    group: str
    question: str
    text: str


@dataclass(frozen=True)
class ParticipantScores:
    """All that may be shown about one participant.

    cells: (group key, dimension, side) -> Stat, for visible cells only; group keys are the
    keys of `groups` plus ALL_OTHERS. rwg: same keys, within-group agreement rwg(J), or None.
    """

    participant: str
    groups: tuple[ReportedGroup, ...]
    suppressed: tuple[str, ...]
    cells: dict[tuple[str, str, Side], Stat]
    rwg: dict[tuple[str, str, Side], float | None]
    gaps: tuple[Gap, ...]
    leadership_index: float | None
    management_index: float | None
    quadrant: str | None
    strengths: tuple[Highlight, ...]
    development_areas: tuple[Highlight, ...]
    comments: tuple[ReportedComment, ...]

    def profile(self, group: str = ALL_OTHERS) -> Profile:
        """The participant's profile as seen by one reported group (default: all but self)."""
        dims = tuple(dict.fromkeys(d for (_, d, _) in self.cells))
        scores = {(d, s): st for (g, d, s), st in self.cells.items() if g == group}
        return Profile(
            subject=self.participant, source=f"360:{group}", dimensions=dims, scores=scores
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form; contains nothing a report may not show."""
        cells: dict[str, dict[str, dict[str, Any]]] = {}
        for (g, d, s), st in self.cells.items():
            entry = st.to_dict()
            r = self.rwg.get((g, d, s))
            entry["rwg"] = None if r is None else round(r, 4)
            cells.setdefault(g, {}).setdefault(d, {})[s] = entry
        return {
            "participant": self.participant,
            "groups": [
                {
                    "key": g.key,
                    "label": g.label,
                    "n_raters": g.n_raters,
                    "pooled_from": list(g.pooled_from),
                }
                for g in self.groups
            ],
            "suppressed_groups": list(self.suppressed),
            "scores": cells,
            "gaps": [
                {
                    "dimension": x.dimension,
                    "side": x.side,
                    "self": round(x.self_score, 4),
                    "others": round(x.others_mean, 4),
                    "gap": round(x.gap, 4),
                    "ci_low": None if x.ci_low is None else round(x.ci_low, 4),
                    "ci_high": None if x.ci_high is None else round(x.ci_high, 4),
                    "flag": x.flag,
                }
                for x in self.gaps
            ],
            "leadership_index": None
            if self.leadership_index is None
            else round(self.leadership_index, 2),
            "management_index": None
            if self.management_index is None
            else round(self.management_index, 2),
            "quadrant": self.quadrant,
            "strengths": [
                {"dimension": h.dimension, "side": h.side, "mean": round(h.mean, 4)}
                for h in self.strengths
            ],
            "development_areas": [
                {"dimension": h.dimension, "side": h.side, "mean": round(h.mean, 4)}
                for h in self.development_areas
            ],
            "comments": [
                {"group": c.group, "question": c.question, "text": c.text} for c in self.comments
            ],
        }


@dataclass(frozen=True)
class Reliability:
    """Internal consistency of one scale across the campaign (complete cases only)."""

    dimension: str
    side: Side
    n_items: int
    n_cases: int
    alpha: float | None
    omega: float | None


@dataclass(frozen=True)
class CampaignScores:
    """Scores of a whole campaign: participants in input order plus scale reliability.

    participants is any sequence: score_campaign passes a lazy one that builds each
    ParticipantScores from precomputed arrays on first access (all numbers are computed up front).
    """

    campaign: str
    instrument: str
    thresholds: Thresholds
    participants: Sequence[ParticipantScores]
    reliability: tuple[Reliability, ...]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form of everything; nothing a report may not show."""
        # A sequence that can produce the participants' dicts directly (scoring's lazy one,
        # from its arrays) is asked to; any other sequence goes through ParticipantScores.
        fast = getattr(self.participants, "participant_dicts", None)
        people = fast() if callable(fast) else [p.to_dict() for p in self.participants]
        return {
            "campaign": self.campaign,
            "instrument": self.instrument,
            "thresholds": self.thresholds.to_dict(),
            "participants": people,
            "reliability": [
                {
                    "dimension": r.dimension,
                    "side": r.side,
                    "n_items": r.n_items,
                    "n_cases": r.n_cases,
                    "alpha": None if r.alpha is None else round(r.alpha, 4),
                    "omega": None if r.omega is None else round(r.omega, 4),
                }
                for r in self.reliability
            ],
        }
