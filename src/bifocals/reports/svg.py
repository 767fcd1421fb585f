"""Inline SVG charts for the 360 reports, built as strings (no JavaScript, printable).

Every chart has role="img", a <title> and a <desc> that states its numbers in words, and
carries all labels as text. Leadership and management keep one colour and one marker shape
everywhere (Okabe-Ito blue circle, orange square), so the charts read in grayscale and for
colour-blind readers. All text is escaped here; callers may insert the result as markup.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from bifocals.framework.model import Side
from bifocals.reports.wording import fmt

# Okabe-Ito colours: distinguishable with every common colour-vision deficiency, and blue
# prints dark while orange prints light, so the two sides stay apart in grayscale.
COLOURS: dict[Side, str] = {"leadership": "#0072B2", "management": "#E69F00"}
INK = "#1d232b"
MUTED = "#6b7380"
GRID = "#d9dde3"
INK_LUMINANCE = 0.0164  # WCAG relative luminance of INK
FONT = "Liberation Sans, DejaVu Sans, Arial, sans-serif"


def open_svg(width: float, height: float, title: str, desc: str, cls: str) -> str:
    """The opening <svg> tag of a chart with its accessible name, <title> and <desc>."""
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart {cls}" role="img" '
        f'width="{width:.0f}" height="{height:.0f}" viewBox="0 0 {width:.0f} {height:.0f}" '
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


def dimension_chart(
    title: str,
    labels: tuple[str, str],
    rows: Sequence[tuple[Point, Point]],
    scale: tuple[int, int],
    width: int = 680,
) -> str:
    """Leadership (left) and management (right) of one dimension: a dot per reported group.

    rows pairs the leadership and management point of each group (same label). A dot is the
    group's mean, the whisker its 95% CI; self is hollow; the last row (all except self) bold.
    """
    lo, hi = scale
    label_w, gap, value_w = 108.0, 18.0, 92.0
    panel = (width - label_w - gap) / 2
    plot = panel - value_w
    top, row_h = 38.0, 21.0
    height = top + row_h * len(rows) + 24
    lefts = (label_w, label_w + panel + gap)

    def px(left: float, v: float) -> float:
        return left + 8 + (plot - 16) * (v - lo) / (hi - lo)

    desc_parts = []
    for lead, manage in rows:
        for side_name, p in (("leadership", lead), ("management", manage)):
            if p.mean is None:
                desc_parts.append(f"{p.label}, {side_name}: not shown")
            else:
                ci = "" if p.low is None else f" (95% interval {fmt(p.low)} to {fmt(p.high)})"
                desc_parts.append(f"{p.label}, {side_name}: {fmt(p.mean)}{ci}, n={p.n}")
    out = [
        open_svg(
            width,
            height,
            f"{title}: {labels[0]} (leadership) and {labels[1]} (management)",
            f"Scale {lo} to {hi}. " + "; ".join(desc_parts) + ".",
            "dimension-chart",
        )
    ]
    sides: tuple[Side, Side] = ("leadership", "management")
    for k, side in enumerate(sides):
        left = lefts[k]
        out.append(
            f'<rect x="{left:.1f}" y="2" width="{panel:.1f}" height="20" rx="3" '
            f'fill="{COLOURS[side]}" fill-opacity="0.14"/>'
        )
        out.append(f'<g transform="translate({left + 10:.1f},16)">{marker(side, 0, -4, 4.5)}</g>')
        out.append(
            text(left + 20, 16, f"{side.capitalize()}: {labels[k]}", 11.5, font_weight="bold")
        )
        for v in range(lo, hi + 1):
            x = px(left, v)
            out.append(
                f'<line x1="{x:.1f}" y1="{top - 6:.1f}" x2="{x:.1f}" '
                f'y2="{top + row_h * len(rows) - 4:.1f}" stroke="{GRID}" stroke-width="1"/>'
            )
            out.append(text(x, height - 8, str(v), 10, "middle", fill=MUTED))
        out.append(text(left + plot + 4, top - 9, "mean", 8.5, fill=MUTED))
        out.append(text(left + panel - 2, top - 9, "n · agreement", 8.5, "end", fill=MUTED))
    for r, pair in enumerate(rows):
        y = top + row_h * r + row_h / 2 - 2
        name = pair[0].label
        if pair[0].is_total:
            out.append(
                f'<line x1="0" y1="{y - row_h / 2:.1f}" x2="{width}" y2="{y - row_h / 2:.1f}" '
                f'stroke="{MUTED}" stroke-width="0.6"/>'
            )
        weight = "bold" if pair[0].is_total else "normal"
        out.append(text(0, y + 4, name, 11, font_weight=weight))
        for k, side in enumerate(sides):
            left, p = lefts[k], pair[k]
            if p.mean is None:
                out.append(
                    text(
                        px(left, (lo + hi) / 2),
                        y + 4,
                        "not shown",
                        9.5,
                        "middle",
                        fill=MUTED,
                        font_style="italic",
                    )
                )
                continue
            if p.low is not None and p.high is not None:
                x1, x2 = px(left, max(p.low, lo)), px(left, min(p.high, hi))
                out.append(
                    f'<line x1="{x1:.1f}" y1="{y:.1f}" x2="{x2:.1f}" y2="{y:.1f}" '
                    f'stroke="{INK}" stroke-width="1.2"/>'
                    f'<line x1="{x1:.1f}" y1="{y - 4:.1f}" x2="{x1:.1f}" y2="{y + 4:.1f}" '
                    f'stroke="{INK}" stroke-width="1.2"/>'
                    f'<line x1="{x2:.1f}" y1="{y - 4:.1f}" x2="{x2:.1f}" y2="{y + 4:.1f}" '
                    f'stroke="{INK}" stroke-width="1.2"/>'
                )
            size = 6.0 if p.is_total else 5.0
            out.append(marker(side, px(left, p.mean), y, size, hollow=p.is_self))
            out.append(text(left + plot + 4, y + 4, fmt(p.mean), 11, font_weight=weight))
            extra = f"{p.n}" + (f" · {p.agreement}" if p.agreement else "")
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


def gap_chart(
    rows: Sequence[GapRow], width: int = 680, span: float = 2.0, stacked: bool = False
) -> str:
    """Self minus others per scale on a -span..+span axis; flagged gaps drawn solid and bold.

    stacked: each label on its own line above its interval, for a phone screen (drawn 360
    wide, all of it plot); otherwise labels sit to the left of the plot.
    """
    label_w, right = (14.0, 14.0) if stacked else (250.0, 16.0)
    top, row_h = 30.0, 36.0 if stacked else 19.0
    height = top + row_h * len(rows) + 30
    plot = width - label_w - right

    def px(v: float) -> float:
        return label_w + plot * (max(min(v, span), -span) + span) / (2 * span)

    desc = "; ".join(
        f"{r.label} ({r.side}): {fmt(r.gap)}"
        + ("" if r.low is None else f", interval {fmt(r.low)} to {fmt(r.high)}")
        + (", flagged" if r.flagged else "")
        for r in rows
    )
    out = [
        open_svg(
            width,
            height,
            "Self minus others per scale, with 95% intervals",
            f"Points right of zero: you rate yourself higher than others do. {desc}.",
            "gap-chart",
        )
    ]
    out.append(text(px(-span), 14, "you rate yourself lower", 10, "start", fill=MUTED))
    out.append(text(px(span), 14, "you rate yourself higher", 10, "end", fill=MUTED))
    for band in (-0.5, 0.5):
        out.append(
            f'<line x1="{px(band):.1f}" y1="{top - 6}" x2="{px(band):.1f}" '
            f'y2="{top + row_h * len(rows):.1f}" stroke="{GRID}" stroke-dasharray="3 3"/>'
        )
    tick = -span
    while tick <= span + 1e-9:
        out.append(text(px(tick), height - 10, fmt(tick), 10, "middle", fill=MUTED))
        tick += 0.5
    out.append(
        f'<line x1="{px(0):.1f}" y1="{top - 8}" x2="{px(0):.1f}" '
        f'y2="{top + row_h * len(rows):.1f}" stroke="{INK}" stroke-width="1"/>'
    )
    for i, r in enumerate(rows):
        row_top = top + row_h * i
        y = row_top + (row_h - 10 if stacked else row_h / 2)
        if i % 2 == 0:
            out.append(
                f'<rect x="0" y="{row_top:.1f}" width="{width}" height="{row_h}" fill="#f4f6f8"/>'
            )
        weight = "bold" if r.flagged else "normal"
        if stacked:
            label = fit_text(r.label, 10.5, plot)
            halo = "#f4f6f8" if i % 2 == 0 else "#ffffff"  # keeps the grid lines off the words
            out.append(
                text(
                    label_w,
                    row_top + 13,
                    label,
                    10.5,
                    "start",
                    font_weight=weight,
                    stroke=halo,
                    stroke_width="4",
                    paint_order="stroke",
                )
            )
        else:
            out.append(text(label_w - 10, y + 4, r.label, 10.5, "end", font_weight=weight))
        if r.low is not None and r.high is not None:
            dash = "" if r.flagged else ' stroke-dasharray="2 2"'
            out.append(
                f'<line x1="{px(r.low):.1f}" y1="{y:.1f}" x2="{px(r.high):.1f}" y2="{y:.1f}" '
                f'stroke="{INK}" stroke-width="{1.6 if r.flagged else 1}"{dash}/>'
            )
        out.append(marker(r.side, px(r.gap), y, 5.0, hollow=not r.flagged))
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
    ("Manages more than leads", 2, 98, "start"),
    ("Leads and manages", 98, 98, "end"),
    ("Developing both", 2, 2, "start"),
    ("Leads more than manages", 98, 2, "end"),
)


def lm_map(
    points: Sequence[MapPoint],
    title: str,
    size: int = 340,
    arrow: bool = False,
) -> str:
    """The L x M map: leadership index across, management index up, quadrants at 50.

    With arrow=True and two points, draws an arrow from the first (self) to the second (others).
    """
    pad_l, pad_b, pad_t, pad_r = 44.0, 40.0, 10.0, 12.0
    plot = size - pad_l - pad_r
    height = pad_t + plot + pad_b

    def px(v: float) -> float:
        return pad_l + plot * min(max(v, 0.0), 100.0) / 100.0

    def py(v: float) -> float:
        return pad_t + plot * (1 - min(max(v, 0.0), 100.0) / 100.0)

    desc = "; ".join(
        f"{p.label}: leadership {p.leadership:.0f}, management {p.management:.0f}" for p in points
    )
    out = [
        open_svg(
            size, height, title, f"Indices from 0 to 100, quadrants split at 50. {desc}.", "lm-map"
        )
    ]
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
        out.append(text(px(qx), py(qy) + dy, name, 9.5, anchor, fill=MUTED, font_style="italic"))
    for v in (0, 25, 50, 75, 100):
        out.append(text(px(v), pad_t + plot + 14, str(v), 9.5, "middle", fill=MUTED))
        out.append(text(pad_l - 5, py(v) + 3.5, str(v), 9.5, "end", fill=MUTED))
    out.append(
        text(
            pad_l + plot / 2,
            height - 6,
            "Leadership index",
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
        "Management index</text>"
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
