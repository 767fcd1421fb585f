"""The report charts fit their box (viewBox, no pixel size), never clip a long label (it wraps)
and mark an interval that runs past the axis; counted nouns and "others" read correctly."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest

from bifocals.change.report import checklist_findings
from bifocals.change.svg import angle_chart
from bifocals.change.svg import heat_map as readiness_heat_map
from bifocals.framework import Framework
from bifocals.instruments.model import Instrument
from bifocals.plural import count, plural, verb
from bifocals.reports import individual_report_html, svg
from bifocals.reports.cohort_charts import heat_map, histograms
from bifocals.reports.wording import group_phrase, index_sentence, others_are
from bifocals.scoring import CampaignScores
from support.reports import scored_demo

LONG = "Peers, direct reports and colleagues from the wider organisation (pooled)"
LONG_SCALE = "Communicating a vision: sets a clear and inspiring direction for the whole team"


@pytest.fixture(scope="module")
def demo(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[CampaignScores, Framework, Instrument]:
    return scored_demo(tmp_path_factory.mktemp("demo"))


def _rows(label: str = LONG, low: float = 2.5, high: float = 4.1) -> list[tuple[svg.Point, ...]]:
    P = svg.Point
    return [
        (P("Self", 4.0, None, None, 1, None, True), P("Self", 3.0, None, None, 1, None, True)),
        (P(label, 3.2, low, high, 3, "low"), P(label, 2.5, 1.8, 3.2, 3, "moderate")),
        (
            P("All raters except self", 3.4, 2.9, 3.9, 7, "high", is_total=True),
            P("All raters except self", 2.9, 2.4, 3.3, 7, "high", is_total=True),
        ),
    ]


def _gaps(label: str = LONG_SCALE, low: float = 0.9, high: float = 1.7) -> list[svg.GapRow]:
    return [
        svg.GapRow(label, "leadership", 1.3, low, high, True),
        svg.GapRow("Planning: Plans", "management", -0.2, -0.6, 0.2, False),
    ]


def _svg_tag(chart: str) -> str:
    tag = re.match(r"<svg\b[^>]*>", chart)
    assert tag is not None
    return tag.group(0)


def _charts() -> dict[str, str]:
    from bifocals.change.loader import demo_initiative_text, load_initiative_text
    from bifocals.change.report import build_report

    ini, _ = load_initiative_text(demo_initiative_text(), "demo")
    report = build_report(ini)
    return {
        "dimension": svg.dimension_chart("Focus", ("Sets direction", "Plans"), _rows(), (1, 5)),
        "dimension narrow": svg.dimension_chart(
            "Focus", ("Sets direction", "Plans"), _rows(), (1, 5), 360, stacked=True
        ),
        "gap": svg.gap_chart(_gaps()),
        "gap narrow": svg.gap_chart(_gaps(), 360, stacked=True),
        "map": svg.lm_map([svg.MapPoint("You", 40, 60)], "Map"),
        "histograms": histograms([20.0, 55.0], [35.0, 70.0]),
        "heat map": heat_map(
            [("Sets direction", "leadership")], [("Kim", [3.5])], (1, 5), "Heat map"
        ),
        "angle": angle_chart(report.alignment),
        "readiness": readiness_heat_map(report.readiness),
    }


@pytest.mark.parametrize("name", list(_charts()))
def test_every_chart_has_a_view_box_and_no_pixel_size(name: str) -> None:
    tag = _svg_tag(_charts()[name])
    assert re.search(r'viewBox="0 0 \d+ \d+"', tag), tag
    assert 'width="100%"' in tag
    assert not re.search(r'\s(width|height)="[\d.]+(px)?"', tag), (
        tag
    )  # no fixed pixel width or height
    # It may grow up to the width it was drawn at, and no further.
    drawn = re.search(r'viewBox="0 0 (\d+) ', tag)
    assert drawn is not None and f"max-width: {drawn.group(1)}px" in tag


def _label_texts(chart: str) -> list[list[str]]:
    """The lines of every multi-line <text> (tspans) in the chart."""
    texts = re.findall(r"<text\b[^>]*>((?:<tspan\b[^>]*>[^<]*</tspan>)+)</text>", chart)
    return [re.findall(r"<tspan\b[^>]*>([^<]*)</tspan>", t) for t in texts]


@pytest.mark.parametrize("stacked", [False, True])
def test_a_long_group_label_wraps_and_keeps_every_word(stacked: bool) -> None:
    width = 360 if stacked else 680
    chart = svg.dimension_chart(
        "Focus", ("Sets direction", "Plans"), _rows(), (1, 5), width, stacked=stacked
    )
    wrapped = [lines for lines in _label_texts(chart) if len(lines) > 1]
    assert wrapped, "the long label is on more than one line"
    for lines in wrapped:
        assert " ".join(lines) in (LONG, "All raters except self")
    assert "…" not in chart
    # Every line ends before the plot starts: the first grid line of the chart.
    grid = min(float(x) for x in re.findall(r'<line x1="([\d.]+)" y1="[\d.]+" x2="\1"', chart))
    for lines in wrapped:
        for line in lines:
            assert svg.text_width(line, 11, bold=True) < grid, line


@pytest.mark.parametrize("stacked", [False, True])
def test_a_long_scale_label_in_the_gap_chart_wraps(stacked: bool) -> None:
    chart = svg.gap_chart(_gaps(), 360 if stacked else 680, stacked=stacked)
    lines = next(t for t in _label_texts(chart) if len(t) > 1)
    assert " ".join(lines) == LONG_SCALE
    assert "…" not in chart


def test_the_label_column_is_as_wide_as_the_longest_label_needs() -> None:
    short = svg.gap_chart(_gaps("Focus: Sets direction"))
    # Labels end 10px before the plot; a short label does not get the old 250px column.
    ends = [float(x) for x in re.findall(r'<tspan x="([\d.]+)"', short)]
    assert ends and max(ends) < 160


def test_wrap_text_breaks_at_spaces_and_splits_only_an_overlong_word() -> None:
    assert svg.wrap_text("Self", 11, 100) == ["Self"]
    lines = svg.wrap_text("All raters except self", 11, 70)
    assert len(lines) > 1 and " ".join(lines) == "All raters except self"
    word = "Supercalifragilisticexpialidocious"
    parts = svg.wrap_text(word, 11, 60)
    assert len(parts) > 1 and "".join(p.rstrip("-") for p in parts) == word
    assert all(svg.text_width(p, 11) <= 60 for p in parts)


def test_an_interval_past_the_axis_ends_in_a_titled_arrowhead() -> None:
    inside = svg.gap_chart(_gaps())
    assert "beyond-axis" not in inside
    chart = svg.gap_chart(_gaps(low=0.4, high=2.6))
    marks = re.findall(r'<g class="beyond-axis"><title>([^<]*)</title><path d="M([\d.]+)', chart)
    assert len(marks) == 1
    title, tip = marks[0]
    assert "runs beyond the axis" in title and "up to 2.6" in title and "2.0" in title
    # The tip sits on the end of the axis (+2), where the tick label "2.0" is.
    axis_end = re.search(
        r'<text x="([\d.]+)" y="[\d.]+" font-size="10" text-anchor="middle"'
        r"[^>]*>2\.0</text>",
        chart,
    )
    assert axis_end is not None and float(tip) == pytest.approx(float(axis_end.group(1)), abs=0.2)
    low = svg.gap_chart(_gaps(low=-2.4, high=1.0))
    assert "down to −2.4" in low and low.count('class="beyond-axis"') == 1


def test_a_dimension_interval_past_the_scale_is_marked_too() -> None:
    chart = svg.dimension_chart("Focus", ("A", "B"), _rows(low=0.2, high=5.9), (1, 5))
    titles = re.findall(r'<g class="beyond-axis"><title>([^<]*)</title>', chart)
    assert len(titles) == 2
    assert any("down to 0.2" in t for t in titles) and any("up to 5.9" in t for t in titles)
    assert all(t.startswith(f"{LONG}, leadership") for t in titles)


def test_plural_helpers() -> None:
    assert count(1, "group") == "1 group" and count(0, "group") == "0 groups"
    assert count(2, "person", "people") == "2 people" and plural(1, "person", "people") == "person"
    assert verb(1) == "is" and verb(3) == "are" and verb(1, "has", "have") == "has"


def test_no_report_or_change_text_writes_a_plural_with_brackets() -> None:
    root = Path(svg.__file__).parents[1]
    sources = [*(root / "reports").rglob("*.py"), *(root / "change").glob("*.py")]
    sources += list((root / "reports" / "templates").rglob("*.html"))
    found = [
        f"{p.name}: {line.strip()}"
        for p in sources
        for line in p.read_text(encoding="utf-8").splitlines()
        if re.search(r"[a-z]\(s\)[ ,.;:]", line) and "http(s)" not in line
    ]
    assert found == []


def test_one_accelerator_not_started_is_singular() -> None:
    from bifocals.change.catalogue import catalogue
    from bifocals.change.loader import demo_initiative_text, load_initiative_text

    ini, _ = load_initiative_text(demo_initiative_text(), "demo")
    cat = catalogue()
    messages = [f.message for f in checklist_findings(ini, cat) if f.code == "kotter_not_started"]
    for m in messages:
        n = int(m.split(" ", 1)[0])
        assert (" has not started" in m) == (n == 1) and (" have not started" in m) == (n != 1)


def test_others_are_named_when_only_one_group_besides_self_is_shown() -> None:
    assert others_are([("manager", ())]) == "your manager only"
    assert others_are([("manager", ()), ("peer", ())]) is None
    assert others_are([]) is None
    pooled = others_are([("others_pooled", ("peer", "direct_report"))])
    assert pooled == "your peers and direct reports (combined) only"
    assert group_phrase("peer") == "your peers"
    assert index_sentence(31, 40, "your manager only").startswith(
        "Others (here: your manager only) rate your leadership at 31"
    )
    assert index_sentence(31, 40).startswith("Others rate your leadership at 31")


def test_a_report_with_only_the_manager_says_so(
    demo: tuple[CampaignScores, Framework, Instrument],
) -> None:
    scores, framework, instrument = demo
    ps = scores.participants[0]
    only = dataclasses.replace(
        ps, groups=tuple(g for g in ps.groups if g.key in ("self", "manager"))
    )
    html = individual_report_html(scores, only, framework, instrument)
    assert "Others (here: your manager only) rate your leadership at" in html
    assert "Others (your manager only)" in html  # the map's label
    everyone = individual_report_html(scores, ps, framework, instrument)
    assert "Others rate your leadership at" in everyone and "here: your" not in everyone
