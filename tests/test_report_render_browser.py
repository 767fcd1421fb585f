"""The reports in a real browser (Debian Chromium) at phone and desktop widths: the page never
scrolls sideways, the individual report's charts fit the screen, wide tables and the heat maps
scroll in their own box, chart text keeps a readable size. Screenshots land in
test-output/report-render/ for people to look at."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from bifocals.change import build_report
from bifocals.change.loader import demo_initiative_text, load_initiative_text
from bifocals.demo import participant_names
from bifocals.reports import cohort_report_html, individual_report_html
from bifocals.reports.change import render_html
from bifocals.reports.svg import text_width
from support.reports import scored_demo
from support.web import PASSWORD, demo_initiative_db

pytestmark = pytest.mark.browser
PHONE, DESKTOP = 390, 1280

# Per chart shown: the smallest font size on screen (px), from the SVG's sizes and its scale.
CHART_FONTS = """() => [...document.querySelectorAll('svg.chart')]
  .filter(s => s.getBoundingClientRect().width > 0).map(s => {
  const k = s.getBoundingClientRect().width / s.viewBox.baseVal.width;
  const sizes = [...s.querySelectorAll('text')].map(t => parseFloat(t.getAttribute('font-size')));
  return [s.getAttribute('class'), Math.min(...sizes) * k];
})"""
# Tables and charts wider than the screen, each with whether a box around it scrolls sideways.
OVERFLOW = """(w) => [...document.querySelectorAll('table, svg.chart')]
  .filter(e => e.getBoundingClientRect().right > w + 1)
  .map(e => {
    let p = e.parentElement;
    while (p && !['auto', 'scroll'].includes(getComputedStyle(p).overflowX)) p = p.parentElement;
    return [e.tagName + '.' + e.getAttribute('class'),
            !!p && p.scrollWidth > p.clientWidth && p.getBoundingClientRect().right <= w + 1];
  })"""


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """An individual report, the cohort report and the initiative report as files."""
    d = tmp_path_factory.mktemp("pages")
    scores, framework, instrument = scored_demo(d)
    names = {code: full.split(",")[0] for code, full in participant_names().items()}
    ini, _ = load_initiative_text(demo_initiative_text(), "demo")
    html = {
        "individual": individual_report_html(
            scores, "P01", framework, instrument, display_name=names["P01"]
        ),
        "cohort": cohort_report_html(scores, framework, instrument, names=names),
        "change": render_html(build_report(ini)),
    }
    out = {}
    for key, text in html.items():
        out[key] = d / f"{key}.html"
        out[key].write_text(text, encoding="utf-8")
    return out


@pytest.fixture(scope="module")
def shots(artifacts_dir: Path) -> Path:
    out = artifacts_dir / "report-render"
    out.mkdir(parents=True, exist_ok=True)
    return out


def _open(browser: Any, path: Path, width: int) -> Any:
    page = browser.new_page(viewport={"width": width, "height": 800})
    page.goto(path.as_uri())
    return page


@pytest.mark.parametrize(
    ("key", "smallest", "scrolls"),
    [("individual", 8.5, False), ("cohort", 7.4, True), ("change", 9, True)],
)
def test_phone_page_fits_and_wide_parts_scroll_in_their_own_box(
    browser: Any, pages: dict[str, Path], shots: Path, key: str, smallest: float, scrolls: bool
) -> None:
    page = _open(browser, pages[key], PHONE)
    try:
        page.screenshot(path=str(shots / f"{key}-phone.png"), full_page=True)
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE
        fonts = page.evaluate(CHART_FONTS)
        assert fonts
        for cls, size in fonts:
            assert size >= smallest, f"{cls}: {size:.1f}px"
        wide = page.evaluate(OVERFLOW, PHONE)
        # The individual report's charts are drawn for a phone: nothing is wider than it.
        # The cohort's heat map and the change report's charts and tables are, in a box.
        assert bool(wide) is scrolls, wide
        assert [name for name, boxed in wide if not boxed] == []
    finally:
        page.close()


def test_individual_at_a_glance_stacks_on_a_phone_and_not_on_a_desktop(
    browser: Any, pages: dict[str, Path], shots: Path
) -> None:
    boxes = "() => ['.indices', '.map'].map(s => document.querySelector(s).getBoundingClientRect())"
    for width, side_by_side in ((PHONE, False), (DESKTOP, True)):
        page = _open(browser, pages["individual"], width)
        try:
            indices, chart = page.evaluate(boxes)
            assert (chart["left"] >= indices["right"]) is side_by_side
            assert chart["right"] <= width
            if width == DESKTOP:
                page.screenshot(path=str(shots / "individual-desktop.png"), full_page=True)
                # Nothing needs a sideways scroll on a desktop.
                assert page.evaluate(OVERFLOW, width) == []
        finally:
            page.close()


def test_heat_map_names_are_whole_in_the_browser(
    browser: Any, pages: dict[str, Path], shots: Path
) -> None:
    page = _open(browser, pages["cohort"], DESKTOP)
    try:
        page.screenshot(path=str(shots / "cohort-desktop.png"), full_page=True)
        labels = page.evaluate(
            """() => [...document.querySelectorAll('svg.heat-map text[text-anchor="end"]')]
              .map(t => [t.textContent, t.getComputedTextLength(), t.getBBox().x,
                         parseFloat(t.getAttribute('font-size'))])"""
        )
        assert len(labels) == len(participant_names())
        for name, measured, left, size in labels:
            assert "…" not in name
            assert left >= 0, name  # not cut at the chart's left edge
            assert text_width(name, size) >= measured, name  # the estimate errs wide
    finally:
        page.close()


@pytest.fixture
def dashboard(tmp_path: Path, live_server: Callable[[str], str]) -> str:
    return live_server(demo_initiative_db(tmp_path / "change.db"))


def test_dashboard_on_a_phone(browser: Any, dashboard: str, shots: Path) -> None:
    page = browser.new_page(viewport={"width": PHONE, "height": 800})
    try:
        page.goto(dashboard + "/initiatives")  # sends to the login, then back here
        page.get_by_label("E-mail").fill("coach@example.org")
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(re.compile(r"/initiatives$"))
        page.goto(dashboard + "/initiatives/Move%20the%20order%20system%20to%20the%20cloud")
        page.screenshot(path=str(shots / "dashboard-phone.png"), full_page=True)
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE
        for cls, size in page.evaluate(CHART_FONTS):
            assert size >= 9, f"{cls}: {size:.1f}px"
        # The findings' last column is off-screen at first, in a box that scrolls to it.
        box = page.locator(".change-report .cr-scroll", has=page.locator("table.findings"))
        todo = box.locator("th", has_text="What to do")
        assert todo.bounding_box()["x"] > PHONE
        box.evaluate("b => { b.scrollLeft = b.scrollWidth; }")
        seen = todo.bounding_box()
        assert seen["x"] >= 0 and seen["x"] + seen["width"] <= PHONE
        for name, boxed in page.evaluate(OVERFLOW, PHONE):
            assert boxed, name
    finally:
        page.close()


def test_gap_chart_needs_no_sideways_scroll_on_a_phone(
    browser: Any, pages: dict[str, Path], shots: Path
) -> None:
    """On a phone the gap chart is the one with labels above each row, as wide as the screen;
    on a desktop the one with labels beside the plot. One of the two is shown, never both."""
    shown = """() => [...document.querySelectorAll('.gap-figure svg.gap-chart')]
        .filter(s => s.getBoundingClientRect().width > 0)
        .map(s => [s.parentElement.className, s.getBoundingClientRect().right])"""
    for width, kind in ((PHONE, "chart-narrow"), (DESKTOP, "chart-wide")):
        page = _open(browser, pages["individual"], width)
        try:
            charts = page.evaluate(shown)
            assert [k for k, _ in charts] == [kind]
            assert charts[0][1] <= width
            if width == PHONE:
                page.locator(".gap-figure").screenshot(path=str(shots / "gap-chart-phone.png"))
        finally:
            page.close()
