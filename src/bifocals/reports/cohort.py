"""The cohort report: the two indices across participants, a heat map, scale reliability.

Built only from what CampaignScores shows (visible ALL_OTHERS cells and indices), never from raw
answers, so no suppressed rater can be recovered by comparing cohort and individual figures.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, TypedDict, Unpack

from markupsafe import Markup

from bifocals.framework.model import SIDES, Framework, Side
from bifocals.instruments.model import Instrument
from bifocals.reports import svg
from bifocals.reports.cohort_charts import heat_map, histograms
from bifocals.reports.render import render, today
from bifocals.reports.since import cohort_since_view
from bifocals.reports.wording import fmt, reliability_sentence, reliability_word
from bifocals.scoring.model import ALL_OTHERS, QUADRANTS, CampaignScores
from bifocals.scoring.retest import ScaleChange

# Heat map rows per chart (a chart never splits across pages) and at most this many rows.
HEAT_CHUNK = 40
MAX_HEAT_ROWS = 400
# Above this many participants the map shows dots without names.
MAX_MAP_LABELS = 30


def _columns(framework: Framework) -> list[tuple[str, str, Side]]:
    return [(d.id, d.side(side).label, side) for side in SIDES for d in framework.dimensions]


def cohort_view(
    scores: CampaignScores,
    framework: Framework,
    instrument: Instrument,
    *,
    names: Mapping[str, str] | None = None,
    generated: str | None = None,
    changes: Mapping[str, Sequence[ScaleChange]] | None = None,
    compared_with: str | None = None,
) -> dict[str, Any]:
    """Everything the cohort template needs (the web pages can reuse it); with changes (per
    participant code, from scoring.retest) the cohort's change since compared_with."""
    names = names or {}
    cols = _columns(framework)
    scale = (instrument.scale.min, instrument.scale.max)
    people = list(scores.participants)
    lead = [p.leadership_index for p in people if p.leadership_index is not None]
    manage = [p.management_index for p in people if p.management_index is not None]
    placed = [
        p for p in people if p.leadership_index is not None and p.management_index is not None
    ]
    labels = len(placed) <= MAX_MAP_LABELS
    # Points carry numbers (names would overlap); the table under the map names them.
    points = [
        svg.MapPoint(
            str(k + 1),
            float(p.leadership_index or 0.0),
            float(p.management_index or 0.0),
            show_label=labels,
        )
        for k, p in enumerate(placed)
    ]
    legend = [
        {
            "number": k + 1,
            "name": names.get(p.participant, p.participant),
            "lead": p.leadership_index,
            "manage": p.management_index,
            "quadrant": p.quadrant,
        }
        for k, p in enumerate(placed)
    ]
    quadrants = {q: sum(1 for p in placed if p.quadrant == q) for q in QUADRANTS}
    rows: list[tuple[str, list[float | None]]] = []
    sums: dict[tuple[str, Side], list[float]] = {(d, s): [] for d, _, s in cols}
    for p in people:
        values: list[float | None] = []
        for d, _, s in cols:
            st = p.cells.get((ALL_OTHERS, d, s))
            values.append(None if st is None else st.mean)
            if st is not None:
                sums[(d, s)].append(st.mean)
        rows.append((names.get(p.participant, p.participant), values))
    shown = rows[:MAX_HEAT_ROWS]
    heat = []
    for k in range(0, len(shown), HEAT_CHUNK):
        title = "Others' average per participant and scale"
        if len(shown) > HEAT_CHUNK:
            title += f" (rows {k + 1} to {min(k + HEAT_CHUNK, len(shown))})"
        chart = heat_map(
            [(label, side) for _, label, side in cols], shown[k : k + HEAT_CHUNK], scale, title
        )
        heat.append(Markup(chart))
    rel = {(r.dimension, r.side): r for r in scores.reliability}
    table = []
    for d, label, s in cols:
        r = rel.get((d, s))
        vals = sums[(d, s)]
        worst = None
        if r is not None:
            known = [x for x in (r.alpha, r.omega) if x is not None]
            worst = min(known) if known else None
        table.append(
            {
                "dimension": framework.dimension(d).name,
                "label": label,
                "side": s,
                "items": None if r is None else r.n_items,
                "cases": None if r is None else r.n_cases,
                "alpha": None if r is None else r.alpha,
                "omega": None if r is None else r.omega,
                "word": reliability_word(worst),
                "sentence": reliability_sentence(
                    None if r is None else r.alpha,
                    None if r is None else r.omega,
                    0 if r is None else r.n_cases,
                ),
                "mean": sum(vals) / len(vals) if vals else None,
                "n": len(vals),
            }
        )
    return {
        "kind": "cohort",
        "title": f"Cohort report: {scores.campaign}",
        "campaign": scores.campaign,
        "generated": generated or today(),
        "instrument": instrument,
        "scale": instrument.scale,
        "thresholds": scores.thresholds,
        "n_participants": len(people),
        "n_placed": len(placed),
        "n_suppressed": sum(1 for p in people if p.suppressed),
        "hist_svg": Markup(histograms(lead, manage)) if placed else None,
        "hist_svg_narrow": Markup(histograms(lead, manage, 360)) if placed else None,
        "map_svg": Markup(
            svg.lm_map(points, "Participants on the leadership x management map", size=460)
        )
        if placed
        else None,
        "map_labels": labels,
        "map_legend": legend if labels else [],
        "quadrants": quadrants,
        "heat": heat,
        "heat_cut": max(0, len(rows) - MAX_HEAT_ROWS),
        "scales": table,
        "lead_mean": sum(lead) / len(lead) if lead else None,
        "manage_mean": sum(manage) / len(manage) if manage else None,
        "since": cohort_since_view(changes, framework, compared_with or "the last campaign")
        if changes is not None
        else None,
        "fmt": fmt,
    }


class CohortOptions(TypedDict, total=False):
    """The keyword options of cohort_view, passed on unchanged by cohort_report_html."""

    names: Mapping[str, str] | None
    generated: str | None
    changes: Mapping[str, Sequence[ScaleChange]] | None
    compared_with: str | None


def cohort_report_html(
    scores: CampaignScores,
    framework: Framework,
    instrument: Instrument,
    **options: Unpack[CohortOptions],
) -> str:
    """The campaign's cohort report as one HTML page (inline SVG, no JavaScript).

    names optionally maps participant codes to display names.
    """
    return render(
        "cohort.html",
        cohort_view(scores, framework, instrument, **options),
    )
