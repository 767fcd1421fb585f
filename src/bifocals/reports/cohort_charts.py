"""Inline SVG charts of the cohort report: index histograms and the participants x scales heat map.

Same conventions as bifocals.reports.svg (role="img", title, desc, escaped text, side colours).
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from bifocals.framework.model import Side
from bifocals.reports.svg import (
    COLOURS,
    COLOURS_TEXT,
    GRID,
    INK,
    INK_LUMINANCE,
    MUTED,
    fit_text,
    open_svg,
    text,
    text_width,
)
from bifocals.reports.wording import fmt

# The participants' names take at most this share of the heat map's width.
MAX_LABEL_SHARE = 0.4


def histograms(
    lead: Sequence[float], manage: Sequence[float], width: int = 680, bins: int = 10
) -> str:
    """Distribution of the two indices: one histogram per side, 0-100 in equal bins."""
    panel_h, gap, top = 120.0, 34.0, 22.0
    left, right = 36.0, 10.0
    plot = width - left - right
    height = top + 2 * panel_h + gap + 28

    def counts(values: Sequence[float]) -> list[int]:
        c = [0] * bins
        for v in values:
            c[min(int(max(v, 0.0) / (100 / bins)), bins - 1)] += 1
        return c

    series: tuple[tuple[Side, list[int]], ...] = (
        ("leadership", counts(lead)),
        ("management", counts(manage)),
    )
    peak = max(1, *(max(c) for _, c in series))
    desc = "; ".join(
        f"{side} index, counts per band of {100 // bins}: " + ", ".join(map(str, c))
        for side, c in series
    )
    out = [
        open_svg(
            width,
            height,
            "Distribution of the leadership and management indices",
            desc,
            "histograms",
        )
    ]
    bw = plot / bins
    for k, (side, c) in enumerate(series):
        y0 = top + k * (panel_h + gap)
        base = y0 + panel_h
        out.append(
            text(
                left,
                y0 - 8,
                f"{side.capitalize()} index",
                11.5,
                font_weight="bold",
                fill=COLOURS_TEXT[side],
            )
        )
        out.append(
            f'<line x1="{left}" y1="{base:.1f}" x2="{left + plot:.1f}" y2="{base:.1f}" '
            f'stroke="{INK}" stroke-width="0.8"/>'
        )
        for b, n in enumerate(c):
            h = (panel_h - 14) * n / peak
            x = left + b * bw
            if n:
                pattern = "" if side == "leadership" else ' stroke-dasharray="3 2"'
                out.append(
                    f'<rect x="{x + 2:.1f}" y="{base - h:.1f}" width="{bw - 4:.1f}" '
                    f'height="{h:.1f}" fill="{COLOURS[side]}" stroke="{INK}" '
                    f'stroke-width="0.6"{pattern}/>'
                )
                out.append(text(x + bw / 2, base - h - 3, str(n), 9.5, "middle"))
        for b in range(bins + 1):
            out.append(
                text(left + b * bw, base + 13, str(b * 100 // bins), 9.5, "middle", fill=MUTED)
            )
    out.append("</svg>")
    return "".join(out)


def _ramp(side: Side, t: float) -> tuple[str, bool]:
    """The side's colour mixed with white by t in [0, 1], and whether text on it must be white."""
    base = COLOURS[side]
    rgb = [int(base[i : i + 2], 16) for i in (1, 3, 5)]
    t = 0.06 + 0.94 * min(max(t, 0.0), 1.0)
    mix = [round(255 + (c - 255) * t) for c in rgb]
    # WCAG relative luminance: white text when it contrasts better than dark ink.
    lin = [(c / 255) / 12.92 if c <= 10 else ((c / 255 + 0.055) / 1.055) ** 2.4 for c in mix]
    lum = 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]
    white = 1.05 / (lum + 0.05) > (lum + 0.05) / (INK_LUMINANCE + 0.05)
    return "#" + "".join(f"{c:02x}" for c in mix), white


def heat_map(
    columns: Sequence[tuple[str, Side]],
    rows: Sequence[tuple[str, Sequence[float | None]]],
    scale: tuple[int, int],
    title: str,
    width: int = 680,
) -> str:
    """Participants x scales: each cell the others' mean, printed and shaded by side colour.

    A hidden cell (not enough raters) shows a dash on white.
    """
    lo, hi = scale
    size, row_h = 9.5, 17.0
    # Names get the room the longest needs, up to MAX_LABEL_SHARE of the width; longer ones
    # end in an ellipsis and carry the full name as a tooltip (and in the chart's desc).
    longest = max((text_width(name, size) for name, _ in rows), default=0.0)
    label_w = min(width * MAX_LABEL_SHARE, max(60.0, longest + 10))
    # Column labels are turned 60 degrees: each reaches half its length to the right and
    # 0.87 of it upwards; the columns shrink until the last label ends inside the chart.
    heads = [text_width(label, size) for label, _ in columns]
    n = max(len(columns), 1)
    head_h = max(40.0, max(heads, default=0.0) * 0.87 + 16)
    cw = (width - label_w - 4) / n
    for j, w in enumerate(heads):
        cw = min(cw, (width - label_w - 5 - w / 2) / (j + 0.5))
    height = head_h + row_h * len(rows) + 4
    desc = "; ".join(f"{name}: " + ", ".join(fmt(v) for v in values) for name, values in rows)
    out = [
        open_svg(
            width,
            height,
            title,
            "Columns: " + ", ".join(f"{c} ({s})" for c, s in columns) + ". " + desc,
            "heat-map",
        )
    ]
    for j, (label, side) in enumerate(columns):
        x = label_w + cw * j + cw / 2 + 3
        out.append(
            f'<text x="{x:.1f}" y="{head_h - 10:.1f}" font-size="{size:g}" '
            f'transform="rotate(-60 {x:.1f} {head_h - 10:.1f})" fill="{COLOURS_TEXT[side]}">'
            f"{escape(label)}</text>"
        )
        out.append(
            f'<rect x="{label_w + cw * j + 0.5:.1f}" y="{head_h - 5:.1f}" width="{cw - 1:.1f}" '
            f'height="3" fill="{COLOURS[side]}"/>'
        )
    for i, (name, values) in enumerate(rows):
        y = head_h + row_h * i
        shown = fit_text(name, size, label_w - 10)
        if shown == name:
            out.append(text(label_w - 6, y + row_h - 5, name, size, "end"))
        else:
            out.append(
                f'<text x="{label_w - 6:.1f}" y="{y + row_h - 5:.1f}" font-size="{size:g}" '
                f'text-anchor="end"><title>{escape(name)}</title>{escape(shown)}</text>'
            )
        for j, v in enumerate(values):
            side = columns[j][1]
            x = label_w + cw * j
            if v is None:
                out.append(
                    f'<rect x="{x + 0.5:.1f}" y="{y + 0.5:.1f}" width="{cw - 1:.1f}" '
                    f'height="{row_h - 1}" fill="#ffffff" stroke="{GRID}"/>'
                )
                out.append(text(x + cw / 2, y + row_h - 5, "–", 9, "middle", fill=MUTED))
                continue
            colour, dark = _ramp(side, (v - lo) / (hi - lo))
            out.append(
                f'<rect x="{x + 0.5:.1f}" y="{y + 0.5:.1f}" width="{cw - 1:.1f}" '
                f'height="{row_h - 1}" fill="{colour}"/>'
            )
            out.append(
                text(
                    x + cw / 2, y + row_h - 5, fmt(v), 9, "middle", fill="#ffffff" if dark else INK
                )
            )
    out.append("</svg>")
    return "".join(out)
