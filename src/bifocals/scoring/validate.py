"""Checks that scoring inputs fit together, and the scale layout they imply.

Import normally rejects bad data first; these checks make the scoring core safe to call from a
notebook or a test with hand-made arrays: every problem is listed, nothing is scored.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from bifocals.errors import Problem, ValidationError
from bifocals.framework.model import SIDES, Framework, Side
from bifocals.instruments.model import Instrument
from bifocals.scoring.model import GROUPS, CampaignData

MAX_LISTED = 20


@dataclass(frozen=True)
class Layout:
    """Scales in framework order (dimension, then leadership before management) and items."""

    scales: tuple[tuple[str, Side], ...]
    item_scale: npt.NDArray[np.int64]
    reverse: npt.NDArray[np.bool_]


def scale_layout(instrument: Instrument, framework: Framework) -> Layout:
    """The scales that have items, and each item's scale index."""
    used = {(i.dimension, i.side) for i in instrument.items}
    scales = tuple((d, s) for d in framework.dimension_ids for s in SIDES if (d, s) in used)
    pos = {sc: k for k, sc in enumerate(scales)}
    item_scale = np.array([pos[(i.dimension, i.side)] for i in instrument.items], dtype=np.int64)
    reverse = np.array([i.reverse for i in instrument.items], dtype=np.bool_)
    return Layout(scales=scales, item_scale=item_scale, reverse=reverse)


def _instrument_problems(instrument: Instrument, framework: Framework) -> list[Problem]:
    src = f"instrument {instrument.id}"
    out: list[Problem] = []
    known = set(framework.dimension_ids)
    for n, item in enumerate(instrument.items):
        if item.dimension not in known:
            out.append(
                Problem(
                    src,
                    None,
                    f"items[{n}].dimension",
                    item.dimension,
                    f"not a dimension of framework {framework.id!r}; use one of "
                    f"{', '.join(framework.dimension_ids)}",
                )
            )
        if item.side not in SIDES:
            out.append(
                Problem(
                    src, None, f"items[{n}].side", item.side, "use 'leadership' or 'management'"
                )
            )
    if instrument.scale.max <= instrument.scale.min:
        out.append(
            Problem(
                src,
                None,
                "scale",
                (instrument.scale.min, instrument.scale.max),
                "the scale needs max > min (at least two response options)",
            )
        )
    return out


def _data_problems(data: CampaignData, instrument: Instrument) -> list[Problem]:
    src = f"campaign {data.campaign!r}"
    out: list[Problem] = []
    r = data.ratings
    if r.ndim != 2 or r.shape[1] != len(instrument.items):
        return [
            Problem(
                src,
                None,
                "ratings",
                getattr(r, "shape", None),
                f"expected a (raters x {len(instrument.items)}) matrix, one column per "
                f"item of instrument {instrument.id!r}",
            )
        ]
    n_rows = r.shape[0]
    for name, arr in (
        ("rater_participant", data.rater_participant),
        ("rater_group", data.rater_group),
    ):
        if arr.shape != (n_rows,):
            out.append(
                Problem(src, None, name, arr.shape, f"expected one entry per rater ({n_rows})")
            )
    if out:
        return out
    p_bad = np.nonzero(
        (data.rater_participant < 0) | (data.rater_participant >= len(data.participants))
    )[0]
    g_bad = np.nonzero((data.rater_group < 0) | (data.rater_group >= len(GROUPS)))[0]
    for row in p_bad[:MAX_LISTED]:
        out.append(
            Problem(
                src,
                None,
                f"rater_participant[{row}]",
                int(data.rater_participant[row]),
                f"use an index into the {len(data.participants)} participants",
            )
        )
    for row in g_bad[:MAX_LISTED]:
        out.append(
            Problem(
                src,
                None,
                f"rater_group[{row}]",
                int(data.rater_group[row]),
                f"use an index into {', '.join(GROUPS)}",
            )
        )
    lo, hi = instrument.scale.min, instrument.scale.max
    with np.errstate(invalid="ignore"):
        bad = ~np.isnan(r) & ((r < lo) | (r > hi))
    rows, cols = np.nonzero(bad)
    for row, col in zip(rows[:MAX_LISTED], cols[:MAX_LISTED], strict=True):
        out.append(
            Problem(
                src,
                None,
                f"ratings[{row}, {instrument.items[col].id}]",
                float(r[row, col]),
                f"outside the scale {lo}-{hi}; use NaN for 'not observed'",
            )
        )
    if len(rows) > MAX_LISTED:
        out.append(
            Problem(
                src,
                None,
                "ratings",
                f"{len(rows)} values",
                f"{len(rows) - MAX_LISTED} more values outside the scale",
            )
        )
    return out


def _other_problems(data: CampaignData, instrument: Instrument) -> list[Problem]:
    src = f"campaign {data.campaign!r}"
    out: list[Problem] = []
    # Threshold bounds are checked when a Thresholds is made (scoring.model), so none is here.
    questions = set(instrument.question_ids)
    n_rows = data.ratings.shape[0] if data.ratings.ndim == 2 else 0
    for k, c in enumerate(data.comments):
        if not 0 <= c.rater < n_rows:
            out.append(
                Problem(
                    src,
                    None,
                    f"comments[{k}].rater",
                    c.rater,
                    f"use a rater row index below {n_rows}",
                )
            )
        elif int(data.rater_participant[c.rater]) != c.participant:
            out.append(
                Problem(
                    src,
                    None,
                    f"comments[{k}].participant",
                    c.participant,
                    f"rater {c.rater} rates participant "
                    f"{int(data.rater_participant[c.rater])}; make them agree",
                )
            )
        if c.question not in questions:
            out.append(
                Problem(
                    src,
                    None,
                    f"comments[{k}].question",
                    c.question,
                    f"not an open question of {instrument.id!r}; use one of "
                    f"{', '.join(sorted(questions))}",
                )
            )
    return out


def check_inputs(data: CampaignData, instrument: Instrument, framework: Framework) -> Layout:
    """Validate everything scoring relies on; raise ValidationError listing every problem."""
    problems = _instrument_problems(instrument, framework)
    if problems:
        raise ValidationError(problems, "the instrument does not fit the framework")
    problems = _data_problems(data, instrument)
    if not problems:
        problems = _other_problems(data, instrument)
    if problems:
        raise ValidationError(problems, f"campaign {data.campaign!r} cannot be scored")
    return scale_layout(instrument, framework)
