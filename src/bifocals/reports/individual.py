"""The individual 360 report: view model from ParticipantScores, rendered with Jinja.

Everything shown comes from the scores object, which already applied the anonymity rules;
this module only arranges and explains it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypedDict, Unpack

from markupsafe import Markup

from bifocals.framework.model import SIDES, Framework, Side
from bifocals.instruments.model import Instrument
from bifocals.instruments.translation import translated, translation_languages
from bifocals.locale import (
    DEFAULT_LANGUAGE,
    format_date,
    gettext_for,
    language_or_default,
    translated_text,
)
from bifocals.locale.names import COMPARISON_NOTES, framework_name, translated_framework
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
from bifocals.scoring.norms import NORM_MINIMUM, Percentile
from bifocals.scoring.retest import ScaleChange
from bifocals.text.guard import check_english


@dataclass(frozen=True)
class Scale:
    """A dimension x side as named in a report."""

    dimension: str
    side: Side
    name: str
    label: str
    description: str


def scale_of(framework: Framework, dimension: str, side: Side, lang: str | None = None) -> Scale:
    """Names and description of one scale, for headings and lists (the dimension's name in
    `lang`; the framework's labels and descriptions are English)."""
    d = framework.dimension(dimension)
    spec = d.side(side)
    return Scale(dimension, side, framework_name(d.name, lang), spec.label, spec.description)


def find_participant(scores: CampaignScores, participant: str) -> ParticipantScores:
    """The participant's scores by name; KeyError names a few known participants."""
    for p in scores.participants:
        if p.participant == participant:
            return p
    known = ", ".join(p.participant for p in scores.participants[:5])
    raise KeyError(f"no participant {participant!r} in campaign {scores.campaign!r}; e.g. {known}")


def _and(words: list[str], lang: str | None = None) -> str:
    """'a', 'a and b', 'a, b and c'."""
    if len(words) < 2:
        return "".join(words)
    return gettext_for(lang)("{first} and {last}").format(
        first=", ".join(words[:-1]), last=words[-1]
    )


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
    ps: ParticipantScores, framework: Framework, instrument: Instrument, lang: str = "en"
) -> list[dict[str, Any]]:
    _ = gettext_for(lang)
    keys = [(g.key, _(g.label)) for g in ps.groups]
    keys.append((ALL_OTHERS, _(GROUP_LABELS[ALL_OTHERS])))
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
                shown = (
                    side if lang == DEFAULT_LANGUAGE else framework_name(side.capitalize(), lang)
                )
                notes.append(f"{label} ({shown}): {agreement_sentence(word, st.n, lang)}.")
        names = (d.leadership.label, d.management.label)
        title = framework_name(d.name, lang)
        chart = svg.dimension_chart(title, names, rows, scale, language=lang)
        narrow = svg.dimension_chart(title, names, rows, scale, 360, stacked=True, language=lang)
        blocks.append(
            {
                "dimension": d,
                "name": title,
                "svg": Markup(chart),
                "svg_narrow": Markup(narrow),
                "notes": notes,
            }
        )
    return blocks


def _gaps(ps: ParticipantScores, framework: Framework, lang: str = "en") -> dict[str, Any]:
    explained: list[dict[str, Any]] = []
    rows: list[svg.GapRow] = []
    in_line = 0
    for g in ps.gaps:
        sc = scale_of(framework, g.dimension, g.side, lang)
        st = ps.cells.get((ALL_OTHERS, g.dimension, g.side))
        n_others = 0 if st is None else st.n
        text = explain_gap(g, n_others, lang)
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
        "svg": Markup(svg.gap_chart(rows, language=lang)) if rows else None,
        "svg_narrow": Markup(svg.gap_chart(rows, 360, stacked=True, language=lang))
        if rows
        else None,
        "blind_spots": [e for e in explained if e["gap"].flag == "blind_spot"],
        "hidden_strengths": [e for e in explained if e["gap"].flag == "hidden_strength"],
        "unclear": [e for e in explained if e["gap"].flag is None],
        "in_line": in_line,
        "total": len(ps.gaps),
    }


def _highlights(
    items: tuple[Highlight, ...], framework: Framework, lang: str = "en"
) -> list[dict[str, Any]]:
    return [
        {"scale": scale_of(framework, h.dimension, h.side, lang), "mean": h.mean} for h in items
    ]


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


def _others(ps: ParticipantScores, lang: str | None = None) -> str | None:
    """Who "others" are when just one group besides self is shown ("your manager only")."""
    return others_are([(g.key, g.pooled_from) for g in ps.groups if g.key != "self"], lang)


def _map(ps: ParticipantScores, instrument: Instrument, lang: str = "en") -> Markup | None:
    if ps.leadership_index is None or ps.management_index is None:
        return None
    _ = gettext_for(lang)
    points = []
    sl, sm = _self_index(ps, instrument, "leadership"), _self_index(ps, instrument, "management")
    if sl is not None and sm is not None:
        points.append(svg.MapPoint(_("You (self)"), sl, sm, hollow=True))
    others = _others(ps, lang)
    label = _("Others") if others is None else _("Others ({others})").format(others=others)
    points.append(svg.MapPoint(label, ps.leadership_index, ps.management_index))
    return Markup(
        svg.lm_map(
            points,
            _("Where you sit on the leadership x management map"),
            arrow=True,
            language=lang,
        )
    )


def _foreign(ps: ParticipantScores) -> set[str]:
    """The comments the text analyzer cannot read: written in another language than English
    (the language guard of bifocals.text)."""
    out = set()
    for c in ps.comments:
        skip = check_english(c.text).skip
        if skip is not None and skip.startswith("not English"):
            out.add(c.text)
    return out


def _no_view(ps: ParticipantScores, suppressed: list[str], lang: str) -> str | None:
    """Why no one else's answers are shown, when none are (None when some are). The sizes of
    groups under their threshold are never shown (scoring keeps them hidden), only which
    groups they are."""
    if any(g.key != "self" for g in ps.groups):
        return None
    _ = gettext_for(lang)
    if suppressed:
        return _(
            "No one's answers about you could be shown: in each group fewer people answered "
            "than it needs to keep their answers anonymous ({groups})."
        ).format(groups=", ".join(suppressed))
    return _(
        "No one answered about you in this campaign: this report has no one else's answers to show."
    )


def _side_name(side: str, lang: str) -> str:
    """A side in running text: as written in English, else the catalogue's word."""
    if lang == DEFAULT_LANGUAGE:
        return side
    word = framework_name(side.capitalize(), lang)
    return word if lang == "de" else word.lower()


def _cover_date(generated: str | None, lang: str) -> str:
    """The cover's date: ISO in English (as before), else as the language writes it."""
    day = generated or today()
    if lang == DEFAULT_LANGUAGE:
        return day
    try:
        return format_date(dt.date.fromisoformat(day), lang)
    except ValueError:
        return day


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
    language: str | None = None,
    percentiles: Sequence[Percentile] | None = None,
    norm_name: str | None = None,
    notes: Sequence[str] = (),
) -> dict[str, Any]:
    """Everything the individual report template needs (the web pages can reuse it).

    participant is a code (looked up in scores) or the ParticipantScores itself. change (with
    compared_with, the earlier campaign's name) adds the "since last time" section. language
    (en, de, fr, es; default English) is the participant's: texts, items, numbers and dates.
    Comments in another language than English are never coded (the analyzer reads English
    only); the report says how many there are. percentiles (with norm_name, the norm group)
    add the "Against the norm" section; notes say why a comparison that was asked for is
    missing.
    """
    if isinstance(participant, ParticipantScores):
        ps = participant
    else:
        ps = find_participant(scores, participant)
    lang = language_or_default(language)
    _ = gettext_for(lang)
    if lang in translation_languages(instrument):  # else: the items as the instrument has them
        instrument = translated(instrument, lang)
    framework = translated_framework(framework, lang)
    foreign = _foreign(ps)
    if comment_codes is not None and foreign:
        comment_codes = {t: c for t, c in comment_codes.items() if t not in foreign}
    if lang == DEFAULT_LANGUAGE:
        groups = [
            {
                "label": g.label,
                "n": g.n_raters,
                "from": _and([GROUP_LABELS.get(k, k).lower() for k in g.pooled_from]),
            }
            for g in ps.groups
        ]
    else:
        groups = [
            {
                "label": _(g.label),
                "n": g.n_raters,
                "from": _and([_(GROUP_LABELS.get(k, k)) for k in g.pooled_from], lang),
            }
            for g in ps.groups
        ]
    suppressed = [_(GROUP_LABELS.get(k, k)) for k in ps.suppressed]
    sl = _self_index(ps, instrument, "leadership")
    sm = _self_index(ps, instrument, "management")
    return {
        "kind": "individual",
        "lang": lang,
        "title": _("360 report: {name}").format(name=display_name or ps.participant),
        "name": display_name or ps.participant,
        "code": ps.participant,
        "campaign": scores.campaign,
        "generated": _cover_date(generated, lang),
        "groups": groups,
        "suppressed": suppressed,
        "no_view": _no_view(ps, suppressed, lang),
        "thresholds": scores.thresholds,
        "scale": instrument.scale,
        "instrument": instrument,
        "lead_index": ps.leadership_index,
        "manage_index": ps.management_index,
        "self_lead": sl,
        "self_manage": sm,
        "quadrant": ps.quadrant,
        "index_sentence": index_sentence(
            ps.leadership_index, ps.management_index, _others(ps, lang), lang
        ),
        "others_are": _others(ps, lang),
        "map_svg": _map(ps, instrument, lang),
        "dimensions": _dimension_blocks(ps, framework, instrument, lang),
        "gaps": _gaps(ps, framework, lang),
        "strengths": _highlights(ps.strengths, framework, lang),
        "development": _highlights(ps.development_areas, framework, lang),
        "since": since_view(change, framework, compared_with or _("the last campaign"), lang)
        if change is not None
        else None,
        "norms": _norms(percentiles, norm_name, framework, lang)
        if percentiles is not None
        else None,
        "notes": [translated_text(n, COMPARISON_NOTES, lang) for n in notes],
        "comment_sections": comment_sections(ps.comments, framework, instrument, comment_codes),
        "coded": comment_codes is not None,
        "n_comments": len(ps.comments),
        "n_foreign": len(foreign),
        "min_confidence": MIN_CONFIDENCE,
        "rwg_high": RWG_HIGH,
        "rwg_moderate": RWG_MODERATE,
        "large_gap": LARGE_GAP,
        "fmt": lambda x, digits=1: fmt(x, digits, lang),
        "side_name": lambda side: _side_name(side, lang),
        "legend": {
            f"{side}{'_self' if hollow else ''}": Markup(svg.legend_marker(side, hollow))
            for side in SIDES
            for hollow in (False, True)
        },
    }


def _norms(
    percentiles: Sequence[Percentile], name: str | None, framework: Framework, lang: str
) -> dict[str, Any]:
    """The "Against the norm" section: each of others' scales with its percentile or why none
    is given (fewer than NORM_MINIMUM in the norm)."""
    rows = []
    for p in sorted(percentiles, key=lambda p: (p.dimension, p.side)):
        scale = scale_of(framework, p.dimension, p.side, lang)
        rows.append({"scale": scale, "p": p})
    return {"name": name or "", "rows": rows, "minimum": NORM_MINIMUM}


class ReportOptions(TypedDict, total=False):
    """The keyword options of individual_view, passed on unchanged by individual_report_html."""

    comment_codes: Mapping[str, CommentCode] | None
    generated: str | None
    display_name: str | None
    change: Sequence[ScaleChange] | None
    compared_with: str | None
    language: str | None
    percentiles: Sequence[Percentile] | None
    norm_name: str | None
    notes: Sequence[str]


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
