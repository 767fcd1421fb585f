"""Inline SVG charts of the change report: the angle over periods and the readiness heat map.

Plain strings with every label as text (readable without colour, printable by WeasyPrint, no
JavaScript). Values are escaped; the caller marks the result safe for Jinja.
"""

from __future__ import annotations

import math
from html import escape

from bifocals.change.alignment import ALIGNED_MAX, PARTLY_MAX, Alignment
from bifocals.change.model import ADKAR_LABELS
from bifocals.change.readiness import Readiness

RED, AMBER, GREEN = (192, 57, 43), (230, 176, 30), (39, 174, 96)
INK = "#000000"


def _mix(a: tuple[int, int, int], b: tuple[int, int, int], t: float) -> str:
    r, g, bl = (round(x + (y - x) * t) for x, y in zip(a, b, strict=True))
    return f"#{r:02x}{g:02x}{bl:02x}"


def score_colour(value: float) -> str:
    """Red (1) through amber (3) to green (5) for a 1-5 readiness score."""
    t = min(max((value - 1.0) / 4.0, 0.0), 1.0)
    return _mix(RED, AMBER, t * 2) if t < 0.5 else _mix(AMBER, GREEN, (t - 0.5) * 2)


def _luminance(colour: str) -> float:
    """WCAG relative luminance of a #rrggbb colour."""
    rgb = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    lin = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def contrast(a: str, b: str) -> float:
    """WCAG contrast ratio of two #rrggbb colours (1 to 21)."""
    hi, lo = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def text_on(fill: str) -> str:
    """Near-black or white, whichever reads better on `fill`."""
    return "#ffffff" if contrast("#ffffff", fill) > contrast(INK, fill) else INK


def _open(cls: str, width: int, height: int) -> str:
    """The start of a chart's <svg> tag (the caller adds aria-label and closes it): a viewBox
    and no pixel size, so it fills its box up to the width it was drawn at."""
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart {cls}" '
        f'viewBox="0 0 {width} {height}" width="100%" '
        f'style="max-width: {width}px; height: auto" role="img" '
    )


def angle_chart(al: Alignment, width: int = 640, height: int = 260) -> str:
    """Line chart of the angle (degrees, 0-90) per period over shaded aligned/partly/mis bands."""
    left, right, top, bottom = 56, 16, 28, 40
    pw, ph = width - left - right, height - top - bottom
    n = len(al.periods)

    def y(deg: float) -> float:
        return top + ph * (min(max(deg, 0.0), 90.0) / 90.0)

    def x(i: int) -> float:
        return left + (pw * (i + 0.5) / n if n else 0)

    out = [
        _open("angle-chart", width, height)
        + 'aria-label="Angle between leadership and management vectors per period">',
        f'<text x="{left}" y="16" font-size="12" font-weight="bold">Angle between where leaders '
        "point and where effort goes (0 = same direction)</text>",
    ]
    for lo, hi, colour, label in (
        (0.0, ALIGNED_MAX, "#e3f4ea", "aligned"),
        (ALIGNED_MAX, PARTLY_MAX, "#fbf1d3", "partly aligned"),
        (PARTLY_MAX, 90.0, "#f7dcd8", "misaligned"),
    ):
        out.append(
            f'<rect x="{left}" y="{y(lo):.1f}" width="{pw}" height="{y(hi) - y(lo):.1f}" '
            f'fill="{colour}"/>'
        )
        out.append(
            f'<text x="{left + pw - 4}" y="{y(hi) - 4:.1f}" font-size="10" text-anchor="end" '
            f'fill="#555">{label}</text>'
        )
    for deg in (0, 20, 45, 90):
        out.append(
            f'<text x="{left - 6}" y="{y(deg) + 4:.1f}" font-size="10" text-anchor="end">'
            f"{deg}°</text>"
        )
    points = []
    for i, period in enumerate(al.periods):
        out.append(
            f'<text x="{x(i):.1f}" y="{height - bottom + 16}" font-size="10" '
            f'text-anchor="middle">{escape(period)}</text>'
        )
        a = float(al.angle[i])
        if math.isfinite(a):
            points.append((x(i), y(a), a))
    if len(points) > 1:
        path = " ".join(f"{px:.1f},{py:.1f}" for px, py, _ in points)
        out.append(f'<polyline points="{path}" fill="none" stroke="#1f3a5f" stroke-width="2"/>')
    for px, py, a in points:
        out.append(f'<circle cx="{px:.1f}" cy="{py:.1f}" r="4" fill="#1f3a5f"/>')
        out.append(
            f'<text x="{px:.1f}" y="{py - 8:.1f}" font-size="10" text-anchor="middle" '
            f'class="angle-label">{a:.0f}°</text>'
        )
    out.append("</svg>")
    return "\n".join(out)


def heat_map(rd: Readiness, cell: int = 84, label_w: int = 190) -> str:
    """Group x ADKAR element grid coloured by the mean; the barrier cell has a thick outline."""
    rows = rd.rows
    top = 34
    width = label_w + cell * 5 + 10
    height = top + 30 * max(len(rows), 1) + 10
    out = [
        _open("heat-map", width, height)
        + 'aria-label="ADKAR readiness heat map by stakeholder group">',
    ]
    for j, element in enumerate(ADKAR_LABELS.values()):
        out.append(
            f'<text x="{label_w + cell * j + cell / 2:.0f}" y="{top - 10}" font-size="11" '
            f'text-anchor="middle" font-weight="bold">{element}</text>'
        )
    if not rows:
        out.append(
            f'<text x="10" y="{top + 18}" font-size="11">No group has enough answers to be '
            "shown.</text>"
        )
    for i, row in enumerate(rows):
        yy = top + 30 * i
        out.append(
            f'<text x="{label_w - 8}" y="{yy + 19}" font-size="11" text-anchor="end">'
            f"{escape(row.label)} (n={row.n})</text>"
        )
        for j, (element, m) in enumerate(zip(ADKAR_LABELS, row.means, strict=True)):
            xx = label_w + cell * j
            fill = "#eeeeee" if m is None else score_colour(m)
            barrier = row.barrier == element
            stroke = 'stroke="#111" stroke-width="3"' if barrier else 'stroke="#fff"'
            text = "–" if m is None else f"{m:.1f}"
            mark = " ▲" if barrier else ""
            said = row.answered[j] if row.answered else row.n
            tip = (
                f"{ADKAR_LABELS[element]}: mean {m:.2f} from {said} answers"
                if m is not None
                else f"{ADKAR_LABELS[element]}: withheld (fewer than {rd.min_respondents} "
                "answered it here, or in a group inside this row)"
            )
            out.append(
                f'<rect x="{xx}" y="{yy}" width="{cell}" height="28" fill="{fill}" {stroke}>'
                f"<title>{escape(tip)}</title></rect>"
            )
            out.append(
                f'<text x="{xx + cell / 2:.0f}" y="{yy + 18}" font-size="11" '
                f'text-anchor="middle" fill="{text_on(fill)}">{text}{mark}</text>'
            )
    out.append("</svg>")
    return "\n".join(out)
