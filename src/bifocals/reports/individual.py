"""The individual 360 report: view model from ParticipantScores, rendered with Jinja.

Everything shown comes from the scores object, which already applied the anonymity rules;
this module only arranges and explains it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypedDict, Unpack

from markupsafe import Markup

from bifocals.framework.model import SIDES, Framework, Side
from bifocals.instruments.model import Instrument
from bifocals.reports import svg
from bifocals.reports.comments import MIN_CONFIDENCE, CommentCode, comment_sections
from bifocals.reports.render import render, today
from bifocals.reports.since import since_view
from bifocals.reports.wording import (
    LARGE_GAP,
    RWG_HIGH,
    RWG_MODERATE,
    agreement_sentence,
    agreement_word,
    explain_gap,
    fmt,
    index_sentence,
    others_are,
)
from bifocals.scoring.model import (
    ALL_OTHERS,
    GROUP_LABELS,
    CampaignScores,
    Highlight,
    ParticipantScores,
)
from bifocals.scoring.retest import ScaleChange


@dataclass(frozen=True)
class Scale:
    """A dimension x side as named in a report."""

    dimension: str
    side: Side
    name: str
    label: str
    description: str


def scale_of(framework: Framework, dimension: str, side: Side) -> Scale:
    """Names and description of one scale, for headings and lists."""
    d = framework.dimension(dimension)
    spec = d.side(side)
    return Scale(dimension, side, d.name, spec.label, spec.description)


def find_participant(scores: CampaignScores, participant: str) -> ParticipantScores:
    """The participant's scores by name; KeyError names a few known participants."""
    for p in scores.participants:
        if p.participant == participant:
            return p
    known = ", ".join(p.participant for p in scores.participants[:5])
    raise KeyError(f"no participant {participant!r} in campaign {scores.campaign!r}; e.g. {known}")


def _and(words: list[str]) -> str:
    """'a', 'a and b', 'a, b and c'."""
    if len(words) < 2:
        return "".join(words)
    return ", ".join(words[:-1]) + " and " + words[-1]


def _point(ps: ParticipantScores, key: str, label: str, dim: str, side: Side) -> svg.Point:
    st = ps.cells.get((key, dim, side))
    if st is None:
        return svg.Point(label, None, None, None, 0, None, key == "self", key == ALL_OTHERS)
    return svg.Point(
        label=label,
        mean=st.mean,
        low=st.ci_low,
        high=st.ci_high,
        n=st.n,
        agreement=agreement_word(ps.rwg.get((key, dim, side))),
        is_self=key == "self",
        is_total=key == ALL_OTHERS,
    )


def _dimension_blocks(
    ps: ParticipantScores, framework: Framework, instrument: Instrument
) -> list[dict[str, Any]]:
    keys = [(g.key, g.label) for g in ps.groups]
    keys.append((ALL_OTHERS, GROUP_LABELS[ALL_OTHERS]))
    scale = (instrument.scale.min, instrument.scale.max)
    blocks = []
    for d in framework.dimensions:
        rows = [
            (_point(ps, k, label, d.id, "leadership"), _point(ps, k, label, d.id, "management"))
            for k, label in keys
        ]
        # High agreement is the unremarkable case; say something only when it is not.
        notes = []
        for side in SIDES:
            st = ps.cells.get((ALL_OTHERS, d.id, side))
            word = agreement_word(ps.rwg.get((ALL_OTHERS, d.id, side)))
            if st is not None and word in ("moderate", "low"):
                label = d.side(side).label
                notes.append(f"{label} ({side}): {agreement_sentence(word, st.n)}.")
        names = (d.leadership.label, d.management.label)
        chart = svg.dimension_chart(d.name, names, rows, scale)
        narrow = svg.dimension_chart(d.name, names, rows, scale, 360, stacked=True)
        blocks.append(
            {
                "dimension": d,
                "svg": Markup(chart),
                "svg_narrow": Markup(narrow),
                "notes": notes,
            }
        )
    return blocks


def _gaps(ps: ParticipantScores, framework: Framework) -> dict[str, Any]:
    explained: list[dict[str, Any]] = []
    rows: list[svg.GapRow] = []
    in_line = 0
    for g in ps.gaps:
        sc = scale_of(framework, g.dimension, g.side)
        st = ps.cells.get((ALL_OTHERS, g.dimension, g.side))
        n_others = 0 if st is None else st.n
        text = explain_gap(g, n_others)
        rows.append(
            svg.GapRow(
                label=f"{sc.name}: {sc.label}",
                side=g.side,
                gap=g.gap,
                low=g.ci_low,
                high=g.ci_high,
                flagged=g.flag is not None,
            )
        )
        if text.verdict == "in_line":
            in_line += 1
            continue
        explained.append({"scale": sc, "gap": g, "text": text})
    order = {"blind_spot": 0, "hidden_strength": 1, "not_enough_evidence": 2}
    explained.sort(key=lambda e: (order[e["text"].verdict], -abs(e["gap"].gap)))
    return {
        "svg": Markup(svg.gap_chart(rows)) if rows else None,
        "svg_narrow": Markup(svg.gap_chart(rows, 360, stacked=True)) if rows else None,
        "blind_spots": [e for e in explained if e["gap"].flag == "blind_spot"],
        "hidden_strengths": [e for e in explained if e["gap"].flag == "hidden_strength"],
        "unclear": [e for e in explained if e["gap"].flag is None],
        "in_line": in_line,
        "total": len(ps.gaps),
    }


def _highlights(items: tuple[Highlight, ...], framework: Framework) -> list[dict[str, Any]]:
    return [{"scale": scale_of(framework, h.dimension, h.side), "mean": h.mean} for h in items]


def _self_index(ps: ParticipantScores, instrument: Instrument, side: Side) -> float | None:
    """The self-rating on the index's 0-100 range, over the scales others also rated."""
    lo, hi = instrument.scale.min, instrument.scale.max
    vals = [
        st.mean
        for (g, d, s), st in ps.cells.items()
        if g == "self" and s == side and (ALL_OTHERS, d, side) in ps.cells
    ]
    if not vals:
        return None
    return 100.0 * (sum(vals) / len(vals) - lo) / (hi - lo)


def _others(ps: ParticipantScores) -> str | None:
    """Who "others" are when just one group besides self is shown ("your manager only")."""
    return others_are([(g.key, g.pooled_from) for g in ps.groups if g.key != "self"])


def _map(ps: ParticipantScores, instrument: Instrument) -> Markup | None:
    if ps.leadership_index is None or ps.management_index is None:
        return None
    points = []
    sl, sm = _self_index(ps, instrument, "leadership"), _self_index(ps, instrument, "management")
    if sl is not None and sm is not None:
        points.append(svg.MapPoint("You (self)", sl, sm, hollow=True))
    others = _others(ps)
    label = "Others" if others is None else f"Others ({others})"
    points.append(svg.MapPoint(label, ps.leadership_index, ps.management_index))
    return Markup(
        svg.lm_map(points, "Where you sit on the leadership x management map", arrow=True)
    )


def individual_view(
    scores: CampaignScores,
    participant: str | ParticipantScores,
    framework: Framework,
    instrument: Instrument,
    *,
    comment_codes: Mapping[str, CommentCode] | None = None,
    generated: str | None = None,
    display_name: str | None = None,
    change: Sequence[ScaleChange] | None = None,
    compared_with: str | None = None,
) -> dict[str, Any]:
    """Everything the individual report template needs (the web pages can reuse it).

    participant is a code (looked up in scores) or the ParticipantScores itself. change (with
    compared_with, the earlier campaign's name) adds the "since last time" section.
    """
    if isinstance(participant, ParticipantScores):
        ps = participant
    else:
        ps = find_participant(scores, participant)
    groups = [
        {
            "label": g.label,
            "n": g.n_raters,
            "from": _and([GROUP_LABELS.get(k, k).lower() for k in g.pooled_from]),
        }
        for g in ps.groups
    ]
    suppressed = [GROUP_LABELS.get(k, k) for k in ps.suppressed]
    sl = _self_index(ps, instrument, "leadership")
    sm = _self_index(ps, instrument, "management")
    return {
        "kind": "individual",
        "title": f"360 report: {display_name or ps.participant}",
        "name": display_name or ps.participant,
        "code": ps.participant,
        "campaign": scores.campaign,
        "generated": generated or today(),
        "groups": groups,
        "suppressed": suppressed,
        "thresholds": scores.thresholds,
        "scale": instrument.scale,
        "instrument": instrument,
        "lead_index": ps.leadership_index,
        "manage_index": ps.management_index,
        "self_lead": sl,
        "self_manage": sm,
        "quadrant": ps.quadrant,
        "index_sentence": index_sentence(ps.leadership_index, ps.management_index, _others(ps)),
        "others_are": _others(ps),
        "map_svg": _map(ps, instrument),
        "dimensions": _dimension_blocks(ps, framework, instrument),
        "gaps": _gaps(ps, framework),
        "strengths": _highlights(ps.strengths, framework),
        "development": _highlights(ps.development_areas, framework),
        "since": since_view(change, framework, compared_with or "the last campaign")
        if change is not None
        else None,
        "comment_sections": comment_sections(ps.comments, framework, instrument, comment_codes),
        "coded": comment_codes is not None,
        "n_comments": len(ps.comments),
        "min_confidence": MIN_CONFIDENCE,
        "rwg_high": RWG_HIGH,
        "rwg_moderate": RWG_MODERATE,
        "large_gap": LARGE_GAP,
        "fmt": fmt,
        "legend": {
            f"{side}{'_self' if hollow else ''}": Markup(svg.legend_marker(side, hollow))
            for side in SIDES
            for hollow in (False, True)
        },
    }


class ReportOptions(TypedDict, total=False):
    """The keyword options of individual_view, passed on unchanged by individual_report_html."""

    comment_codes: Mapping[str, CommentCode] | None
    generated: str | None
    display_name: str | None
    change: Sequence[ScaleChange] | None
    compared_with: str | None


def individual_report_html(
    scores: CampaignScores,
    participant: str | ParticipantScores,
    framework: Framework,
    instrument: Instrument,
    **options: Unpack[ReportOptions],
) -> str:
    """One participant's report as a self-contained HTML page (inline SVG, no JavaScript).

    participant is the participant's code as scored (or its ParticipantScores);
    display_name, when given, is printed instead. comment_codes maps a comment's text to its
    CommentCode (from the text analyzer); with it comments are grouped by dimension and side,
    without it by question.
    generated is the date printed on the cover (default: today).
    """
    return render(
        "individual.html", individual_view(scores, participant, framework, instrument, **options)
    )
