"""Rendered reports: no Python object leaks into a page; the cohort Items column is right.

Built from the real demo campaign (CSV -> SQLite store -> score_campaign) and the demo
initiative, rendered by the same functions the CLI and the web app use.
"""

from __future__ import annotations

import re
from html import unescape
from pathlib import Path

import pytest

from bifocals.change import build_report
from bifocals.change.loader import demo_initiative_text, load_initiative_text
from bifocals.demo import participant_names
from bifocals.framework.model import Framework
from bifocals.instruments.model import Instrument
from bifocals.reports import cohort_report_html, write_reports
from bifocals.reports.change import render_body, render_html
from bifocals.scoring import CampaignScores
from support.reports import scored_demo

# What Jinja prints when a template reaches a method or an object instead of a value.
LEAKS = re.compile(r"built-in method|bound method|object at 0x|<function |Undefined")


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[CampaignScores, Framework, Instrument]:
    d = tmp_path_factory.mktemp("demo")
    return scored_demo(d)


def _names() -> dict[str, str]:
    return {code: full.split(",")[0] for code, full in participant_names().items()}


def _leaks(html: str) -> list[str]:
    return [html[max(0, m.start() - 60) : m.end() + 20] for m in LEAKS.finditer(unescape(html))]


def test_no_python_objects_in_any_360_report(
    demo: tuple[CampaignScores, Framework, Instrument], tmp_path: Path
) -> None:
    scores, framework, instrument = demo
    paths = write_reports(scores, framework, instrument, tmp_path, names=_names())
    pages = [p for p in paths if p.suffix == ".html"]
    # index, cohort and one page per participant
    assert len(pages) == len(scores.participants) + 2
    assert {"index.html", "cohort.html"} <= {p.name for p in pages}
    for page in pages:
        assert _leaks(page.read_text(encoding="utf-8")) == [], page.name


def test_no_python_objects_in_the_change_report() -> None:
    ini, _ = load_initiative_text(demo_initiative_text(), "demo")
    report = build_report(ini)
    for html in (render_html(report), render_body(report)):
        assert _leaks(html) == []


def test_cohort_items_column_counts_the_items_of_each_scale(
    demo: tuple[CampaignScores, Framework, Instrument],
) -> None:
    scores, framework, instrument = demo
    html = cohort_report_html(scores, framework, instrument, names=_names())
    table = html.split('<table class="reliability">', 1)[1].split("</table>", 1)[0]
    rows = re.findall(r"<tr class=\"rel-[a-z]+\">(.*?)</tr>", table, re.S)
    reliability = {(r.dimension, r.side): r for r in scores.reliability}
    expected = []
    for side in ("leadership", "management"):
        for d in framework.dimensions:
            n = sum(1 for i in instrument.items if i.dimension == d.id and i.side == side)
            r = reliability.get((d.id, side))
            if r is not None:
                assert r.n_items == n
            expected.append((d.side(side).label, str(n) if r is not None else "–"))
    got = []
    for row in rows:
        cells = re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
        label = re.search(r"<strong>(.*?)</strong>", cells[0])
        assert label is not None
        got.append((unescape(label.group(1)), cells[1].strip()))
    assert got == expected
    assert all(n.isdigit() and int(n) > 0 for _, n in got)
