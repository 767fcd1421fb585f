"""ADKAR readiness per stakeholder group, with the barrier point and the 360's anonymity rule.

Barrier point: the FIRST element in ADKAR order whose mean is at or below the threshold (3 on the
1-5 scale), not the lowest one: people cannot want a change they are unaware of, so a later low
score is a consequence, not the place to start.

Anonymity (bifocals.anonymity, the rule the 360 uses too): a group is shown only with at least
`min_respondents` respondents who count, i.e. who scored at least one element (five "Not sure"
make no respondent); smaller groups are pooled together (two groups at least), and dropped
entirely (from every figure, the overall one included) when even the pool is too small. The
same rule holds per element: when fewer than `min_respondents` people in a shown row answered
one element (the others chose "Not sure"), that element's mean is withheld, since it would rest
on one or two people.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from bifocals.anonymity import count_by_key, counted, decide_groups
from bifocals.change.checks import Finding
from bifocals.change.model import ADKAR, ADKAR_LABELS, AdkarResponse, Initiative, StakeholderGroup
from bifocals.plural import count, verb

POOLED = "pooled"
OVERALL = "overall"


def barrier_point(means: Sequence[float | None], threshold: float = 3.0) -> str | None:
    """The first ADKAR element (in order) with a score <= threshold, or None when all are above.

    Elements without a mean (None or NaN: nobody, or too few people, answered them) are skipped.
    """
    for element, m in zip(ADKAR, means, strict=True):
        if m is not None and np.isfinite(m) and m <= threshold:
            return element
    return None


@dataclass(frozen=True)
class ReadinessRow:
    """One row of the heat map: a shown group, the pool of small groups, or everyone shown."""

    key: str
    label: str
    n: int
    means: tuple[float | None, ...]  # in ADKAR order; None: too few answered that element
    barrier: str | None
    # Share of respondents whose own barrier point is each element (ADKAR order), then "none".
    distribution: tuple[float, ...]
    pooled_from: tuple[str, ...] = ()
    # Comments of a group shown on its own, in alphabetical order (never in answer order, never
    # with a name); the pooled and overall rows carry none.
    comments: tuple[str, ...] = ()
    # How many people in the row answered each element (ADKAR order), "Not sure" left out;
    # None where the element is withheld (its count is not shown either).
    answered: tuple[int | None, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "key": self.key,
            "label": self.label,
            "n": self.n,
            "means": {
                e: (None if m is None else round(m, 3))
                for e, m in zip(ADKAR, self.means, strict=True)
            },
            "answered": dict(zip(ADKAR, self.answered, strict=True)),
            "barrier_point": self.barrier,
            "barrier_distribution": {
                k: round(v, 3) for k, v in zip((*ADKAR, "none"), self.distribution, strict=True)
            },
            "pooled_from": list(self.pooled_from),
            "comments": list(self.comments),
        }


@dataclass(frozen=True)
class Readiness:
    """The readiness heat map: shown rows, how many groups were suppressed, the rule used."""

    rows: tuple[ReadinessRow, ...]
    suppressed_groups: tuple[str, ...]
    no_answers: tuple[str, ...]
    min_respondents: int
    threshold: float

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form; suppressed groups are named but carry no numbers."""
        return {
            "elements": list(ADKAR),
            "min_respondents": self.min_respondents,
            "barrier_threshold": self.threshold,
            "rows": [r.to_dict() for r in self.rows],
            "suppressed_groups": list(self.suppressed_groups),
            "groups_without_answers": list(self.no_answers),
        }


def _row(
    key: str,
    label: str,
    mat: npt.NDArray[np.float64],
    threshold: float,
    min_answers: int,
    pooled: tuple[str, ...] = (),
    comments: tuple[str, ...] = (),
    forced: npt.NDArray[np.bool_] | None = None,
) -> ReadinessRow:
    """One heat-map row. An element is withheld when fewer than min_answers answered it, or when
    `forced` says so (the overall row withholds what any row inside it withholds: otherwise
    subtracting the shown rows from it would give the withheld cell back). A withheld element
    has no mean, no count, and plays no part in the barrier point or its distribution."""
    answered = np.isfinite(mat)
    counts = answered.sum(axis=0)
    sums = np.where(answered, mat, 0.0).sum(axis=0)
    withheld = counts < max(min_answers, 1)
    if forced is not None:
        withheld = withheld | forced
    means = tuple(
        None if w else float(s / c) for s, c, w in zip(sums, counts, withheld, strict=True)
    )
    low = answered & (mat <= threshold) & ~withheld[np.newaxis, :]
    has_low = low.any(axis=1)
    first = np.where(has_low, low.argmax(axis=1), len(ADKAR))
    dist = np.bincount(first, minlength=len(ADKAR) + 1) / max(mat.shape[0], 1)
    return ReadinessRow(
        key,
        label,
        int(mat.shape[0]),
        means,
        barrier_point(means, threshold),
        tuple(float(d) for d in dist),
        pooled,
        comments,
        tuple(None if w else int(c) for c, w in zip(counts, withheld, strict=True)),
    )


@dataclass(frozen=True)
class _Groups:
    """The anonymity rule applied to a set of answers (bifocals.anonymity, as in the 360)."""

    order: list[str]  # group ids: the document's, then any other group that has answers
    idx: npt.NDArray[np.int64]  # per answer, its group's place in order
    counts: npt.NDArray[np.bool_]  # per answer, whether it counts (one score given at least)
    alone: npt.NDArray[np.bool_]  # per group in order
    pooled: npt.NDArray[np.bool_]
    suppressed: npt.NDArray[np.bool_]
    present: npt.NDArray[np.bool_]


def _score_matrix(responses: Sequence[AdkarResponse]) -> npt.NDArray[np.float64]:
    """Answers x ADKAR elements; NaN where the element was not answered ("Not sure", blank)."""
    return np.array(
        [
            [np.nan if r.scores.get(e) is None else float(r.scores[e] or 0) for e in ADKAR]
            for r in responses
        ],
        dtype=np.float64,
    ).reshape(len(responses), len(ADKAR))


def _groups(
    responses: Sequence[AdkarResponse],
    groups: Sequence[StakeholderGroup],
    mat: npt.NDArray[np.float64],
    min_respondents: int,
) -> _Groups:
    order = [g.id for g in groups] + sorted({r.group for r in responses} - {g.id for g in groups})
    idx = np.array([order.index(r.group) for r in responses], dtype=np.int64)
    counts = counted(np.isfinite(mat))
    present = np.bincount(idx, minlength=len(order)) > 0
    rule = decide_groups(
        count_by_key(idx, counts, len(order))[np.newaxis, :],
        present[np.newaxis, :],
        np.full(len(order), min_respondents, dtype=np.int64),
        min_respondents,
    )
    return _Groups(order, idx, counts, rule.alone[0], rule.pooled[0], rule.suppressed[0], present)


def pooling(
    responses: Sequence[AdkarResponse],
    groups: Sequence[StakeholderGroup],
    min_respondents: int,
) -> dict[str, str]:
    """Group id -> "alone", "pooled" or "suppressed", for every group that has answers: which
    answers the readiness figures put together. Two imports of an initiative whose pooling and
    min_respondents agree show the same figures from the same answers."""
    g = _groups(responses, groups, _score_matrix(responses), min_respondents)
    out: dict[str, str] = {}
    for k, gid in enumerate(g.order):
        if g.alone[k]:
            out[gid] = "alone"
        elif g.pooled[k]:
            out[gid] = "pooled"
        elif g.suppressed[k]:
            out[gid] = "suppressed"
    return out


def readiness(
    responses: Sequence[AdkarResponse],
    groups: Sequence[StakeholderGroup],
    min_respondents: int = 3,
    threshold: float = 3.0,
) -> Readiness:
    """Group means, barrier points and the heat map, after the anonymity rule.

    Only answers that count (at least one element scored) make up a row: its n, its means and
    its barrier distribution. The comments of a group shown alone are all of its answers'.
    """
    mat = _score_matrix(responses)
    g = _groups(responses, groups, mat, min_respondents)
    names = {s.id: s.name for s in groups}
    rows: list[ReadinessRow] = []
    shown_mask = np.zeros(len(responses), dtype=bool)
    for k in np.flatnonzero(g.alone):
        gid = g.order[k]
        sel = g.idx == k
        shown_mask |= sel & g.counts
        said = sorted(
            (c for r in responses if r.group == gid and (c := r.comment.strip())),
            key=lambda c: (c.casefold(), c),
        )
        rows.append(
            _row(
                gid,
                names.get(gid, gid),
                mat[sel & g.counts],
                threshold,
                min_respondents,
                (),
                tuple(said),
            )
        )
    if g.pooled.any():
        pooled_at = np.flatnonzero(g.pooled)
        sel = np.isin(g.idx, pooled_at) & g.counts
        shown_mask |= sel
        rows.append(
            _row(
                POOLED,
                "Smaller groups (pooled)",
                mat[sel],
                threshold,
                min_respondents,
                tuple(g.order[k] for k in pooled_at),
            )
        )
    suppressed = tuple(names.get(g.order[k], g.order[k]) for k in np.flatnonzero(g.suppressed))
    if rows and shown_mask.any():
        inside = np.array([any(r.means[j] is None for r in rows) for j in range(len(ADKAR))])
        rows.append(
            _row(
                OVERALL,
                "All shown respondents",
                mat[shown_mask],
                threshold,
                min_respondents,
                forced=inside,
            )
        )
    no_answers = tuple(s.name for k, s in enumerate(groups) if not g.present[k])
    return Readiness(tuple(rows), suppressed, no_answers, min_respondents, threshold)


def initiative_readiness(ini: Initiative) -> Readiness:
    """Readiness of an initiative with its own anonymity threshold and barrier threshold."""
    return readiness(
        ini.readiness, ini.stakeholder_groups, ini.min_respondents, ini.barrier_threshold
    )


def readiness_findings(rd: Readiness, ini: Initiative) -> list[Finding]:
    """Barrier points to work on, high-impact groups with no readiness data, log mismatches."""
    found: list[Finding] = []
    logged = {(e.group, e.barrier_point) for e in ini.resistance}
    logged_groups = {e.group for e in ini.resistance}
    for row in rd.rows:
        if row.key in (POOLED, OVERALL) or row.barrier is None:
            continue
        label = ADKAR_LABELS[row.barrier]
        found.append(
            Finding(
                "adkar_barrier",
                "warning",
                row.label,
                f"{row.label}: the barrier point is {label} (the first ADKAR element at or "
                f"below {rd.threshold:g}).",
                f"Work on {label} first; later elements cannot hold until it does.",
            )
        )
        if row.key not in logged_groups:
            found.append(
                Finding(
                    "resistance_not_logged",
                    "info",
                    row.label,
                    f"{row.label} has a barrier point ({label}) but no entry in the resistance "
                    "log.",
                    "Log what you observe, its root cause, the response and an owner.",
                )
            )
        elif (row.key, row.barrier) not in logged:
            found.append(
                Finding(
                    "resistance_barrier_mismatch",
                    "info",
                    row.label,
                    f"The resistance log for {row.label} names a different barrier point than "
                    f"the survey ({label}).",
                    "Check whether the response in the log addresses the measured barrier.",
                )
            )
    missing_action = {
        "collecting": "The web readiness survey's answers are left out while it takes answers: "
        "send this group links if it has none, and close the survey on the initiative's "
        "dashboard to see the results.",
        "held": "The web readiness survey is closed: choose 'Show the results' on the "
        "initiative's dashboard.",
    }.get(
        ini.web_survey,
        "Send this group the ADKAR readiness survey (links on the initiative's dashboard).",
    )
    for g in ini.stakeholder_groups:
        if g.max_impact >= 3 and g.name in rd.no_answers:
            found.append(
                Finding(
                    "readiness_missing",
                    "warning",
                    g.name,
                    f"{g.name} is highly affected (impact {g.max_impact} of 4) but has no "
                    "readiness answers"
                    + (" shown yet." if ini.web_survey in ("collecting", "held") else "."),
                    missing_action,
                )
            )
    if rd.suppressed_groups:
        found.append(
            Finding(
                "readiness_suppressed",
                "info",
                ", ".join(rd.suppressed_groups),
                f"{count(len(rd.suppressed_groups), 'group')} had fewer than {rd.min_respondents} "
                f"answers and {verb(len(rd.suppressed_groups))} left out of every figure to "
                "protect anonymity.",
                "Collect more answers from these groups.",
            )
        )
    return found
