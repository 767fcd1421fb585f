"""Inline SVG charts for the 360 reports, built as strings (no JavaScript, printable).

Every chart has role="img", a <title> and a <desc> that states its numbers in words, and
carries all labels as text. Leadership and management keep one colour and one marker shape
everywhere (Okabe-Ito blue circle, orange square), so the charts read in grayscale and for
colour-blind readers. All text is escaped here; callers may insert the result as markup.

The charts' own words (titles, axes, legends, descriptions) are in the catalogues: a chart
drawn with `language` says them, and writes its numbers, in that language (English as written
here when none is given, as in the cohort report).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from html import escape

from bifocals.framework.model import Side
from bifocals.locale import N_, gettext_for
from bifocals.reports.wording import fmt

# Okabe-Ito colours: distinguishable with every common colour-vision deficiency, and blue
# prints dark while orange prints light, so the two sides stay apart in grayscale.
COLOURS: dict[Side, str] = {"leadership": "#0072B2", "management": "#E69F00"}
INK = "#1d232b"
MUTED = "#6b7380"
GRID = "#d9dde3"
INK_LUMINANCE = 0.0164  # WCAG relative luminance of INK
FONT = "Liberation Sans, DejaVu Sans, Arial, sans-serif"

# The sides as the charts name them: in a heading, and inside a sentence.
SIDE_HEADINGS: dict[Side, str] = {"leadership": N_("Leadership"), "management": N_("Management")}
SIDE_WORDS: dict[Side, str] = {"leadership": N_("leadership"), "management": N_("management")}
# "Name: value", as the language punctuates it (French puts a space before the colon).
NAMED = N_("{name}: {value}")
# The agreement words of the dimension charts' "n · agreement" column (wording.agreement_word).
AGREEMENT_WORDS = {"high": N_("high"), "moderate": N_("moderate"), "low": N_("low")}


def open_svg(width: float, height: float, title: str, desc: str, cls: str) -> str:
    """The opening <svg> tag of a chart with its accessible name, <title> and <desc>.

    No pixel size: the chart fills its container's width (its viewBox keeps the proportions,
    so the height follows) and grows no wider than it was drawn, on screen and in the PDF.
    """
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart {cls}" role="img" '
        f'viewBox="0 0 {width:.0f} {height:.0f}" width="100%" '
        f'style="max-width: {width:.0f}px; height: auto" preserveAspectRatio="xMinYMin meet" '
        f'aria-label="{escape(title)}" font-family="{FONT}" fill="{INK}">'
        f"<title>{escape(title)}</title><desc>{escape(desc)}</desc>"
    )


# Advance widths of Helvetica/Arial (Liberation Sans has the same metrics) in 1/1000 em, for
# the printable ASCII characters from space (32) to tilde (126).
_WIDTHS = (
    278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278,
    556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 278, 278, 584, 584, 584, 556,
    1015, 667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833, 722, 778,
    667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 278, 278, 278, 469, 556,
    333, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833, 556, 556,
    556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584,
)  # fmt: skip
# Fallback fonts (DejaVu Sans) run wider than Arial: estimates are padded by this factor.
_WIDTH_MARGIN = 1.1


def text_width(s: str, size: float, bold: bool = False) -> float:
    """Estimated width of s in pixels at font size `size` (no layout engine at hand).

    Errs on the wide side: other characters count as a wide Latin letter, East Asian wide
    characters as a full em.
    """
    em = 0
    for ch in s:
        code = ord(ch)
        if 32 <= code <= 126:
            em += _WIDTHS[code - 32]
        elif unicodedata.east_asian_width(ch) in ("W", "F"):
            em += 1000
        elif not unicodedata.combining(ch):
            em += 722
    return em / 1000 * size * _WIDTH_MARGIN * (1.08 if bold else 1.0)


def fit_text(s: str, size: float, room: float) -> str:
    """s cut to fit `room` pixels at `size`, ending in an ellipsis when cut."""
    if text_width(s, size) <= room:
        return s
    cut = s
    while cut and text_width(cut.rstrip() + "…", size) > room:
        cut = cut[:-1]
    return cut.rstrip() + "…"


def wrap_text(s: str, size: float, room: float, bold: bool = False) -> list[str]:
    """s broken into lines that each fit `room` pixels at `size`: at spaces where it can,
    inside a word only when the word alone is too long. Nothing is cut off."""
    lines: list[str] = []
    line = ""
    for word in s.split():
        candidate = f"{line} {word}" if line else word
        if text_width(candidate, size, bold) <= room:
            line = candidate
            continue
        if line:
            lines.append(line)
        line = ""
        while text_width(word, size, bold) > room and len(word) > 1:
            k = len(word) - 1
            while k > 1 and text_width(word[:k] + "-", size, bold) > room:
                k -= 1
            lines.append(word[:k] + "-")
            word = word[k:]
        line = word
    if line or not lines:
        lines.append(line)
    return lines


def text_lines(
    x: float,
    y: float,
    lines: Sequence[str],
    size: float,
    line_h: float,
    anchor: str = "start",
    **kw: str,
) -> str:
    """One <text> of several lines (tspans), the first on baseline y, each line_h lower."""
    extra = "".join(f' {k.replace("_", "-")}="{escape(v)}"' for k, v in kw.items())
    spans = "".join(
        f'<tspan x="{x:.1f}" y="{y + k * line_h:.1f}">{escape(line)}</tspan>'
        for k, line in enumerate(lines)
    )
    return f'<text font-size="{size:g}" text-anchor="{anchor}"{extra}>{spans}</text>'


def beyond_mark(x: float, y: float, direction: int, note: str) -> str:
    """An arrowhead with its tip on the axis end at (x, y), pointing out of the plot
    (direction -1 left, +1 right): the interval goes on past the axis. note is its <title>."""
    base = x - direction * 7.0
    return (
        f'<g class="beyond-axis"><title>{escape(note)}</title>'
        f'<path d="M{x:.1f},{y:.1f} L{base:.1f},{y - 4.5:.1f} L{base:.1f},{y + 4.5:.1f} Z" '
        f'fill="{INK}"/></g>'
    )


def whisker(
    x_of: Callable[[float], float],
    y: float,
    interval: tuple[float, float],
    axis: tuple[float, float],
    what: str,
    style: str = 'stroke-width="1.2"',
    caps: bool = True,
    language: str | None = None,
) -> str:
    """A 95% interval on an axis running axis[0]..axis[1]: a line (attributes `style`), with
    caps at its ends when `caps`, and an arrowhead (beyond_mark) at an axis end it runs past.

    x_of maps a value to x (the axis ends included); what names the row in the arrow's title.
    """
    _ = gettext_for(language)
    (low, high), (lo, hi) = interval, axis
    x1, x2 = x_of(max(low, lo)), x_of(min(high, hi))
    out = [f'<line x1="{x1:.1f}" y1="{y:.1f}" x2="{x2:.1f}" y2="{y:.1f}" stroke="{INK}" {style}/>']
    for end, value, edge, direction in ((x1, low, lo, -1), (x2, high, hi, 1)):
        if (value < edge) if direction < 0 else (value > edge):
            beyond = (
                N_(
                    "{what}: the 95% interval runs beyond the axis, down to {value} "
                    "(the axis ends at {edge})"
                )
                if direction < 0
                else N_(
                    "{what}: the 95% interval runs beyond the axis, up to {value} "
                    "(the axis ends at {edge})"
                )
            )
            note = _(beyond).format(
                what=what, value=fmt(value, lang=language), edge=fmt(edge, lang=language)
            )
            out.append(beyond_mark(end, y, direction, note))
        elif caps:
            out.append(
                f'<line x1="{end:.1f}" y1="{y - 4:.1f}" x2="{end:.1f}" y2="{y + 4:.1f}" '
                f'stroke="{INK}" stroke-width="1.2"/>'
            )
    return "".join(out)


def text(x: float, y: float, s: str, size: float = 11, anchor: str = "start", **kw: str) -> str:
    """An escaped SVG <text>; keyword arguments become attributes (font_weight -> font-weight)."""
    extra = "".join(f' {k.replace("_", "-")}="{escape(v)}"' for k, v in kw.items())
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size:g}" text-anchor="{anchor}"{extra}>'
        f"{escape(s)}</text>"
    )


def marker(side: Side, x: float, y: float, r: float, hollow: bool = False) -> str:
    """The side's marker: circle for leadership, square for management; hollow for self."""
    colour = COLOURS[side]
    fill = "#ffffff" if hollow else colour
    stroke = f'stroke="{colour if hollow else INK}" stroke-width="{1.8 if hollow else 0.8}"'
    if side == "leadership":
        return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r:.1f}" fill="{fill}" {stroke}/>'
    s = r * 1.75
    return (
        f'<rect x="{x - s / 2:.1f}" y="{y - s / 2:.1f}" width="{s:.1f}" height="{s:.1f}" '
        f'fill="{fill}" {stroke}/>'
    )


def legend_marker(side: Side, hollow: bool = False, size: int = 12) -> str:
    """A tiny standalone SVG of one marker, for legends in running text."""
    half = size / 2
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="legend-marker" width="{size}" '
        f'height="{size}" viewBox="0 0 {size} {size}" aria-hidden="true">'
        f"{marker(side, half, half, size * 0.32, hollow)}</svg>"
    )


@dataclass(frozen=True)
class Point:
    """One row of a dimension chart: a reported group's mean with its CI and agreement."""

    label: str
    mean: float | None
    low: float | None
    high: float | None
    n: int
    agreement: str | None
    is_self: bool = False
    is_total: bool = False


# Row labels take the room the longest needs, up to this share of the chart's width; longer
# ones wrap onto more lines (never cut). Dimension charts: group labels; gap chart: scales.
DIMENSION_LABEL_SHARE = 0.24
STACKED_LABEL_SHARE = 0.3
GAP_LABEL_SHARE = 0.42


def dimension_chart(
    title: str,
    labels: tuple[str, str],
    rows: Sequence[tuple[Point, Point]],
    scale: tuple[int, int],
    width: int = 680,
    stacked: bool = False,
    language: str | None = None,
) -> str:
    """Leadership and management of one dimension: a dot per reported group.

    rows pairs the leadership and management point of each group (same label). A dot is the
    group's mean, the whisker its 95% CI (an arrowhead where it runs past the scale); self is
    hollow; the last row (all except self) bold. Side by side (leadership left), or with
    stacked=True one above the other, for a phone screen (drawn 360 wide). `labels`, `title`
    and the rows' labels come in `language`, the chart's own words are put in it here.
    """
    _ = gettext_for(language)

    def num(v: float | None) -> str:
        return fmt(v, lang=language)

    lo, hi = scale
    size, line_h, gap, value_w = 11.0, 13.0, 18.0, 92.0
    share = STACKED_LABEL_SHARE if stacked else DIMENSION_LABEL_SHARE
    longest = max((text_width(a.label, size, a.is_total) for a, _ in rows), default=0.0)
    label_w = min(width * share, max(64.0, longest + 12))
    names = [wrap_text(a.label, size, label_w - 10, a.is_total) for a, _ in rows]
    heights = [max(21.0, line_h * len(n) + 8) for n in names]
    panel = width - label_w if stacked else (width - label_w - gap) / 2
    plot = panel - value_w
    sides: tuple[Side, Side] = ("leadership", "management")
    head_w = width if stacked else panel
    heads = [
        wrap_text(
            _(NAMED).format(name=_(SIDE_HEADINGS[side]), value=labels[k]),
            11.5,
            head_w - 26,
            bold=True,
        )
        for k, side in enumerate(sides)
    ]
    head_h = 20.0 + 14.0 * (max(len(h) for h in heads) - 1)
    top = head_h + 18
    body = sum(heights)
    block = top + body + 24
    height = 2 * block + 10 if stacked else block
    lefts = (label_w, label_w) if stacked else (label_w, label_w + panel + gap)
    tops = (0.0, block + 10) if stacked else (0.0, 0.0)
    centres = [top + sum(heights[:r]) + heights[r] / 2 - 2 for r in range(len(rows))]

    def px(left: float, v: float) -> float:
        return left + 8 + (plot - 16) * (v - lo) / (hi - lo)

    desc_parts = []
    for lead, manage in rows:
        for side_name, p in zip(sides, (lead, manage), strict=True):
            what = f"{p.label}, {_(SIDE_WORDS[side_name])}"
            if p.mean is None:
                desc_parts.append(_("{what}: not shown").format(what=what))
            else:
                ci = (
                    ""
                    if p.low is None
                    else " "
                    + _("(95% interval {low} to {high})").format(low=num(p.low), high=num(p.high))
                )
                value = f"{num(p.mean)}{ci}, n={p.n}"
                desc_parts.append(_(NAMED).format(name=what, value=value))
    out = [
        open_svg(
            width,
            height,
            _("{title}: {lead} (leadership) and {manage} (management)").format(
                title=title, lead=labels[0], manage=labels[1]
            ),
            _("Scale {lo} to {hi}.").format(lo=lo, hi=hi) + " " + "; ".join(desc_parts) + ".",
            "dimension-chart" + (" stacked" if stacked else ""),
        )
    ]

    def row_labels(y0: float) -> None:
        for r, pair in enumerate(rows):
            y = y0 + centres[r]
            if pair[0].is_total:
                rule = y0 + top + sum(heights[:r])
                out.append(
                    f'<line x1="0" y1="{rule:.1f}" x2="{width}" y2="{rule:.1f}" '
                    f'stroke="{MUTED}" stroke-width="0.6"/>'
                )
            first = y + 4 - line_h * (len(names[r]) - 1) / 2
            weight = "bold" if pair[0].is_total else "normal"
            out.append(text_lines(0, first, names[r], size, line_h, font_weight=weight))

    if not stacked:
        row_labels(0.0)
    for k, side in enumerate(sides):
        left, y0 = lefts[k], tops[k]
        if stacked:
            row_labels(y0)
        head_x = 0.0 if stacked else left
        out.append(
            f'<rect x="{head_x:.1f}" y="{y0 + 2:.1f}" width="{head_w:.1f}" height="{head_h:.1f}" '
            f'rx="3" fill="{COLOURS[side]}" fill-opacity="0.14"/>'
        )
        out.append(
            f'<g transform="translate({head_x + 10:.1f},{y0 + 16:.1f})">'
            f"{marker(side, 0, -4, 4.5)}</g>"
        )
        out.append(text_lines(head_x + 20, y0 + 16, heads[k], 11.5, 14.0, font_weight="bold"))
        for v in range(lo, hi + 1):
            x = px(left, v)
            out.append(
                f'<line x1="{x:.1f}" y1="{y0 + top - 6:.1f}" x2="{x:.1f}" '
                f'y2="{y0 + top + body - 4:.1f}" stroke="{GRID}" stroke-width="1"/>'
            )
            out.append(text(x, y0 + block - 8, str(v), 10, "middle", fill=MUTED))
        out.append(text(left + plot + 4, y0 + top - 9, _("mean"), 8.5, fill=MUTED))
        out.append(text(left + panel - 2, y0 + top - 9, _("n · agreement"), 8.5, "end", fill=MUTED))
        for r, pair in enumerate(rows):
            p, y = pair[k], y0 + centres[r]
            if p.mean is None:
                out.append(
                    text(
                        px(left, (lo + hi) / 2),
                        y + 4,
                        _("not shown"),
                        9.5,
                        "middle",
                        fill=MUTED,
                        font_style="italic",
                    )
                )
                continue
            if p.low is not None and p.high is not None:
                out.append(
                    whisker(
                        partial(px, left),
                        y,
                        (p.low, p.high),
                        (lo, hi),
                        f"{p.label}, {_(SIDE_WORDS[side])}",
                        language=language,
                    )
                )
            weight = "bold" if p.is_total else "normal"
            out.append(marker(side, px(left, p.mean), y, 6.0 if p.is_total else 5.0, p.is_self))
            out.append(text(left + plot + 4, y + 4, num(p.mean), 11, font_weight=weight))
            agreement = _(AGREEMENT_WORDS.get(p.agreement, p.agreement)) if p.agreement else ""
            extra = f"{p.n}" + (f" · {agreement}" if agreement else "")
            out.append(text(left + panel - 2, y + 4, extra, 9.5, "end", fill=MUTED))
    out.append("</svg>")
    return "".join(out)


@dataclass(frozen=True)
class GapRow:
    """One scale in the gap chart: self minus others with the CI and the report's verdict."""

    label: str
    side: Side
    gap: float
    low: float | None
    high: float | None
    flagged: bool


@dataclass(frozen=True)
class DivergingWords:
    """What a diverging chart's axis and description say (the gap chart's by default), in
    English; the chart shows them through the catalogue of its language."""

    title: str = N_("Self minus others per scale, with 95% intervals")
    right_means: str = N_("you rate yourself higher than others do")
    left: str = N_("you rate yourself lower")
    right: str = N_("you rate yourself higher")
    bands: tuple[float, ...] = (-0.5, 0.5)


GAP_WORDS = DivergingWords()
CHANGE_WORDS = DivergingWords(
    N_("Change since the last campaign per scale (others' view), with 95% intervals"),
    N_("others rate you higher than last time"),
    N_("lower than last time"),
    N_("higher than last time"),
    (),
)


def gap_chart(
    rows: Sequence[GapRow],
    width: int = 680,
    span: float = 2.0,
    stacked: bool = False,
    words: DivergingWords = GAP_WORDS,
    language: str | None = None,
) -> str:
    """Self minus others per scale on a -span..+span axis; flagged gaps drawn solid and bold.
    `words` gives the axis its meaning: the change chart draws differences since the last
    campaign the same way.

    Labels sit to the left of the plot in a column as wide as the longest needs (up to
    GAP_LABEL_SHARE of the width), wrapping when longer. stacked: each label on one or more
    lines of its own above its interval, for a phone screen (drawn 360 wide, all of it plot). An
    interval running past the axis ends in an arrowhead with a title saying so. Row labels come
    in `language`; the chart's own words are put in it here.
    """
    _ = gettext_for(language)

    def num(v: float | None) -> str:
        return fmt(v, lang=language)

    size, line_h = 10.5, 12.5
    if stacked:
        label_w, right = 14.0, 14.0
        plot = width - label_w - right
        names = [wrap_text(r.label, size, plot, r.flagged) for r in rows]
        heights = [36.0 + line_h * (len(n) - 1) for n in names]
    else:
        longest = max((text_width(r.label, size, r.flagged) for r in rows), default=0.0)
        label_w, right = min(width * GAP_LABEL_SHARE, max(80.0, longest + 16)), 16.0
        plot = width - label_w - right
        names = [wrap_text(r.label, size, label_w - 14, r.flagged) for r in rows]
        heights = [max(19.0, line_h * len(n) + 6.5) for n in names]
    top = 30.0
    body = sum(heights)
    height = top + body + 30

    def px(v: float) -> float:
        return label_w + plot * (max(min(v, span), -span) + span) / (2 * span)

    whats = [f"{r.label} ({_(SIDE_WORDS[r.side])})" for r in rows]
    desc = "; ".join(
        _(NAMED).format(name=what, value=num(r.gap))
        + (
            ""
            if r.low is None
            else ", " + _("interval {low} to {high}").format(low=num(r.low), high=num(r.high))
        )
        + (", " + _("flagged") if r.flagged else "")
        for what, r in zip(whats, rows, strict=True)
    )
    out = [
        open_svg(
            width,
            height,
            _(words.title),
            _("Points right of zero: {meaning}.").format(meaning=_(words.right_means))
            + f" {desc}.",
            "gap-chart" + (" stacked" if stacked else ""),
        )
    ]
    out.append(text(px(-span), 14, _(words.left), 10, "start", fill=MUTED))
    out.append(text(px(span), 14, _(words.right), 10, "end", fill=MUTED))
    for band in words.bands:
        out.append(
            f'<line x1="{px(band):.1f}" y1="{top - 6}" x2="{px(band):.1f}" '
            f'y2="{top + body:.1f}" stroke="{GRID}" stroke-dasharray="3 3"/>'
        )
    tick = -span
    while tick <= span + 1e-9:
        out.append(text(px(tick), height - 10, num(tick), 10, "middle", fill=MUTED))
        tick += 0.5
    out.append(
        f'<line x1="{px(0):.1f}" y1="{top - 8}" x2="{px(0):.1f}" '
        f'y2="{top + body:.1f}" stroke="{INK}" stroke-width="1"/>'
    )
    row_top = top
    for i, r in enumerate(rows):
        row_h = heights[i]
        y = row_top + (row_h - 10 if stacked else row_h / 2)
        if i % 2 == 0:
            out.append(
                f'<rect x="0" y="{row_top:.1f}" width="{width}" height="{row_h:.1f}" '
                'fill="#f4f6f8"/>'
            )
        weight = "bold" if r.flagged else "normal"
        if stacked:
            halo = "#f4f6f8" if i % 2 == 0 else "#ffffff"  # keeps the grid lines off the words
            out.append(
                text_lines(
                    label_w,
                    row_top + 13,
                    names[i],
                    size,
                    line_h,
                    font_weight=weight,
                    stroke=halo,
                    stroke_width="4",
                    paint_order="stroke",
                )
            )
        else:
            first = y + 4 - line_h * (len(names[i]) - 1) / 2
            out.append(
                text_lines(label_w - 10, first, names[i], size, line_h, "end", font_weight=weight)
            )
        if r.low is not None and r.high is not None:
            dash = "" if r.flagged else ' stroke-dasharray="2 2"'
            out.append(
                whisker(
                    px,
                    y,
                    (r.low, r.high),
                    (-span, span),
                    whats[i],
                    f'stroke-width="{1.6 if r.flagged else 1}"{dash}',
                    caps=False,
                    language=language,
                )
            )
        out.append(marker(r.side, px(r.gap), y, 5.0, hollow=not r.flagged))
        row_top += row_h
    out.append("</svg>")
    return "".join(out)


@dataclass(frozen=True)
class MapPoint:
    """A point on the leadership x management map (indices 0-100)."""

    label: str
    leadership: float
    management: float
    hollow: bool = False
    show_label: bool = True


QUADRANT_CORNERS: tuple[tuple[str, float, float, str], ...] = (
    (N_("Manages more than leads"), 2, 98, "start"),
    (N_("Leads and manages"), 98, 98, "end"),
    (N_("Developing both"), 2, 2, "start"),
    (N_("Leads more than manages"), 98, 2, "end"),
)


def lm_map(
    points: Sequence[MapPoint],
    title: str,
    size: int = 340,
    arrow: bool = False,
    language: str | None = None,
) -> str:
    """The L x M map: leadership index across, management index up, quadrants at 50.

    With arrow=True and two points, draws an arrow from the first (self) to the second (others).
    `title` and the points' labels come in `language`; the map's own words are put in it here.
    """
    _ = gettext_for(language)
    pad_l, pad_b, pad_t, pad_r = 44.0, 40.0, 10.0, 12.0
    plot = size - pad_l - pad_r
    height = pad_t + plot + pad_b

    def px(v: float) -> float:
        return pad_l + plot * min(max(v, 0.0), 100.0) / 100.0

    def py(v: float) -> float:
        return pad_t + plot * (1 - min(max(v, 0.0), 100.0) / 100.0)

    desc = "; ".join(
        _("{label}: leadership {leadership}, management {management}").format(
            label=p.label, leadership=f"{p.leadership:.0f}", management=f"{p.management:.0f}"
        )
        for p in points
    )
    about = _("Indices from 0 to 100, quadrants split at 50.")
    out = [open_svg(size, height, title, f"{about} {desc}.", "lm-map")]
    out.append(
        f'<rect x="{pad_l}" y="{pad_t}" width="{plot:.1f}" height="{plot:.1f}" fill="#fbfbfc" '
        f'stroke="{MUTED}" stroke-width="0.8"/>'
        f'<rect x="{px(50):.1f}" y="{pad_t}" width="{plot / 2:.1f}" height="{plot / 2:.1f}" '
        'fill="#eef3f7"/>'
    )
    for v in (50,):
        out.append(
            f'<line x1="{px(v):.1f}" y1="{pad_t}" x2="{px(v):.1f}" y2="{pad_t + plot:.1f}" '
            f'stroke="{MUTED}" stroke-dasharray="4 3"/>'
            f'<line x1="{pad_l}" y1="{py(v):.1f}" x2="{pad_l + plot:.1f}" y2="{py(v):.1f}" '
            f'stroke="{MUTED}" stroke-dasharray="4 3"/>'
        )
    for name, qx, qy, anchor in QUADRANT_CORNERS:
        dy = 12 if qy > 50 else -6
        out.append(text(px(qx), py(qy) + dy, _(name), 9.5, anchor, fill=MUTED, font_style="italic"))
    for v in (0, 25, 50, 75, 100):
        out.append(text(px(v), pad_t + plot + 14, str(v), 9.5, "middle", fill=MUTED))
        out.append(text(pad_l - 5, py(v) + 3.5, str(v), 9.5, "end", fill=MUTED))
    out.append(
        text(
            pad_l + plot / 2,
            height - 6,
            _("Leadership index"),
            11,
            "middle",
            font_weight="bold",
            fill=COLOURS_TEXT["leadership"],
        )
    )
    cy = pad_t + plot / 2
    out.append(
        f'<text x="12" y="{cy:.1f}" font-size="11" font-weight="bold" text-anchor="middle" '
        f'fill="{COLOURS_TEXT["management"]}" transform="rotate(-90 12 {cy:.1f})">'
        f"{escape(_('Management index'))}</text>"
    )
    if arrow and len(points) == 2:
        a, b = points
        out.append(
            f'<line x1="{px(a.leadership):.1f}" y1="{py(a.management):.1f}" '
            f'x2="{px(b.leadership):.1f}" y2="{py(b.management):.1f}" stroke="{MUTED}" '
            'stroke-width="1.2" stroke-dasharray="3 2"/>'
        )
    small = len(points) > 40
    for p in points:
        x, y = px(p.leadership), py(p.management)
        r = 2.6 if small else 5.5
        fill = "#ffffff" if p.hollow else INK
        out.append(
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r}" fill="{fill}" stroke="{INK}" '
            f'stroke-width="{1.6 if p.hollow else 0.6}" fill-opacity="{0.7 if small else 1}"/>'
        )
        if p.show_label:
            anchor = "end" if p.leadership > 70 else "start"
            dx = -8 if anchor == "end" else 8
            out.append(text(x + dx, y - 6, p.label, 10, anchor))
    out.append("</svg>")
    return "".join(out)


# Darker shades of the two colours for text, which needs more contrast than a marker.
COLOURS_TEXT: dict[Side, str] = {"leadership": "#005b8f", "management": "#8a5a00"}
