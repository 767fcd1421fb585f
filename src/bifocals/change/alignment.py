"""The angle between where leaders point and where the effort goes (seed 003), per period.

Leadership vector l: theme weights normalised to sum 1. Management vector m_p: effort in period p
spread over themes by each task's theme shares. cos = l.m / (|l| |m|), angle = arccos(cos) in
degrees. Everything is one matrix product, so 10,000 tasks x 50 themes x 24 periods is instant.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from bifocals.change.checks import Finding
from bifocals.change.model import Initiative
from bifocals.plural import count, verb

Array = npt.NDArray[np.float64]

# Bands for the angle (degrees); a project convention, documented in docs/change.md.
ALIGNED_MAX = 20.0
PARTLY_MAX = 45.0
# Slope of the angle (degrees per period) beyond which the trend is called a drift.
TREND_SLOPE = 2.0
# Share of a period's effort on no theme above which it is a warning, not a note.
UNTAGGED_WARN = 0.10


def band(angle: float | None) -> str:
    """'aligned', 'partly aligned', 'misaligned' or 'no effort' for an angle in degrees."""
    if angle is None:
        return "no effort"
    if angle <= ALIGNED_MAX:
        return "aligned"
    if angle <= PARTLY_MAX:
        return "partly aligned"
    return "misaligned"


@dataclass(frozen=True)
class Alignment:
    """Alignment of one initiative over its periods; arrays are indexed [theme, period]."""

    theme_ids: tuple[str, ...]
    theme_names: tuple[str, ...]
    periods: tuple[str, ...]
    leadership: Array  # (K,) weights normalised to sum 1
    effort: Array  # (K, P) effort per theme and period
    total: Array  # (P,) all effort per period
    untagged: Array  # (P,) effort on tasks with no theme
    cosine: Array  # (P,) NaN where a period has no tagged effort
    angle: Array  # (P,) degrees, NaN where undefined
    overall_cosine: float | None
    overall_angle: float | None
    slope: float | None  # degrees per period (least squares), None with < 2 periods

    @property
    def trend(self) -> str:
        """'converging', 'steady', 'drifting' or 'unknown' from the slope of the angle."""
        if self.slope is None:
            return "unknown"
        if self.slope > TREND_SLOPE:
            return "drifting"
        if self.slope < -TREND_SLOPE:
            return "converging"
        return "steady"

    def management(self, p: int) -> Array:
        """Effort share per theme in period p (of the tagged effort; zeros when none)."""
        col = self.effort[:, p]
        s = float(col.sum())
        return col / s if s > 0 else np.zeros_like(col)

    def unfunded(self, p: int) -> list[str]:
        """Theme ids with weight and no effort in period p: direction without execution."""
        return [
            t
            for t, w, e in zip(self.theme_ids, self.leadership, self.effort[:, p], strict=True)
            if w > 0 and e <= 0
        ]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form: per period cosine, angle, band, shares, unfunded themes."""

        def num(x: float) -> float | None:
            return None if not np.isfinite(x) else round(float(x), 4)

        periods = []
        for p, name in enumerate(self.periods):
            m = self.management(p)
            tot = float(self.total[p])
            periods.append(
                {
                    "period": name,
                    "total_effort": round(tot, 2),
                    "untagged_effort": round(float(self.untagged[p]), 2),
                    "untagged_share": round(float(self.untagged[p]) / tot, 4) if tot else 0.0,
                    "cosine": num(self.cosine[p]),
                    "angle_deg": num(self.angle[p]),
                    "band": band(num(self.angle[p])),
                    "management": {
                        t: round(float(v), 4) for t, v in zip(self.theme_ids, m, strict=True)
                    },
                    "direction_without_execution": self.unfunded(p),
                }
            )
        return {
            "themes": [
                {"id": t, "name": n, "weight": round(float(w), 4)}
                for t, n, w in zip(self.theme_ids, self.theme_names, self.leadership, strict=True)
            ],
            "periods": periods,
            "overall": {
                "cosine": None if self.overall_cosine is None else round(self.overall_cosine, 4),
                "angle_deg": None if self.overall_angle is None else round(self.overall_angle, 2),
                "band": band(self.overall_angle),
            },
            "trend": {
                "slope_deg_per_period": None if self.slope is None else round(self.slope, 3),
                "direction": self.trend,
            },
        }


def _cos_angle(lead: Array, mat: Array) -> tuple[Array, Array]:
    """Cosine and angle (degrees) between lead (K,) and each column of mat (K, P)."""
    norms = np.linalg.norm(mat, axis=0) * float(np.linalg.norm(lead))
    dots = lead @ mat
    with np.errstate(invalid="ignore", divide="ignore"):
        cos = np.where(norms > 0, dots / np.where(norms > 0, norms, 1.0), np.nan)
    angle = np.degrees(np.arccos(np.clip(cos, -1.0, 1.0)))
    return cos, angle


def align_arrays(
    weights: Array,
    shares: Array,
    effort: Array,
    theme_ids: tuple[str, ...],
    theme_names: tuple[str, ...],
    periods: tuple[str, ...],
) -> Alignment:
    """Alignment from arrays: weights (K,), task theme shares (T, K), task effort (T, P)."""
    lead = weights / weights.sum() if weights.sum() > 0 else weights
    by_theme = shares.T @ effort  # (K, P)
    tagged = shares.sum(axis=1) > 0
    untagged = effort[~tagged].sum(axis=0) if effort.size else np.zeros(len(periods))
    total = effort.sum(axis=0) if effort.size else np.zeros(len(periods))
    cos, angle = _cos_angle(lead, by_theme)
    ocos, oang = _cos_angle(lead, by_theme.sum(axis=1, keepdims=True))
    ok = np.isfinite(angle)
    slope: float | None = None
    if int(ok.sum()) >= 2:
        x = np.arange(len(periods), dtype=np.float64)[ok]
        slope = float(np.polyfit(x, angle[ok], 1)[0])
    return Alignment(
        theme_ids,
        theme_names,
        periods,
        lead,
        by_theme,
        total,
        untagged,
        cos,
        angle,
        float(ocos[0]) if np.isfinite(ocos[0]) else None,
        float(oang[0]) if np.isfinite(oang[0]) else None,
        slope,
    )


def task_arrays(ini: Initiative) -> tuple[Array, Array]:
    """(shares (T, K), effort (T, P)) for the initiative's tasks; unconfirmed proposals count."""
    index = {t.id: k for k, t in enumerate(ini.themes)}
    n_t, n_k, n_p = len(ini.tasks), len(ini.themes), len(ini.periods)
    shares = np.zeros((n_t, n_k))
    rows: list[int] = []
    cols: list[int] = []
    vals: list[float] = []
    for r, task in enumerate(ini.tasks):
        for theme, share in task.themes.items():
            rows.append(r)
            cols.append(index[theme])
            vals.append(share)
    if ini.proposals:
        task_row = {t.id: r for r, t in enumerate(ini.tasks)}
        by_task: dict[str, list[tuple[str, float]]] = {}
        for prop in ini.proposals:
            by_task.setdefault(prop.task, []).append((prop.theme, prop.confidence))
        for task_id, props in by_task.items():
            total = sum(c for _, c in props) or 1.0
            for theme, conf in props:
                rows.append(task_row[task_id])
                cols.append(index[theme])
                vals.append(conf / total)
    np.add.at(shares, (np.array(rows, dtype=np.int64), np.array(cols, dtype=np.int64)), vals)
    effort = np.array([t.effort for t in ini.tasks], dtype=np.float64).reshape(n_t, n_p)
    return shares, effort


def alignment(ini: Initiative) -> Alignment:
    """Alignment of an initiative over all its periods."""
    shares, effort = task_arrays(ini)
    weights = np.array([t.weight for t in ini.themes], dtype=np.float64)
    return align_arrays(
        weights,
        shares,
        effort,
        tuple(t.id for t in ini.themes),
        tuple(t.name for t in ini.themes),
        ini.periods,
    )


def alignment_findings(al: Alignment, ini: Initiative) -> list[Finding]:
    """Drift, direction without execution, execution without direction, unconfirmed tags."""
    found: list[Finding] = []
    names = dict(zip(al.theme_ids, al.theme_names, strict=True))
    for p, period in enumerate(al.periods):
        a = al.angle[p]
        if np.isfinite(a) and a > PARTLY_MAX:
            found.append(
                Finding(
                    "alignment_drift",
                    "warning",
                    period,
                    f"In {period} the effort points {a:.0f} degrees away from where leaders "
                    "point: management and leadership weaken each other.",
                    "Compare the effort shares with the theme weights for this period; either "
                    "move effort or change the weights openly.",
                )
            )
    if al.trend == "drifting":
        found.append(
            Finding(
                "alignment_trend",
                "warning",
                "trend",
                f"The angle grows by about {al.slope:.1f} degrees per period.",
                "Review the themes losing effort before the gap becomes the plan.",
            )
        )
    if al.periods:
        last = len(al.periods) - 1
        gaps = al.unfunded(last)
        if gaps:
            listed = ", ".join(names[t] for t in gaps)
            found.append(
                Finding(
                    "direction_without_execution",
                    "warning",
                    al.periods[last],
                    f"Direction without execution in {al.periods[last]}: {listed} "
                    "carry weight but got no effort.",
                    "Fund these themes with tasks, or lower their weight if they no longer matter.",
                )
            )
        for p, period in enumerate(al.periods):
            tot = float(al.total[p])
            share = float(al.untagged[p]) / tot if tot else 0.0
            if share > 0:
                found.append(
                    Finding(
                        "execution_without_direction",
                        "warning" if share > UNTAGGED_WARN else "info",
                        period,
                        f"Execution without direction in {period}: {share:.0%} of the effort "
                        "is on tasks tied to no theme.",
                        "Tie these tasks to a theme, or ask why the work is done.",
                    )
                )
    pending = {p.task for p in ini.proposals if not p.confirmed}
    waiting = [t.id for t in ini.tasks if t.auto and t.id not in pending and not t.themes]
    if pending:
        found.append(_unconfirmed(ini, pending))
    if waiting:
        found.append(
            Finding(
                "themes_auto_pending",
                "info",
                count(len(waiting), "task"),
                f"{count(len(waiting), 'task')} {verb(len(waiting), 'asks', 'ask')} for "
                "`themes: auto` but no text analyzer was available to propose themes; "
                f"{verb(len(waiting), 'it counts', 'they count')} as untagged.",
                "Install the text analyzer, or tag these tasks by hand.",
            )
        )
    return found


def _unconfirmed(ini: Initiative, pending: set[str]) -> Finding:
    """The finding on tasks the analyzer tagged: where to confirm them depends on where they
    came from (the initiative file's tasks, or the items of an effort import)."""
    origins = {t.id: t.origin for t in ini.tasks if t.origin}
    items = sorted(t for t in pending if t in origins)
    imports = ", ".join(sorted({origins[t] for t in items}))
    n_file, n_items = len(pending) - len(items), len(items)
    what = " and ".join(
        part
        for part in (
            count(n_file, "task") if n_file else "",
            f"{count(n_items, 'imported item')} ({imports})" if n_items else "",
        )
        if part
    )
    fix_file = "the tasks' themes in the initiative file, then import that file again"
    fix_items = (
        "the items' themes under `items:` in the import's mapping file (item key: theme ids), "
        "then import the export again with it"
    )
    fix = f"{fix_file}; {fix_items}" if n_file and n_items else (fix_file if n_file else fix_items)
    return Finding(
        "themes_unconfirmed",
        "info",
        what,
        f"{what} {verb(len(pending))} tagged by the text analyzer's proposals, not yet "
        "confirmed by a person.",
        f"Confirm or correct the proposed themes: {fix}.",
    )
