"""The initiative report as people read it: contrast of its text colours, severity words as the
docs use them, tables that scroll on a phone, and a PDF whose headings stay with their figure
and whose pages carry a running header and page numbers."""

from __future__ import annotations

import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from bifocals.change import ChangeReport, build_report
from bifocals.change.loader import demo_initiative_text, load_initiative_text
from bifocals.change.svg import contrast, heat_map, score_colour, text_on
from bifocals.reports.change import render_body, render_html, render_pdf, report_css

ROOT = Path(__file__).resolve().parents[1]
APP_CSS = ROOT / "src" / "bifocals" / "web" / "static" / "app.css"
NS = "{http://www.w3.org/2000/svg}"
AA = 4.5  # WCAG AA for normal-size text


@pytest.fixture(scope="module")
def report() -> ChangeReport:
    ini, _ = load_initiative_text(demo_initiative_text(), "demo")
    return build_report(ini)


def _backgrounds() -> dict[str, str]:
    """Where the report's text sits: the standalone page (white) and the web dashboard, which
    embeds the report on the site's page colour and its cards on paper."""
    site = APP_CSS.read_text(encoding="utf-8")
    found = dict(re.findall(r"--(wash|paper):\s*(#[0-9a-fA-F]{6})", site))
    assert {"wash", "paper"} <= found.keys()
    return {"page": "#ffffff", "dashboard": found["wash"], "card": found["paper"]}


def _hex(colour: str) -> str:
    c = colour.lstrip("#")
    return "#" + ("".join(ch * 2 for ch in c) if len(c) == 3 else c).lower()


def _text_colours(css: str) -> dict[str, str]:
    """Selector -> colour of every rule that sets a text colour."""
    out = {}
    for sel, body in re.findall(r"([^{}]+)\{([^{}]*)\}", css):
        m = re.search(r"(?<![-\w])color:\s*(#[0-9a-fA-F]{3,6})", body)
        if m:
            out[" ".join(sel.split())] = _hex(m.group(1))
    return out


def test_contrast_ratio_matches_wcag_examples() -> None:
    assert contrast("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast("#ffffff", "#ffffff") == pytest.approx(1.0)
    assert contrast("#767676", "#ffffff") == pytest.approx(4.54, abs=0.01)
    # The old warning colour: fine on white, too light on the dashboard's page colour.
    assert contrast("#9a6b00", "#f3f5f8") < AA


def test_every_text_colour_meets_aa_where_the_report_is_shown() -> None:
    colours = _text_colours(report_css())
    severity = {s: c for s, c in colours.items() if "sev-" in s}
    assert len(severity) == 3  # error, warning, info
    assert len(colours) > len(severity)  # muted and explanatory text too
    for where, background in _backgrounds().items():
        for selector, colour in colours.items():
            ratio = contrast(colour, background)
            assert ratio >= AA, f"{selector} {colour} on {where} {background}: {ratio:.2f}"


def test_text_in_the_readiness_heat_map_meets_aa(report: ChangeReport) -> None:
    for k in range(401):
        fill = score_colour(1 + k / 100)
        assert contrast(text_on(fill), fill) >= AA, fill
    root = ET.fromstring(heat_map(report.readiness))
    rects = [r for r in root.iter(f"{NS}rect") if r.find(f"{NS}title") is not None]
    values = [t for t in root.iter(f"{NS}text") if t.get("fill")]
    assert rects and len(rects) == len(values)
    for rect, value in zip(rects, values, strict=True):
        assert contrast(value.get("fill", ""), rect.get("fill", "")) >= AA


def test_severity_words_follow_the_docs(report: ChangeReport) -> None:
    docs = (ROOT / "docs" / "change.md").read_text(encoding="utf-8")
    named = re.search(r"has a severity \(([a-z]+), ([a-z]+), ([a-z]+)\)", docs)
    assert named is not None
    words = [w.capitalize() for w in named.groups()]  # Problem, Warning, Note
    html = render_body(report)
    cells = re.findall(r'<td class="sev">([^<]*)</td>', html)
    assert len(cells) == len(report.findings) and set(cells) <= set(words)
    by_code = dict(zip(("error", "warning", "info"), words, strict=True))
    assert cells == [by_code[f.severity] for f in report.findings]
    summary = html.split('<p class="summary">', 1)[1].split("</p>", 1)[0]
    counts = report.counts()
    for key, word in by_code.items():
        n = counts[key]
        shown = f"{n} {word.lower()}" + ("" if n == 1 else "s")
        assert f'<span class="sev-{key}">{shown}</span>' in summary
    assert "error" not in re.sub(r"<[^>]+>", "", summary)  # the codes never show as words


def test_every_table_scrolls_in_its_own_box(report: ChangeReport) -> None:
    for html in (render_html(report), render_body(report)):
        tables = re.findall(r"<table\b", html)
        boxed = re.findall(r'<div class="cr-scroll">\s*<table\b', html)
        assert len(tables) >= 8 and len(boxed) == len(tables)
    css = report_css()
    assert re.search(r"\.cr-scroll, \.chart-box \{ overflow: auto;", css)
    # Charts keep a readable size on a narrow screen instead of shrinking with it.
    assert re.search(r"\.chart-box svg \{ min-width: \d+px; \}", css)


def test_impact_headers_start_with_a_capital(report: ChangeReport) -> None:
    html = render_body(report)
    table = html.split('<table class="impact">', 1)[1].split("</thead>", 1)[0]
    heads = re.findall(r"<th>([^<]*)</th>", table)
    areas = list(report.initiative.areas)
    assert heads[2:] == [a[:1].upper() + a[1:] for a in areas]
    assert all(h[:1].isupper() for h in heads)


def _pdf_pages(pdf: Path) -> list[str]:
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    return text.split("\f")[:-1]


@pytest.mark.pdf
def test_pdf_headings_stay_with_their_figure_and_pages_are_numbered(
    report: ChangeReport, pdf_engine: None, artifacts_dir: Path
) -> None:
    out = artifacts_dir / "report-render"
    out.mkdir(parents=True, exist_ok=True)
    pdf = out / "change-report.pdf"
    pdf.write_bytes(render_pdf(report))
    pages = _pdf_pages(pdf)
    total = len(pages)
    assert total > 2
    name = report.initiative.name
    for k, page in enumerate(pages, start=1):
        assert f"Page {k} of {total}" in page
        if k > 1:  # the first page shows the name as its title instead
            head = page.strip().splitlines()[0]
            assert name in head and "bifocals change report" in head
    # Each heading is on the same page as the start of what it introduces.
    for heading, follows in (
        ("Alignment: leadership and management vectors", "Angle between where leaders point"),
        ("Duty coverage", "Owners"),
        ("Readiness (ADKAR)", "Awareness"),
        ("Kotter's eight accelerators", "Accelerator"),
    ):
        at = re.compile(rf"^\s*{re.escape(heading)}\s*$", re.M)  # a line of its own
        found = [(k, m) for k, page in enumerate(pages) if (m := at.search(page))]
        assert len(found) == 1, heading
        k, m = found[0]
        assert follows in pages[k][m.end() :], f"{heading} ends page {k + 1}"
    if shutil.which("pdftoppm"):
        subprocess.run(
            ["pdftoppm", "-png", "-r", "50", str(pdf), str(out / "change-page")], check=True
        )
