"""360 reports: content, escaping, anonymity, SVG well-formedness, files (hand-built scores)."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bifocals.framework import default_framework
from bifocals.framework.model import Framework
from bifocals.instruments import get_instrument
from bifocals.instruments.model import Instrument
from bifocals.profile import Stat
from bifocals.reports import (
    CommentCode,
    cohort_report_html,
    comment_codes_from,
    individual_report_html,
    safe_filename,
    write_reports,
)
from bifocals.reports.files import RESERVED
from bifocals.scoring.model import (
    ALL_OTHERS,
    LEADS_AND_MANAGES,
    CampaignScores,
    Gap,
    Highlight,
    ParticipantScores,
    Reliability,
    ReportedComment,
    ReportedGroup,
    Thresholds,
)

EVIL = '<script>alert("x")</script><b onmouseover="y">bold</b> & more'
SVG_RE = re.compile(r"<svg\b.*?</svg>", re.S)


@pytest.fixture(scope="module")
def framework() -> Framework:
    return default_framework()


@pytest.fixture(scope="module")
def instrument() -> Instrument:
    return get_instrument()


def _participant(name: str = "P01") -> ParticipantScores:
    fl, fm = ("focus_goals", "leadership"), ("focus_goals", "management")
    cells = {
        ("self", *fl): Stat(4.5, 1),
        ("manager", *fl): Stat(3.0, 1),
        ("peer", *fl): Stat(3.7, 6, 0.6, 3.1, 4.3),
        (ALL_OTHERS, *fl): Stat(3.6, 7, 0.65, 3.0, 4.2),
        ("self", *fm): Stat(4.0, 1),
        ("manager", *fm): Stat(2.0, 1),
        ("peer", *fm): Stat(3.5, 6, 1.2, 2.2, 4.8),
        (ALL_OTHERS, *fm): Stat(3.3, 7, 1.3, 2.1, 4.5),
        ("peer", "risk_taking", "leadership"): Stat(2.9, 6, 0.4, 2.5, 3.3),
        (ALL_OTHERS, "risk_taking", "leadership"): Stat(2.8, 7, 0.45, 2.4, 3.2),
    }
    rwg = {k: (0.8 if k[0] == "peer" else 0.3) for k, v in cells.items() if v.n > 1}
    return ParticipantScores(
        participant=name,
        groups=(
            ReportedGroup("self", "Self", 1),
            ReportedGroup("manager", "Manager", 1),
            ReportedGroup("peer", "Peers", 6),
        ),
        suppressed=("direct_report",),
        cells=cells,
        rwg=rwg,
        gaps=(
            Gap("focus_goals", "leadership", 4.5, 3.6, 0.9, 0.3, 1.5, "blind_spot"),
            Gap("focus_goals", "management", 4.0, 3.3, 0.7, -0.2, 1.6, None),
        ),
        leadership_index=65.0,
        management_index=57.5,
        quadrant=LEADS_AND_MANAGES,
        strengths=(Highlight("focus_goals", "leadership", 3.6),),
        development_areas=(Highlight("risk_taking", "leadership", 2.8),),
        comments=(
            ReportedComment("peer", "Q1", EVIL),
            ReportedComment("manager", "Q1", "Sets a clear direction for the year."),
            ReportedComment("self", "Q2", "I could plan the budget earlier."),
        ),
    )


@pytest.fixture(scope="module")
def scores() -> CampaignScores:
    return CampaignScores(
        campaign="Spring <cohort> 2026",
        instrument="bifocals_open_360",
        thresholds=Thresholds(),
        participants=(_participant("P01"), _participant("Zoë <Admin>"), _participant("index")),
        reliability=(
            Reliability("focus_goals", "leadership", 4, 40, 0.86, 0.87),
            Reliability("focus_goals", "management", 4, 6, None, None),
            Reliability("risk_taking", "leadership", 4, 40, 0.55, 0.58),
        ),
    )


@pytest.fixture(scope="module")
def page(scores: CampaignScores, framework: Framework, instrument: Instrument) -> str:
    return individual_report_html(scores, "P01", framework, instrument, generated="2026-05-01")


def test_individual_cover_names_groups_and_suppressed_without_count(page: str) -> None:
    assert "2026-05-01" in page
    assert "Spring &lt;cohort&gt; 2026" in page
    groups = page.split('<table class="groups">', 1)[1].split("</table>", 1)[0]
    assert "<td>Peers</td>" in groups and '<td class="num">6</td>' in groups
    assert "Direct reports" not in groups
    assert "Not shown: Direct reports." in page
    # The suppressed group appears nowhere with a number: only in the notes that name it.
    for m in re.finditer("Direct reports", page):
        around = page[max(0, m.start() - 80) : m.end() + 80]
        assert "Not shown" in around or "In this report" in around


def test_individual_puts_leadership_and_management_side_by_side(
    page: str, framework: Framework
) -> None:
    figures = re.findall(r'<figure class="dimension">.*?</figure>', page, re.S)
    assert len(figures) == len(framework.dimensions)
    for d, fig in zip(framework.dimensions, figures, strict=True):
        lead = fig.index(f"Leadership: {d.leadership.label}")
        manage = fig.index(f"Management: {d.management.label}")
        assert lead < manage
    first = figures[0]
    assert "All raters except self" in first and "Peers" in first


def test_flagged_gap_is_explained_in_plain_words(page: str) -> None:
    text = (
        "Your own rating is 0.9 points above others&#39;; with 7 raters the 95% interval is "
        "0.3 to 1.5, so this is unlikely to be chance."
    )
    assert text in page
    assert "Blind spots: others see less of this than you think you show" in page


def test_large_unflagged_gap_says_not_enough_evidence(page: str) -> None:
    assert "0.7 points above others&#39;, but with 7 raters the 95% interval runs from " in page
    assert "−0.2 to 1.6 and includes zero: not enough evidence" in page


def test_strengths_development_agreement_and_indices(page: str) -> None:
    assert "Top strengths" in page and "Sets direction" in page
    assert "Development areas" in page and "Takes calculated risks" in page
    assert "low agreement among the 7 raters" in page
    assert "leads and manages" in page
    assert "Others rate your leadership at 65 and your management at 58" in page


def test_comments_are_escaped_and_no_script_anywhere(page: str) -> None:
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in page
    assert "<script" not in page.lower()
    assert "<b onmouseover" not in page
    assert "&lt;b onmouseover=&#34;y&#34;&gt;bold&lt;/b&gt; &amp; more" in page


def test_participant_name_is_escaped(
    scores: CampaignScores, framework: Framework, instrument: Instrument
) -> None:
    html = individual_report_html(scores, "Zoë <Admin>", framework, instrument)
    assert "Zoë &lt;Admin&gt;" in html and "<Admin>" not in html


def test_every_svg_is_well_formed_and_accessible(
    page: str, scores: CampaignScores, framework: Framework, instrument: Instrument
) -> None:
    cohort = cohort_report_html(scores, framework, instrument)
    svgs = SVG_RE.findall(page) + SVG_RE.findall(cohort)
    charts = [s for s in svgs if 'class="chart' in s]
    assert len(charts) >= len(framework.dimensions) + 4
    ns = "{http://www.w3.org/2000/svg}"
    for s in svgs:
        root = ET.fromstring(s)
        if "legend-marker" in (root.get("class") or ""):
            assert root.get("aria-hidden") == "true"
            continue
        assert root.get("role") == "img" and root.get("aria-label")
        assert root.find(f"{ns}title") is not None and root.find(f"{ns}desc") is not None


def test_comment_codes_group_by_dimension_and_side(
    scores: CampaignScores, framework: Framework, instrument: Instrument
) -> None:
    codes = {
        "Sets a clear direction for the year.": CommentCode("leadership", "focus_goals", 0.9),
        "I could plan the budget earlier.": CommentCode("management", "focus_goals", 0.8),
        EVIL: CommentCode("leadership", "risk_taking", 0.2),  # too unsure: stays by question
    }
    html = individual_report_html(scores, "P01", framework, instrument, comment_codes=codes)
    words = html.split("In their own words", 1)[1]
    sec = words.split('<div class="comment-section">')
    assert "<h3>Focus and goals</h3>" in sec[1]
    assert "Leadership: Sets direction" in sec[1] and "Management: Plans and budgets" in sec[1]
    assert sec[1].index("Sets a clear direction") < sec[1].index("plan the budget")
    assert "Other comments: " in sec[2] and "&lt;script&gt;" in sec[2]


def test_a_comment_the_analyzer_is_unsure_of_stays_uncoded(
    scores: CampaignScores, framework: Framework, instrument: Instrument
) -> None:
    sure = CommentCode("management", "focus_goals", 0.8)
    codes = {
        "Sets a clear direction for the year.": CommentCode(
            "leadership", "focus_goals", 0.9, unsure=True
        ),
        "I could plan the budget earlier.": sure,
    }
    html = individual_report_html(scores, "P01", framework, instrument, comment_codes=codes)
    words = html.split("In their own words", 1)[1]
    coded, rest = words.split("Other comments: ", 1)
    assert "plan the budget" in coded and "Sets a clear direction" not in coded
    assert "Sets a clear direction" in rest


def test_comment_codes_from_duck_typed_classifications() -> None:
    class C:
        def __init__(self, text: str, function: str, dimension: str | None) -> None:
            self.text, self.function, self.dimension, self.confidence = (
                text,
                function,
                dimension,
                0.75,
            )

    found = [C("a", "leadership", "focus_goals"), C("b", "neither", None)]
    assert comment_codes_from(found) == {
        "a": CommentCode("leadership", "focus_goals", 0.75),
        "b": CommentCode("neither", None, 0.75),
    }
    keyed = comment_codes_from(found, texts=["a\n", "b  "])
    assert set(keyed) == {"a\n", "b  "}
    with pytest.raises(ValueError, match="1 texts but 2 classifications"):
        comment_codes_from(found, texts=["a"])


@pytest.mark.slow
def test_comments_coded_by_the_text_analyzer(
    scores: CampaignScores, framework: Framework, instrument: Instrument
) -> None:
    text = pytest.importorskip("bifocals.text")
    comments = [c.text for c in scores.participants[0].comments]
    codes = comment_codes_from(text.Analyzer(fast=True).classify(comments), texts=comments)
    html = individual_report_html(scores, "P01", framework, instrument, comment_codes=codes)
    assert "&lt;script&gt;" in html and "<script" not in html.lower()
    words = html.split("In their own words", 1)[1]
    for comment, code in codes.items():
        if code.function != "neither" and code.dimension and code.confidence >= 0.5:
            if code.unsure:  # unsure codings stay under their question, uncoded
                assert f"<q>{comment[:20]}" not in words.split("Other comments", 1)[0]
                continue
            name = framework.dimension(code.dimension).name
            section = words.split(f"<h3>{name}</h3>", 1)[1].split('<div class="comment-section">')[
                0
            ]
            assert comment.replace("&", "&amp;").replace("<", "&lt;")[:20] in section


def test_cohort_report_content(
    scores: CampaignScores, framework: Framework, instrument: Instrument
) -> None:
    html = cohort_report_html(scores, framework, instrument, generated="2026-05-01")
    assert "<script" not in html.lower()
    assert "Distribution of the leadership and management indices" in html
    assert "Participants on the leadership x management map" in html
    heat = "".join(re.findall(r'<svg[^>]*class="chart heat-map".*?</svg>', html, re.S))
    # Visible ALL_OTHERS means only: 3.6, 3.3 and 2.8 per participant; group means never.
    cells = re.findall(r">(\d\.\d)</text>", heat)
    assert sorted(set(cells)) == ["2.8", "3.3", "3.6"]
    assert ">3.7<" not in heat and ">4.5<" not in heat  # peers and self stay out
    rel = html.split('<table class="reliability">', 1)[1].split("</table>", 1)[0]
    assert "0.86" in rel and "Good: the items measure one thing consistently." in rel
    assert "Not computed: 6 complete answer sets" in rel
    assert "Poor: the items do not hang together well" in rel


def test_output_is_deterministic(
    scores: CampaignScores, framework: Framework, instrument: Instrument, page: str
) -> None:
    again = individual_report_html(scores, "P01", framework, instrument, generated="2026-05-01")
    assert again == page


def test_unknown_participant_names_known_ones(
    scores: CampaignScores, framework: Framework, instrument: Instrument
) -> None:
    with pytest.raises(KeyError, match=r"no participant 'nobody'.*P01"):
        individual_report_html(scores, "nobody", framework, instrument)


def test_write_reports_writes_linked_pages_with_safe_unique_names(
    scores: CampaignScores, framework: Framework, instrument: Instrument, tmp_path: Path
) -> None:
    seen: list[str] = []
    paths = write_reports(
        scores,
        framework,
        instrument,
        tmp_path / "out",
        progress=seen.append,
        names={"P01": "Zoë Admin"},
    )
    names = sorted(p.name for p in paths)
    assert names == [
        "Zoe-Admin-2.html",
        "Zoe-Admin.html",
        "cohort.html",
        "index-participant.html",
        "index.html",
    ]
    assert seen == ["P01", "Zoë <Admin>", "index", "cohort", "index"]
    index = (tmp_path / "out" / "index.html").read_text(encoding="utf-8")
    for n in names:
        if n != "index.html":
            assert f'href="{n}"' in index
    assert "Zoë &lt;Admin&gt;" in index and "<script" not in index.lower()
    first = (tmp_path / "out" / "Zoe-Admin.html").read_text(encoding="utf-8")
    assert "<h1>Zoë Admin</h1>" in first


@pytest.mark.parametrize(
    ("name", "stem"),
    [
        ("Amara Okafor", "Amara-Okafor"),
        ("../../etc/passwd", "etc-passwd"),
        ("Łódź / Zoë", "Lodz-Zoe"),
        ("Jürgen Weiß", "Jurgen-Weiss"),
        ("Łukasz Wójcik", "Lukasz-Wojcik"),
        ("Søren Æbelø", "Soren-AEbelo"),
        ("李雷", "participant"),
        ("...", "participant"),
        ("CON", "CON-participant"),
        ("cohort", "cohort-participant"),
        ("a" * 200, "a" * 80),
    ],
)
def test_safe_filename(name: str, stem: str) -> None:
    assert safe_filename(name) == stem


@given(st.text(max_size=120))
def test_safe_filename_is_always_safe(name: str) -> None:
    stem = safe_filename(name)
    assert re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]{0,79}", stem) or stem.endswith("participant")
    assert not stem.startswith(".") and stem.lower() not in RESERVED and 0 < len(stem) <= 92
