"""The "since last time" parts of the reports: a participant's change since the earlier
campaign (others' view, a chart and the reliable changes) and the cohort's change per scale.

Built from scoring.retest output only: cells shown in both waves, nothing else.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from markupsafe import Markup

from bifocals.framework.model import SIDES, Framework, Side
from bifocals.reports import svg
from bifocals.scoring.retest import OTHERS, ScaleChange


def _label(framework: Framework, dimension: str, side: Side) -> tuple[str, str]:
    d = framework.dimension(dimension)
    return d.name, d.side(side).label


def _in_framework_order(framework: Framework) -> list[tuple[str, Side]]:
    return [(d.id, side) for side in SIDES for d in framework.dimensions]


def since_view(
    changes: Sequence[ScaleChange],
    framework: Framework,
    compared_with: str,
    language: str | None = None,
) -> dict[str, Any]:
    """The participant report's section: others' change per scale, with its chart (its words
    in `language`; `framework` already in it)."""
    others = {(c.dimension, c.side): c for c in changes if c.group == OTHERS}
    rows: list[dict[str, Any]] = []
    chart: list[svg.GapRow] = []
    for key in _in_framework_order(framework):
        c = others.get(key)
        if c is None:
            continue
        name, label = _label(framework, c.dimension, c.side)
        rows.append({"name": name, "label": label, "side": c.side, "change": c})
        chart.append(
            svg.GapRow(f"{name}: {label}", c.side, c.difference, c.ci_low, c.ci_high, c.reliable)
        )
    groups = sorted({c.group for c in changes if c.group != OTHERS and c.reliable})
    return {
        "compared_with": compared_with,
        "rows": rows,
        "rises": [r for r in rows if r["change"].reliable and r["change"].difference > 0],
        "falls": [r for r in rows if r["change"].reliable and r["change"].difference < 0],
        "svg": Markup(svg.gap_chart(chart, words=svg.CHANGE_WORDS, language=language))
        if chart
        else None,
        "svg_narrow": Markup(
            svg.gap_chart(chart, 360, stacked=True, words=svg.CHANGE_WORDS, language=language)
        )
        if chart
        else None,
        "groups_with_reliable_change": groups,
    }


def cohort_since_view(
    changes: Mapping[str, Sequence[ScaleChange]], framework: Framework, compared_with: str
) -> dict[str, Any]:
    """The cohort report's section: per scale, how many participants were compared, the
    mean change in others' view and how many rose or fell reliably."""
    table = []
    for dimension, side in _in_framework_order(framework):
        diffs = [
            c
            for cs in changes.values()
            for c in cs
            if c.group == OTHERS and (c.dimension, c.side) == (dimension, side)
        ]
        name, label = _label(framework, dimension, side)
        table.append(
            {
                "name": name,
                "label": label,
                "side": side,
                "n": len(diffs),
                "mean": sum(c.difference for c in diffs) / len(diffs) if diffs else None,
                "up": sum(1 for c in diffs if c.reliable and c.difference > 0),
                "down": sum(1 for c in diffs if c.reliable and c.difference < 0),
            }
        )
    return {
        "compared_with": compared_with,
        "participants": sum(1 for cs in changes.values() if any(c.group == OTHERS for c in cs)),
        "scales": table,
    }
