"""Render a ChangeReport as HTML (Jinja, inline SVG) and as PDF (WeasyPrint).

Pure: returns strings and bytes; writing files is the caller's business.
"""

from __future__ import annotations

import math
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup

from bifocals.change.alignment import band
from bifocals.change.model import ADKAR_LABELS
from bifocals.change.report import ChangeReport
from bifocals.change.svg import angle_chart, heat_map
from bifocals.plural import count, verb
from bifocals.reports.pdf import html_to_pdf

_ENV = Environment(
    loader=PackageLoader("bifocals.reports", "templates/change"),
    autoescape=select_autoescape(["html"]),
    trim_blocks=True,
    lstrip_blocks=True,
)
_ENV.globals.update(count=count, verb=verb)
# The theme table shows at most this many themes (by weight), the rest summed in one row.
MAX_THEME_ROWS = 15


def theme_rows(report: ChangeReport) -> list[dict[str, Any]]:
    """Per theme: weight share and effort share per period (top themes by weight)."""
    al = report.alignment
    shares = [al.management(p) for p in range(len(al.periods))]
    rows: list[dict[str, Any]] = [
        {
            "name": name,
            "weight": float(al.leadership[k]),
            "effort": [float(s[k]) for s in shares],
        }
        for k, name in enumerate(al.theme_names)
    ]
    rows.sort(key=lambda r: -r["weight"])
    if len(rows) > MAX_THEME_ROWS:
        rest = rows[MAX_THEME_ROWS - 1 :]
        other = {
            "name": count(len(rest), "other theme"),
            "weight": sum(r["weight"] for r in rest),
            "effort": [sum(r["effort"][p] for r in rest) for p in range(len(al.periods))],
        }
        rows = [*rows[: MAX_THEME_ROWS - 1], other]
    return rows


def view_model(report: ChangeReport) -> dict[str, Any]:
    """Everything the templates need (the web dashboard uses the same view model)."""
    al = report.alignment
    periods = []
    for p, name in enumerate(al.periods):
        a = float(al.angle[p])
        tot = float(al.total[p])
        source = report.initiative.effort_source(name)
        periods.append(
            {
                # Where the period's effort comes from: the file, or an effort import.
                "source": source.describe(),
                "imported": source.imported,
                "name": name,
                "angle": a if math.isfinite(a) else None,
                "cosine": float(al.cosine[p]) if math.isfinite(a) else None,
                "band": band(a if math.isfinite(a) else None),
                "total": tot,
                "untagged_share": float(al.untagged[p]) / tot if tot else 0.0,
                "unfunded": [al.theme_names[al.theme_ids.index(t)] for t in al.unfunded(p)],
            }
        )
    return {
        "r": report,
        "ini": report.initiative,
        "periods": periods,
        "overall_angle": al.overall_angle,
        "trend": al.trend,
        "slope": al.slope,
        "themes": theme_rows(report),
        # The SVGs are built from escaped parts, so they are safe to insert as markup.
        "angle_svg": Markup(angle_chart(al)),
        "heat_svg": Markup(heat_map(report.readiness)),
        "adkar_labels": ADKAR_LABELS,
        "counts": report.counts(),
        "findings": report.findings,
    }


def render_body(report: ChangeReport) -> str:
    """The report's sections without page head and styles (embedded by the web dashboard)."""
    return _ENV.get_template("body.html").render(**view_model(report))


def report_css() -> str:
    """The report's stylesheet."""
    return _ENV.get_template("report.css").render()


def render_html(report: ChangeReport) -> str:
    """The whole initiative report as one self-contained HTML page."""
    return _ENV.get_template("report.html").render(**view_model(report))


def render_pdf(report: ChangeReport) -> bytes:
    """The initiative report as PDF (BifocalsError, said plainly, when Pango is missing)."""
    return html_to_pdf(render_html(report))
