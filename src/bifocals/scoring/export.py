"""JSON-ready dicts of all participants straight from ScoreArrays.

Gives exactly what ParticipantScores.to_dict gives (same keys, order, rounding), without
building the intermediate objects: rounding is vectorized, and a loop over shown cells only
assembles dicts. For 10,000 participants this is several times faster than the object path.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from bifocals.scoring.anonymity import ALL, SELF, UNIT_KEYS
from bifocals.scoring.engine import ScoreArrays
from bifocals.scoring.model import GROUP_LABELS, GROUPS, POOLED, ReportedComment
from bifocals.scoring.participants import FLAG_NAMES, collector_paused, quadrant

FloatArray = npt.NDArray[np.float64]


def round_like_python(x: FloatArray, digits: int) -> FloatArray:
    """round(v, digits) for every element, bit for bit as Python's round does it.

    rint(v * 10^d) / 10^d is exact except when v * 10^d lands within rounding error of a
    half; those few elements are rounded by Python itself.
    """
    scale = 10.0**digits
    y = x * scale
    out = np.rint(y) / scale
    with np.errstate(invalid="ignore"):
        near = np.abs(y - np.floor(y) - 0.5) < 1e-6
    for k in np.flatnonzero(near):
        out.flat[k] = round(float(x.flat[k]), digits)
    return out


def _values(x: FloatArray, digits: int) -> list[Any]:
    """Rounded values as Python floats, NaN as None."""
    r = round_like_python(x, digits).astype(object)
    r[np.isnan(x)] = None
    return list(r.tolist())


def _groups(a: ScoreArrays, i: int) -> tuple[list[dict[str, Any]], list[str]]:
    u = a.units
    out: list[dict[str, Any]] = []
    for g, key in enumerate(GROUPS):
        if u.alone[i, g]:
            out.append(
                {"key": key, "label": GROUP_LABELS[key], "n_raters": int(u.counts[i, g]),
                 "pooled_from": []}
            )  # fmt: skip
    if u.pool_count[i] > 0:
        members = [GROUPS[g] for g in np.nonzero(u.pooled[i])[0]]
        out.append(
            {"key": POOLED, "label": GROUP_LABELS[POOLED], "n_raters": int(u.pool_count[i]),
             "pooled_from": members}
        )  # fmt: skip
    return out, [GROUPS[g] for g in np.nonzero(u.suppressed[i])[0]]


def _cells(a: ScoreArrays) -> list[dict[str, dict[str, dict[str, Any]]]]:
    """scores[group][dimension][side] per participant, cells in (group, scale) order."""
    vis = a.visible
    p_i, u_i, s_i = (v.tolist() for v in np.nonzero(vis))
    cols = [
        _values(a.mean[vis], 4),
        a.n[vis].tolist(),
        _values(a.sd[vis], 4),
        _values(a.ci_low[vis], 4),
        _values(a.ci_high[vis], 4),
        _values(a.rwg[vis], 4),
    ]
    out: list[dict[str, dict[str, dict[str, Any]]]] = [{} for _ in range(vis.shape[0])]
    scales = a.scales
    cur_p, cur_u = -1, -1
    group: dict[str, dict[str, Any]] = {}
    for p, u, s, m, n, sd, lo, hi, r in zip(p_i, u_i, s_i, *cols, strict=True):
        if p != cur_p or u != cur_u:
            group = out[p][UNIT_KEYS[u]] = {}
            cur_p, cur_u = p, u
        dim, side = scales[s]
        entry = {"mean": m, "n": n, "sd": sd, "ci_low": lo, "ci_high": hi, "rwg": r}
        sides = group.get(dim)
        if sides is None:
            group[dim] = {side: entry}
        else:
            sides[side] = entry
    return out


def _gaps(a: ScoreArrays) -> list[list[dict[str, Any]]]:
    has = a.visible[:, SELF, :] & a.visible[:, ALL, :]
    p_i, s_i = (v.tolist() for v in np.nonzero(has))
    cols = [
        _values(a.mean[:, SELF, :][has], 4),
        _values(a.mean[:, ALL, :][has], 4),
        _values(a.gap[has], 4),
        _values(a.gap_low[has], 4),
        _values(a.gap_high[has], 4),
        a.gap_flag[has].tolist(),
    ]
    out: list[list[dict[str, Any]]] = [[] for _ in range(has.shape[0])]
    for p, s, me, ot, g, lo, hi, f in zip(p_i, s_i, *cols, strict=True):
        dim, side = a.scales[s]
        out[p].append(
            {"dimension": dim, "side": side, "self": me, "others": ot, "gap": g,
             "ci_low": lo, "ci_high": hi, "flag": FLAG_NAMES[f]}
        )  # fmt: skip
    return out


def participant_dicts(
    a: ScoreArrays, names: Sequence[str], comments: Sequence[Sequence[ReportedComment]]
) -> list[dict[str, Any]]:
    """Every participant's to_dict() form, in input order."""
    with collector_paused():
        return _participant_dicts(a, names, comments)


def _participant_dicts(
    a: ScoreArrays, names: Sequence[str], comments: Sequence[Sequence[ReportedComment]]
) -> list[dict[str, Any]]:
    cells, gaps = _cells(a), _gaps(a)
    others = round_like_python(a.mean[:, ALL, :], 4).tolist()
    li_r, mi_r = _values(a.leadership_index, 2), _values(a.management_index, 2)
    li, mi = a.leadership_index.tolist(), a.management_index.tolist()
    tops, bottoms = a.strengths.tolist(), a.development.tolist()
    out: list[dict[str, Any]] = []
    for i, name in enumerate(names):
        groups, suppressed = _groups(a, i)
        lead = None if li[i] != li[i] else li[i]
        manage = None if mi[i] != mi[i] else mi[i]
        out.append(
            {
                "participant": name,
                "groups": groups,
                "suppressed_groups": suppressed,
                "scores": cells[i],
                "gaps": gaps[i],
                "leadership_index": li_r[i],
                "management_index": mi_r[i],
                "quadrant": quadrant(lead, manage),
                "strengths": [
                    {"dimension": a.scales[s][0], "side": a.scales[s][1], "mean": others[i][s]}
                    for s in tops[i] if s >= 0
                ],
                "development_areas": [
                    {"dimension": a.scales[s][0], "side": a.scales[s][1], "mean": others[i][s]}
                    for s in bottoms[i] if s >= 0
                ],
                "comments": [
                    {"group": c.group, "question": c.question, "text": c.text}
                    for c in comments[i]
                ],
            }
        )  # fmt: skip
    return out
