"""ADKAR readiness per stakeholder group, with the barrier point and the 360's anonymity rule.

Barrier point: the FIRST element in ADKAR order whose mean is at or below the threshold (3 on the
1-5 scale), not the lowest one: people cannot want a change they are unaware of, so a later low
score is a consequence, not the place to start. A group is shown only with at least
`min_respondents` answers; smaller groups are pooled together, and dropped entirely (from every
figure, the overall one included) when even the pool is too small. The same rule holds per
element: when fewer than `min_respondents` people in a shown row answered one element (the others
chose "Not sure"), that element's mean is withheld, since it would rest on one or two people.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from bifocals.change.checks import Finding
from bifocals.change.model import ADKAR, ADKAR_LABELS, AdkarResponse, Initiative, StakeholderGroup

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


def readiness(
    responses: Sequence[AdkarResponse],
    groups: Sequence[StakeholderGroup],
    min_respondents: int = 3,
    threshold: float = 3.0,
) -> Readiness:
    """Group means, barrier points and the heat map, after the anonymity rule."""
    mat = np.array(
        [
            [np.nan if r.scores.get(e) is None else float(r.scores[e] or 0) for e in ADKAR]
            for r in responses
        ],
        dtype=np.float64,
    ).reshape(len(responses), len(ADKAR))
    order = [g.id for g in groups] + sorted({r.group for r in responses} - {g.id for g in groups})
    names = {g.id: g.name for g in groups}
    idx = np.array([order.index(r.group) for r in responses], dtype=np.int64)
    counts = (
        np.bincount(idx, minlength=len(order))
        if len(responses)
        else np.zeros(len(order), dtype=np.int64)
    )
    rows: list[ReadinessRow] = []
    shown_mask = np.zeros(len(responses), dtype=bool)
    small: list[int] = []
    for k, gid in enumerate(order):
        if counts[k] >= min_respondents:
            sel = idx == k
            shown_mask |= sel
            said = sorted(
                (c for r in responses if r.group == gid and (c := r.comment.strip())),
                key=lambda c: (c.casefold(), c),
            )
            rows.append(
                _row(
                    gid, names.get(gid, gid), mat[sel], threshold, min_respondents, (), tuple(said)
                )
            )
        elif counts[k] > 0:
            small.append(k)
    suppressed: tuple[str, ...] = ()
    if small:
        sel = np.isin(idx, small)
        pooled_ids = tuple(order[k] for k in small)
        if int(sel.sum()) >= min_respondents and len(small) >= 2:
            shown_mask |= sel
            rows.append(
                _row(
                    POOLED,
                    "Smaller groups (pooled)",
                    mat[sel],
                    threshold,
                    min_respondents,
                    pooled_ids,
                )
            )
        else:
            suppressed = tuple(names.get(g, g) for g in pooled_ids)
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
    no_answers = tuple(names[g.id] for k, g in enumerate(groups) if counts[k] == 0)
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
                f"{len(rd.suppressed_groups)} group(s) had fewer than {rd.min_respondents} "
                "answers and are left out of every figure to protect anonymity.",
                "Collect more answers from these groups.",
            )
        )
    return found
